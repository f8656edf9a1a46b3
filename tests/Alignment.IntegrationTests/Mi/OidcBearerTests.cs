using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Alignment.IntegrationTests.Mi;

/// <summary>OIDC bearer tokens alongside API keys, against a stub identity provider (discovery document + JWKS).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class OidcBearerTests(TestDatabase db) : IAsyncLifetime
{
    private const string Audience = "alignment-api";
    private readonly RSA _key = RSA.Create(2048);
    private WireMockServer _idp = null!;
    private TestHost _host = null!;
    private string Authority => _idp.Url + "/idp";

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _idp = WireMockServer.Start();
        var p = _key.ExportParameters(false);
        _idp.Given(Request.Create().WithPath("/idp/.well-known/openid-configuration").UsingGet()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["issuer"] = Authority, ["jwks_uri"] = Authority + "/jwks", ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            })));
        _idp.Given(Request.Create().WithPath("/idp/jwks").UsingGet()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithBody(JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", kid = "k1", alg = "RS256",
                n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) } } })));
        _host = await StartHostAsync(new
        {
            Authority, Audience, RoleClaim = "roles", EmailClaim = "email",
            RoleMap = new[]
            {
                new { Claim = "board-members", Role = "management" }, new { Claim = "alignment-pmo", Role = "pmo" },
                new { Claim = "alignment-po", Role = "productOwner" },
            },
        });
    }

    /// <summary>Payments (Ann), Ledger (Bram) and Platform, a team without a product owner e-mail, with <paramref name="oidc"/>.</summary>
    private Task<TestHost> StartHostAsync(object oidc) => TestHost.StartAsync(db, new
    {
        Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
        Teams = new[]
        {
            Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger"),
            Configs.JiraTeam("platform", "Platform", "PLAT", 13, poName: "", poEmail: ""),
        },
        Auth = new { ApiKeys = TestHost.ApiKeys, Oidc = oidc },
    });

    private async Task RestartAsync(object oidc)
    {
        await _host.DisposeAsync();
        _host = await StartHostAsync(oidc);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _idp.Stop();
        _key.Dispose();
    }

    private string Token(string[] roles, RSA? signWith = null, string? audience = Audience, string? email = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = "user-1", ["roles"] = roles };
        if (email is not null) claims["email"] = email;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority, Audience = audience, Expires = DateTime.UtcNow.AddMinutes(5), Claims = claims,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signWith ?? _key) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
    }

    private async Task<HttpStatusCode> Get(string path, string token)
    {
        using var c = _host.Client();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await c.GetAsync(path)).StatusCode;
    }

    private async Task<string> Body(string path, string token)
    {
        using var c = _host.Client();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var r = await c.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return await r.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_mapped_group_claim_gives_its_role()
    {
        var board = Token(["board-members"]);
        Assert.Equal(HttpStatusCode.OK, await Get("/api/mi/overview", board));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/api/teams", board));
    }

    [Fact]
    public async Task A_mapped_role_is_that_role_and_a_product_owner_is_scoped_by_the_email_claim()
    {
        Assert.Equal(HttpStatusCode.OK, await Get("/api/teams/ledger/sprints", Token(["alignment-pmo"])));
        var ann = Token(["alignment-po"], email: "ann@example.com");
        Assert.Equal(HttpStatusCode.OK, await Get("/api/teams/payments/sprints", ann));
        Assert.Equal(HttpStatusCode.NotFound, await Get("/api/teams/ledger/sprints", ann));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/api/mi/overview", ann));
    }

    [Fact]
    public async Task A_product_owner_token_without_an_email_claim_sees_no_team_not_even_one_without_a_product_owner_email()
    {
        var noEmail = Token(["alignment-po"]);
        Assert.Equal("[]", await Body("/api/teams", noEmail));
        Assert.Equal(HttpStatusCode.NotFound, await Get("/api/teams/platform/sprints", noEmail));
        Assert.Equal(HttpStatusCode.NotFound, await Get("/api/teams/platform/work-items", noEmail));
        // A team without a product owner e-mail is for admin and pmo only.
        var ann = Token(["alignment-po"], email: "ann@example.com");
        Assert.Equal(HttpStatusCode.NotFound, await Get("/api/teams/platform/sprints", ann));
        Assert.Equal(HttpStatusCode.OK, await Get("/api/teams/platform/sprints", Token(["alignment-pmo"])));
    }

    [Fact]
    public async Task A_raw_role_name_is_no_role_when_a_role_map_is_configured()
    {
        // An IdP group that happens to be called "admin" is not Alignment's admin once the operator maps groups.
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/api/teams", Token(["admin"])));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/api/mi/overview", Token(["pmo"])));
    }

    [Fact]
    public async Task A_raw_role_name_is_that_role_without_a_role_map_or_with_AcceptRoleNames()
    {
        await RestartAsync(new { Authority, Audience, RoleClaim = "roles", EmailClaim = "email" });
        Assert.Equal(HttpStatusCode.OK, await Get("/api/teams", Token(["pmo"])));
        Assert.Equal(HttpStatusCode.OK, await Get("/api/teams/payments/sprints", Token(["productOwner"], email: "ann@example.com")));

        await RestartAsync(new
        {
            Authority, Audience, RoleClaim = "roles", EmailClaim = "email", AcceptRoleNames = true,
            RoleMap = new[] { new { Claim = "board-members", Role = "management" } },
        });
        Assert.Equal(HttpStatusCode.OK, await Get("/api/teams", Token(["admin"])));
        Assert.Equal(HttpStatusCode.OK, await Get("/api/mi/overview", Token(["board-members"])));
    }

    [Fact]
    public async Task Tokens_with_a_foreign_key_or_audience_are_401_and_no_role_is_403()
    {
        using var other = RSA.Create(2048);
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("/api/mi/overview", Token(["alignment-pmo"], signWith: other)));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get("/api/mi/overview", Token(["alignment-pmo"], audience: "someone-else")));
        Assert.Equal(HttpStatusCode.Forbidden, await Get("/api/mi/overview", Token(["unmapped-group"])));
    }

    [Fact]
    public async Task Api_keys_keep_working_alongside_bearer_tokens()
    {
        using var c = _host.Client(TestHost.PmoKey);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/teams")).StatusCode);
        using var none = _host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/api/mi/overview")).StatusCode);
    }
}
