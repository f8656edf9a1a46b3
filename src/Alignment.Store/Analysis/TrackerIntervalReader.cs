using Dapper;
using Npgsql;

namespace Alignment.Store.Analysis;

/// <summary>
/// The planning intervals of an analysis (docs/figures.md, "Intervals from the trackers"): <c>Alignment:PlanningIntervals</c>, and when a source
/// reads intervals from its tracker, its teams' rows of <c>core.team_intervals</c> (written by the sync), combined by
/// <see cref="IntervalCatalogue"/>. Without such a source it reads nothing.
/// </summary>
public static class TrackerIntervalReader
{
    public static async Task<IReadOnlyList<PlanningInterval>> IntervalsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, AlignmentOptions o,
        CancellationToken ct)
    {
        var sources = o.Sources.Where(s => s.Intervals.FromTracker).Select(s => s.Id).ToArray();
        if (sources.Length == 0) return PlanningInterval.From(o);
        var rows = await conn.QueryAsync<(string Team, string Id, DateTime Start, DateTime End, string[]? SprintIds)>(new CommandDefinition("""
            SELECT team_id, interval_id, start_day, end_day, sprint_ids FROM core.team_intervals
            WHERE source_id = ANY(@sources) ORDER BY team_id, interval_id
            """, new { sources }, tx, cancellationToken: ct));
        var matchers = o.Sources.Where(s => s.Intervals.FromTracker).ToDictionary(s => s.Id, s => s.Intervals, StringComparer.Ordinal);
        var teamSource = o.Teams.ToDictionary(t => t.Id, t => t.Source, StringComparer.Ordinal);
        return IntervalCatalogue.Build(o, rows
            .Where(r => teamSource.TryGetValue(r.Team, out var s) && matchers.TryGetValue(s, out var m) && m.Matches(r.Id))
            .Select(r => (r.Team, new TrackerInterval(r.Id, DateOnly.FromDateTime(r.Start), DateOnly.FromDateTime(r.End), r.SprintIds))));
    }
}
