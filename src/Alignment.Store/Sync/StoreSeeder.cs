using System.Text.Json;
using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>Mirrors the configured sources and teams into the store (configuration is their truth).</summary>
public sealed class StoreSeeder(NpgsqlDataSource dataSource)
{
    public async Task SeedAsync(AlignmentOptions options, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var s in options.Sources)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO core.sources (id, kind, base_url) VALUES (@Id, @kind, @BaseUrl)
                ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, base_url = EXCLUDED.base_url, updated_at = now()
                WHERE (core.sources.kind, core.sources.base_url) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.base_url)
                """, new { s.Id, kind = s.Kind.Name(), BaseUrl = s.BaseUrl.TrimEnd('/') }, tx, cancellationToken: ct));
        foreach (var t in options.Teams)
        {
            object scope = t.Jira is not null ? new { board = t.Jira.Board, project = t.Jira.Project, jql = t.Jira.Jql }
                : new { project = t.AzureDevOps?.Project, team = t.AzureDevOps?.Team };
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO core.teams (id, name, source_id, scope, product_owner_name, product_owner_email, configured)
                VALUES (@Id, @Name, @Source, @scope::jsonb, @poName, @poEmail, true)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, source_id = EXCLUDED.source_id, scope = EXCLUDED.scope,
                    product_owner_name = EXCLUDED.product_owner_name, product_owner_email = EXCLUDED.product_owner_email,
                    configured = true, updated_at = now()
                WHERE (core.teams.name, core.teams.source_id, core.teams.scope, core.teams.product_owner_name, core.teams.product_owner_email, core.teams.configured)
                      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.source_id, EXCLUDED.scope, EXCLUDED.product_owner_name, EXCLUDED.product_owner_email, true)
                """, new { t.Id, t.Name, t.Source, scope = JsonSerializer.Serialize(scope), poName = t.ProductOwner?.Name, poEmail = t.ProductOwner?.Email },
                tx, cancellationToken: ct));
        }
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE core.teams SET configured = false, updated_at = now() WHERE configured AND NOT (id = ANY(@ids))",
            new { ids = options.Teams.Select(t => t.Id).ToArray() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }
}
