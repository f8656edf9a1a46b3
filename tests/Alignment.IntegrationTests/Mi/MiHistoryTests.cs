using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Mi;

/// <summary>
/// The MI history (docs/figures.md, "History") on the simulated organisation: the back-fill from closed sprints equals the figures computed
/// sprint by sprint from <c>analysis.sprint_figures</c> (independently, here); today's points equal the MI documents; the last analysis of
/// a day wins; retention prunes; <c>GET /api/mi/history</c> and its explain serve the same rows, as JSON and CSV, and refuse bad requests.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MiHistoryTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Now.UtcDateTime);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private sealed record Sprint(string TeamId, string SprintId, DateTime EndAt, double Committed, double Completed, double CarriedOver, double? CapacityDays);

    [Fact]
    public async Task The_backfill_equals_the_figures_computed_sprint_by_sprint_and_today_equals_the_MI()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions(), time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var sprints = (await conn.QueryAsync<Sprint>("""
            SELECT f.team_id, f.sprint_id, s.end_at, f.committed_points AS committed, f.completed_points AS completed,
                   f.carried_over_points AS carried_over,
                   coalesce(f.capacity_days, (SELECT sum(c.available_days) FROM core.capacities c
                        WHERE c.team_id = f.team_id AND c.source_id = f.source_id AND c.sprint_id = f.sprint_id)) AS capacity_days
            FROM analysis.sprint_figures f JOIN core.sprints s ON s.source_id = f.source_id AND s.external_id = f.sprint_id
            WHERE s.state = 'closed' ORDER BY f.team_id, s.start_at, s.end_at, s.name
            """)).ToList();
        var stored = (await conn.QueryAsync<(string Figure, string TeamId, DateOnly Day, double? Value, string Basis)>(
            "SELECT figure, team_id, day, value, basis FROM analysis.mi_history")).ToDictionary(r => (r.Figure, r.TeamId, r.Day));
        Assert.True(sprints.Count > 50, $"{sprints.Count} closed sprints");

        // Every team's every closed sprint (ended before today, the last of its day): the figures as of it, computed here from the rows.
        var compared = 0;
        foreach (var team in sprints.GroupBy(s => s.TeamId))
        {
            var list = team.ToList();
            for (var i = 0; i < list.Count; i++)
            {
                var day = DateOnly.FromDateTime(list[i].EndAt);
                if (day >= Today || (i + 1 < list.Count && DateOnly.FromDateTime(list[i + 1].EndAt) == day)) continue;
                var velocity = list.Skip(Math.Max(0, i - 5)).Take(Math.Min(6, i + 1)).Select(s => s.Completed).ToList();
                var sayDo = list.Skip(Math.Max(0, i - 2)).Take(Math.Min(3, i + 1)).ToList();
                var before = list.Skip(Math.Max(0, i - 6)).Take(Math.Min(6, i)).ToList();
                Assert.Equal(Median(velocity), stored[("velocityP50", team.Key, day)].Value!.Value, 9);
                var committed = sayDo.Sum(s => s.Committed);
                AssertNear(committed > 0 ? sayDo.Sum(s => s.Completed) / committed : null, stored[("sayDo", team.Key, day)].Value);
                Assert.Equal(list[i].CarriedOver, stored[("carryOverPoints", team.Key, day)].Value);
                double? capacity = before.Count == 0 ? null : Median(before.Select(s => s.Completed).ToList())
                    * (list[i].CapacityDays is { } d && before.Any(s => s.CapacityDays > 0) ? d / Median(before.Where(s => s.CapacityDays > 0).Select(s => s.CapacityDays!.Value).ToList()) : 1);
                AssertNear(capacity > 0 ? list[i].Committed / capacity : null, stored[("commitmentVsCapacity", team.Key, day)].Value);
                Assert.Equal("backfilled", stored[("velocityP50", team.Key, day)].Basis);
                compared++;
            }
        }
        Assert.True(compared > 50, $"{compared} sprints compared");
        Assert.True(stored.Keys.Any(k => k.TeamId == "" && k.Day < Today), "the organisation is back-filled too");

        // Today's points are the MI documents' figures.
        using var http = org.Host.Client(TestHost.ManagementKey);
        var teams = await http.GetFromJsonAsync<JsonElement>("/api/mi/teams");
        var overview = await http.GetFromJsonAsync<JsonElement>("/api/mi/overview");
        foreach (var t in teams.GetProperty("teams").EnumerateArray())
        {
            var id = t.GetProperty("id").GetString()!;
            AssertNear(Num(t.GetProperty("sayDo").GetProperty("value")), stored[("sayDo", id, Today)].Value);
            AssertNear(Num(t.GetProperty("velocityP50").GetProperty("value")), stored[("velocityP50", id, Today)].Value);
            AssertNear(Num(t.GetProperty("capacityUse").GetProperty("value")), stored[("commitmentVsCapacity", id, Today)].Value);
            AssertNear(Num(t.GetProperty("openFindings").GetProperty("value")), stored[("openFindings", id, Today)].Value);
            Assert.Equal("observed", stored[("sayDo", id, Today)].Basis);
        }
        AssertNear(overview.GetProperty("sayDo").GetProperty("value").GetDouble(), stored[("sayDo", "", Today)].Value);
        AssertNear(overview.GetProperty("openFindings").GetProperty("total").GetDouble(), stored[("openFindings", "", Today)].Value);
        AssertNear(overview.GetProperty("dependenciesAtRisk").GetProperty("value").GetDouble(), stored[("dependenciesAtRisk", "", Today)].Value);
        AssertNear(overview.GetProperty("epics").GetProperty("late").GetDouble(), stored[("epicsLate", "", Today)].Value);
    }

    [Fact]
    public async Task The_last_analysis_of_a_day_wins_the_next_day_adds_a_point_and_retention_prunes()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Teams = 4, Items = 600 }, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var first = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM analysis.mi_history");
        var backfilled = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM analysis.mi_history WHERE basis = 'backfilled'");
        Assert.True(backfilled > 0);

        // A planted stale value for today and a day beyond the retention (default 730 days).
        await conn.ExecuteAsync("UPDATE analysis.mi_history SET value = -1 WHERE day = @Today AND figure = 'openFindings' AND team_id = ''", new { Today });
        await conn.ExecuteAsync("""
            INSERT INTO analysis.mi_history (figure, team_id, day, value, basis, recorded_at)
            VALUES ('sayDo', '', @old, 0.5, 'observed', now())
            """, new { old = Today.AddDays(-731) });
        clock.Advance(TimeSpan.FromHours(1));
        await org.Host.Services.AnalyzeAsync();
        Assert.Equal(first, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM analysis.mi_history"));
        Assert.True(await conn.ExecuteScalarAsync<double>(
            "SELECT value FROM analysis.mi_history WHERE day = @Today AND figure = 'openFindings' AND team_id = ''", new { Today }) >= 0);
        Assert.Equal(backfilled, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM analysis.mi_history WHERE basis = 'backfilled'"));

        clock.Advance(TimeSpan.FromDays(1));
        await org.Host.Services.AnalyzeAsync();
        var perDay = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM analysis.mi_history WHERE day = @Today", new { Today });
        Assert.Equal(perDay, await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM analysis.mi_history WHERE day = @d", new { d = Today.AddDays(1) }));
        Assert.Equal(5 * 8, perDay); // 4 teams and the organisation, 8 figures each
    }

    [Fact]
    public async Task The_history_API_serves_series_per_day_week_and_sprint_with_explain_and_CSV_and_refuses_bad_requests()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Teams = 4, Items = 800 }, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        using var http = org.Host.Client(TestHost.ManagementKey);
        var team = (await http.GetFromJsonAsync<JsonElement>("/api/mi/teams")).GetProperty("teams")[0].GetProperty("id").GetString()!;

        var bySprint = await http.GetFromJsonAsync<JsonElement>($"/api/mi/history?figure=velocityP50&team={team}&interval=sprint&from=2025-01-01");
        var byDay = await http.GetFromJsonAsync<JsonElement>($"/api/mi/history?figure=velocityP50&team={team}&from=2025-01-01");
        Assert.True(bySprint.GetProperty("reconstructable").GetBoolean());
        Assert.Contains("Median", bySprint.GetProperty("definition").GetString());
        var sprintPoints = bySprint.GetProperty("points").EnumerateArray().ToList();
        var dayPoints = byDay.GetProperty("points").EnumerateArray().ToDictionary(p => p.GetProperty("at").GetString()!);
        Assert.True(sprintPoints.Count >= 3, bySprint.ToString());
        // Each sprint's value is the back-filled day's (the last sprint of a day; before today).
        var matched = 0;
        foreach (var p in sprintPoints.GroupBy(p => p.GetProperty("at").GetString()!).Select(g => g.Last()))
            if (dayPoints.TryGetValue(p.GetProperty("at").GetString()!, out var d) && d.GetProperty("basis").GetString() == "backfilled")
            {
                Assert.Equal(Num(p.GetProperty("value")), Num(d.GetProperty("value")));
                matched++;
            }
        Assert.True(matched >= 2, $"{matched} sprints matched");
        Assert.Equal("observed", dayPoints[Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)].GetProperty("basis").GetString());

        // A week's point is its last day's, dated on the Monday.
        var byWeek = await http.GetFromJsonAsync<JsonElement>($"/api/mi/history?figure=velocityP50&team={team}&interval=week&from=2025-01-01");
        var weeks = byWeek.GetProperty("points").EnumerateArray().ToList();
        Assert.All(weeks, w => Assert.Equal(DayOfWeek.Monday, DateOnly.Parse(w.GetProperty("at").GetString()!, CultureInfo.InvariantCulture).DayOfWeek));
        Assert.True(weeks.Count <= dayPoints.Count && weeks.Count > 0);
        Assert.Equal(Num(dayPoints.Values.Last().GetProperty("value")), Num(weeks[^1].GetProperty("value")));

        // Explain: the sprints of the velocity window as of that day.
        var explain = await http.GetFromJsonAsync<JsonElement>(sprintPoints[^1].GetProperty("explain").GetString()!);
        var rows = explain.GetProperty("rows").EnumerateArray().ToList();
        Assert.InRange(rows.Count, 1, 6);
        Assert.Equal(Median(rows.Select(r => r.GetProperty("completedPoints").GetDouble()).ToList()), Num(sprintPoints[^1].GetProperty("value"))!.Value, 9);
        var findings = await http.GetFromJsonAsync<JsonElement>($"/api/mi/history/explain?figure=openFindings&day={Today:yyyy-MM-dd}");
        Assert.Equal(findings.GetProperty("value").GetDouble(), findings.GetProperty("rows").GetArrayLength());

        // CSV of the same series.
        var csv = await http.GetStringAsync($"/api/mi/history?figure=velocityP50&team={team}&interval=sprint&from=2025-01-01&format=csv");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("figure,team,interval,at,value,basis,sprint", lines[0]);
        Assert.Equal(sprintPoints.Count + 1, lines.Length);

        foreach (var (query, key) in new[]
                 {
                     ("figure=nope", "figure"), ("", "figure"), ("figure=sayDo&interval=month", "interval"), ("figure=sayDo&interval=sprint", "team"),
                     ("figure=openFindings&team=x&interval=sprint", "interval"), ("figure=committedPoints", "interval"),
                     ("figure=sayDo&from=2026-13-01", "from"), ("figure=sayDo&from=2026-10-02&to=2026-10-01", "from"),
                 })
        {
            using var bad = await http.GetAsync("/api/mi/history?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains($"\"{key}\"", await bad.Content.ReadAsStringAsync());
        }
        using (var unknown = await http.GetAsync("/api/mi/history?figure=sayDo&team=no-such-team"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var po = org.Host.Client(TestHost.AnnKey))
        using (var forbidden = await po.GetAsync("/api/mi/history?figure=sayDo"))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using (var anonymous = org.Host.Client())
        using (var denied = await anonymous.GetAsync("/api/mi/history?figure=sayDo"))
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }

    private static double? Num(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;

    private static void AssertNear(double? expected, double? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is { } e) Assert.Equal(e, actual!.Value, 9);
    }

    /// <summary>Median with linear interpolation (type 7), written out here rather than taken from the product.</summary>
    private static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        var h = (s.Length - 1) * 0.5;
        var lo = (int)Math.Floor(h);
        return s[lo] + (h - lo) * (s[Math.Min(lo + 1, s.Length - 1)] - s[lo]);
    }
}
