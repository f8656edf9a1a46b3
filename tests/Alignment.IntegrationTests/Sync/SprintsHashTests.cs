using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// An incremental sync skips writing a team's sprints and capacities when the tracker's answer hashes the same as the one last written
/// (<c>ops.watermarks.sprints_hash</c>, V0014); a changed answer is written, and a full sync always writes.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SprintsHashTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task An_unchanged_sprint_answer_is_not_written_again_a_changed_one_is_and_a_full_sync_always_writes()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions(), time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error)); // the first: every team read in full
        var teams = await db.ScalarAsync<long>("SELECT count(*) FROM core.teams WHERE configured");
        Assert.Equal(teams, await db.ScalarAsync<long>("SELECT count(*) FROM ops.watermarks WHERE team_id <> '' AND sprints_hash IS NOT NULL"));
        // An incremental answer can differ from a full one (Azure DevOps capacities are read again only now and then): written once more.
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));

        // A row changed behind the sync's back stays as it is on an incremental sync: the tracker's answer did not change.
        const string tampered = "renamed in the store";
        var sprint = await db.ScalarAsync<string>("SELECT external_id FROM core.sprints WHERE state = 'active' ORDER BY source_id, external_id LIMIT 1");
        await db.ScalarAsync<int>("UPDATE core.sprints SET name = @tampered WHERE external_id = @sprint RETURNING 1", new { tampered, sprint });
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        Assert.Equal(tampered, await db.ScalarAsync<string>("SELECT name FROM core.sprints WHERE external_id = @sprint", new { sprint }));

        // A full sync writes every answer.
        Assert.All(await org.SyncAsync(full: true), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        Assert.NotEqual(tampered, await db.ScalarAsync<string>("SELECT name FROM core.sprints WHERE external_id = @sprint", new { sprint }));

        // Sprints close and start at the tracker: the changed answers are written by an incremental sync.
        using (var http = new HttpClient())
            (await http.PostAsync($"{org.Sim.BaseUrl}/_sim/advance?hours=360", null)).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromHours(360));
        var hashes = await db.QueryAsync<string>("SELECT sprints_hash FROM ops.watermarks WHERE team_id <> '' ORDER BY source_id, team_id");
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        Assert.Equal("closed", await db.ScalarAsync<string>("SELECT state FROM core.sprints WHERE external_id = @sprint", new { sprint }));
        var after = await db.QueryAsync<string>("SELECT sprints_hash FROM ops.watermarks WHERE team_id <> '' ORDER BY source_id, team_id");
        Assert.Contains(after.Zip(hashes), p => p.First != p.Second);
    }
}
