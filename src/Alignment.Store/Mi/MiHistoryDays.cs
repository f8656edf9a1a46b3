using Dapper;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// The stored days of the MI history (<c>analysis.mi_history</c>, docs/figures.md "History") and their weekly points: what
/// <c>GET /api/mi/history</c> serves for <c>interval=day</c> and <c>interval=week</c>, and what the advice digest's say/do trend line reads,
/// so the two cannot differ.
/// </summary>
public static class MiHistoryDays
{
    /// <summary>One stored day of a figure for a team ("" = the organisation).</summary>
    public sealed record Row(string Team, DateOnly Day, double? Value, string Basis);

    /// <summary>A point of the series: <see cref="At"/> the day (week: its Monday), <see cref="Taken"/> the stored day the value is from.</summary>
    public sealed record Point(DateOnly At, DateOnly Taken, double? Value, string Basis);

    public const string Day = "day", Week = "week";

    /// <summary>The stored days of <paramref name="figure"/> for each of <paramref name="teams"/> from <paramref name="from"/> to <paramref name="to"/>, by team and day.</summary>
    public static async Task<List<Row>> ReadAsync(NpgsqlConnection conn, string figure, IReadOnlyCollection<string> teams, DateOnly from, DateOnly to,
        CancellationToken ct) =>
        (await conn.QueryAsync<(string Team, DateOnly Day, double? Value, string Basis)>(new CommandDefinition("""
            SELECT team_id AS team, day, value, basis FROM analysis.mi_history
            WHERE figure = @figure AND team_id = ANY(@teams) AND day BETWEEN @from AND @to
            ORDER BY team_id, day
            """, new { figure, teams = teams.ToArray(), from, to }, cancellationToken: ct))).Select(r => new Row(r.Team, r.Day, r.Value, r.Basis)).ToList();

    /// <summary>
    /// One team's rows (ordered by day) as the series' points: per day, or with <paramref name="interval"/> <see cref="Week"/> one point per ISO
    /// week, the week's last stored day, dated on its Monday.
    /// </summary>
    public static List<Point> Points(IEnumerable<Row> rows, string interval) =>
        interval == Week
            ? rows.GroupBy(r => Monday(r.Day)).Select(g => new Point(g.Key, g.Last().Day, g.Last().Value, g.Last().Basis)).ToList()
            : rows.Select(r => new Point(r.Day, r.Day, r.Value, r.Basis)).ToList();

    public static DateOnly Monday(DateOnly d) => d.AddDays(-(((int)d.DayOfWeek + 6) % 7));
}
