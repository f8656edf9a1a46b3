using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Alignment.Host.Hosting;

/// <summary>
/// Authenticates <c>X-Api-Key</c> (or the dashboard's <c>alignment-key</c> cookie) against the configured
/// SHA-256 hashes; the key itself is never stored or logged.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOptionsMonitor<AlignmentOptions> alignment)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    public const string Cookie = "alignment-key";
    public const string EmailClaim = "email";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = Request.Headers[Header];
        if (string.IsNullOrEmpty(key)) key = Request.Cookies[Cookie];
        if (string.IsNullOrEmpty(key)) return Task.FromResult(AuthenticateResult.NoResult());

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        foreach (var k in alignment.CurrentValue.Auth.ApiKeys)
        {
            byte[] configured;
            try { configured = Convert.FromHexString(k.Sha256); } catch (FormatException) { continue; }
            if (!CryptographicOperations.FixedTimeEquals(hash, configured)) continue;
            var claims = new List<Claim> { new(ClaimTypes.Name, k.Name), new(ClaimTypes.Role, k.Role) };
            if (!string.IsNullOrEmpty(k.Email)) claims.Add(new Claim(EmailClaim, k.Email));
            var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
        }
        return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
