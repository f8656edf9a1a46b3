using Dapper;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// Writes the MI history (docs/figures.md, "History") in the MI refresh's transaction: today's value of every figure per team and for the
/// organisation (the last analysis of the day wins), the sprint-based figures back-filled from closed sprints for each team the first time
/// it is seen (and for the organisation once), and the retention.
/// </summary>
public static class MiHistoryStore
{
    /// <summary>What the refresh wrote, for its log line.</summary>
    public sealed record Written(int Observed, int Backfilled, int Pruned);

    public static async Task<Written> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, MiBuilder.MiInput input, MiSnapshot snapshot,
        MiWindows windows, int retentionDays, CancellationToken ct, MiIntervals? intervals = null)
    {
        var now = snapshot.Overview.ComputedAt;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var closed = ClosedSprints(input);
        var done = (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT team_id FROM analysis.mi_history_backfills", transaction: tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        var backfill = new List<MiHistoryPoint>();
        var backfilledTeams = new List<string>();
        foreach (var (team, sprints) in closed)
        {
            if (done.Contains(team) || sprints.Count == 0) continue;
            backfill.AddRange(MiHistory.BackfillTeam(team, sprints, windows).Where(p => p.Day < today));
            backfilledTeams.Add(team);
        }
        if (!done.Contains("") && closed.Values.Any(s => s.Count > 0))
        {
            backfill.AddRange(MiHistory.BackfillOrganisation([.. closed.Values], windows).Where(p => p.Day < today));
            backfilledTeams.Add("");
        }
        // Back-filled points never replace observed ones; today's observed points replace whatever today held.
        await WriteAsync(conn, tx, backfill, now, "ON CONFLICT (figure, team_id, day) DO NOTHING", ct);
        var observed = Observed(snapshot, closed, today);
        await WriteAsync(conn, tx, observed, now,
            "ON CONFLICT (figure, team_id, day) DO UPDATE SET value = EXCLUDED.value, basis = EXCLUDED.basis, recorded_at = EXCLUDED.recorded_at", ct);
        // Each finished planning interval's predictability, once, on the day it ended (docs/figures.md, "Planning intervals").
        if (intervals is not null)
            await WriteAsync(conn, tx, IntervalHistory.Points(intervals).Where(p => p.Day >= today.AddDays(-retentionDays)).ToList(), now,
                "ON CONFLICT (figure, team_id, day) DO NOTHING", ct);
        if (backfilledTeams.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO analysis.mi_history_backfills (team_id, backfilled_at, through)
                SELECT t, @now, (SELECT max(day) FROM analysis.mi_history h WHERE h.team_id = t AND h.basis = 'backfilled')
                FROM unnest(@teams::text[]) t
                ON CONFLICT (team_id) DO NOTHING
                """, new { teams = backfilledTeams.ToArray(), now = now.UtcDateTime }, tx, cancellationToken: ct));
        var pruned = await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM analysis.mi_history WHERE day < @cutoff",
            new { cutoff = today.AddDays(-retentionDays) }, tx, cancellationToken: ct));
        return new Written(observed.Count, backfill.Count, pruned);
    }

    /// <summary>Each configured team's closed sprints with figures, oldest first (the order <see cref="MiBuilder.LoadAsync"/> reads them in).</summary>
    public static Dictionary<string, IReadOnlyList<HistorySprint>> ClosedSprints(MiBuilder.MiInput input)
    {
        var byTeam = input.Teams.ToDictionary(t => t.Id, _ => new List<HistorySprint>(), StringComparer.Ordinal);
        foreach (var f in input.Figures)
            if (f.State == SprintState.Closed && byTeam.TryGetValue(f.TeamId, out var list)) list.Add(f.History);
        return byTeam.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<HistorySprint>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>Today's value of every figure, per team and for the organisation, read off the MI documents just built.</summary>
    public static List<MiHistoryPoint> Observed(MiSnapshot s, IReadOnlyDictionary<string, IReadOnlyList<HistorySprint>> closed, DateOnly day)
    {
        var points = new List<MiHistoryPoint>();
        void Add(string figure, string team, double? value) => points.Add(new(figure, team, day, value, MiHistory.Observed));
        double? carrySum = null, velocitySum = null;
        foreach (var t in s.Teams.Teams)
        {
            double? carry = closed.TryGetValue(t.Id, out var c) && c.Count > 0 ? c[^1].CarriedOver : null;
            Add("velocityP50", t.Id, t.VelocityP50.Value);
            Add("sayDo", t.Id, t.SayDo.Value);
            Add("commitmentVsCapacity", t.Id, t.CapacityUse.Value);
            Add("carryOverPoints", t.Id, carry);
            Add("openFindings", t.Id, t.OpenFindings.Value);
            Add("openCriticalFindings", t.Id, t.OpenFindingsBySeverity?.GetValueOrDefault(Severity.Critical));
            Add("dependenciesAtRisk", t.Id, s.Dependencies.Nodes.FirstOrDefault(n => n.Team == t.Id)?.AtRisk ?? 0);
            Add("epicsLate", t.Id, s.Epics.Epics.Count(e => e.Team == t.Id && e.Status == EpicStatus.Late));
            if (carry is { } cv) carrySum = (carrySum ?? 0) + cv;
            if (t.VelocityP50.Value is { } v) velocitySum = (velocitySum ?? 0) + v;
        }
        var o = s.Overview;
        Add("velocityP50", "", velocitySum);
        Add("sayDo", "", o.SayDo.Value);
        Add("commitmentVsCapacity", "", o.CommitmentVsCapacity.Value);
        Add("carryOverPoints", "", carrySum);
        Add("openFindings", "", o.OpenFindings.Total);
        Add("openCriticalFindings", "", o.OpenFindings.BySeverity?.GetValueOrDefault(Severity.Critical));
        Add("dependenciesAtRisk", "", o.DependenciesAtRisk.Value);
        Add("epicsLate", "", o.Epics.Late);
        return points;
    }

    private static Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<MiHistoryPoint> points, DateTimeOffset now, string onConflict,
        CancellationToken ct) =>
        points.Count == 0 ? Task.CompletedTask : conn.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO analysis.mi_history (figure, team_id, day, value, basis, recorded_at)
            SELECT f, t, d, v, b, @now FROM unnest(@figures::text[], @teams::text[], @days::date[], @values::float8[], @bases::text[]) AS u(f, t, d, v, b)
            {onConflict}
            """, new
        {
            figures = points.ConvertAll(p => p.Figure).ToArray(), teams = points.ConvertAll(p => p.Team).ToArray(),
            days = points.ConvertAll(p => p.Day).ToArray(), values = points.ConvertAll(p => p.Value).ToArray(),
            bases = points.ConvertAll(p => p.Basis).ToArray(), now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
}
