using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Freshness;

/// <summary>
/// Staleness is visible (docs/reliability.md): <c>GET /api/sources</c>, the MI overview's <c>dataFreshness</c> and the SYNC-STALE finding, on the real
/// host and store, with the sync's state written as the sync writes it and a fake clock.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DataFreshnessTests(TestDatabase db) : IAsyncLifetime
{
    // Every 15 minutes, but only on 29 February: the interval around the fake "now" is 15 minutes, while the host's Hangfire server
    // (on the real clock) never runs the recurring sync during a test.
    private const string Cron = "*/15 * 29 2 *";
    private static readonly DateTimeOffset Now = new(2028, 2, 29, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, new
        {
            Sources = new[] { Source("jira", "Jira", "http://127.0.0.1:9/jira", "Basic"), Source("ado", "AzureDevOps", "http://127.0.0.1:9/ado/org", "Pat") },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
            Auth = new { ApiKeys = TestHost.ApiKeys },
        }, _clock);
    }

    private static object Source(string id, string kind, string url, string scheme) => new
    {
        Id = id, Kind = kind, BaseUrl = url,
        Auth = new { Scheme = scheme, User = scheme == "Basic" ? "pmo-bot@example.com" : null, TokenEnv = kind == "Jira" ? Configs.JiraTokenEnv : Configs.AdoTokenEnv },
        Sync = new { Cron, FullCron = "" },
    };

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>payments (Jira) failed with two quarantined items and a last success 3 h ago; ledger and Azure DevOps' source-wide part are fresh.</summary>
    private async Task SeedFailedJiraAsync()
    {
        await SyncStateSeed.StateAsync(db, "jira", "payments", "failed", Now.AddMinutes(-5), Now.AddHours(-3), "401 Unauthorized from GET /rest/agile/1.0/board/12");
        await SyncStateSeed.QuarantineAsync(db, "jira", "payments", "PAY-7", "$.issues[3].fields.customfield_10016", "not a number: \"five\"", Now.AddMinutes(-5));
        await SyncStateSeed.QuarantineAsync(db, "jira", "payments", "PAY-9", "$.issues[5].fields.sprint", "unexpected object", Now.AddMinutes(-20));
        // Neither a failed request nor a resolved item is a quarantined item.
        await SyncStateSeed.QuarantineAsync(db, "jira", "payments", "PAY-10", "$", "truncated body", Now.AddMinutes(-5), kind: "request");
        await SyncStateSeed.QuarantineAsync(db, "jira", "payments", "PAY-11", "$.x", "was bad once", Now.AddHours(-2), resolved: Now.AddHours(-1));
        await SyncStateSeed.StateAsync(db, "ado", "ledger", "succeeded", Now.AddMinutes(-10), Now.AddMinutes(-10));
        await SyncStateSeed.StateAsync(db, "ado", "", "succeeded", Now.AddMinutes(-10), Now.AddMinutes(-10));
    }

    private static JsonElement SourceOf(JsonElement body, string id) => body.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);

    [Fact]
    public async Task Sources_show_per_team_last_success_attempt_status_error_quarantined_items_and_staleness()
    {
        await SeedFailedJiraAsync();
        using var c = _host.Client(TestHost.PmoKey);

        var body = await c.GetFromJsonAsync<JsonElement>("/api/sources");

        Assert.Equal(Now, body.GetProperty("checkedAt").GetDateTimeOffset());
        Assert.Contains("2 × its Sync:Cron", body.GetProperty("definition").GetString());
        var jira = SourceOf(body, "jira");
        Assert.Equal("jira", jira.GetProperty("kind").GetString());
        Assert.Equal(Cron, jira.GetProperty("cron").GetString());
        Assert.Equal(15, jira.GetProperty("intervalMinutes").GetDouble());
        Assert.Equal("failed", jira.GetProperty("status").GetString());
        Assert.True(jira.GetProperty("stale").GetBoolean());
        Assert.Equal(2, jira.GetProperty("quarantinedItems").GetInt32());
        Assert.Equal(Now.AddHours(-3), jira.GetProperty("lastSuccess").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, jira.GetProperty("sourceWide").ValueKind);
        var payments = Assert.Single(jira.GetProperty("teams").EnumerateArray());
        Assert.Equal("payments", payments.GetProperty("team").GetString());
        Assert.Equal("Payments", payments.GetProperty("name").GetString());
        Assert.Equal("failed", payments.GetProperty("status").GetString());
        Assert.Equal(Now.AddHours(-3), payments.GetProperty("lastSuccess").GetDateTimeOffset());
        Assert.Equal(Now.AddMinutes(-5), payments.GetProperty("lastAttempt").GetDateTimeOffset());
        Assert.Equal("401 Unauthorized from GET /rest/agile/1.0/board/12", payments.GetProperty("error").GetString());
        Assert.True(payments.GetProperty("stale").GetBoolean());
        Assert.Contains("last run failed", payments.GetProperty("reason").GetString());
        var items = payments.GetProperty("quarantined").EnumerateArray().ToList();
        Assert.Equal(["PAY-7", "PAY-9"], items.Select(i => i.GetProperty("key").GetString()));   // newest first
        Assert.Equal("$.issues[3].fields.customfield_10016", items[0].GetProperty("jsonPath").GetString());
        Assert.Equal(3, items[0].GetProperty("attempts").GetInt32());

        var ado = SourceOf(body, "ado");
        Assert.Equal("succeeded", ado.GetProperty("status").GetString());
        Assert.False(ado.GetProperty("stale").GetBoolean());
        Assert.Equal("azureDevOps", ado.GetProperty("kind").GetString());
        Assert.False(ado.GetProperty("sourceWide").GetProperty("stale").GetBoolean());
        var ledger = Assert.Single(ado.GetProperty("teams").EnumerateArray());
        Assert.Equal("succeeded", ledger.GetProperty("status").GetString());
        Assert.False(ledger.GetProperty("stale").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ledger.GetProperty("reason").ValueKind);
    }

    [Fact]
    public async Task A_team_without_any_sync_state_is_never_and_stale()
    {
        using var c = _host.Client(TestHost.AdminKey);

        var body = await c.GetFromJsonAsync<JsonElement>("/api/sources");

        foreach (var id in new[] { "jira", "ado" })
        {
            var s = SourceOf(body, id);
            Assert.Equal("never", s.GetProperty("status").GetString());
            Assert.True(s.GetProperty("stale").GetBoolean());
            Assert.Equal(JsonValueKind.Null, s.GetProperty("lastSuccess").ValueKind);
            var team = Assert.Single(s.GetProperty("teams").EnumerateArray());
            Assert.Equal("never", team.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, team.GetProperty("lastAttempt").ValueKind);
        }
    }

    [Fact]
    public async Task A_team_without_its_own_state_goes_by_the_sources_last_run()
    {
        await SyncStateSeed.RunAsync(db, "ado", Now.AddMinutes(-50), "succeeded");
        await SyncStateSeed.RunAsync(db, "ado", Now.AddMinutes(-5), "failed");
        await SyncStateSeed.RunAsync(db, "ado", Now.AddMinutes(-1), "skipped");   // another run held the lock: tried nothing
        using var c = _host.Client(TestHost.PmoKey);

        var ledger = SourceOf(await c.GetFromJsonAsync<JsonElement>("/api/sources"), "ado").GetProperty("teams")[0];

        Assert.Equal("failed", ledger.GetProperty("status").GetString());
        Assert.Equal(Now.AddMinutes(-50), ledger.GetProperty("lastSuccess").GetDateTimeOffset());
        Assert.Equal(Now.AddMinutes(-5), ledger.GetProperty("lastAttempt").GetDateTimeOffset());
        Assert.True(ledger.GetProperty("stale").GetBoolean());
    }

    [Fact]
    public async Task Sources_are_for_admin_and_pmo_only()
    {
        using (var anonymous = _host.Client())
        {
            var r = await anonymous.GetAsync("/api/sources");
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        }
        foreach (var key in new[] { TestHost.ManagementKey, TestHost.AnnKey })
        {
            using var c = _host.Client(key);
            Assert.Equal(HttpStatusCode.Forbidden, (await c.GetAsync("/api/sources")).StatusCode);
        }
        foreach (var key in new[] { TestHost.AdminKey, TestHost.PmoKey })
        {
            using var c = _host.Client(key);
            Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/sources")).StatusCode);
        }
        using var doc = _host.Client();
        var openapi = await doc.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var get = openapi.GetProperty("paths").GetProperty("/api/sources").GetProperty("get");
        Assert.Contains("stale", get.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Staleness_follows_the_clock_past_twice_the_cron()
    {
        await SyncStateSeed.StateAsync(db, "jira", "payments", "succeeded", Now.AddMinutes(-10), Now.AddMinutes(-10));
        await SyncStateSeed.StateAsync(db, "ado", "ledger", "succeeded", Now.AddMinutes(-10), Now.AddMinutes(-10));
        using var c = _host.Client(TestHost.PmoKey);
        var before = await c.GetFromJsonAsync<JsonElement>("/api/mi/overview");
        Assert.Equal(0, before.GetProperty("dataFreshness").GetProperty("staleSources").GetInt32());

        _clock.Advance(TimeSpan.FromMinutes(20));   // last success exactly 30 min = 2 × 15 min ago: still fresh
        Assert.False(SourceOf(await c.GetFromJsonAsync<JsonElement>("/api/sources"), "jira").GetProperty("stale").GetBoolean());

        _clock.Advance(TimeSpan.FromSeconds(1));
        var jira = SourceOf(await c.GetFromJsonAsync<JsonElement>("/api/sources"), "jira");
        Assert.True(jira.GetProperty("stale").GetBoolean());
        Assert.Equal("succeeded", jira.GetProperty("status").GetString());
        Assert.Contains("more than 2 × the 15 min sync interval", jira.GetProperty("teams")[0].GetProperty("reason").GetString());
        var after = await c.GetFromJsonAsync<JsonElement>("/api/mi/overview");
        Assert.Equal(2, after.GetProperty("dataFreshness").GetProperty("staleSources").GetInt32());
        Assert.Equal(2, after.GetProperty("dataFreshness").GetProperty("staleTeams").GetInt32());
    }

    [Fact]
    public async Task Mi_overview_reports_data_freshness_with_a_definition_and_explains_it()
    {
        await SeedFailedJiraAsync();
        using var c = _host.Client(TestHost.ManagementKey);

        var overview = await c.GetFromJsonAsync<JsonElement>("/api/mi/overview");

        Assert.Equal(2, overview.GetProperty("teams").GetInt32());   // the other figures are still there
        var f = overview.GetProperty("dataFreshness");
        Assert.Equal(1, f.GetProperty("staleSources").GetInt32());
        Assert.Equal(1, f.GetProperty("staleTeams").GetInt32());
        Assert.Contains("stale", f.GetProperty("definition").GetString());
        Assert.Equal("/api/mi/explain?figure=dataFreshness", f.GetProperty("explain").GetString());
        var jira = f.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "jira");
        Assert.Equal("failed", jira.GetProperty("status").GetString());
        Assert.True(jira.GetProperty("stale").GetBoolean());
        Assert.Equal(2, jira.GetProperty("quarantinedItems").GetInt32());
        Assert.Equal(Now.AddHours(-3), jira.GetProperty("lastSuccess").GetDateTimeOffset());
        Assert.Equal(["payments"], jira.GetProperty("staleTeams").EnumerateArray().Select(t => t.GetString()));
        Assert.StartsWith("payments: last success 3 h ago", jira.GetProperty("reason").GetString());
        Assert.Contains("last run failed: 401 Unauthorized", jira.GetProperty("reason").GetString());
        var ado = f.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "ado");
        Assert.False(ado.GetProperty("stale").GetBoolean());
        Assert.Empty(ado.GetProperty("staleTeams").EnumerateArray());

        var explain = await c.GetFromJsonAsync<JsonElement>("/api/mi/explain?figure=dataFreshness");
        Assert.Contains("2 × its Sync:Cron", explain.GetProperty("definition").GetString());
        var rows = explain.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);   // payments, ledger, and Azure DevOps' source-wide part
        var row = rows.Single(r => r.GetProperty("team").GetString() == "payments");
        Assert.Equal("failed", row.GetProperty("status").GetString());
        Assert.Equal(2, row.GetProperty("quarantinedItems").GetInt32());
    }

    [Fact]
    public async Task Sync_stale_finding_opens_for_a_failed_team_escalates_after_a_day_and_resolves_when_fresh_again()
    {
        await SeedFailedJiraAsync();
        await SyncStateSeed.RunAsync(db, "jira", Now.AddHours(-4), "succeeded", "payments");
        using var c = _host.Client(TestHost.PmoKey);

        await AnalyzeAsync();
        var open = await FindingsAsync(c, "");
        var f = Assert.Single(open);
        Assert.Equal("warning", f.GetProperty("severity").GetString());
        Assert.Equal("open", f.GetProperty("status").GetString());
        Assert.Equal("payments", f.GetProperty("team").GetString());
        var evidence = f.GetProperty("evidence");
        Assert.Equal("failed", evidence.GetProperty("status").GetString());
        Assert.Equal(2, evidence.GetProperty("quarantinedItems").GetInt32());
        Assert.Equal(Now.AddHours(-3), evidence.GetProperty("lastSuccess").GetDateTimeOffset());
        Assert.Equal(Now.AddMinutes(-5), evidence.GetProperty("lastAttempt").GetDateTimeOffset());
        Assert.Equal("401 Unauthorized from GET /rest/agile/1.0/board/12", evidence.GetProperty("error").GetString());
        Assert.Contains("GET /api/sources", f.GetProperty("action").GetString());

        // Still failing a day later: critical; the same finding.
        _clock.Advance(TimeSpan.FromHours(22));
        await AnalyzeAsync();
        var critical = Assert.Single(await FindingsAsync(c, ""));
        Assert.Equal(f.GetProperty("id").GetInt64(), critical.GetProperty("id").GetInt64());
        Assert.Equal("critical", critical.GetProperty("severity").GetString());

        // The next run succeeds: the rule stops firing and the lifecycle resolves the finding.
        var fixedAt = _clock.GetUtcNow();
        await SyncStateSeed.StateAsync(db, "jira", "payments", "succeeded", fixedAt, fixedAt);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await AnalyzeAsync();
        Assert.Empty(await FindingsAsync(c, ""));
        var resolved = Assert.Single(await FindingsAsync(c, "&status=resolved"));
        Assert.Equal(f.GetProperty("id").GetInt64(), resolved.GetProperty("id").GetInt64());
    }

    private async Task AnalyzeAsync()
    {
        var r = await _host.Services.AnalyzeAsync();
        Assert.False(r.Skipped);
    }

    private static async Task<List<JsonElement>> FindingsAsync(HttpClient c, string filter)
    {
        var page = await c.GetFromJsonAsync<JsonElement>($"/api/findings?rule=SYNC-STALE{filter}");
        return page.GetProperty("items").EnumerateArray().ToList();
    }
}
