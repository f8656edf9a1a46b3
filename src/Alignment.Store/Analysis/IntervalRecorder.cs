using Dapper;
using Npgsql;

namespace Alignment.Store.Analysis;

/// <summary>
/// Records the planning intervals' plans and outcomes (docs/figures.md, "Planning intervals") in the analysis's transaction, before the
/// analyzers run: for each configured interval and team, the plan once the team's plan moment (the start of its first sprint of the interval)
/// has passed, and the outcome once the interval's last day has passed and every one of the team's sprints of the interval is closed. Both are
/// replayed from the item history (<see cref="IntervalCalculator"/>) and written once; a plan is <c>observed</c> when the service knew the
/// interval before the plan moment, else <c>reconstructed</c>. Returns what the analyzers read: the intervals and every stored plan and
/// outcome of them. Without configured intervals it does nothing (no query).
/// </summary>
public static partial class IntervalRecorder
{
    public const string Observed = "observed", Reconstructed = "reconstructed";

    /// <summary>What one run recorded, for the analysis's log line.</summary>
    public sealed record Recorded(int Plans, int Outcomes);

    private sealed record Due(PlanningInterval Interval, SnapshotTeam Team, IReadOnlyList<SnapshotSprint> Sprints, bool Plan, bool Outcome);

    public static async Task<(IntervalInput Input, Recorded Recorded)?> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisSnapshot snapshot,
        IReadOnlyList<PlanningInterval> intervals, CancellationToken ct)
    {
        if (intervals.Count == 0) return null;
        var firstSeen = await SeeAsync(conn, tx, intervals, snapshot.Now, ct);
        var (plans, outcomes) = await LoadAsync(conn, tx, intervals, ct);
        var due = DueWork(snapshot, intervals, plans, outcomes);
        if (due.Count == 0) return (new IntervalInput(intervals, plans, outcomes), new Recorded(0, 0));
        var context = new Context(snapshot);
        var newPlans = new List<TeamPlan>();
        var newOutcomes = new List<TeamOutcome>();
        foreach (var source in due.GroupBy(d => d.Team.Source))
        {
            var items = await context.ItemsAsync(conn, source.Key, source.SelectMany(d => d.Sprints.Select(s => s.Id)).Distinct().ToArray(), ct);
            foreach (var d in source)
            {
                var sprintIds = d.Sprints.Select(s => s.Id).ToList();
                var plan = plans.FirstOrDefault(p => p.Interval == d.Interval.Id && p.Team == d.Team.Id);
                if (d.Plan)
                {
                    var planAt = d.Sprints[0].Start!.Value;
                    var basis = firstSeen[d.Interval.Id] <= planAt ? Observed : Reconstructed;
                    plan = new TeamPlan(d.Interval.Id, d.Team.Id, d.Team.Source, planAt, sprintIds, basis, snapshot.Now,
                        IntervalCalculator.Plan(d.Team.Id, sprintIds, planAt, items, context.UnitOf));
                    newPlans.Add(plan);
                }
                if (!d.Outcome || plan is null) continue;
                await context.BlockersAsync(conn, plan, ct);
                var endAt = d.Sprints.Max(s => s.Completed ?? s.End ?? snapshot.Now);
                var velocity = d.Sprints.Select(s => context.Figures.GetValueOrDefault((d.Team.Id, s.Source, s.Id))).OfType<SprintFigure>().Sum(f => f.Completed);
                newOutcomes.Add(new TeamOutcome(d.Interval.Id, d.Team.Id, endAt, sprintIds, velocity, snapshot.Now,
                    IntervalCalculator.Outcome(plan, sprintIds, endAt, items, context.BlockersOf, context.UnitOf)));
            }
        }
        await WritePlansAsync(conn, tx, newPlans, ct);
        await WriteOutcomesAsync(conn, tx, newOutcomes, ct);
        return (new IntervalInput(intervals, [.. plans, .. newPlans], [.. outcomes, .. newOutcomes]), new Recorded(newPlans.Count, newOutcomes.Count));
    }

    /// <summary>
    /// What is due per interval and team: the plan once the first sprint of the interval has started; the outcome once the team's last day of it
    /// has passed and all of the team's sprints of it are closed.
    /// </summary>
    private static List<Due> DueWork(AnalysisSnapshot s, IReadOnlyList<PlanningInterval> intervals, List<TeamPlan> plans, List<TeamOutcome> outcomes)
    {
        var sprints = s.Sprints.ToDictionary(x => (x.Source, x.Id));
        var planned = plans.Select(p => (p.Interval, p.Team)).ToHashSet();
        var ended = outcomes.Select(o => (o.Interval, o.Team)).ToHashSet();
        var due = new List<Due>();
        foreach (var iv in intervals)
            foreach (var t in s.Teams)
            {
                var mine = iv.SprintsOf(t.Id, t.SprintIds.Select(id => sprints.GetValueOrDefault((t.Source, id))).OfType<SnapshotSprint>(), x => x.Start, x => x.Id);
                if (mine.Count == 0 || mine[0].Start > s.Now) continue;
                bool plan = !planned.Contains((iv.Id, t.Id));
                bool outcome = !ended.Contains((iv.Id, t.Id)) && s.Now >= iv.EndAtFor(t.Id) && mine.All(x => x.State == SprintState.Closed);
                if (plan || outcome) due.Add(new Due(iv, t, mine, plan, outcome));
            }
        return due;
    }

    /// <summary>Each configured interval with the moment an analysis first saw it (kept from the first time).</summary>
    private static async Task<Dictionary<string, DateTimeOffset>> SeeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<PlanningInterval> intervals,
        DateTimeOffset now, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<(string Id, DateTime FirstSeen)>(new CommandDefinition("""
            INSERT INTO analysis.planning_intervals (id, start_day, end_day, first_seen_at)
            SELECT * , @now FROM unnest(@ids::text[], @starts::date[], @ends::date[])
            ON CONFLICT (id) DO UPDATE SET start_day = EXCLUDED.start_day, end_day = EXCLUDED.end_day
            RETURNING id, first_seen_at
            """, new
        {
            ids = intervals.Select(i => i.Id).ToArray(), starts = intervals.Select(i => i.Start).ToArray(), ends = intervals.Select(i => i.End).ToArray(),
            now = now.UtcDateTime,
        }, tx, cancellationToken: ct));
        return rows.ToDictionary(r => r.Id, r => Utc(r.FirstSeen), StringComparer.Ordinal);
    }

    private static DateTimeOffset Utc(DateTime d) => new(DateTime.SpecifyKind(d, DateTimeKind.Utc));

    /// <summary>The snapshot's lookups and the histories read for one run: items by key, dependencies, sprint figures, loaded items.</summary>
    private sealed class Context(AnalysisSnapshot snapshot)
    {
        private readonly Dictionary<(string Source, string Key), SnapshotItem> _items = snapshot.Items.ToDictionary(i => (i.Source, i.Key));
        private readonly ILookup<(string Source, string Key), (string Source, string Key)> _blockers =
            snapshot.Links.ToLookup(l => (l.FromSource, l.FromKey), l => (l.ToSource, l.ToKey));
        private readonly Dictionary<(string Source, string ExternalId), IntervalItem> _loaded = [];
        private readonly Dictionary<(string Source, string Key), IntervalItem> _byKey = [];

        public IReadOnlyDictionary<(string Team, string Source, string SprintId), SprintFigure> Figures { get; } =
            snapshot.Figures.GroupBy(f => (f.Team, f.Source, f.SprintId)).ToDictionary(g => g.Key, g => g.First());

        /// <summary>Every item that is or was in these sprints of the source, with its history.</summary>
        public async Task<List<IntervalItem>> ItemsAsync(NpgsqlConnection conn, string source, string[] sprintIds, CancellationToken ct) =>
            Add(source, await SprintFiguresRefresher.LoadHistoriesAsync(conn, source, sprintIds, ct));

        /// <summary>Reads the items the plan's items depend on that are not read yet.</summary>
        public async Task BlockersAsync(NpgsqlConnection conn, TeamPlan plan, CancellationToken ct)
        {
            var missing = plan.Items.SelectMany(p => _blockers[(p.Source, p.Key)])
                .Where(k => !_byKey.ContainsKey(k) && _items.ContainsKey(k)).Select(k => (k.Source, _items[k].ExternalId)).Distinct();
            foreach (var g in missing.GroupBy(m => m.Source))
                Add(g.Key, await SprintFiguresRefresher.LoadHistoriesByIdAsync(conn, g.Key, g.Select(m => m.ExternalId).ToArray(), ct));
        }

        public IEnumerable<IntervalItem> BlockersOf(IntervalItem it) =>
            _blockers[(it.Source, it.History.Key)].Select(k => _byKey.GetValueOrDefault(k)).OfType<IntervalItem>();

        public PlanUnit UnitOf(IntervalItem it) => IntervalCalculator.UnitOf(it.Source, it.History.Key, it.Type, _items);

        private List<IntervalItem> Add(string source, List<ItemHistory> histories)
        {
            var result = new List<IntervalItem>(histories.Count);
            foreach (var h in histories)
            {
                if (!_loaded.TryGetValue((source, h.ExternalId), out var it))
                {
                    // A deleted item is not in the snapshot: its type is unknown, and it counts as backlog work.
                    var type = _items.GetValueOrDefault((source, h.Key))?.Type ?? WorkItemType.Other;
                    _loaded[(source, h.ExternalId)] = it = new IntervalItem(source, type, new ItemReplay(h));
                    _byKey.TryAdd((source, h.Key), it);
                }
                result.Add(it);
            }
            return result;
        }
    }
}
