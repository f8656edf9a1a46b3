using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;

namespace Alignment.IntegrationTests.Api;

/// <summary>
/// Cross-site request forgery: a POST or DELETE whose credentials are the dashboard's <c>alignment-key</c> cookie (which a
/// browser attaches by itself) needs the anti-forgery token; one with the <c>X-Api-Key</c> header (which another site cannot
/// set) does not. The job dashboard's actions under <c>/hangfire</c> always need the token its pages carry.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AntiforgeryTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;
    private long _finding;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams());
        await using var conn = await db.DataSource.OpenConnectionAsync();
        _finding = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, related_teams, title, evidence, action, score,
                                           first_seen, last_seen, status_changed_at)
            VALUES ('f', 'DRIFT-STALE', 'info', 'open', 'payments', '{}', 'Stale', '{}', 'Update', 1, now(), now(), now())
            RETURNING id
            """);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A browser-like client: a cookie jar holding the dashboard's key cookie (and whatever the host sets).</summary>
    private HttpClient CookieClient(string key)
    {
        var jar = new CookieContainer();
        jar.Add(_host.BaseAddress, new Cookie("alignment-key", key));
        return new HttpClient(new HttpClientHandler { CookieContainer = jar, UseCookies = true, AllowAutoRedirect = false }) { BaseAddress = _host.BaseAddress };
    }

    private Task<string> Status() => db.ScalarAsync<string>("SELECT status FROM analysis.findings WHERE id = @id", new { id = _finding });

    [Fact]
    public async Task A_post_authenticated_by_the_cookie_needs_the_antiforgery_token()
    {
        using var browser = CookieClient(TestHost.PmoKey);
        var forged = await browser.PostAsync($"/api/findings/{_finding}/acknowledge", null);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType?.MediaType);
        Assert.Equal("open", await Status());

        var token = await browser.GetFromJsonAsync<JsonElement>("/antiforgery/token");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/findings/{_finding}/acknowledge");
        request.Headers.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await browser.SendAsync(request)).StatusCode);
        Assert.Equal("acknowledged", await Status());

        // A token issued to another key is no good for this one.
        using var ann = CookieClient(TestHost.AnnKey);
        var annToken = await ann.GetFromJsonAsync<JsonElement>("/antiforgery/token");
        var mixed = new HttpRequestMessage(HttpMethod.Post, $"/api/findings/{_finding}/suppress");
        mixed.Headers.Add(annToken.GetProperty("headerName").GetString()!, annToken.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.SendAsync(mixed)).StatusCode);
    }

    [Fact]
    public async Task A_post_with_the_api_key_header_needs_no_token_and_reads_need_none()
    {
        using var script = _host.Client(TestHost.PmoKey);
        Assert.Equal(HttpStatusCode.OK, (await script.PostAsync($"/api/findings/{_finding}/acknowledge", null)).StatusCode);
        using var browser = CookieClient(TestHost.PmoKey);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/findings")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client().GetAsync("/antiforgery/token")).StatusCode);
    }

    [Fact]
    public async Task The_job_dashboards_actions_need_the_token_its_pages_carry()
    {
        using var browser = CookieClient(TestHost.AdminKey);
        var page = await browser.GetStringAsync("/hangfire/recurring");
        FormUrlEncodedContent Trigger() => new([KeyValuePair.Create("jobs[]", "nothing-to-trigger")]);

        var forged = await browser.PostAsync("/hangfire/recurring/trigger", Trigger());
        Assert.True(forged.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"a forged dashboard action answered {(int)forged.StatusCode}");

        var header = Regex.Match(page, "<meta name=\"csrf-header\" content=\"([^\"]+)\"").Groups[1].Value;
        var token = Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the dashboard page carries an anti-forgery token for its scripts");
        var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger") { Content = Trigger() };
        request.Headers.Add(header, WebUtility.HtmlDecode(token));
        var allowed = await browser.SendAsync(request);
        Assert.True(allowed.IsSuccessStatusCode, $"the dashboard's own action answered {(int)allowed.StatusCode}");

        // The job dashboard is a browser UI: its actions always need the token (scripts queue syncs with POST /api/sync/{source}).
        using var script = _host.Client(TestHost.AdminKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await script.PostAsync("/hangfire/recurring/trigger", Trigger())).StatusCode);
    }
}
