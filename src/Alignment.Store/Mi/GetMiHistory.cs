using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// A figure's history (docs/figures.md, "History") for a team or, with <see cref="Team"/> null, the organisation. <see cref="Interval"/>:
/// <c>day</c>, <c>week</c> or <c>sprint</c> (a team's closed sprints, computed from their sprint figures). Null when the team is unknown.
/// The endpoint validates the figure, the interval and the dates.
/// </summary>
public sealed record GetMiHistoryQuery(string Figure, string? Team, DateOnly From, DateOnly To, string Interval) : IQuery<MiHistorySeries?>;

internal sealed class GetMiHistoryHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options) : IQueryHandler<GetMiHistoryQuery, MiHistorySeries?>
{
    public async ValueTask<MiHistorySeries?> Handle(GetMiHistoryQuery q, CancellationToken ct)
    {
        var figure = MiHistory.Find(q.Figure) ?? throw new ArgumentException($"unknown figure '{q.Figure}'", nameof(q));
        await using var conn = await db.OpenConnectionAsync(ct);
        if (q.Team is not null && !await MiHistoryReads.TeamExistsAsync(conn, q.Team, ct)) return null;
        var team = q.Team ?? "";
        var (observedSince, backfilledThrough) = await conn.QuerySingleAsync<(DateOnly?, DateOnly?)>(new CommandDefinition("""
            SELECT (SELECT min(day) FROM analysis.mi_history WHERE figure = @figure AND team_id = @team AND basis = 'observed'),
                   (SELECT through FROM analysis.mi_history_backfills WHERE team_id = @team)
            """, new { figure = figure.Name, team }, cancellationToken: ct));
        var points = q.Interval == "sprint"
            ? await SprintPointsAsync(conn, figure, team, q, ct)
            : await DayPointsAsync(conn, figure, team, q, ct);
        var note = figure.Note ?? (figure.SprintBased
            ? $"Reconstructable from closed sprints: before the first observed day ({Day(observedSince)}) each team's points are back-filled on the days its sprints ended."
            : $"Not reconstructable: the series starts on {Day(observedSince)}, the first day an analysis observed it.");
        return new MiHistorySeries(figure.Name, figure.Definition, q.Team, q.Interval, q.From, q.To, figure.SprintBased, observedSince,
            backfilledThrough, note, points);
    }

    private static string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "none yet";

    private static async Task<List<MiHistoryValue>> DayPointsAsync(NpgsqlConnection conn, MiHistory.Figure figure, string team, GetMiHistoryQuery q,
        CancellationToken ct)
    {
        var rows = await MiHistoryDays.ReadAsync(conn, figure.Name, [team], q.From, q.To, ct);
        // A week's point is its last stored day's, dated on the week's Monday; its explain goes to the day the value was taken.
        return MiHistoryDays.Points(rows, q.Interval)
            .Select(r => new MiHistoryValue(r.At, r.Value, r.Basis, null, MiHistoryReads.ExplainUrl(figure.Name, team, r.Taken))).ToList();
    }

    private async Task<List<MiHistoryValue>> SprintPointsAsync(NpgsqlConnection conn, MiHistory.Figure figure, string team, GetMiHistoryQuery q,
        CancellationToken ct)
    {
        var closed = await MiHistoryReads.ClosedFiguresAsync(conn, team, ct);
        var history = closed.ConvertAll(f => f.History);
        var windows = MiWindows.Of(options.Value.Analysis);
        var points = new List<MiHistoryValue>();
        for (var i = 0; i < closed.Count; i++)
        {
            if (history[i].EndDay < q.From || history[i].EndDay > q.To) continue;
            var value = MiHistoryReads.SprintValue(figure.Name, history, i, windows);
            points.Add(new MiHistoryValue(history[i].EndDay, value, closed[i].Basis, closed[i].Name,
                MiHistoryReads.ExplainUrl(figure.Name, team, history[i].EndDay)));
        }
        return points;
    }
}
