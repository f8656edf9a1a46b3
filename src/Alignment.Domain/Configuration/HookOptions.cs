namespace Alignment.Domain.Configuration;

/// <summary>
/// <c>Sources:N:Hooks</c>: tracker webhooks for this source (docs/webhooks.md). Off unless <see cref="SecretEnv"/> (or <see cref="Secret"/>,
/// from a secret store) gives the shared secret: Jira signs each delivery with it (<c>X-Hub-Signature: sha256=…</c>), Azure DevOps sends it in
/// <see cref="Header"/> or as the basic-auth password.
/// </summary>
public sealed class SourceHookOptions
{
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Name of the environment variable that holds the shared secret.</summary>
    public string? SecretEnv { get; set; }
    /// <summary>The secret itself, only when a secret store supplies configuration; never in a repository file.</summary>
    public string? Secret { get; set; }
    /// <summary>Azure DevOps: the HTTP header of the subscription that carries the secret; empty = basic auth, the secret as password.</summary>
    public string? Header { get; set; }
    /// <summary>A delivery larger than this is refused with 413 and not stored.</summary>
    public long MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;
    /// <summary>Hooks count as healthy while a delivery was received within this window (<c>GET /api/sources</c>).</summary>
    public TimeSpan HealthyWindow { get; set; } = TimeSpan.FromHours(2);
    /// <summary>Deliveries of a source received within this window of the first pending one are handled by one targeted sync.</summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.FromSeconds(1);

    public bool Enabled => !string.IsNullOrEmpty(Secret) || !string.IsNullOrWhiteSpace(SecretEnv);

    public string? ResolveSecret() =>
        !string.IsNullOrEmpty(Secret) ? Secret
        : !string.IsNullOrWhiteSpace(SecretEnv) ? Environment.GetEnvironmentVariable(SecretEnv)
        : null;
}
