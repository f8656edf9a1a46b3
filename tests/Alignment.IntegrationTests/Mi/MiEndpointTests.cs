using Dapper;
using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.VisualBasic.FileIO;

namespace Alignment.IntegrationTests.Mi;

/// <summary>Every MI figure against the hand-built store of <see cref="MiStore"/>, whose answers are worked out there.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MiEndpointTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams());
        await MiStore.SeedAsync(db);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> Get(string path, string key = TestHost.ManagementKey)
    {
        using var c = _host.Client(key);
        var r = await c.GetAsync(path);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static double? Value(JsonElement figure) =>
        figure.GetProperty("value").ValueKind == JsonValueKind.Null ? null : figure.GetProperty("value").GetDouble();

    private static void Figure(JsonElement parent, string name, double? expected, string explainContains)
    {
        var f = parent.GetProperty(name);
        if (expected is null)
        {
            Assert.Null(Value(f));
            Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("reason").GetString()), $"{name} is null without a reason");
        }
        else Assert.Equal(expected.Value, Value(f)!.Value, 4);
        Assert.False(string.IsNullOrWhiteSpace(f.GetProperty("definition").GetString()), $"{name} has no definition");
        Assert.Contains(explainContains, f.GetProperty("explain").GetString());
    }

    private static JsonElement Team(JsonElement teams, string id) =>
        teams.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("id").GetString() == id);

    [Fact]
    public async Task Team_figures_have_the_known_answers_with_definitions_and_explain_links()
    {
        var teams = await Get("/api/mi/teams");
        var pay = Team(teams, "payments");
        Figure(pay, "velocityP50", 9, "/api/mi/teams/payments/explain?figure=velocityP50");
        Figure(pay, "velocityTrend", -0.9, "figure=velocityTrend");
        Figure(pay, "sayDo", 0.625, "figure=sayDo");
        Figure(pay, "committedPoints", 10, "figure=committedPoints");
        Figure(pay, "capacityDays", 8, "figure=capacityDays");
        Figure(pay, "capacityPoints", 7.2, "figure=capacityPoints");
        Figure(pay, "capacityUse", 10 / 7.2, "figure=capacityUse");
        Figure(pay, "openFindings", 2, "figure=openFindings");
        Assert.Equal("PAY Sprint 5", pay.GetProperty("activeSprint").GetString());
        Assert.Equal(1, pay.GetProperty("openFindingsBySeverity").GetProperty("critical").GetInt32());
        Assert.Equal(1, pay.GetProperty("openFindingsBySeverity").GetProperty("warning").GetInt32());
        Assert.Equal(["s1", "s2", "s3", "s4", "s5"], pay.GetProperty("sprints").EnumerateArray().Select(s => s.GetProperty("id").GetString()!));

        var ledger = Team(teams, "ledger");
        Figure(ledger, "velocityP50", 8, "/api/mi/teams/ledger/");
        Figure(ledger, "velocityTrend", -4, "figure=velocityTrend");
        Figure(ledger, "sayDo", 0.8, "figure=sayDo");
        Figure(ledger, "committedPoints", 5, "figure=committedPoints");
        Figure(ledger, "capacityDays", null, "figure=capacityDays");
        Figure(ledger, "capacityPoints", 8, "figure=capacityPoints");
        Figure(ledger, "capacityUse", 0.625, "figure=capacityUse");
        Figure(ledger, "openFindings", 0, "figure=openFindings");
    }

    [Fact]
    public async Task A_jira_teams_capacity_in_its_active_sprints_figures_is_its_capacity_days()
    {
        // Without core.capacities rows (Jira has none), the active sprint's figures carry the configured members' capacity.
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("DELETE FROM core.capacities WHERE team_id = 'payments'");
            await conn.ExecuteAsync("""
                INSERT INTO analysis.sprint_figures (team_id, source_id, sprint_id, basis, committed_points, completed_points, added_points,
                    removed_points, carried_over_points, committed_count, completed_count, added_count, removed_count, carried_over_count,
                    carried_over_twice_count, unestimated_count, say_do, capacity_days)
                VALUES ('payments', 'jira', 's5', 'observed', 10, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1, 0, 9)
                """);
        }
        var pay = Team(await Get("/api/mi/teams"), "payments");
        Figure(pay, "capacityDays", 9, "figure=capacityDays");
        Figure(pay, "capacityPoints", 9 * 9 / 10.0, "figure=capacityPoints");   // P50 9 × 9 days ÷ the normal 10
        Assert.Equal(9, pay.GetProperty("sprints").EnumerateArray().Single(s => s.GetProperty("state").GetString() == "active").GetProperty("capacityDays").GetDouble());
    }

    [Fact]
    public async Task Overview_adds_up_the_organisation()
    {
        var o = await Get("/api/mi/overview");
        Assert.Equal(2, o.GetProperty("teams").GetInt32());
        Assert.Equal(2, o.GetProperty("activeSprints").GetInt32());
        Figure(o, "committedPoints", 15, "/api/mi/explain?figure=committedPoints");
        Figure(o, "capacityPoints", 15.2, "figure=capacityPoints");
        Figure(o, "commitmentVsCapacity", 15 / 15.2, "figure=commitmentVsCapacity");
        Figure(o, "capacityDays", 8, "figure=capacityDays");
        Figure(o, "sayDo", 41.0 / 60, "figure=sayDo");
        Figure(o, "velocityTrend", -4.9, "figure=velocityTrend");
        Figure(o, "openDependencies", 3, "figure=openDependencies");
        Figure(o, "dependenciesAtRisk", 2, "figure=dependenciesAtRisk");

        var series = o.GetProperty("velocity").EnumerateArray()
            .Select(p => (p.GetProperty("sprint").GetInt32(), p.GetProperty("committed").GetDouble(), p.GetProperty("completed").GetDouble(), p.GetProperty("teams").GetInt32()))
            .ToList();
        Assert.Equal([(-3, 10.0, 8.0, 1), (-2, 10.0, 10.0, 1), (-1, 30.0, 20.0, 2), (0, 20.0, 11.0, 2)], series);

        var findings = o.GetProperty("openFindings");
        Assert.Equal(2, findings.GetProperty("total").GetInt32());
        Assert.Equal(1, findings.GetProperty("bySeverity").GetProperty("critical").GetInt32());
        Assert.Equal(1, findings.GetProperty("byRule").GetProperty("DEP-LATE").GetProperty("critical").GetInt32());
        Assert.Equal(1, findings.GetProperty("byRule").GetProperty("CAP-SAYDO").GetProperty("warning").GetInt32());
        Assert.False(findings.GetProperty("byRule").TryGetProperty("DRIFT-STALE", out _));

        var epics = o.GetProperty("epics");
        Assert.Equal((0, 1, 1, 1, 1, 0), (epics.GetProperty("onTrack").GetInt32(), epics.GetProperty("atRisk").GetInt32(), epics.GetProperty("late").GetInt32(),
            epics.GetProperty("done").GetInt32(), epics.GetProperty("noTarget").GetInt32(), epics.GetProperty("unknown").GetInt32()));
    }

    [Fact]
    public async Task Epics_roll_up_points_per_team_with_forecast_and_status()
    {
        var epics = (await Get("/api/mi/epics")).GetProperty("epics").EnumerateArray().ToDictionary(e => e.GetProperty("key").GetString()!);
        var late = epics["PAY-100"];
        Assert.Equal(MiStore.XssTitle, late.GetProperty("title").GetString());
        Assert.Equal("late", late.GetProperty("status").GetString());
        Assert.Equal((5.0, 8.0, 3, 1), (late.GetProperty("donePoints").GetDouble(), late.GetProperty("totalPoints").GetDouble(),
            late.GetProperty("items").GetInt32(), late.GetProperty("unestimatedItems").GetInt32()));
        var parts = late.GetProperty("teams").EnumerateArray().Select(p =>
            (p.GetProperty("team").GetString(), p.GetProperty("donePoints").GetDouble(), p.GetProperty("totalPoints").GetDouble(), p.GetProperty("items").GetInt32())).ToList();
        Assert.Equal([("ledger", 0.0, 0.0, 1), ("payments", 5.0, 8.0, 2)], parts);
        Assert.Equal(JsonValueKind.Null, late.GetProperty("forecastP50").GetProperty("value").ValueKind);
        Assert.False(string.IsNullOrEmpty(late.GetProperty("forecastP50").GetProperty("reason").GetString()));

        var atRisk = epics["PAY-200"];
        Assert.Equal("atRisk", atRisk.GetProperty("status").GetString());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(today.AddDays(20).ToString("yyyy-MM-dd"), atRisk.GetProperty("forecastP50").GetProperty("value").GetString());
        Assert.Equal(today.AddDays(40).ToString("yyyy-MM-dd"), atRisk.GetProperty("forecastP85").GetProperty("value").GetString());
        Assert.Equal(today.AddDays(30).ToString("yyyy-MM-dd"), atRisk.GetProperty("target").GetString());

        Assert.Equal("noTarget", epics["500"].GetProperty("status").GetString());
        Assert.Equal(5.0, epics["500"].GetProperty("donePoints").GetDouble());
        Assert.Equal("done", epics["PAY-300"].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Dependency_graph_has_weighted_edges_with_at_risk_marked()
    {
        var g = await Get("/api/mi/dependencies");
        var edges = g.GetProperty("edges").EnumerateArray().Select(e => (e.GetProperty("from").GetString(), e.GetProperty("to").GetString(),
            e.GetProperty("dependencies").GetInt32(), e.GetProperty("points").GetDouble(), e.GetProperty("atRisk").GetInt32(), e.GetProperty("isAtRisk").GetBoolean())).ToList();
        Assert.Equal([("ledger", "payments", 1, 2.0, 0, false), ("payments", "ledger", 2, 8.0, 2, true)], edges);
        var nodes = g.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("team").GetString()!);
        Assert.Equal((2, 1, 2), (nodes["payments"].GetProperty("dependsOn").GetInt32(), nodes["payments"].GetProperty("blocks").GetInt32(), nodes["payments"].GetProperty("atRisk").GetInt32()));
        Assert.Equal("Ledger", nodes["ledger"].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Explain_links_return_the_sprints_and_items_behind_a_figure()
    {
        var sayDo = await Get("/api/mi/teams/payments/explain?figure=sayDo");
        Assert.Equal(0.625, sayDo.GetProperty("value").GetDouble(), 4);
        Assert.Equal(["s2", "s3", "s4"], sayDo.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("sprint").GetString()!));

        var committed = await Get("/api/mi/teams/payments/explain?figure=committedPoints");
        Assert.Equal(["PAY-1", "PAY-2", "PAY-3", "PAY-5"], committed.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).Order());

        var capacity = await Get("/api/mi/teams/payments/explain?figure=capacityDays");
        Assert.Equal(8, capacity.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("availableDays").GetDouble()));

        var findings = await Get("/api/mi/teams/payments/explain?figure=openFindings");
        Assert.Equal(["CAP-SAYDO", "DEP-LATE"], findings.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("rule").GetString()!).Order());

        var epic = await Get("/api/mi/epics/jira/PAY-100/explain");
        Assert.Equal(["PAY-111", "PAY-112", "PAY-113"], epic.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).Order());

        var edge = await Get("/api/mi/dependencies/explain?from=payments&to=ledger");
        var rows = edge.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.True(r.GetProperty("atRisk").GetBoolean()));

        var org = await Get("/api/mi/explain?figure=sayDo");
        Assert.Equal(2, org.GetProperty("rows").GetArrayLength());

        using var c = _host.Client(TestHost.ManagementKey);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/mi/teams/payments/explain?figure=nonsense")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/mi/teams/nope/explain?figure=sayDo")).StatusCode);
    }

    [Fact]
    public async Task Csv_parses_with_a_standard_reader_and_has_a_header_row()
    {
        using var c = _host.Client(TestHost.PmoKey);
        foreach (var (path, header, keyColumn, key) in new[]
                 {
                     ("/api/mi/teams?format=csv", "team", "team", "payments"),
                     ("/api/mi/epics?format=csv", "source", "key", "PAY-200"),
                     ("/api/mi/dependencies?format=csv", "from", "from", "payments"),
                 })
        {
            var r = await c.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("text/csv", r.Content.Headers.ContentType?.MediaType);
            var rows = ParseCsv(await r.Content.ReadAsStringAsync());
            Assert.Equal(header, rows[0][0]);
            Assert.True(rows.Skip(1).All(row => row.Length == rows[0].Length), $"{path}: every row has the header's width");
            var col = Array.IndexOf(rows[0], keyColumn);
            Assert.Contains(rows.Skip(1), row => row[col] == key);
        }

        var epics = ParseCsv(await c.GetStringAsync("/api/mi/epics?format=csv"));
        var titleCol = Array.IndexOf(epics[0], "title");
        Assert.Contains(epics.Skip(1), row => row[titleCol] == MiStore.EpicWithComma);

        var teams = ParseCsv(await c.GetStringAsync("/api/mi/teams?format=csv"));
        var pay = teams.Single(row => row[0] == "payments");
        Assert.Equal("0.625", pay[Array.IndexOf(teams[0], "sayDo")]);
        Assert.Equal("", teams.Single(row => row[0] == "ledger")[Array.IndexOf(teams[0], "capacityDays")]);

        var req = new HttpRequestMessage(HttpMethod.Get, "/api/mi/teams");
        req.Headers.Accept.Clear();
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var negotiated = await c.SendAsync(req);
        Assert.Equal("text/csv", negotiated.Content.Headers.ContentType?.MediaType);

        Assert.Equal(HttpStatusCode.BadRequest, (await c.GetAsync("/api/mi/teams?format=xml")).StatusCode);
    }

    [Fact]
    public async Task Csv_shows_tracker_text_that_a_spreadsheet_would_run_as_text_and_keeps_negative_numbers()
    {
        await db.ScalarAsync<int>("UPDATE core.work_items SET title = '-2+3+cmd|'' /C calc''!A0' WHERE key = 'PAY-200'");
        await db.ScalarAsync<int>("UPDATE core.work_items SET title = E'\\t=HYPERLINK(\"http://x\")' WHERE key = '500'");
        using var c = _host.Client(TestHost.PmoKey);

        var epics = ParseCsv(await c.GetStringAsync("/api/mi/epics?format=csv"));
        string Title(string key) => epics.Single(row => row[Array.IndexOf(epics[0], "key")] == key)[Array.IndexOf(epics[0], "title")];
        Assert.Equal("'-2+3+cmd|' /C calc'!A0", Title("PAY-200"));
        Assert.Equal("'\t=HYPERLINK(\"http://x\")", Title("500"));

        var teams = ParseCsv(await c.GetStringAsync("/api/mi/teams?format=csv"));
        Assert.Equal("-0.9", teams.Single(row => row[0] == "payments")[Array.IndexOf(teams[0], "velocityTrend")]); // a number, not text
    }

    [Fact]
    public async Task Reads_serve_the_stored_snapshot_and_follow_another_process_refresh_within_the_cache_time()
    {
        // This host reads on a fake clock; _host plays another process (a worker whose pipeline refreshes the MI).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var reader = await TestHost.StartAsync(db, Configs.TwoTeams(), clock);
        async Task<double?> Committed()
        {
            using var c = reader.Client(TestHost.ManagementKey);
            return Value(Team(await c.GetFromJsonAsync<JsonElement>("/api/mi/teams"), "payments").GetProperty("committedPoints"));
        }
        var refreshed = await _host.Services.GetRequiredService<MiSnapshots>().RefreshAsync(default);
        Assert.Equal(2, refreshed.Teams.Teams.Count);
        Assert.Equal(4, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.mi_snapshots"));
        Assert.Equal(10, await Committed());

        // New work lands in the active sprint: reads keep the stored snapshot until the pipeline refreshes it.
        await db.ScalarAsync<int>("""
            INSERT INTO core.work_items (source_id, external_id, key, url, type, original_type, title, status, status_category, story_points,
                team_id, sprint_id, created_at, updated_at) VALUES ('jira', 'PAY-7', 'PAY-7', 'u', 'story', 'story', 'New', 'todo', 'todo', 4,
                'payments', 's5', now(), now());
            INSERT INTO core.sprint_items (source_id, sprint_id, item_external_id) VALUES ('jira', 's5', 'PAY-7');
            SELECT 1
            """);
        clock.Advance(MiSnapshots.CacheFor * 2);
        Assert.Equal(10, await Committed());

        // The other process refreshes; this one serves its cached read until its own clock passes CacheFor.
        await _host.Services.GetRequiredService<MiSnapshots>().RefreshAsync(default);
        Assert.Equal(10, await Committed());
        clock.Advance(MiSnapshots.CacheFor + TimeSpan.FromMilliseconds(1));
        Assert.Equal(14, await Committed());
    }

    [Fact]
    public async Task Every_mi_route_is_named_summarized_and_tagged_in_the_openapi_document()
    {
        using var c = _host.Client();
        var doc = await c.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var p in new[] { "/api/mi/overview", "/api/mi/teams", "/api/mi/epics", "/api/mi/dependencies", "/api/mi/explain",
                     "/api/mi/teams/{team}/explain", "/api/mi/epics/{source}/{key}/explain", "/api/mi/dependencies/explain" })
        {
            Assert.True(paths.TryGetProperty(p, out var item), $"{p} is not in the OpenAPI document");
            var get = item.GetProperty("get");
            Assert.False(string.IsNullOrEmpty(get.GetProperty("operationId").GetString()));
            Assert.False(string.IsNullOrEmpty(get.GetProperty("summary").GetString()));
            Assert.Equal("Management information", get.GetProperty("tags")[0].GetString());
        }
    }

    private static List<string[]> ParseCsv(string csv)
    {
        using var parser = new TextFieldParser(new StringReader(csv)) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData) rows.Add(parser.ReadFields()!);
        return rows;
    }
}
