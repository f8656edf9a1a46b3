using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// The rows behind one point of a figure's history (docs/figures.md, "History"): for a sprint-based figure, the closed sprints it was
/// computed from as of that day (organisation: each team's value then, with its own explain link); for a findings figure, the findings
/// that were open at the end of that day (from their event history). Null when the team is unknown.
/// </summary>
public sealed record ExplainMiHistoryQuery(string Figure, string? Team, DateOnly Day) : IQuery<MiExplanation?>;

internal sealed class ExplainMiHistoryHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options, MiSnapshots snapshots)
    : IQueryHandler<ExplainMiHistoryQuery, MiExplanation?>
{
    /// <summary>Rows listed at most; the value counts them all.</summary>
    public const int MaxRows = 1000;

    public async ValueTask<MiExplanation?> Handle(ExplainMiHistoryQuery q, CancellationToken ct)
    {
        var figure = MiHistory.Find(q.Figure) ?? throw new ArgumentException($"unknown figure '{q.Figure}'", nameof(q));
        await using var conn = await db.OpenConnectionAsync(ct);
        if (q.Team is not null && !await MiHistoryReads.TeamExistsAsync(conn, q.Team, ct)) return null;
        var team = q.Team ?? "";
        var stored = await conn.QuerySingleOrDefaultAsync<(double? Value, string Basis)?>(new CommandDefinition(
            "SELECT value, basis FROM analysis.mi_history WHERE figure = @figure AND team_id = @team AND day = @day",
            new { figure = figure.Name, team, day = q.Day }, cancellationToken: ct));
        var rows = figure.SprintBased ? await SprintRowsAsync(conn, figure.Name, q.Team, q.Day, ct)
            : figure.Note is not null ? IntervalHistory.Rows(await snapshots.GetIntervalsAsync(ct), q.Team, q.Day)
            : await FindingRowsAsync(conn, figure.Name, q.Team, q.Day, ct);
        var reason = stored is null
            ? (figure.SprintBased ? "no point is stored for this day; the rows are the sprints as of this day" : "no point is stored for this day")
            : rows.Count >= MaxRows ? $"the first {MaxRows} rows are listed" : null;
        return new MiExplanation(figure.Name, figure.Definition, stored?.Value, reason, rows);
    }

    private async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> SprintRowsAsync(NpgsqlConnection conn, string figure, string? team, DateOnly day,
        CancellationToken ct)
    {
        var windows = MiWindows.Of(options.Value.Analysis);
        var closed = (await MiHistoryReads.ClosedFiguresAsync(conn, team ?? "", ct)).Where(f => f.History.EndDay <= day).ToList();
        if (team is null)
        {
            // The organisation: each team's value as of that day, and where to see its sprints.
            return closed.GroupBy(f => f.TeamId, StringComparer.Ordinal).Select(g =>
            {
                var history = g.Select(f => f.History).ToList();
                return ExplainMiFigureHandler.Row(("team", g.Key), ("value", MiHistoryReads.SprintValue(figure, history, history.Count - 1, windows)),
                    ("lastSprint", history[^1].Name), ("explain", MiHistoryReads.ExplainUrl(figure, g.Key, day)));
            }).ToList();
        }
        var n = figure switch
        {
            "velocityP50" => windows.VelocitySprints,
            "sayDo" => windows.SayDoSprints,
            "commitmentVsCapacity" => windows.VelocitySprints + 1, // the sprint and the ones its capacity came from
            _ => 1,
        };
        return closed.TakeLast(n).Select(f => ExplainMiFigureHandler.Row(("sprint", f.SprintId), ("name", f.Name), ("end", f.EndAt), ("basis", f.Basis),
            ("committedPoints", f.CommittedPoints), ("completedPoints", f.CompletedPoints), ("carriedOverPoints", f.CarriedOverPoints),
            ("capacityDays", f.CapacityDays),
            ("explain", $"/api/teams/{Uri.EscapeDataString(team)}/retrospective?sprint={Uri.EscapeDataString(f.SprintId)}"))).ToList();
    }

    /// <summary>Findings whose last event by the end of <paramref name="day"/> (UTC) left them open or acknowledged.</summary>
    private static async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> FindingRowsAsync(NpgsqlConnection conn, string figure, string? team,
        DateOnly day, CancellationToken ct)
    {
        string[]? rules = figure switch
        {
            "dependenciesAtRisk" => [RuleId.DepLate.Name(), RuleId.DepUnscheduled.Name()],
            "epicsLate" => [RuleId.DriftEpicForecast.Name()],
            _ => null,
        };
        var rows = await conn.QueryAsync<(long Id, string Rule, string Severity, string Status, string? TeamId, string Title, double Score)>(new CommandDefinition("""
            SELECT f.id, f.rule, e.severity, e.status, f.team_id, f.title, f.score
            FROM analysis.findings f
            JOIN LATERAL (SELECT ev.status, ev.severity FROM analysis.finding_events ev
                          WHERE ev.finding_id = f.id AND ev.at < @dayEnd ORDER BY ev.at DESC, ev.id DESC LIMIT 1) e ON true
            WHERE e.status = ANY(@open)
              AND (@team::text IS NULL OR f.team_id = @team OR (@eitherSide AND @team = ANY(f.related_teams)))
              AND (@rules::text[] IS NULL OR f.rule = ANY(@rules))
              AND (@severity::text IS NULL OR e.severity = @severity)
            ORDER BY f.id
            LIMIT @limit
            """, new
        {
            dayEnd = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), open = new[] { FindingStatus.Open.Name(), FindingStatus.Acknowledged.Name() },
            team, eitherSide = figure == "dependenciesAtRisk", rules, severity = figure == "openCriticalFindings" ? Severity.Critical.Name() : null,
            limit = MaxRows,
        }, cancellationToken: ct));
        return rows.Select(r => ExplainMiFigureHandler.Row(("id", r.Id), ("rule", r.Rule), ("severity", r.Severity), ("status", r.Status),
            ("team", r.TeamId), ("title", r.Title), ("score", r.Score))).ToList();
    }
}

