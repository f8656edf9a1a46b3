using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Sync;

/// <summary>ops.sync_runs stays true: runs left running by a dead process are closed, live ones never (docs/reliability.md).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SyncRunLogTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<long> RunningRowAsync(string source) =>
        await SyncRunLog.StartAsync(db.DataSource, source, new SyncRequest(source), DateTimeOffset.UtcNow, "running", default);

    [Fact]
    public async Task At_host_start_runs_whose_lock_is_free_are_abandoned_and_a_held_one_is_left_running()
    {
        var dead = await RunningRowAsync("jira");
        var live = await RunningRowAsync("ado");
        await using var held = await Database.TryLockAsync(db.DataSource, "sync:ado", default);
        Assert.NotNull(held);

        var closed = await SyncRunLog.CloseAbandonedAtStartAsync(db.DataSource, ["jira", "ado"], default);

        Assert.Equal(1, closed);
        Assert.Equal("abandoned", await db.ScalarAsync<string>($"SELECT status FROM ops.sync_runs WHERE id = {dead}"));
        Assert.Contains("host start", await db.ScalarAsync<string>($"SELECT error FROM ops.sync_runs WHERE id = {dead}"));
        Assert.Equal("running", await db.ScalarAsync<string>($"SELECT status FROM ops.sync_runs WHERE id = {live}"));
        // The sweep takes no lock: a sync starting now is not skipped.
        await using var again = await Database.TryLockAsync(db.DataSource, "sync:jira", default);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task The_next_run_holding_the_lock_closes_the_earlier_running_rows_of_its_source_only()
    {
        var dead = await RunningRowAsync("jira");
        var other = await RunningRowAsync("ado");
        var current = await RunningRowAsync("jira");

        Assert.Equal(1, await SyncRunLog.CloseAbandonedAsync(db.DataSource, "jira", current, default));

        Assert.Equal(["abandoned", "running", "running"],
            (await db.QueryAsync<string>($"SELECT status FROM ops.sync_runs WHERE id IN ({dead}, {other}, {current}) ORDER BY id")).ToList());
    }
}
