using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// The crash and fault drills through the real <c>alignment sync</c> process against the simulator, at a
/// size the suite can afford (docs/reliability.md, "Drills"; <c>./dev.sh drill</c> runs them larger): the
/// store after faults or kills equals a fault-free sync's, and no run stays <c>running</c>.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DrillTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly SimulatorOptions Org = new() { Teams = 6, Items = 1200, Links = 120, Seed = 7 };

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static async Task<string> ConfigFileAsync(RunningSimulator sim) => TestHost.WriteConfig(await SimulatedOrg.ConfigAsync(sim));

    /// <summary>The store digest of a fault-free first sync, and how many tracker requests that full run made.</summary>
    private async Task<(string Hash, long Requests)> CleanDigestAsync(SimulatorOptions options)
    {
        await using var sim = await SimulatorServer.StartAsync(options);
        var (code, output) = await AlignmentProcess.RunAsync(db.ConnectionString, "sync", "--config", await ConfigFileAsync(sim));
        Assert.True(code == 0, output);
        var (hash, _) = await SimulatedOrg.StoreDigestAsync(db);
        await db.ResetAsync();
        return (hash, sim.RequestCount);
    }

    [Fact]
    public async Task With_30_percent_faults_one_run_exits_0_with_the_fault_free_store()
    {
        var (clean, _) = await CleanDigestAsync(Org);
        await using var sim = await SimulatorServer.StartAsync(Org with { FaultRate = 0.3 });

        var (code, output) = await AlignmentProcess.RunAsync(db.ConnectionString, "sync", "--config", await ConfigFileAsync(sim));

        Assert.True(code == 0, output);
        Assert.Equal(["succeeded", "succeeded"], (await db.QueryAsync<string>("SELECT status FROM ops.sync_runs ORDER BY id")).ToList());
        Assert.True(await db.ScalarAsync<long>("SELECT sum(retries) FROM ops.sync_runs") > 0, "faults were injected and retried");
        Assert.Equal(clean, (await SimulatedOrg.StoreDigestAsync(db)).Hash);
    }

    [Fact]
    public async Task With_60_percent_faults_the_store_converges_within_three_runs_never_half_written()
    {
        var (clean, _) = await CleanDigestAsync(Org);
        await using var sim = await SimulatorServer.StartAsync(Org with { FaultRate = 0.6 });
        var file = await ConfigFileAsync(sim);

        var runs = 0;
        string hash;
        do
        {
            var (code, output) = await AlignmentProcess.RunAsync(db.ConnectionString, "sync", "--config", file);
            runs++;
            Assert.True(code is 0 or 1, output);
            hash = (await SimulatedOrg.StoreDigestAsync(db)).Hash;
        } while (hash != clean && runs < 3);

        Assert.Equal(clean, hash);
        var statuses = (await db.QueryAsync<string>("SELECT status FROM ops.sync_runs ORDER BY id")).ToList();
        Assert.All(statuses, s => Assert.Contains(s, new[] { "succeeded", "partial" }));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM ops.sync_runs WHERE status = 'running'"));
    }

    [Fact]
    public async Task Ten_kills_at_random_points_leave_no_run_running_and_the_next_sync_gives_the_fault_free_store()
    {
        var options = Org with { Items = 6000, Links = 600 };
        var (clean, fullRunRequests) = await CleanDigestAsync(options);
        await using var sim = await SimulatorServer.StartAsync(options);
        var file = await ConfigFileAsync(sim);
        var random = new Random(12);

        for (var kill = 0; kill < 10; kill++)
        {
            // Even kills hit a full re-read: an incremental run with nothing changed has nothing to interrupt.
            var full = kill % 2 == 0;
            var requestsAtStart = sim.RequestCount;
            using var p = Process.Start(AlignmentProcess.StartInfo(db.ConnectionString,
                full ? ["sync", "--config", file, "--full"] : ["sync", "--config", file]))!;
            _ = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            // Kill points are points of progress, not of time: after a random number of the process's tracker requests.
            // A full re-read is killed in the middle of its run (once recorded, within 90 % of a full run's requests);
            // the others anywhere from start-up on (within a tenth of them, about what an incremental run reads; 0 = at start-up).
            if (full) await UntilRecordedRunningAsync(p);
            var killAt = full
                ? sim.RequestCount + random.Next(0, (int)(fullRunRequests * 9 / 10))
                : requestsAtStart + random.Next(0, (int)Math.Max(1, fullRunRequests / 10));
            await Task.WhenAny(sim.WhenRequestCountReaches(killAt), p.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(2));
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        var (code, output) = await AlignmentProcess.RunAsync(db.ConnectionString, "sync", "--config", file);

        Assert.True(code == 0, output);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM ops.sync_runs WHERE status = 'running'"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM ops.sync_runs WHERE status = 'abandoned'") >= 1, output);
        Assert.Equal(clean, (await SimulatedOrg.StoreDigestAsync(db)).Hash);
    }

    /// <summary>Polls the store (a bounded wait on the real child process) until its run is recorded as running, or it exited.</summary>
    private async Task UntilRecordedRunningAsync(Process p)
    {
        var clock = Stopwatch.StartNew();
        while (!p.HasExited && await db.ScalarAsync<long>("SELECT count(*) FROM ops.sync_runs WHERE status = 'running'") == 0)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the sync process recorded no running run within 60 s");
            await Task.Delay(50);
        }
    }
}
