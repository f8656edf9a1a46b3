using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Sprints;

/// <summary>Sprint figures over a whole simulated organisation (both trackers), against the simulator's ground truth.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SprintFiguresTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly SimulatorOptions Org = new() { Teams = 6, Items = 900, Links = 90, Seed = 7 };

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Syncs every source the way the job and the CLI do (the pipeline), which refreshes the sprint figures.</summary>
    private static async Task SyncAsync(SimulatedOrg org, bool full = false)
    {
        await using var scope = org.Host.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        foreach (var source in org.SourceIds)
        {
            var r = await scope.ServiceProvider.SyncOneAsync(new SyncRequest(source, Full: full, Trigger: "test"));
            Assert.True(r.Status == SyncStatus.Succeeded, r.Error);
        }
    }

    private sealed record Stored(string Team, string Sprint, string Basis, double Committed, double Completed, double Added, double Removed,
        int CommittedCount, int CompletedCount, int AddedCount, int RemovedCount);

    [Fact]
    public async Task Every_closed_sprint_of_both_trackers_matches_the_simulators_truth()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Org);
        await SyncAsync(org);
        var truth = await org.TruthAsync();

        var stored = (await db.QueryAsync<Stored>("""
            SELECT team_id AS team, sprint_id AS sprint, basis, committed_points AS committed, completed_points AS completed,
                   added_points AS added, removed_points AS removed, committed_count, completed_count, added_count, removed_count
            FROM analysis.sprint_figures
            """)).ToDictionary(s => (s.Team, s.Sprint));
        var closed = truth.GetProperty("sprints").EnumerateArray().Where(s => s.GetProperty("state").GetString() == "closed").ToList();
        Assert.True(closed.Count > 20, $"only {closed.Count} closed sprints in the simulated organisation");
        Assert.Contains(closed, s => s.GetProperty("tracker").GetString() == "jira");
        Assert.Contains(closed, s => s.GetProperty("tracker").GetString() == "azureDevOps");

        var mismatches = new List<string>();
        foreach (var t in closed)
        {
            var key = (t.GetProperty("team").GetString()!, t.GetProperty("id").GetString()!);
            var name = $"{key.Item1}/{t.GetProperty("name").GetString()} ({t.GetProperty("tracker").GetString()} {key.Item2})";
            if (!stored.TryGetValue(key, out var s)) { mismatches.Add($"{name}: no figures"); continue; }
            void Check(string what, double expected, double actual)
            {
                if (expected != actual) mismatches.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: {what} truth {expected}, figures {actual}"));
            }
            Check("committedPoints", t.GetProperty("committedPoints").GetDouble(), s.Committed);
            Check("completedPoints", t.GetProperty("completedPoints").GetDouble(), s.Completed);
            Check("addedPoints", t.GetProperty("addedPoints").GetDouble(), s.Added);
            Check("removedPoints", t.GetProperty("removedPoints").GetDouble(), s.Removed);
            Check("committedCount", t.GetProperty("committedCount").GetInt32(), s.CommittedCount);
            Check("completedCount", t.GetProperty("completedCount").GetInt32(), s.CompletedCount);
            Check("addedCount", t.GetProperty("addedCount").GetInt32(), s.AddedCount);
            Check("removedCount", t.GetProperty("removedCount").GetInt32(), s.RemovedCount);
            if (s.Basis != "reconstructed") mismatches.Add($"{name}: basis {s.Basis}, but the service never saw it start");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches over {closed.Count} closed sprints; first ones:\n" + string.Join("\n", mismatches.Take(25)));

        // The active sprints were seen active by this sync: an observed snapshot, and their figures say so.
        var active = truth.GetProperty("sprints").EnumerateArray().Where(s => s.GetProperty("state").GetString() == "active").ToList();
        Assert.NotEmpty(active);
        foreach (var a in active)
            Assert.Equal("observed", stored[(a.GetProperty("team").GetString()!, a.GetProperty("id").GetString()!)].Basis);
        Assert.Equal((long)active.Count, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.sprint_snapshots WHERE phase = 'start'"));
        Assert.Equal((long)closed.Count, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.sprint_snapshots WHERE phase = 'end' AND NOT watched_start"));
    }

    [Fact]
    public async Task A_sprint_watched_from_start_to_close_is_observed_matches_the_truth_and_is_not_overwritten_by_a_reconstruction()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Org);
        await SyncAsync(org);
        var watched = (await org.TruthAsync()).GetProperty("sprints").EnumerateArray()
            .Where(s => s.GetProperty("state").GetString() == "active")
            .Select(s => (Team: s.GetProperty("team").GetString()!, Id: s.GetProperty("id").GetString()!)).ToList();
        Assert.NotEmpty(watched);

        using (var http = new HttpClient())
            (await http.PostAsync(org.Sim.BaseUrl + "/_sim/advance?days=21", null)).EnsureSuccessStatusCode();
        // Full: an incremental read asks for changes since the host's clock, which is ahead of the simulated one.
        await SyncAsync(org, full: true);
        var truth = (await org.TruthAsync()).GetProperty("sprints").EnumerateArray()
            .ToDictionary(s => (s.GetProperty("team").GetString()!, s.GetProperty("id").GetString()!));

        var mismatches = new List<string>();
        foreach (var w in watched)
        {
            var t = truth[w];
            Assert.Equal("closed", t.GetProperty("state").GetString());
            var f = (await db.QueryAsync<Stored>("""
                SELECT team_id AS team, sprint_id AS sprint, basis, committed_points AS committed, completed_points AS completed,
                       added_points AS added, removed_points AS removed, committed_count, completed_count, added_count, removed_count
                FROM analysis.sprint_figures WHERE team_id = @Team AND sprint_id = @Id
                """, new { w.Team, w.Id })).Single();
            Assert.Equal("observed", f.Basis);
            var expected = (t.GetProperty("committedPoints").GetDouble(), t.GetProperty("completedPoints").GetDouble(), t.GetProperty("addedPoints").GetDouble(),
                t.GetProperty("removedPoints").GetDouble(), t.GetProperty("committedCount").GetInt32(), t.GetProperty("completedCount").GetInt32(),
                t.GetProperty("addedCount").GetInt32(), t.GetProperty("removedCount").GetInt32());
            var actual = (f.Committed, f.Completed, f.Added, f.Removed, f.CommittedCount, f.CompletedCount, f.AddedCount, f.RemovedCount);
            if (expected != actual) mismatches.Add($"{w}: truth {expected}, figures {actual}");
            Assert.True(await db.ScalarAsync<bool>(
                "SELECT watched_start FROM analysis.sprint_snapshots WHERE team_id = @Team AND sprint_id = @Id AND phase = 'end'", new { w.Team, w.Id }));
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));

        // History rewritten after the fact (every sprint event of the watched sprints' items gone): a reconstruction would
        // now see nothing, but the observed figures stand.
        var (team, sprint) = watched[0];
        var before = await db.ScalarAsync<double>("SELECT committed_points + completed_points FROM analysis.sprint_figures WHERE team_id = @team AND sprint_id = @sprint", new { team, sprint });
        await db.ScalarAsync<int>("""
            WITH gone AS (DELETE FROM core.item_events e USING analysis.sprint_item_outcomes o
                          WHERE o.team_id = @team AND o.sprint_id = @sprint AND e.source_id = o.source_id AND e.item_external_id = o.item_external_id
                            AND e.kind IN ('sprintAdded', 'sprintRemoved', 'statusChanged') RETURNING 1)
            SELECT count(*)::int FROM gone
            """, new { team, sprint });
        await using (var scope = org.Host.Services.CreateAsyncScope())
        {
            var source = await db.ScalarAsync<string>("SELECT source_id FROM core.teams WHERE id = @team", new { team });
            await scope.ServiceProvider.GetRequiredService<SprintFiguresRefresher>().RefreshAsync(source, team, recordSnapshots: false, default);
        }
        Assert.Equal(before, await db.ScalarAsync<double>("SELECT committed_points + completed_points FROM analysis.sprint_figures WHERE team_id = @team AND sprint_id = @sprint", new { team, sprint }));
        Assert.Equal("observed", await db.ScalarAsync<string>("SELECT basis FROM analysis.sprint_figures WHERE team_id = @team AND sprint_id = @sprint", new { team, sprint }));
    }
}
