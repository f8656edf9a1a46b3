using System.Diagnostics;
using Alignment.IntegrationTests.Infrastructure;
using static Alignment.IntegrationTests.Infrastructure.JiraStub;

namespace Alignment.IntegrationTests.Sync;

/// <summary>The <c>alignment sync</c> verb as a user runs it: a separate process, a config file, tokens from the environment.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SyncVerbTests(TestDatabase db) : IAsyncLifetime
{
    private readonly JiraStub _jira = new();

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _jira.Issues.AddRange([new Issue(10001, "PAY-1", "One"), new Issue(10002, "PAY-2", "Two") { Sprints = [2] }]);
    }

    public Task DisposeAsync() { _jira.Dispose(); return Task.CompletedTask; }

    private Task<(int Code, string Output)> Alignment(params string[] args) => AlignmentProcess.RunAsync(db.ConnectionString, args);

    [Fact]
    public async Task Sync_prints_per_team_counts_and_exits_0()
    {
        var file = TestHost.WriteConfig(new
        {
            Sources = new[] { Configs.JiraSource(_jira.Url) },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
        });

        var (code, output) = await Alignment("sync", "--config", file);

        Assert.True(code == 0, output);
        Assert.True(output.Contains("payments", StringComparison.Ordinal), output);
        Assert.True(output.Contains("succeeded", StringComparison.Ordinal), output);
        Assert.Matches(@"payments\s*│\s*full\s*│\s*succeeded\s*│\s*2\s*│\s*2", output);
        Assert.DoesNotContain(Configs.JiraToken, output);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
    }

    [Fact]
    public async Task A_bad_configuration_value_names_its_key_and_exits_2()
    {
        var file = TestHost.WriteConfig(new
        {
            Sources = new[] { new { Id = "jira", Kind = "Jira", BaseUrl = "not a url", Auth = new { Scheme = "Basic", User = "bot@example.com", TokenEnv = Configs.JiraTokenEnv } } },
        });

        var (code, output) = await Alignment("sync", "--config", file);

        Assert.Equal(2, code);
        Assert.Contains("Alignment:Sources:0:BaseUrl: 'not a url' is not an absolute http(s) URL", output);
    }

    [Fact]
    public async Task A_failing_source_exits_1_with_the_reason()
    {
        _jira.Fail("/rest/api/2/serverInfo", Enumerable.Repeat(FaultKind.ServerError, 10).ToArray());
        var file = TestHost.WriteConfig(new
        {
            Sources = new[] { Configs.JiraSource(_jira.Url, maxRetries: 1) },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
        });

        var (code, output) = await Alignment("sync", "--config", file);

        Assert.Equal(1, code);
        Assert.Contains("failed", output);
        Assert.Contains("serverInfo", output);
        Assert.DoesNotContain(Configs.JiraToken, output);
    }
}