/// <summary>What the history's reads share: the team check, a team's closed sprint figures, a sprint-based value and the explain link.</summary>
internal static class MiHistoryReads
{
    public static Task<bool> TeamExistsAsync(NpgsqlConnection conn, string team, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM core.teams WHERE id = @team AND configured)", new { team }, cancellationToken: ct));

    /// <summary>The closed sprints with figures of <paramref name="team"/> ("" = every team), oldest first per team.</summary>
    public static async Task<List<MiBuilder.FigureRow>> ClosedFiguresAsync(NpgsqlConnection conn, string team, CancellationToken ct) =>
        (await conn.QueryAsync<MiBuilder.FigureRow>(new CommandDefinition(MiBuilder.FiguresSql, new { team = team.Length == 0 ? null : team },
            cancellationToken: ct))).Where(f => f.State == SprintState.Closed).ToList();

    /// <summary>A sprint-based figure after <paramref name="history"/>[<paramref name="last"/>] closed, as the back-fill computes it.</summary>
    public static double? SprintValue(string figure, IReadOnlyList<HistorySprint> history, int last, MiWindows windows)
    {
        var f = TeamSprintFigures.AsOf(history, last, windows);
        return figure switch
        {
            "velocityP50" => f.VelocityP50,
            "sayDo" => f.SayDo,
            "commitmentVsCapacity" => f.CommitmentVsCapacity,
            "carryOverPoints" => f.CarryOverPoints,
            "committedPoints" => history[last].Committed,
            _ => history[last].Completed,
        };
    }

    public static string ExplainUrl(string figure, string team, DateOnly day) => FormattableString.Invariant(
        $"/api/mi/history/explain?figure={figure}{(team.Length == 0 ? "" : "&team=" + Uri.EscapeDataString(team))}&day={day:yyyy-MM-dd}");
}
