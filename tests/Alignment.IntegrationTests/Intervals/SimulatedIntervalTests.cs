using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Intervals;

/// <summary>
/// Planning intervals end to end on the simulated organisation with its intervals on (docs/figures.md, "Planning intervals"): the
/// configuration comes from <c>/_sim/config</c>; after a sync and an analysis, <c>GET /api/mi/intervals</c> gives for every team and every
/// finished interval the predictability by count and points that <c>/_sim/truth</c> expects (replayed by the simulator from its own item
/// histories), the organisation's too, and each planted slip with its reason.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SimulatedIntervalTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("2026-11-02T09:00:00Z", false)]
    [InlineData("2027-03-18T14:37:00Z", true)] // a Thursday afternoon with the demo's other options (value fields, costs, Jira capacity)
    public async Task Predictability_equals_the_simulators_truth_for_every_team_and_finished_interval(string now, bool demo)
    {
        var simNow = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);
        var clock = new FakeTimeProvider(simNow.AddHours(3));
        var options = new SimulatorOptions { Intervals = true, Now = simNow, Value = demo, Finance = demo, JiraCapacity = demo };
        await using var org = await SimulatedOrg.StartAsync(db, options, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        var truth = await org.TruthAsync();
        using var http = org.Host.Client(TestHost.ManagementKey);
        var api = await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals");
        var intervals = api.GetProperty("intervals").EnumerateArray().ToDictionary(i => i.GetProperty("id").GetString()!);

        var (compared, finished) = Compare(truth, intervals);
        Assert.True(finished >= 2, $"{finished} finished intervals");
        Assert.True(compared >= 24, $"{compared} finished team intervals compared");
        Assert.All(intervals.Values.SelectMany(i => i.GetProperty("teams").EnumerateArray()).Where(t => t.GetProperty("phase").GetString() != "notStarted"),
            t => Assert.Equal("reconstructed", t.GetProperty("basis").GetString())); // all of them began before the service saw them

        // CSV: one row per interval and team and one for the organisation; narrowing and bad requests.
        var csv = (await http.GetStringAsync("/api/mi/intervals?format=csv")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("interval,start,end,team,name,phase,basis,plannedCount,deliveredCount,predictabilityCount,plannedPoints", csv[0]);
        Assert.Equal(1 + intervals.Values.Sum(i => i.GetProperty("teams").GetArrayLength() + 1), csv.Length);
        var pay = intervals["PI-1"].GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == "pay").GetProperty("figures");
        var payRow = csv.Single(l => l.StartsWith("PI-1,", StringComparison.Ordinal) && l.Split(',')[3] == "pay").Split(',');
        Assert.Equal(Math.Round(pay.GetProperty("predictabilityPoints").GetProperty("value").GetDouble(), 4), double.Parse(payRow[12], System.Globalization.CultureInfo.InvariantCulture));
        var narrowed = await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals?interval=PI-2&team=pay");
        Assert.Equal("pay", narrowed.GetProperty("intervals").EnumerateArray().Single().GetProperty("teams").EnumerateArray().Single().GetProperty("team").GetString());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync("/api/mi/intervals?interval=PI-9")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync("/api/mi/intervals?format=xml")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await http.GetAsync("/api/mi/intervals/explain?interval=PI-1&figure=sayDo")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await org.Host.Client(TestHost.AnnKey).GetAsync("/api/mi/intervals")).StatusCode);

        // The MI history's predictability: one point per finished interval on the day it ended, back-filled (the plans were reconstructed).
        foreach (var team in intervals["PI-1"].GetProperty("teams").EnumerateArray().Take(3).Select(t => t.GetProperty("team").GetString()!).Append(""))
        {
            var series = await http.GetFromJsonAsync<JsonElement>($"/api/mi/history?figure=predictability&from=2026-01-01{(team == "" ? "" : "&team=" + team)}");
            var points = series.GetProperty("points").EnumerateArray().ToList();
            var expected = new[] { "PI-1", "PI-2" }.Select(id => team == "" ? intervals[id].GetProperty("organisation")
                : intervals[id].GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == team).GetProperty("figures"))
                .Select(f => f.GetProperty("predictabilityPoints").GetProperty("value").GetDouble()).ToList();
            Assert.Equal(expected, points.Select(p => p.GetProperty("value").GetDouble()));
            Assert.All(points, p => Assert.Equal("backfilled", p.GetProperty("basis").GetString()));
            var explained = await http.GetFromJsonAsync<JsonElement>(points[0].GetProperty("explain").GetString());
            Assert.Equal("PI-1", explained.GetProperty("rows")[0].GetProperty("interval").GetString());
        }

        if (demo) // with value fields, predictability by value too
            Assert.Contains(intervals["PI-1"].GetProperty("teams").EnumerateArray(),
                t => t.GetProperty("figures").GetProperty("predictabilityValue").GetProperty("value").ValueKind == JsonValueKind.Number);

        // INTERVAL-AT-RISK for exactly the running teams whose forecast says at risk.
        var atRisk = intervals["PI-3"].GetProperty("teams").EnumerateArray()
            .Where(t => t.GetProperty("forecast").ValueKind == JsonValueKind.Object && t.GetProperty("forecast").GetProperty("atRisk").GetBoolean())
            .Select(t => t.GetProperty("team").GetString()).Order().ToList();
        using var pmo = org.Host.Client(TestHost.PmoKey);
        var findings = await pmo.GetFromJsonAsync<JsonElement>("/api/findings?rule=INTERVAL-AT-RISK&limit=200");
        Assert.NotEmpty(atRisk);
        Assert.Equal(atRisk, findings.GetProperty("items").EnumerateArray().Select(f => f.GetProperty("team").GetString()).Order());

        // The planted slips, each with its reason (and the blocked one with its blocker).
        var planted = truth.GetProperty("plantedSlips").EnumerateArray().ToList();
        Assert.Equal(["blockedByTeam", "carriedOver", "unplannedWork"], planted.Select(p => p.GetProperty("reason").GetString()).Order());
        foreach (var p in planted)
        {
            var team = intervals[p.GetProperty("interval").GetString()!].GetProperty("teams").EnumerateArray()
                .Single(t => t.GetProperty("team").GetString() == p.GetProperty("team").GetString());
            var item = team.GetProperty("slipped").EnumerateArray().SelectMany(s => s.GetProperty("items").EnumerateArray())
                .Single(i => i.GetProperty("key").GetString() == p.GetProperty("key").GetString());
            Assert.Equal([p.GetProperty("reason").GetString()], item.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
            // The team's explanation lists the item as planned, not delivered, with the same reason.
            var explained = await http.GetFromJsonAsync<JsonElement>(team.GetProperty("figures").GetProperty("predictabilityCount").GetProperty("explain").GetString());
            var row = explained.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("key").GetString() == p.GetProperty("key").GetString());
            Assert.Equal(("planned", false, p.GetProperty("reason").GetString()),
                (row.GetProperty("kind").GetString(), row.GetProperty("delivered").GetBoolean(), row.GetProperty("reasons").GetString()));
            Assert.Equal(team.GetProperty("figures").GetProperty("predictabilityCount").GetProperty("value").GetDouble(), explained.GetProperty("value").GetDouble());
            if (p.TryGetProperty("blocker", out var blocker))
                Assert.Equal([$"{Source(blocker)}/{blocker.GetProperty("key").GetString()}"], item.GetProperty("blockers").EnumerateArray().Select(b => b.GetString()));
        }
    }

    [Fact]
    public async Task An_interval_configured_before_it_starts_is_observed_and_an_interval_that_ends_while_watched_gets_its_outcome()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Intervals = true, Teams = 6, Items = 1500 }, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        using var http = org.Host.Client(TestHost.ManagementKey);
        var before = await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals?interval=PI-4");
        Assert.Equal("notStarted", before.GetProperty("intervals")[0].GetProperty("phase").GetString());

        // Four weeks on: PI-4 has started for every team (its plans are observed), PI-3 has ended for most (their outcomes recorded now).
        using (var sim = new HttpClient()) (await sim.PostAsync($"{org.Sim.BaseUrl}/_sim/advance?days=28", null)).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromDays(28));
        Assert.All(await org.SyncAsync(full: true), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        var truth = await org.TruthAsync();
        var intervals = (await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals")).GetProperty("intervals").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetString()!);
        var (compared, _) = Compare(truth, intervals);
        Assert.True(compared >= 12 + 3, $"{compared} finished team intervals compared");
        var pi4 = intervals["PI-4"].GetProperty("teams").EnumerateArray().Where(t => t.GetProperty("phase").GetString() == "running").ToList();
        Assert.NotEmpty(pi4);
        Assert.All(pi4, t => Assert.Equal("observed", t.GetProperty("basis").GetString()));
        Assert.Contains(intervals["PI-3"].GetProperty("teams").EnumerateArray(),
            t => t.GetProperty("phase").GetString() == "finished" && t.GetProperty("basis").GetString() == "reconstructed");
    }

    /// <summary>
    /// The same organisation with its intervals recorded in the trackers instead of the configuration (docs/figures.md, "Intervals from the
    /// trackers"): Azure DevOps sprints under an iteration node per interval (<c>Project\Team\PI-1\Sprint 3</c>), Jira fix versions with
    /// dates, sources configured with <c>Intervals:From</c> and <c>Match: ^PI-</c>. The intervals are the four PIs (not the team nodes, not
    /// the release version), and the predictability equals the truth for every team and finished interval.
    /// </summary>
    [Fact]
    public async Task Intervals_read_from_Azure_DevOps_iteration_nodes_and_Jira_fix_versions_give_the_truths_predictability()
    {
        var simNow = new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(simNow.AddHours(3));
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Intervals = true, IntervalsInTrackers = true, Now = simNow },
            time: clock);
        Assert.Null(org.Config["PlanningIntervals"]);
        Assert.Equal(["FixVersions", "Iterations"], org.Config["Sources"]!.AsArray().Select(s => s!["Intervals"]!["From"]!.GetValue<string>()));
        var teams = org.Config["Teams"]!.AsArray().Select(t => (Id: t!["Id"]!.GetValue<string>(), Source: t["Source"]!.GetValue<string>())).ToList();
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        var truth = await org.TruthAsync();
        using var http = org.Host.Client(TestHost.ManagementKey);
        var intervals = (await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals")).GetProperty("intervals").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetString()!);
        Assert.Equal(["PI-1", "PI-2", "PI-3", "PI-4"], intervals.Keys.Order());
        var (compared, finished) = Compare(truth, intervals);
        Assert.True(finished >= 2 && compared >= 24, $"{finished} finished intervals, {compared} finished team intervals compared");
        // Every team takes part, each with its own sprints: an Azure DevOps team's are the ones under the node.
        Assert.All(intervals.Values, i => Assert.Equal(teams.Count, i.GetProperty("teams").GetArrayLength()));
        var ado = teams.First(t => t.Source == "ado").Id;
        var placed = intervals["PI-2"].GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == ado)
            .GetProperty("sprints").EnumerateArray().Select(s => s.GetString()).ToList();
        var stored = await db.ScalarAsync<string[]>("SELECT sprint_ids FROM core.team_intervals WHERE team_id = @ado AND interval_id = 'PI-2'", new { ado });
        Assert.Equal(stored.Length, placed.Count);
        Assert.True(placed.Count >= 2, $"{placed.Count} sprints of {ado} in PI-2");
    }

    /// <summary>
    /// Every team interval of the truth against the API: planned count and points for each team whose interval has started, and for
    /// those finished (and the organisation's finished intervals) delivered count and points and both predictabilities.
    /// </summary>
    private static (int Compared, int Finished) Compare(JsonElement truth, Dictionary<string, JsonElement> intervals)
    {
        int compared = 0, finished = 0;
        foreach (var expected in truth.GetProperty("intervals").EnumerateArray())
        {
            var id = expected.GetProperty("id").GetString()!;
            var actual = intervals[id];
            Assert.Equal(expected.GetProperty("start").GetString(), actual.GetProperty("start").GetString());
            var teams = actual.GetProperty("teams").EnumerateArray().ToDictionary(t => t.GetProperty("team").GetString()!);
            foreach (var team in expected.GetProperty("teams").EnumerateArray())
            {
                var t = teams[team.GetProperty("team").GetString()!];
                Assert.Equal(team.GetProperty("phase").GetString(), t.GetProperty("phase").GetString());
                Same($"{id}/{team.GetProperty("team")}", team, t.GetProperty("figures"));
                if (team.GetProperty("phase").GetString() == "finished") compared++;
            }
            if (!expected.GetProperty("finished").GetBoolean()) continue;
            finished++;
            Assert.Equal("finished", actual.GetProperty("phase").GetString());
            Same($"{id}/organisation", expected.GetProperty("organisation"), actual.GetProperty("organisation"));
        }
        return (compared, finished);
    }

    private static string Source(JsonElement r) => r.GetProperty("tracker").GetString() == "jira" ? "jira" : "ado";

    private static void Same(string what, JsonElement expected, JsonElement actual)
    {
        foreach (var n in new[] { "plannedCount", "plannedPoints" })
            Assert.True(expected.GetProperty(n).GetDouble() == actual.GetProperty(n).GetDouble(),
                $"{what} {n}: expected {expected.GetProperty(n)}, got {actual.GetProperty(n)}");
        if (expected.GetProperty("phase").GetString() != "finished") return;
        foreach (var n in new[] { "deliveredCount", "deliveredPoints" })
            Assert.True(expected.GetProperty(n).GetDouble() == actual.GetProperty(n).GetDouble(),
                $"{what} {n}: expected {expected.GetProperty(n)}, got {actual.GetProperty(n)}");
        foreach (var n in new[] { "predictabilityCount", "predictabilityPoints" })
        {
            var e = expected.GetProperty(n);
            var a = actual.GetProperty(n).GetProperty("value");
            Assert.True(e.ValueKind == JsonValueKind.Null ? a.ValueKind == JsonValueKind.Null : Math.Abs(e.GetDouble() - a.GetDouble()) < 1e-9,
                $"{what} {n}: expected {e}, got {a}");
        }
    }
}
