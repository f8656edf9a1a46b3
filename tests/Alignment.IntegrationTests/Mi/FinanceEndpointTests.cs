using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Mi;

/// <summary>
/// <c>GET /api/mi/finance</c> on a hand-built store after a real analysis: the figures worked out below, the roles (a product owner sees
/// only the budget status of their teams' epics), CSV and explain.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class FinanceEndpointTests(TestDatabase db) : IAsyncLifetime
{
    internal static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);
    private TestHost _host = null!;

    public Task InitializeAsync() => db.ResetAsync();
    public async Task DisposeAsync() { if (_host is not null) await _host.DisposeAsync(); }

    /// <summary>payments (Jira): 10,000 a sprint, 20,000 from 2026-05-01; ledger (Azure DevOps): 500 a person-day. PAY-1 has a 5,000 budget.</summary>
    internal static object Config(bool costs = true) => new
    {
        Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
        Teams = new object[]
        {
            new
            {
                Id = "payments", Name = "Payments", Source = "jira", Jira = new { Board = 12, Project = "PAY" },
                ProductOwner = new { Name = "Ann de Vries", Email = "ann@example.com" },
                Costs = costs ? new object[] { new { From = "2026-01-01", PerSprint = 10000 }, new { From = "2026-05-01", PerSprint = 20000 } } : [],
            },
            new
            {
                Id = "ledger", Name = "Ledger", Source = "ado", AzureDevOps = new { Project = "Finance", Team = "Ledger" },
                ProductOwner = new { Name = "Bram Jansen", Email = "bram@example.com" },
                Costs = costs ? new object[] { new { From = "2026-01-01", PerPersonDay = 500 } } : [],
            },
        },
        Finance = new
        {
            Currency = "EUR",
            Budgets = costs ? new object[] { new { Source = "jira", Epic = "PAY-1", Amount = 5000 }, new { Source = "ado", Epic = "100", Amount = 1000000 } } : [],
        },
        Auth = new { ApiKeys = TestHost.ApiKeys },
    };

    /// <summary>
    /// Sprints of two weeks: S1 2026-04-13, S2 04-27, S3 05-11, S4 05-25 (closed), S5 06-08 (active). payments completed 10, 20, 10, 10 points:
    /// cost 10,000, 10,000 (S1, S2 start before 05-01), 20,000, 20,000; cost per point 1,000, 500, 2,000, 2,000. ledger: 10 points and
    /// 10 person-days each: 5,000 a sprint, 500 a point. PAY-1: PAY-2 (5) done in S1, PAY-3 (3) in S3 → 5 × 1,000 + 3 × 2,000 = 11,000
    /// (5,000 in April, 6,000 in May); 100: 101 (4) done in L2 → 2,000.
    /// </summary>
    internal static async Task SeedAsync(TestDatabase db)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var start = new DateTime(2026, 4, 13, 0, 0, 0, DateTimeKind.Utc);
        double[] payDone = [10, 20, 10, 10];
        for (var k = 0; k < 5; k++)
        {
            foreach (var (team, source, prefix) in new[] { ("payments", "jira", "S"), ("ledger", "ado", "L") })
            {
                var id = $"{prefix}{k + 1}";
                var state = k < 4 ? "closed" : "active";
                await conn.ExecuteAsync("""
                    INSERT INTO core.sprints (source_id, external_id, name, state, start_at, end_at, completed_at)
                    VALUES (@source, @id, @id, @state, @s, @e, CASE WHEN @state = 'closed' THEN @e END);
                    INSERT INTO core.team_sprints (team_id, source_id, sprint_id) VALUES (@team, @source, @id);
                    """, new { source, id, state, team, s = start.AddDays(14 * k), e = start.AddDays(14 * k + 14) });
                if (k < 4)
                    await conn.ExecuteAsync("""
                        INSERT INTO analysis.sprint_figures (team_id, source_id, sprint_id, basis, committed_points, completed_points, added_points,
                            removed_points, carried_over_points, committed_count, completed_count, added_count, removed_count, carried_over_count,
                            carried_over_twice_count, unestimated_count, say_do, capacity_days)
                        VALUES (@team, @source, @id, 'reconstructed', 10, @done, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 10)
                        """, new { team, source, id, done = team == "payments" ? payDone[k] : 10.0 });
            }
        }
        foreach (var (source, key, type, category, points, team, parent) in new (string, string, string, string, double?, string, string?)[]
                 {
                     ("jira", "PAY-1", "epic", "inProgress", null, "payments", null), ("jira", "PAY-2", "story", "done", 5, "payments", "PAY-1"),
                     ("jira", "PAY-3", "story", "done", 3, "payments", "PAY-1"), ("jira", "PAY-4", "story", "todo", 8, "payments", "PAY-1"),
                     ("ado", "100", "epic", "inProgress", null, "ledger", null), ("ado", "101", "story", "done", 4, "ledger", "100"),
                     ("ado", "102", "story", "todo", 2, "ledger", "100"),
                 })
            await conn.ExecuteAsync("""
                INSERT INTO core.work_items (source_id, external_id, key, url, type, original_type, title, status, status_category, story_points,
                    team_id, parent_key, created_at, updated_at, sprint_ids)
                VALUES (@source, @key, @key, 'https://tracker.example/' || @key, @type, @type, 'Item ' || @key, @category, @category, @points,
                    @team, @parent, now() - interval '90 days', now(), '{}')
                """, new { source, key, type, category, points, team, parent });
        foreach (var (team, source, sprint, item, points) in new[] { ("payments", "jira", "S1", "PAY-2", 5.0), ("payments", "jira", "S3", "PAY-3", 3.0), ("ledger", "ado", "L2", "101", 4.0) })
            await conn.ExecuteAsync("""
                INSERT INTO analysis.sprint_item_outcomes (team_id, source_id, sprint_id, item_external_id, committed, added, removed, completed,
                    carried_over, carry_count, points)
                VALUES (@team, @source, @sprint, @item, true, false, false, true, false, 0, @points)
                """, new { team, source, sprint, item, points });
    }

    private async Task<(HttpStatusCode Status, string Body)> Get(string path, string key)
    {
        using var c = _host.Client(key);
        var r = await c.GetAsync(path);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<JsonElement> Json(string path, string key)
    {
        var (status, body) = await Get(path, key);
        Assert.True(status == HttpStatusCode.OK, $"{path} answered {(int)status}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task StartAsync(bool costs = true)
    {
        _host = await TestHost.StartAsync(db, Config(costs), new FakeTimeProvider(Now));
        await SeedAsync(db);
        await _host.Services.AnalyzeAsync();
    }

    private static JsonElement Epic(JsonElement doc, string key) => doc.GetProperty("epics").EnumerateArray().Single(e => e.GetProperty("key").GetString() == key);

    [Fact]
    public async Task Management_sees_sprint_costs_spend_and_forecast_cost_against_budget_as_worked_out()
    {
        await StartAsync();
        var doc = await Json("/api/mi/finance", TestHost.ManagementKey);

        Assert.Equal("EUR", doc.GetProperty("currency").GetString());
        Assert.False(doc.GetProperty("restricted").GetBoolean());
        var pay = doc.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == "payments");
        Assert.Equal([10000.0, 10000, 20000, 20000], pay.GetProperty("sprints").EnumerateArray().Select(s => s.GetProperty("cost").GetDouble()));
        Assert.Equal([1000.0, 500, 2000, 2000], pay.GetProperty("sprints").EnumerateArray().Select(s => s.GetProperty("costPerPoint").GetDouble()));
        Assert.Equal([("2026-04", 10000.0), ("2026-05", 30000), ("2026-06", 20000)],
            pay.GetProperty("months").EnumerateArray().Select(m => (m.GetProperty("period").GetString()!, m.GetProperty("spend").GetDouble())));
        Assert.Equal([("2026-Q2", 60000.0)], pay.GetProperty("quarters").EnumerateArray().Select(m => (m.GetProperty("period").GetString()!, m.GetProperty("spend").GetDouble())));
        var ledger = doc.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == "ledger");
        Assert.All(ledger.GetProperty("sprints").EnumerateArray(), s => Assert.Equal(5000, s.GetProperty("cost").GetDouble()));

        var pay1 = Epic(doc, "PAY-1");
        Assert.Equal(11000, pay1.GetProperty("costToDate").GetDouble());
        Assert.Equal(5000, pay1.GetProperty("budget").GetDouble());
        Assert.Equal("overBudget", pay1.GetProperty("budgetStatus").GetString());
        Assert.Equal([("2026-04", 5000.0), ("2026-05", 6000)],
            pay1.GetProperty("months").EnumerateArray().Select(m => (m.GetProperty("period").GetString()!, m.GetProperty("spend").GetDouble())));
        Assert.True(pay1.GetProperty("atCompletionP50").GetDouble() > 11000);
        Assert.Equal(2000, Epic(doc, "100").GetProperty("costToDate").GetDouble());
        Assert.Contains("person-days", doc.GetProperty("definition").GetProperty("sprintCost").GetString());

        var findings = await Json("/api/findings?rule=BUDGET-OVERRUN", TestHost.PmoKey);
        var f = Assert.Single(findings.GetProperty("items").EnumerateArray());
        Assert.Equal("critical", f.GetProperty("severity").GetString());
        Assert.Equal(11000, f.GetProperty("evidence").GetProperty("costToDate").GetDouble());
    }

    [Fact]
    public async Task A_product_owner_sees_only_the_budget_status_of_their_teams_epics()
    {
        await StartAsync();
        var (status, body) = await Get("/api/mi/finance", TestHost.AnnKey);
        Assert.Equal(HttpStatusCode.OK, status);
        var doc = JsonDocument.Parse(body).RootElement;

        Assert.True(doc.GetProperty("restricted").GetBoolean());
        Assert.Empty(doc.GetProperty("teams").EnumerateArray());
        var pay1 = Assert.Single(doc.GetProperty("epics").EnumerateArray());
        Assert.Equal("PAY-1", pay1.GetProperty("key").GetString());
        Assert.Equal(5000, pay1.GetProperty("budget").GetDouble());
        Assert.Equal("overBudget", pay1.GetProperty("budgetStatus").GetString());
        Assert.True(pay1.GetProperty("atCompletionP85").GetDouble() > 5000);
        foreach (var hidden in new[] { "months", "quarters", "byTeam", "sprints" })
            Assert.Equal(JsonValueKind.Null, pay1.GetProperty(hidden).ValueKind);
        // No rate, sprint cost or cost per point anywhere in the answer.
        Assert.DoesNotContain("\"rates\"", body);
        Assert.DoesNotMatch("\"(costPerPoint|rate|cost|costPerSprint|costPerSprintNow|remainingCostP50|remainingCostP85)\":\\s*[0-9]", body);
        Assert.DoesNotContain("20000", body);

        var csv = (await Get("/api/mi/finance?format=csv", TestHost.AnnKey)).Body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, csv.Length);
        Assert.StartsWith("epic,payments,jira,PAY-1,", csv[1]);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get("/api/mi/finance/teams/payments/explain", TestHost.AnnKey)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get("/api/mi/finance/epics/jira/PAY-1/explain", TestHost.AnnKey)).Status);

        var bram = await Json("/api/mi/finance", TestHost.BramKey);
        Assert.Equal(["100"], bram.GetProperty("epics").EnumerateArray().Select(e => e.GetProperty("key").GetString()));
    }

    [Fact]
    public async Task Csv_and_explain_go_down_to_the_sprints_and_items()
    {
        await StartAsync();
        var csv = (await Get("/api/mi/finance?format=csv", TestHost.PmoKey)).Body;
        Assert.StartsWith("record,team,source,epic,period,sprint,spend,", csv);
        Assert.Contains("\r\nteamMonth,payments,,,2026-05,,30000,0,", csv);
        Assert.Contains("\r\nsprint,payments,,,,S3,,,20000,10,2000,", csv);
        Assert.Contains("\r\nepic,payments,jira,PAY-1,,,,,,,,5000,11000,", csv);

        var team = await Json("/api/mi/finance/teams/payments/explain", TestHost.PmoKey);
        Assert.Equal(4, team.GetProperty("rows").GetArrayLength());
        var epic = await Json("/api/mi/finance/epics/jira/PAY-1/explain", TestHost.ManagementKey);
        var items = epic.GetProperty("rows").EnumerateArray().Where(r => r.TryGetProperty("item", out _)).ToList();
        Assert.Equal([("PAY-2", "S1", 1000.0), ("PAY-3", "S3", 2000)],
            items.Select(r => (r.GetProperty("item").GetString()!, r.GetProperty("sprint").GetString()!, r.GetProperty("costPerPoint").GetDouble())));
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/api/mi/finance/epics/jira/NOPE-1/explain", TestHost.PmoKey)).Status);
    }

    [Fact]
    public async Task Without_costs_or_budgets_the_document_is_empty_with_the_reason_and_no_budget_finding_appears()
    {
        await StartAsync(costs: false);
        var doc = await Json("/api/mi/finance", TestHost.ManagementKey);

        Assert.Empty(doc.GetProperty("teams").EnumerateArray());
        Assert.Empty(doc.GetProperty("epics").EnumerateArray());
        Assert.Contains("no team has costs", doc.GetProperty("reason").GetString());
        var findings = await Json("/api/findings?rule=BUDGET-OVERRUN", TestHost.PmoKey);
        Assert.Empty(findings.GetProperty("items").EnumerateArray());
    }
}
