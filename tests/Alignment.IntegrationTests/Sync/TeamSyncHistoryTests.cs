using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// <c>alignment sync --team X</c> on an Azure DevOps source: the source-wide revision stream advances one position per project, so it must
/// read every team's revisions even when one team is synced — else the other teams' history in that window is skipped for good.
/// The same organisation synced (a) with a one-team sync before the incremental one and (b) with the incremental one alone must end with the
/// same item history.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TeamSyncHistoryTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_one_team_sync_of_an_Azure_DevOps_source_skips_no_other_teams_history()
    {
        var withTeamSync = await HistoryAsync(oneTeamFirst: true);
        await db.ResetAsync();
        var without = await HistoryAsync(oneTeamFirst: false);
        Assert.True(without.Rows > 0);
        Assert.Equal(without, withTeamSync);
    }

    /// <summary>Full sync, a simulated day, [a sync of the first Azure DevOps team,] an incremental sync: the Azure DevOps item history.</summary>
    private async Task<(string Hash, long Rows)> HistoryAsync(bool oneTeamFirst)
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Now = Now, Teams = 6, Items = 1200 }, time: clock);
        Assert.All(await org.SyncAsync(full: true), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        using (var http = new HttpClient())
            (await http.PostAsync($"{org.Sim.BaseUrl}/_sim/advance?hours=24", null)).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromHours(24));
        var runner = org.Host.Services.GetRequiredService<SyncRunner>();
        if (oneTeamFirst)
        {
            var team = await db.ScalarAsync<string>("SELECT id FROM core.teams WHERE source_id = 'ado' AND configured ORDER BY id LIMIT 1");
            var one = await runner.RunAsync(new SyncRequest("ado", team, Trigger: "test"));
            Assert.True(one.Status == SyncStatus.Succeeded, one.Error);
        }
        var all = await runner.RunAsync(new SyncRequest("ado", Trigger: "test"));
        Assert.True(all.Status == SyncStatus.Succeeded, all.Error);
        var events = await db.QueryAsync<string>("""
            SELECT concat_ws('|', item_external_id, event_id, at, kind, from_value, to_value) FROM core.item_events
            WHERE source_id = 'ado' ORDER BY item_external_id, event_id
            """);
        return (Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', events)))),
            events.Count);
    }
}
