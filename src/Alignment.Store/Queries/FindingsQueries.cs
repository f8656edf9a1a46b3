using System.Text.Json;
using Dapper;
using Mediator;
using Npgsql;

namespace Alignment.Store.Queries;

public sealed record FindingDto(long Id, string Rule, string Severity, string Status, string? Team, IReadOnlyList<string> RelatedTeams, string Title,
    IReadOnlyList<ItemRef> Items, JsonElement Evidence, string Action, double Score, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    DateTimeOffset? ResolvedAt);

/// <summary>
/// Findings, newest id first, filtered by team (owning or related), rule, severity and status (default: every status but resolved).
/// A product owner sees the findings of their configured teams (as owner or related team); none of a team no longer configured.
/// </summary>
public sealed record ListFindingsQuery(Viewer Viewer, string? Team, string? Rule, string? Severity, string? Status, int Limit, string? Cursor)
    : IQuery<Page<FindingDto>>;

internal sealed class ListFindingsHandler(NpgsqlDataSource db) : IQueryHandler<ListFindingsQuery, Page<FindingDto>>
{
    public async ValueTask<Page<FindingDto>> Handle(ListFindingsQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var after = FindingCursor.Decode(q.Cursor);
        var rows = (await conn.QueryAsync<FindingRow>(new CommandDefinition(FindingRow.Select + $"""
            WHERE (@team::text IS NULL OR f.team_id = @team OR @team = ANY (f.related_teams))
              AND (@rule::text IS NULL OR f.rule = @rule)
              AND (@severity::text IS NULL OR f.severity = @severity)
              AND (CASE WHEN @status::text IS NULL THEN f.status <> 'resolved' ELSE f.status = @status END)
              AND (@after::bigint IS NULL OR f.id < @after)
              AND (@scope::text IS NULL OR EXISTS (SELECT 1 FROM core.teams t WHERE {TeamAccess.OwnedByScope}
                                                   AND (t.id = f.team_id OR t.id = ANY (f.related_teams))))
            ORDER BY f.id DESC
            LIMIT @take
            """, new { team = q.Team, rule = q.Rule, severity = q.Severity, status = q.Status, after, scope = q.Viewer.TeamScope, take = q.Limit + 1 },
            cancellationToken: ct))).ToList();
        var more = rows.Count > q.Limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new Page<FindingDto>(rows.Select(r => r.ToDto()).ToList(), more ? FindingCursor.Encode(rows[^1].Id) : null);
    }
}

internal static class FindingCursor
{
    public static string Encode(long id) => CursorCodec.Encode("f", id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static long? Decode(string? cursor)
    {
        var (kind, value) = CursorCodec.Decode(cursor);
        if (kind is null) return null;
        return kind == "f" && long.TryParse(value, out var id) ? id : throw new FormatException("cursor");
    }

    public static bool IsValid(string cursor)
    {
        try { _ = Decode(cursor); return true; }
        catch (FormatException) { return false; }
    }
}

internal sealed class FindingRow
{
    // A finding that is not resolved holds in the latest run: an incremental run rewrites only the findings whose input changed
    // (docs/architecture.md, "Incremental analysis"), so its last_seen is at least that run's start.
    public const string Select = """
        SELECT f.id, f.rule, f.severity, f.status, f.team_id, f.related_teams, f.title, f.items::text AS items, f.evidence::text AS evidence,
               f.action, f.score, f.first_seen,
               CASE WHEN f.resolved_at IS NULL THEN greatest(f.last_seen, (SELECT max(r.started_at) FROM analysis.runs r)) ELSE f.last_seen END
                 AS last_seen,
               f.resolved_at
        FROM analysis.findings f

        """;

    public long Id { get; set; }
    public string Rule { get; set; } = "";
    public string Severity { get; set; } = "";
    public string Status { get; set; } = "";
    public string? TeamId { get; set; }
    public string[] RelatedTeams { get; set; } = [];
    public string Title { get; set; } = "";
    public string Items { get; set; } = "[]";
    public string Evidence { get; set; } = "{}";
    public string Action { get; set; } = "";
    public double Score { get; set; }
    public DateTime FirstSeen { get; set; }
    public DateTime LastSeen { get; set; }
    public DateTime? ResolvedAt { get; set; }

    public FindingDto ToDto() => new(Id, Rule, Severity, Status, TeamId, RelatedTeams, Title,
        JsonSerializer.Deserialize<List<ItemRef>>(Items, FindingStore.Json) ?? [], JsonDocument.Parse(Evidence).RootElement.Clone(), Action, Score,
        Utc(FirstSeen), Utc(LastSeen), ResolvedAt is { } r ? Utc(r) : null);

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));
}

/// <summary>The last analysis run's forecast of an epic (null when the epic is unknown, not yet analysed, or not visible).</summary>
public sealed record GetEpicForecastQuery(Viewer Viewer, string Source, string Key) : IQuery<JsonElement?>;

internal sealed class GetEpicForecastHandler(NpgsqlDataSource db) : IQueryHandler<GetEpicForecastQuery, JsonElement?>
{
    public async ValueTask<JsonElement?> Handle(GetEpicForecastQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var json = await conn.ExecuteScalarAsync<string?>(new CommandDefinition($"""
            SELECT e.forecast::text FROM analysis.epic_forecasts e
            WHERE e.source_id = @Source AND e.epic_key = @Key
              AND (@scope::text IS NULL OR EXISTS (SELECT 1 FROM core.teams t WHERE {TeamAccess.OwnedByScope}
                   AND (t.id = e.team_id OR e.forecast -> 'parts' @> jsonb_build_array(jsonb_build_object('team', t.id)))))
            """, new { q.Source, q.Key, scope = q.Viewer.TeamScope }, cancellationToken: ct));
        return json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
    }
}

/// <summary>A team's data-hygiene scorecard from the last analysis run (null when unknown, not visible, or not analysed yet).</summary>
public sealed record GetTeamHygieneQuery(Viewer Viewer, string TeamId) : IQuery<JsonElement?>;

internal sealed class GetTeamHygieneHandler(NpgsqlDataSource db) : IQueryHandler<GetTeamHygieneQuery, JsonElement?>
{
    public async ValueTask<JsonElement?> Handle(GetTeamHygieneQuery q, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        if (!await TeamAccess.CanSeeAsync(conn, q.Viewer, q.TeamId, ct)) return null;
        var json = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT scorecard::text FROM analysis.team_hygiene WHERE team_id = @TeamId", new { q.TeamId }, cancellationToken: ct));
        return json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
    }
}
