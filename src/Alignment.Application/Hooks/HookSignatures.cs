using System.Security.Cryptography;
using System.Text;

namespace Alignment.Application.Hooks;

/// <summary>
/// Authenticates a delivery by the source's shared secret (docs/webhooks.md, "Security"), always in constant time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>) and before the body is parsed.
/// </summary>
public static class HookSignatures
{
    public const string JiraSignatureHeader = "X-Hub-Signature";
    public const string JiraIdentifierHeader = "X-Atlassian-Webhook-Identifier";

    /// <summary>Jira: <c>X-Hub-Signature: sha256=&lt;hex&gt;</c> is the HMAC-SHA256 of the raw body with the secret.</summary>
    public static bool JiraValid(ReadOnlySpan<byte> body, string? signature, string secret)
    {
        const string prefix = "sha256=";
        if (string.IsNullOrEmpty(signature) || !signature.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return false;
        var hex = signature.AsSpan(prefix.Length).Trim();
        if (hex.Length != 64) return false;
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32) return false;
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The Jira signature of <paramref name="body"/> (the simulator, tests and the benchmark send it).</summary>
    public static string JiraSign(ReadOnlySpan<byte> body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// Azure DevOps: the secret in the subscription's custom header (<paramref name="headerValue"/>, when the source names a header), else as
    /// the password of basic auth (<c>Authorization: Basic base64(user:secret)</c>, any user name).
    /// </summary>
    public static bool AzureDevOpsValid(string? headerName, string? headerValue, string? authorization, string secret)
    {
        if (!string.IsNullOrEmpty(headerName)) return headerValue is not null && SameText(headerValue, secret);
        const string basic = "Basic ";
        if (authorization is null || !authorization.StartsWith(basic, StringComparison.OrdinalIgnoreCase)) return false;
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[basic.Length..].Trim())); }
        catch (FormatException) { return false; }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && SameText(decoded[(colon + 1)..], secret);
    }

    /// <summary>Equal in constant time whatever the lengths (both are hashed first, so the comparison never stops early on a length).</summary>
    private static bool SameText(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
}
