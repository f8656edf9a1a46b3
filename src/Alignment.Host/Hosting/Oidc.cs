using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Alignment.Host.Hosting;

/// <summary>
/// Optional OIDC bearer tokens (<c>Alignment:Auth:Oidc</c>) alongside the API keys. With an <c>Authority</c>, a request with
/// <c>Authorization: Bearer …</c> is validated as a JWT of that issuer and audience, and its role claim is mapped to an
/// Alignment role; every other request goes to the API-key handler as before. Without an authority nothing changes.
/// </summary>
public static class Oidc
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;
    public const string Selector = "ApiKeyOrBearer";

    public static AuthenticationBuilder AddAlignmentOidc(this AuthenticationBuilder auth, IConfiguration configuration)
    {
        auth.Services.AddSingleton<IValidateOptions<AlignmentOptions>, OidcOptionsValidator>();
        var oidc = configuration.GetSection(AlignmentOptions.Section + ":Auth:Oidc").Get<OidcOptions>() ?? new OidcOptions();
        if (string.IsNullOrWhiteSpace(oidc.Authority)) return auth;

        auth.AddJwtBearer(Scheme, o =>
        {
            o.Authority = oidc.Authority;
            o.Audience = oidc.Audience;
            o.MapInboundClaims = false;
            o.RequireHttpsMetadata = !IsLoopback(oidc.Authority);
            o.TokenValidationParameters.NameClaimType = "name";
            o.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
            o.Events = new JwtBearerEvents { OnTokenValidated = ctx => { MapClaims(ctx.Principal, oidc); return Task.CompletedTask; } };
        });
        auth.AddPolicyScheme(Selector, "API key or OIDC bearer token", o => o.ForwardDefaultSelector = http =>
            http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                ? Scheme : ApiKeyAuthenticationHandler.SchemeName);
        auth.Services.Configure<AuthenticationOptions>(o =>
        {
            o.DefaultScheme = Selector;
            o.DefaultAuthenticateScheme = Selector;
            o.DefaultChallengeScheme = Selector;
        });
        return auth;
    }

    /// <summary>
    /// Adds the Alignment role (from <c>RoleClaim</c> through <c>RoleMap</c>; a raw role name only without a map or with
    /// <c>AcceptRoleNames</c>) and the e-mail claim the queries scope by.
    /// </summary>
    public static void MapClaims(ClaimsPrincipal? principal, OidcOptions oidc)
    {
        if (principal?.Identity is not ClaimsIdentity id) return;
        var map = oidc.RoleMap.ToDictionary(m => m.Claim, m => m.Role, StringComparer.Ordinal);
        // With a map the operator has said which IdP values mean what: an unmapped group that happens to be called "admin" is no role.
        var acceptRoleNames = map.Count == 0 || oidc.AcceptRoleNames;
        var roles = id.FindAll(oidc.RoleClaim).Select(c => c.Value)
            .Select(v => map.TryGetValue(v, out var r) ? r : acceptRoleNames && OidcOptionsValidator.Roles.Contains(v) ? v : null)
            .OfType<string>().Distinct().ToList();
        // One role per principal, the most privileged one, so that the queries' scoping is unambiguous.
        var role = OidcOptionsValidator.Roles.FirstOrDefault(roles.Contains);
        if (role is not null) id.AddClaim(new Claim(ClaimTypes.Role, role));
        var email = id.FindFirst(oidc.EmailClaim)?.Value;
        if (!string.IsNullOrEmpty(email) && id.FindFirst(ApiKeyAuthenticationHandler.EmailClaim) is null)
            id.AddClaim(new Claim(ApiKeyAuthenticationHandler.EmailClaim, email));
        if (id.FindFirst(ClaimTypes.Name) is null)
            id.AddClaim(new Claim(ClaimTypes.Name, id.FindFirst("preferred_username")?.Value ?? id.FindFirst("sub")?.Value ?? "oidc"));
    }

    private static bool IsLoopback(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var u) && u.IsLoopback;
}

/// <summary>Validates <c>Alignment:Auth:Oidc</c>: an absolute https authority (http only on loopback), an audience, known roles.</summary>
public sealed class OidcOptionsValidator : IValidateOptions<AlignmentOptions>
{
    /// <summary>Most privileged first.</summary>
    public static readonly string[] Roles = [Viewer.Admin, Viewer.Pmo, Viewer.Management, Viewer.ProductOwner];

    public ValidateOptionsResult Validate(string? name, AlignmentOptions options)
    {
        var o = options.Auth.Oidc;
        const string k = "Alignment:Auth:Oidc";
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Authority))
        {
            if (!string.IsNullOrWhiteSpace(o.Audience) || o.RoleMap.Count > 0 || o.AcceptRoleNames)
                errors.Add($"{k}:Authority: required when Audience, RoleMap or AcceptRoleNames is set");
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
        if (!Uri.TryCreate(o.Authority, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttps && !(u.Scheme == Uri.UriSchemeHttp && u.IsLoopback)))
            errors.Add($"{k}:Authority: '{o.Authority}' must be an absolute https URL (the issuer)");
        if (string.IsNullOrWhiteSpace(o.Audience)) errors.Add($"{k}:Audience: required (the audience the tokens are issued for)");
        if (string.IsNullOrWhiteSpace(o.RoleClaim)) errors.Add($"{k}:RoleClaim: required (e.g. roles or groups)");
        if (string.IsNullOrWhiteSpace(o.EmailClaim)) errors.Add($"{k}:EmailClaim: required (e.g. email)");
        for (var i = 0; i < o.RoleMap.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(o.RoleMap[i].Claim)) errors.Add($"{k}:RoleMap:{i}:Claim: required");
            if (!Roles.Contains(o.RoleMap[i].Role)) errors.Add($"{k}:RoleMap:{i}:Role: '{o.RoleMap[i].Role}' must be one of {string.Join(", ", Roles)}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
