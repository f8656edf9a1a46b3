using Alignment.IntegrationTests.Infrastructure;
using Alignment.Host.Jobs;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Advice;

/// <summary>The recurring advice jobs registered from configuration: the configured cron in the configured time zone.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AdviceScheduleTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static object Config(string host) => new
    {
        Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira") },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
        Auth = new { ApiKeys = TestHost.ApiKeys },
        Advice = new { Cron = "30 8 * * 2", TimeZone = "Europe/Amsterdam", Smtp = new { Host = host, Port = 2525, Security = "None", From = "pmo@example.com" } },
    };

    private static List<RecurringJobDto> Jobs(TestHost host)
    {
        using var conn = host.Services.GetRequiredService<JobStorage>().GetConnection();
        return conn.GetRecurringJobs().Where(j => j.Id.StartsWith("advice:", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public async Task Registers_the_weekly_digest_on_the_configured_cron_and_time_zone_and_removes_it_without_a_mail_server()
    {
        await using (var host = await TestHost.StartAsync(db, Config("127.0.0.1")))
        {
            var jobs = Jobs(host);
            var weekly = Assert.Single(jobs, j => j.Id == RecurringJobRegistrar.AdviceWeeklyId);
            Assert.Equal("30 8 * * 2", weekly.Cron);
            Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam").Id, weekly.TimeZoneId);
            Assert.Contains(jobs, j => j.Id == RecurringJobRegistrar.AdviceOutboxId);
        }
        await using (var host = await TestHost.StartAsync(db, Config("")))
            Assert.Empty(Jobs(host));
    }
}
