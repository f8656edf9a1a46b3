using Dapper;
using Npgsql;

namespace Alignment.Store.Analysis;

/// <summary>Reading and writing the recorded plans and outcomes (<c>analysis.interval_*</c>, V0017).</summary>
public static partial class IntervalRecorder
{
    /// <summary>Every stored plan and outcome of the given intervals, with their items, in a stable order.</summary>
    public static async Task<(List<TeamPlan> Plans, List<TeamOutcome> Outcomes)> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IReadOnlyList<PlanningInterval> intervals, CancellationToken ct)
    {
        var ids = intervals.Select(i => i.Id).ToArray();
        var planItems = (await conn.QueryAsync<(string Interval, string Team, string Source, string ExternalId, string Key, string UnitKey, string UnitType,
            double? UnitValue, double? Points)>(new CommandDefinition("""
            SELECT interval_id, team_id, source_id, item_external_id, item_key, unit_key, unit_type, unit_business_value, points
            FROM analysis.interval_plan_items WHERE interval_id = ANY(@ids) ORDER BY interval_id, team_id, source_id, item_external_id
            """, new { ids }, tx, cancellationToken: ct))).ToLookup(r => (r.Interval, r.Team));
        var plans = (await conn.QueryAsync<(string Interval, string Team, string Source, DateTime PlanAt, string[] SprintIds, string Basis, DateTime RecordedAt)>(
            new CommandDefinition("""
            SELECT interval_id, team_id, source_id, plan_at, sprint_ids, basis, recorded_at
            FROM analysis.interval_plans WHERE interval_id = ANY(@ids) ORDER BY interval_id, team_id
            """, new { ids }, tx, cancellationToken: ct)))
            .Select(p => new TeamPlan(p.Interval, p.Team, p.Source, Utc(p.PlanAt), p.SprintIds, p.Basis, Utc(p.RecordedAt),
                planItems[(p.Interval, p.Team)].Select(i => new PlannedItem(i.Source, i.ExternalId, i.Key, i.UnitKey,
                    DomainNames.TryParse<WorkItemType>(i.UnitType, out var t) ? t : WorkItemType.Other, i.UnitValue, i.Points)).ToList()))
            .ToList();
        var outcomeItems = (await conn.QueryAsync<(string Interval, string Team, string Source, string ExternalId, string Key, string UnitKey, bool Planned,
            bool Done, bool Removed, double? Points, string[] Reasons, string[] Blockers)>(new CommandDefinition("""
            SELECT interval_id, team_id, source_id, item_external_id, item_key, unit_key, planned, done, removed, points, reasons, blockers
            FROM analysis.interval_outcome_items WHERE interval_id = ANY(@ids)
            ORDER BY interval_id, team_id, planned DESC, source_id, item_external_id
            """, new { ids }, tx, cancellationToken: ct))).ToLookup(r => (r.Interval, r.Team));
        var outcomes = (await conn.QueryAsync<(string Interval, string Team, DateTime EndAt, string[] SprintIds, double Velocity, DateTime RecordedAt)>(
            new CommandDefinition("""
            SELECT interval_id, team_id, end_at, sprint_ids, velocity_points, recorded_at
            FROM analysis.interval_outcomes WHERE interval_id = ANY(@ids) ORDER BY interval_id, team_id
            """, new { ids }, tx, cancellationToken: ct)))
            .Select(o => new TeamOutcome(o.Interval, o.Team, Utc(o.EndAt), o.SprintIds, o.Velocity, Utc(o.RecordedAt),
                outcomeItems[(o.Interval, o.Team)].Select(i => new OutcomeItem(i.Source, i.ExternalId, i.Key, i.UnitKey, i.Planned, i.Done, i.Removed,
                    i.Points, i.Reasons.Select(DomainNames.Parse<SlipReason>).ToList(), i.Blockers)).ToList()))
            .ToList();
        return (plans, outcomes);
    }

    private static async Task WritePlansAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<TeamPlan> plans, CancellationToken ct)
    {
        if (plans.Count == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.interval_plans (interval_id, team_id, source_id, plan_at, sprint_ids, basis, recorded_at)
            SELECT i, t, s, p, string_to_array(sp, chr(31)), b, r
            FROM unnest(@intervals::text[], @teams::text[], @sources::text[], @planAt::timestamptz[], @sprints::text[], @bases::text[],
                        @recorded::timestamptz[]) AS u(i, t, s, p, sp, b, r)
            ON CONFLICT DO NOTHING
            """, new
        {
            intervals = plans.ConvertAll(p => p.Interval).ToArray(), teams = plans.ConvertAll(p => p.Team).ToArray(),
            sources = plans.ConvertAll(p => p.Source).ToArray(), planAt = plans.ConvertAll(p => p.PlanAt.UtcDateTime).ToArray(),
            sprints = plans.ConvertAll(p => string.Join('\u001f', p.SprintIds)).ToArray(), bases = plans.ConvertAll(p => p.Basis).ToArray(),
            recorded = plans.ConvertAll(p => p.RecordedAt.UtcDateTime).ToArray(),
        }, tx, cancellationToken: ct));
        var items = plans.SelectMany(p => p.Items.Select(i => (p.Interval, p.Team, Item: i))).ToList();
        if (items.Count == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.interval_plan_items (interval_id, team_id, source_id, item_external_id, item_key, unit_key, unit_type,
                unit_business_value, points)
            SELECT * FROM unnest(@intervals::text[], @teams::text[], @sources::text[], @ids::text[], @keys::text[], @units::text[], @types::text[],
                                 @values::float8[], @points::float8[])
            ON CONFLICT DO NOTHING
            """, new
        {
            intervals = items.ConvertAll(x => x.Interval).ToArray(), teams = items.ConvertAll(x => x.Team).ToArray(),
            sources = items.ConvertAll(x => x.Item.Source).ToArray(), ids = items.ConvertAll(x => x.Item.ExternalId).ToArray(),
            keys = items.ConvertAll(x => x.Item.Key).ToArray(), units = items.ConvertAll(x => x.Item.UnitKey).ToArray(),
            types = items.ConvertAll(x => x.Item.UnitType.Name()).ToArray(), values = items.ConvertAll(x => x.Item.UnitValue).ToArray(),
            points = items.ConvertAll(x => x.Item.Points).ToArray(),
        }, tx, cancellationToken: ct));
    }

    private static async Task WriteOutcomesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, List<TeamOutcome> outcomes, CancellationToken ct)
    {
        if (outcomes.Count == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.interval_outcomes (interval_id, team_id, end_at, sprint_ids, velocity_points, recorded_at)
            SELECT i, t, e, string_to_array(sp, chr(31)), v, r
            FROM unnest(@intervals::text[], @teams::text[], @endAt::timestamptz[], @sprints::text[], @velocity::float8[], @recorded::timestamptz[])
                 AS u(i, t, e, sp, v, r)
            ON CONFLICT DO NOTHING
            """, new
        {
            intervals = outcomes.ConvertAll(o => o.Interval).ToArray(), teams = outcomes.ConvertAll(o => o.Team).ToArray(),
            endAt = outcomes.ConvertAll(o => o.EndAt.UtcDateTime).ToArray(), sprints = outcomes.ConvertAll(o => string.Join('\u001f', o.SprintIds)).ToArray(),
            velocity = outcomes.ConvertAll(o => o.VelocityPoints).ToArray(), recorded = outcomes.ConvertAll(o => o.RecordedAt.UtcDateTime).ToArray(),
        }, tx, cancellationToken: ct));
        var items = outcomes.SelectMany(o => o.Items.Select(i => (o.Interval, o.Team, Item: i))).ToList();
        if (items.Count == 0) return;
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.interval_outcome_items (interval_id, team_id, source_id, item_external_id, item_key, unit_key, planned, done,
                removed, points, reasons, blockers)
            SELECT i, t, s, x, k, un, pl, d, rm, p, string_to_array(rs, ','), string_to_array(bl, chr(31))
            FROM unnest(@intervals::text[], @teams::text[], @sources::text[], @ids::text[], @keys::text[], @units::text[], @planned::bool[],
                        @done::bool[], @removed::bool[], @points::float8[], @reasons::text[], @blockers::text[]) AS u(i, t, s, x, k, un, pl, d, rm, p, rs, bl)
            ON CONFLICT DO NOTHING
            """, new
        {
            intervals = items.ConvertAll(x => x.Interval).ToArray(), teams = items.ConvertAll(x => x.Team).ToArray(),
            sources = items.ConvertAll(x => x.Item.Source).ToArray(), ids = items.ConvertAll(x => x.Item.ExternalId).ToArray(),
            keys = items.ConvertAll(x => x.Item.Key).ToArray(), units = items.ConvertAll(x => x.Item.UnitKey).ToArray(),
            planned = items.ConvertAll(x => x.Item.Planned).ToArray(), done = items.ConvertAll(x => x.Item.Done).ToArray(),
            removed = items.ConvertAll(x => x.Item.Removed).ToArray(), points = items.ConvertAll(x => x.Item.Points).ToArray(),
            reasons = items.ConvertAll(x => string.Join(',', x.Item.Reasons.Select(r => r.Name()))).ToArray(),
            blockers = items.ConvertAll(x => string.Join('\u001f', x.Item.Blockers)).ToArray(),
        }, tx, cancellationToken: ct));
    }
}
