using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Api;

[Collection(DatabaseCollection.Name)]
public sealed class ApiAccessTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams());
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Health_endpoints_are_open_and_ready_when_migrations_are_current()
    {
        using var c = _host.Client();
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/health/live")).StatusCode);
        var ready = await c.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(TestHost.ManagementKey, HttpStatusCode.Forbidden)]
    [InlineData(TestHost.AnnKey, HttpStatusCode.Forbidden)]          // a product owner
    [InlineData(TestHost.PmoKey, HttpStatusCode.OK)]
    [InlineData(TestHost.AdminKey, HttpStatusCode.OK)]
    public async Task The_job_dashboard_is_behind_the_operations_policy(string? key, HttpStatusCode expected)
    {
        using var c = _host.Client(key);
        Assert.Equal(expected, (await c.GetAsync("/hangfire/recurring")).StatusCode);
    }

    [Fact]
    public async Task Api_without_a_key_is_401_with_problem_details()
    {
        using var c = _host.Client();
        var r = await c.GetAsync("/api/teams");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Api_with_an_unknown_key_is_401()
    {
        using var c = _host.Client("not-a-configured-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await c.GetAsync("/api/teams")).StatusCode);
    }

    [Fact]
    public async Task Management_role_is_403_on_team_data_and_sync()
    {
        using var c = _host.Client(TestHost.ManagementKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await c.GetAsync("/api/teams/payments/work-items")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await c.PostAsync("/api/sync/jira", null)).StatusCode);
    }

    [Fact]
    public async Task Product_owner_cannot_queue_a_sync()
    {
        using var c = _host.Client(TestHost.AnnKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await c.PostAsync("/api/sync/jira", null)).StatusCode);
    }

    [Fact]
    public async Task Pmo_sees_every_team_with_source_and_product_owner()
    {
        using var c = _host.Client(TestHost.PmoKey);
        var teams = await c.GetFromJsonAsync<JsonElement>("/api/teams");
        var ids = teams.EnumerateArray().Select(t => t.GetProperty("id").GetString()).ToList();
        Assert.Equal(["ledger", "payments"], ids.Order());
        var payments = teams.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "payments");
        Assert.Equal("jira", payments.GetProperty("source").GetString());
        Assert.Equal("ann@example.com", payments.GetProperty("productOwner").GetProperty("email").GetString());
    }

    [Fact]
    public async Task Product_owner_sees_only_their_own_teams_and_gets_404_for_others()
    {
        using var c = _host.Client(TestHost.AnnKey);
        var teams = await c.GetFromJsonAsync<JsonElement>("/api/teams");
        Assert.Equal(["payments"], teams.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/teams/payments/work-items")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/teams/ledger/work-items")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/teams/ledger/sprints")).StatusCode);
    }

    [Fact]
    public async Task Bad_filter_values_are_400_naming_the_parameter()
    {
        using var c = _host.Client(TestHost.PmoKey);
        var r = await c.GetAsync("/api/teams/payments/work-items?type=saga&limit=0&cursor=%%%");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        var errors = body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("type", out _));
        Assert.True(errors.TryGetProperty("limit", out _));
        Assert.True(errors.TryGetProperty("cursor", out _));
    }

    [Fact]
    public async Task Unknown_team_and_source_are_404_problem_details()
    {
        using var c = _host.Client(TestHost.PmoKey);
        var r = await c.GetAsync("/api/teams/nope/sprints");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await c.PostAsync("/api/sync/nope", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync("/api/work-items/jira/PAY-404")).StatusCode);
    }

    [Fact]
    public async Task Pmo_queues_a_sync_job()
    {
        using var c = _host.Client(TestHost.PmoKey);
        var r = await c.PostAsync("/api/sync/jira", null);
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        var body = await r.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrEmpty(body.GetProperty("jobId").GetString()));
    }

    [Fact]
    public async Task OpenApi_document_names_every_api_route()
    {
        using var c = _host.Client();
        var doc = await c.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/teams", paths);
        Assert.Contains("/api/teams/{team}/work-items", paths);
        Assert.Contains("/api/work-items/{source}/{key}", paths);
        Assert.Contains("/api/teams/{team}/sprints", paths);
        Assert.Contains("/api/sync/{source}", paths);
    }

    [Fact]
    public async Task Every_mapped_api_route_is_401_without_credentials()
    {
        var routes = _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true
                        || e.RoutePattern.RawText?.StartsWith("api", StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(routes);
        // The dashboard reads only /api routes (MI, findings, packs), so this covers its data too.
        foreach (var mi in new[] { "mi/overview", "mi/teams", "mi/epics", "mi/dependencies", "mi/explain", "mi/teams/{team}/explain" })
            Assert.Contains(routes, e => e.RoutePattern.RawText!.TrimStart('/').EndsWith(mi, StringComparison.Ordinal));
        using var c = _host.Client();
        foreach (var e in routes)
        {
            var path = "/" + string.Join("/", e.RoutePattern.PathSegments.Select(s =>
                string.Concat(s.Parts.Select(p => p is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l ? l.Content : "x"))));
            var method = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
            var r = await c.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)r.StatusCode} without a key");
        }
    }

    /// <summary>Every mapped /api route, with each parameter filled by "1" (which satisfies every route constraint).</summary>
    private List<(string Method, string Path)> ApiRoutes() =>
        _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api", StringComparison.Ordinal) == true)
            .Select(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET",
                "/" + string.Join("/", e.RoutePattern.PathSegments.Select(s =>
                    string.Concat(s.Parts.Select(p => p is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l ? l.Content : "1"))))))
            .ToList();

    [Fact]
    public async Task Management_is_403_on_every_route_but_the_mi_and_product_owners_are_403_on_the_mi_but_finance()
    {
        var routes = ApiRoutes();
        Assert.Contains(routes, r => r.Path.StartsWith("/api/mi/", StringComparison.Ordinal));
        using var management = _host.Client(TestHost.ManagementKey);
        using var owner = _host.Client(TestHost.AnnKey);
        foreach (var (method, path) in routes)
        {
            // The value routes are the product owners' too, scoped to their teams (docs/figures.md "Value"; SimulatedValueTests).
            if (path.StartsWith("/api/mi/value", StringComparison.Ordinal)) continue;
            if (path == "/api/mi/finance")
            {
                // The one MI route for product owners too: their teams' epics' budget status (FinanceEndpointTests checks what they see).
                var r = await owner.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                Assert.True(r.StatusCode == HttpStatusCode.OK, $"productOwner: {method} {path} answered {(int)r.StatusCode}, not 200");
            }
            else if (path.StartsWith("/api/mi/", StringComparison.Ordinal))
            {
                var r = await owner.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"productOwner: {method} {path} answered {(int)r.StatusCode}, not 403");
            }
            else
            {
                var r = await management.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
                Assert.True(r.StatusCode == HttpStatusCode.Forbidden, $"management: {method} {path} answered {(int)r.StatusCode}, not 403");
            }
        }
    }

    [Fact]
    public async Task Admin_pmo_and_management_read_the_mi()
    {
        foreach (var key in new[] { TestHost.AdminKey, TestHost.PmoKey, TestHost.ManagementKey })
        {
            using var c = _host.Client(key);
            foreach (var path in new[] { "/api/mi/overview", "/api/mi/teams", "/api/mi/epics", "/api/mi/dependencies" })
                Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Dashboard_shell_and_assets_are_open_but_carry_no_data()
    {
        using var c = _host.Client();
        var index = await c.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/vendor/chart.umd.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/app.js")).StatusCode);
        var html = await index.Content.ReadAsStringAsync();
        Assert.DoesNotContain("payments", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""), StringComparison.Ordinal);   // no CDN
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dashboard_cookie_authenticates_like_the_header()
    {
        using var c = _host.Client();
        var r = new HttpRequestMessage(HttpMethod.Get, "/api/mi/overview");
        r.Headers.Add("Cookie", $"alignment-key={TestHost.ManagementKey}");
        Assert.Equal(HttpStatusCode.OK, (await c.SendAsync(r)).StatusCode);
    }
}
