using Dapper;
using Npgsql;

namespace Alignment.Advice;

/// <summary>
/// Reads what the week-over-week part of the digests is made of: each owner's previous digest (<c>ops.advice_outbox</c>), how the findings
/// stood when it was composed (<c>analysis.finding_events</c>), the findings resolved since, and each team's say/do from the MI history
/// (<c>analysis.mi_history</c>, through <see cref="MiHistoryDays"/> as <c>GET /api/mi/history</c> reads it) with predictability from
/// <see cref="ITeamPredictability"/>.
/// </summary>
public static class AdviceHistoryReader
{
    /// <summary>The MI history figure of the team line (<see cref="MiHistory.Figures"/>).</summary>
    public const string SayDoFigure = "sayDo";

    private sealed record PreviousRow(string Email, string Period, DateTime At);

    /// <summary>
    /// Per owner e-mail, the baseline of their digest for <paramref name="period"/>: their last digest of an earlier period that was sent or is
    /// still being sent (one given up after every attempt never reached them). Owners without one are left out: their digest is their first.
    /// </summary>
    public static async Task<Dictionary<string, AdviceBaseline>> BaselinesAsync(NpgsqlConnection conn, IEnumerable<string> emails, string period,
        IReadOnlyList<AdviceFinding> open, CancellationToken ct)
    {
        var previous = await conn.QueryAsync<PreviousRow>(new CommandDefinition("""
            SELECT DISTINCT ON (product_owner_email) product_owner_email AS email, period, created_at AS at
              FROM ops.advice_outbox
             WHERE kind = 'digest' AND status IN ('pending', 'sent') AND period < @period AND product_owner_email = ANY(@emails)
             ORDER BY product_owner_email, period DESC, created_at DESC
            """, new { period, emails = emails.ToArray() }, cancellationToken: ct));
        var result = new Dictionary<string, AdviceBaseline>(StringComparer.Ordinal);
        // A weekly run queues every owner's digest at one moment, so this is one pass for all of them.
        foreach (var group in previous.GroupBy(p => (p.Period, p.At)).OrderBy(g => g.Key.At))
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(group.Key.At, DateTimeKind.Utc));
            var resolved = await AdviceReader.ResolvedSinceAsync(conn, at, ct);
            var (openThen, leftSince) = await StatusThenAsync(conn, [.. open.Select(f => f.Id), .. resolved.Select(f => f.Id)], at, ct);
            var baseline = new AdviceBaseline(group.Key.Period, at, openThen, leftSince, resolved);
            foreach (var p in group) result[p.Email] = baseline;
        }
        return result;
    }

    /// <summary>
    /// Of <paramref name="ids"/>: those whose last event at or before <paramref name="at"/> left them open, and those with an event after it that
    /// left them not open (resolved, acknowledged or suppressed since; for a finding open now, that means reopened since).
    /// </summary>
    private static async Task<(HashSet<long> OpenThen, HashSet<long> LeftSince)> StatusThenAsync(NpgsqlConnection conn, long[] ids, DateTimeOffset at,
        CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(long Id, string? Then, bool Left)>(new CommandDefinition("""
            SELECT f.id,
                   (SELECT e.status FROM analysis.finding_events e
                     WHERE e.finding_id = f.id AND e.at <= @at ORDER BY e.at DESC, e.id DESC LIMIT 1) AS status_then,
                   EXISTS (SELECT 1 FROM analysis.finding_events e WHERE e.finding_id = f.id AND e.at > @at AND e.status <> @open) AS left_open
              FROM unnest(@ids::bigint[]) AS f(id)
            """, new { ids, at = at.UtcDateTime, open = FindingStatus.Open.Name() }, cancellationToken: ct));
        HashSet<long> openThen = [], leftSince = [];
        foreach (var r in rows)
        {
            if (r.Then == FindingStatus.Open.Name()) openThen.Add(r.Id);
            if (r.Left) leftSince.Add(r.Id);
        }
        return (openThen, leftSince);
    }

    /// <summary>
    /// Per team of <paramref name="teams"/>: say/do now and <see cref="WeekOverWeek.TrendWeeks"/> weeks before from the weekly points of the MI
    /// history up to <paramref name="today"/> (UTC, the history's days), and predictability when <paramref name="predictability"/> gives one.
    /// </summary>
    public static async Task<Dictionary<string, TeamTrend>> TrendsAsync(NpgsqlConnection conn, IReadOnlyCollection<AdviceTeam> teams, DateOnly today,
        ITeamPredictability predictability, CancellationToken ct)
    {
        var ids = teams.Select(t => t.Id).Distinct(StringComparer.Ordinal).ToList();
        var rows = (await MiHistoryDays.ReadAsync(conn, SayDoFigure, ids, today.AddDays(-7 * WeekOverWeek.LookBackWeeks), today, ct)).ToLookup(r => r.Team);
        var intervals = await predictability.ForTeamsAsync(ids, today, ct);
        var result = new Dictionary<string, TeamTrend>(StringComparer.Ordinal);
        foreach (var team in teams)
        {
            var (now, before) = WeekOverWeek.SayDoTrend(MiHistoryDays.Points(rows[team.Id], MiHistoryDays.Week));
            result[team.Id] = new TeamTrend(team.Id, team.Name, now, before, intervals.GetValueOrDefault(team.Id));
        }
        return result;
    }
}
