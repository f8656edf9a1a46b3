using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>What the store knows about one team scope before a run reads it (docs/data-model.md, "Watermarks", "Quarantine").</summary>
public sealed record TeamScopeState(string? Watermark, string? ScopeState, IReadOnlyList<string> ActiveSprints, IReadOnlyList<string> Quarantined)
{
    /// <summary>The hash of the sprint answer last written for the team (<see cref="WorkItemWriter.SprintsHash"/>); null when not known.</summary>
    public string? SprintsHash { get; init; }

    /// <summary>The team's watermark and collector state, its sprints known as active, and its items still in quarantine.</summary>
    public static async Task<TeamScopeState> LoadAsync(NpgsqlDataSource db, string sourceId, string teamId, CancellationToken ct) =>
        (await LoadAllAsync(db, sourceId, [teamId], ct))[teamId];

    /// <summary>
    /// <see cref="LoadAsync"/> for every team of a run at once: three statements instead of three per team (an unchanged
    /// incremental sync of hundreds of teams is mostly this kind of per-team overhead).
    /// </summary>
    public static async Task<Dictionary<string, TeamScopeState>> LoadAllAsync(NpgsqlDataSource db, string sourceId,
        IReadOnlyCollection<string> teamIds, CancellationToken ct)
    {
        var teams = teamIds.ToArray();
        await using var conn = await db.OpenConnectionAsync(ct);
        var watermarks = (await conn.QueryAsync<(string Team, string? Value, string? State, string? SprintsHash)>(new CommandDefinition(
            "SELECT team_id, value, scope_state, sprints_hash FROM ops.watermarks WHERE source_id = @sourceId AND team_id = ANY(@teams)",
            new { sourceId, teams }, cancellationToken: ct))).ToDictionary(w => w.Team, StringComparer.Ordinal);
        var active = (await conn.QueryAsync<(string Team, string Sprint)>(new CommandDefinition("""
            SELECT ts.team_id, s.external_id FROM core.sprints s
            JOIN core.team_sprints ts ON ts.source_id = s.source_id AND ts.sprint_id = s.external_id
            WHERE ts.team_id = ANY(@teams) AND s.source_id = @sourceId AND s.state = 'active'
            """, new { sourceId, teams }, cancellationToken: ct))).ToLookup(a => a.Team, a => a.Sprint, StringComparer.Ordinal);
        var quarantined = (await conn.QueryAsync<(string Team, string Item)>(new CommandDefinition("""
            SELECT team_id, external_id FROM raw.failed_payloads
            WHERE kind = 'item' AND resolved_at IS NULL AND source_id = @sourceId AND team_id = ANY(@teams)
            ORDER BY external_id
            """, new { sourceId, teams }, cancellationToken: ct))).ToLookup(q => q.Team, q => q.Item, StringComparer.Ordinal);
        return teams.ToDictionary(t => t, t => new TeamScopeState(
            watermarks.TryGetValue(t, out var w) ? w.Value : null, watermarks.TryGetValue(t, out var w2) ? w2.State : null,
            active[t].ToList(), quarantined[t].ToList()) { SprintsHash = watermarks.TryGetValue(t, out var w3) ? w3.SprintsHash : null },
            StringComparer.Ordinal);
    }
}
