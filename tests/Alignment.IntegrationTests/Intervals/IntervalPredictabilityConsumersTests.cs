using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Intervals;

/// <summary>
/// The two readers of interval predictability outside the intervals page: the monthly report's section (<see cref="GetMiIntervalPredictabilityQuery"/>)
/// and the weekly digest's team line (<see cref="ITeamPredictability"/>). Both give exactly what <c>GET /api/mi/intervals</c> says.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class IntervalPredictabilityConsumersTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_report_and_the_digest_read_the_intervals_documents_predictability()
    {
        var simNow = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(simNow.AddHours(3));
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Intervals = true, Now = simNow }, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        using var http = org.Host.Client(TestHost.ManagementKey);
        var api = (await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals")).GetProperty("intervals").EnumerateArray().ToList();
        var finished = api.Where(i => i.GetProperty("phase").GetString() == "finished").ToList();
        Assert.True(finished.Count >= 2);

        // The report: every interval overlapping the months, with the organisation's predictability by points.
        var first = DateOnly.Parse(finished[0].GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var last = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var section = await org.Host.Services.GetRequiredService<IMediator>().Send(new GetMiIntervalPredictabilityQuery(first, last));
        Assert.True(section.Configured);
        foreach (var i in finished)
        {
            var row = section.Intervals.Single(r => r.Interval == i.GetProperty("id").GetString());
            Assert.Equal(i.GetProperty("organisation").GetProperty("predictabilityPoints").GetProperty("value").GetDouble(), row.Predictability!.Value, 9);
            Assert.StartsWith("finished", row.Detail);
        }

        // The digest: each team's last finished interval and the one before it.
        var teams = finished[^1].GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("team").GetString()!).ToList();
        var trends = await org.Host.Services.GetRequiredService<ITeamPredictability>().ForTeamsAsync(teams, last, default);
        Assert.Equal(teams.Count, trends.Count);
        foreach (var team in teams)
        {
            double Value(JsonElement interval) => interval.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == team)
                .GetProperty("figures").GetProperty("predictabilityPoints").GetProperty("value").GetDouble();
            Assert.Equal(finished[^1].GetProperty("id").GetString(), trends[team].Interval);
            Assert.Equal(Value(finished[^1]), trends[team].Value, 9);
            Assert.Equal(finished[^2].GetProperty("id").GetString(), trends[team].PreviousInterval);
            Assert.Equal(Value(finished[^2]), trends[team].Previous!.Value, 9);
        }
    }
}
