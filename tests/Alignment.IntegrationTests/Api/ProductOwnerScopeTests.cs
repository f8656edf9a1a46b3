using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;

namespace Alignment.IntegrationTests.Api;

/// <summary>
/// What a product owner's key reaches beyond their team list: findings (owning or related team) and forecasts only of
/// teams still configured, and acknowledging only the findings of the teams they own.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProductOwnerScopeTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams());
        await using var conn = await db.DataSource.OpenConnectionAsync();
        // "legacy" was Ann's team and is no longer configured; its findings and forecasts are still in the store.
        await conn.ExecuteAsync("""
            INSERT INTO core.teams (id, name, source_id, scope, product_owner_name, product_owner_email, configured)
            VALUES ('legacy', 'Legacy', 'jira', '{}', 'Ann de Vries', 'ann@example.com', false)
            """);
        await conn.ExecuteAsync("""
            INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, related_teams, title, evidence, action, score,
                                           first_seen, last_seen, status_changed_at)
            VALUES ('own', 'DRIFT-STALE', 'info', 'open', 'payments', '{}', 'Ann''s own', '{}', 'Update', 1, now(), now(), now()),
                   ('related', 'DEP-LATE', 'critical', 'open', 'ledger', '{payments}', 'Ledger waits for Payments', '{}', 'Plan it', 1, now(), now(), now()),
                   ('legacy', 'DRIFT-STALE', 'info', 'open', 'legacy', '{}', 'Legacy stale', '{}', 'Update', 1, now(), now(), now())
            """);
        await conn.ExecuteAsync("""
            INSERT INTO analysis.epic_forecasts (source_id, epic_key, team_id, forecast, computed_at)
            VALUES ('jira', 'LEG-1', 'legacy', '{"status": "noForecast", "parts": [{"team": "legacy"}]}', now()),
                   ('jira', 'PAY-9', 'payments', '{"status": "noForecast", "parts": [{"team": "payments"}]}', now())
            """);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<long> Id(string fingerprint) => db.ScalarAsync<long>("SELECT id FROM analysis.findings WHERE fingerprint = @fingerprint", new { fingerprint });

    private static async Task<List<string>> Titles(HttpClient c) =>
        (await c.GetFromJsonAsync<JsonElement>("/api/findings")).GetProperty("items").EnumerateArray()
        .Select(f => f.GetProperty("title").GetString()!).Order().ToList();

    [Fact]
    public async Task Findings_and_forecasts_of_a_team_no_longer_configured_are_hidden_from_its_former_product_owner()
    {
        using var ann = _host.Client(TestHost.AnnKey);
        Assert.Equal(["Ann's own", "Ledger waits for Payments"], await Titles(ann));
        Assert.Equal(HttpStatusCode.OK, (await ann.GetAsync("/api/epics/jira/PAY-9/forecast")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.GetAsync("/api/epics/jira/LEG-1/forecast")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.PostAsync($"/api/findings/{await Id("legacy")}/acknowledge", null)).StatusCode);

        using var pmo = _host.Client(TestHost.PmoKey);
        Assert.Contains("Legacy stale", await Titles(pmo));
        Assert.Equal(HttpStatusCode.OK, (await pmo.GetAsync("/api/epics/jira/LEG-1/forecast")).StatusCode);
    }

    [Fact]
    public async Task Only_the_owning_teams_product_owner_acknowledges_a_finding_not_the_product_owner_of_a_related_team()
    {
        var related = await Id("related");
        using var ann = _host.Client(TestHost.AnnKey);   // Payments is only related: she reads it but may not acknowledge it
        var refused = await ann.PostAsync($"/api/findings/{related}/acknowledge", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("open", await db.ScalarAsync<string>("SELECT status FROM analysis.findings WHERE id = @related", new { related }));

        using var bram = _host.Client(TestHost.BramKey); // Ledger owns it
        var done = await bram.PostAsync($"/api/findings/{related}/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("acknowledged", (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.OK, (await ann.PostAsync($"/api/findings/{await Id("own")}/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ann.PostAsync($"/api/findings/{await Id("own")}/suppress", null)).StatusCode);
        using var pmo = _host.Client(TestHost.PmoKey);
        Assert.Equal(HttpStatusCode.OK, (await pmo.PostAsync($"/api/findings/{related}/suppress", null)).StatusCode);
    }
}
