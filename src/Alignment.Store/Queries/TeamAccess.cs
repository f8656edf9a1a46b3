using Dapper;
using Npgsql;

namespace Alignment.Store.Queries;

/// <summary>
/// Whether a team exists and the viewer may see it: admin and PMO see every configured team; a product owner only the
/// configured teams whose product-owner e-mail is theirs. A product owner without an e-mail (an OIDC token without the
/// e-mail claim) sees no team, and a team without a product-owner e-mail is for admin and PMO only.
/// </summary>
public static class TeamAccess
{
    /// <summary>
    /// SQL: the team <c>t</c> is a configured team of the product owner whose e-mail is <c>@scope</c> (never true for an
    /// empty scope or a team without an e-mail). Queries combine it as <c>@scope::text IS NULL OR …</c>.
    /// </summary>
    public const string OwnedByScope =
        "(t.configured AND @scope::text <> '' AND coalesce(t.product_owner_email, '') <> '' AND lower(t.product_owner_email) = lower(@scope))";

    public static async Task<bool> CanSeeAsync(NpgsqlConnection conn, Viewer viewer, string teamId, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<bool>(new CommandDefinition($"""
            SELECT EXISTS (SELECT 1 FROM core.teams t WHERE t.id = @teamId AND t.configured
                           AND (@scope::text IS NULL OR {OwnedByScope}))
            """, new { teamId, scope = viewer.TeamScope }, cancellationToken: ct));
}
