using System.Text.Json;
using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>Mirrors the configured sources and teams into the store (configuration is their truth).</summary>
public sealed class StoreSeeder(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Sources, teams and which teams are no longer configured, as three statements sent together: one round trip, and one implicit
    /// transaction (Npgsql sends a multi-statement command with a single Sync), however many teams there are.
    /// </summary>
    public async Task SeedAsync(AlignmentOptions options, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var scopes = options.Teams.Select(t => JsonSerializer.Serialize(t.Jira is not null
            ? (object)new { board = t.Jira.Board, project = t.Jira.Project, jql = t.Jira.Jql }
            : new { project = t.AzureDevOps?.Project, team = t.AzureDevOps?.Team })).ToArray();
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO core.sources (id, kind, base_url)
            SELECT * FROM unnest(@sourceIds, @kinds, @baseUrls)
            ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, base_url = EXCLUDED.base_url, updated_at = now()
            WHERE (core.sources.kind, core.sources.base_url) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.base_url);

            INSERT INTO core.teams (id, name, source_id, scope, product_owner_name, product_owner_email, configured)
            SELECT t.id, t.name, t.source_id, t.scope::jsonb, t.po_name, t.po_email, true
            FROM unnest(@ids, @names, @teamSources, @scopes, @poNames, @poEmails) AS t(id, name, source_id, scope, po_name, po_email)
            ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, source_id = EXCLUDED.source_id, scope = EXCLUDED.scope,
                product_owner_name = EXCLUDED.product_owner_name, product_owner_email = EXCLUDED.product_owner_email,
                configured = true, updated_at = now()
            WHERE (core.teams.name, core.teams.source_id, core.teams.scope, core.teams.product_owner_name, core.teams.product_owner_email, core.teams.configured)
                  IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.source_id, EXCLUDED.scope, EXCLUDED.product_owner_name, EXCLUDED.product_owner_email, true);

            UPDATE core.teams SET configured = false, updated_at = now() WHERE configured AND NOT (id = ANY(@ids));
            """, new
            {
                sourceIds = options.Sources.Select(s => s.Id).ToArray(), kinds = options.Sources.Select(s => s.Kind.Name()).ToArray(),
                baseUrls = options.Sources.Select(s => s.BaseUrl.TrimEnd('/')).ToArray(),
                ids = options.Teams.Select(t => t.Id).ToArray(), names = options.Teams.Select(t => t.Name).ToArray(),
                teamSources = options.Teams.Select(t => t.Source).ToArray(), scopes,
                poNames = options.Teams.Select(t => t.ProductOwner?.Name).ToArray(), poEmails = options.Teams.Select(t => t.ProductOwner?.Email).ToArray(),
            }, cancellationToken: ct));
    }
}
