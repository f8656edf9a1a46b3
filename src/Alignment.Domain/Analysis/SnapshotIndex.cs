
namespace Alignment.Domain.Analysis;

/// <summary>
/// A team's velocity over its last closed sprints with figures (oldest first, <c>Analysis:VelocitySprints</c>), as defined in
/// <see cref="Stats"/>: P50 and mean (0 without sprints), sample standard deviation and coefficient of variation (null below
/// two sprints or at a zero mean).
/// </summary>
public sealed record TeamVelocity(string Team, IReadOnlyList<SprintFigure> Sprints, double P50, double Mean, double? StdDev, double? Cv)
{
    public int Count => Sprints.Count;
    public IEnumerable<double> Completed => Sprints.Select(s => s.Completed);
}

/// <summary>Lookups over a snapshot, built once in O(n log n): items by key, sprints, teams' sprint calendars, dependencies, velocity.</summary>
public sealed class SnapshotIndex
{
    public SnapshotIndex(AnalysisSnapshot s, AnalysisOptions o)
    {
        Snapshot = s;
        Options = o;
        Items = new Dictionary<(string, string), SnapshotItem>(s.Items.Count);
        foreach (var i in s.Items) Items[(i.Source, i.Key)] = i;
        Sprints = new Dictionary<(string, string), SnapshotSprint>(s.Sprints.Count);
        foreach (var sp in s.Sprints) Sprints[(sp.Source, sp.Id)] = sp;
        Teams = s.Teams.ToDictionary(t => t.Id);

        foreach (var i in s.Items)
        {
            if (i.ParentKey is null) continue;
            var k = (i.Source, i.ParentKey);
            if (!Children.TryGetValue(k, out var list)) Children[k] = list = [];
            list.Add(i);
        }
        foreach (var l in s.Links)
        {
            if (!Items.TryGetValue((l.FromSource, l.FromKey), out var from) || !Items.TryGetValue((l.ToSource, l.ToKey), out var to)) continue;
            if (from == to) continue;
            Dependencies.Add((from, to));
            Add(BlockersOf, from, to);
            Add(DependentsOf, to, from);
        }

        var figures = s.Figures.GroupBy(f => (f.Team, f.Source, f.SprintId)).ToDictionary(g => g.Key, g => g.First());
        Figures = figures;
        var capacities = s.Capacities.ToDictionary(c => (c.Team, c.Source, c.SprintId), c => c.Days);
        Capacity = capacities;
        foreach (var t in s.Teams)
        {
            var sprints = t.SprintIds.Select(id => Sprints.GetValueOrDefault((t.Source, id))).OfType<SnapshotSprint>()
                .OrderBy(x => x.Start ?? DateTimeOffset.MaxValue).ThenBy(x => x.Id, StringComparer.Ordinal).ToList();
            TeamSprints[t.Id] = sprints;
            var closed = sprints.Where(x => x.State == SprintState.Closed).OrderBy(x => x.End ?? x.Completed ?? DateTimeOffset.MinValue).ToList();
            ClosedSprints[t.Id] = closed;
            var withFigures = closed.Select(x => figures.GetValueOrDefault((t.Id, x.Source, x.Id))).OfType<SprintFigure>().ToList();
            Velocity[t.Id] = VelocityOf(t.Id, withFigures.TakeLast(o.VelocitySprints).ToList());
            SayDoWindow[t.Id] = withFigures.TakeLast(o.SayDoSprints).ToList();
            var lengths = sprints.Where(x => x.Start is not null && x.End is not null).Select(x => (x.End!.Value - x.Start!.Value).TotalDays).ToList();
            SprintLengthDays[t.Id] = Stats.Percentile(lengths, 0.5) is { } length ? Math.Max(1, Math.Round(length)) : 14;
            Active[t.Id] = sprints.LastOrDefault(x => x.State == SprintState.Active);
            Next[t.Id] = sprints.FirstOrDefault(x => x.State == SprintState.Future && (x.Start is null || Active[t.Id]?.Start is not { } a || x.Start >= a));
            var caps = closed.Select(x => capacities.TryGetValue((t.Id, x.Source, x.Id), out var d) ? d : (double?)null).OfType<double>()
                .TakeLast(o.VelocitySprints).ToList();
            NormalCapacity[t.Id] = Stats.Percentile(caps, 0.5);
        }
    }

    private static void Add(Dictionary<SnapshotItem, List<SnapshotItem>> map, SnapshotItem k, SnapshotItem v)
    {
        if (!map.TryGetValue(k, out var list)) map[k] = list = [];
        list.Add(v);
    }

    public AnalysisSnapshot Snapshot { get; }
    public AnalysisOptions Options { get; }
    public DateTimeOffset Now => Snapshot.Now;
    public DateOnly Today => DateOnly.FromDateTime(Snapshot.Now.UtcDateTime);
    public Dictionary<(string Source, string Key), SnapshotItem> Items { get; }
    public Dictionary<(string Source, string Id), SnapshotSprint> Sprints { get; }
    public Dictionary<string, SnapshotTeam> Teams { get; }
    public Dictionary<(string Source, string ParentKey), List<SnapshotItem>> Children { get; } = [];
    /// <summary>Resolved dependencies: (dependent, blocker).</summary>
    public List<(SnapshotItem Dependent, SnapshotItem Blocker)> Dependencies { get; } = [];
    public Dictionary<SnapshotItem, List<SnapshotItem>> BlockersOf { get; } = new(ReferenceEqualityComparer.Instance);
    public Dictionary<SnapshotItem, List<SnapshotItem>> DependentsOf { get; } = new(ReferenceEqualityComparer.Instance);
    public IReadOnlyDictionary<(string Team, string Source, string SprintId), SprintFigure> Figures { get; }
    public IReadOnlyDictionary<(string Team, string Source, string SprintId), double> Capacity { get; }
    public Dictionary<string, List<SnapshotSprint>> TeamSprints { get; } = [];
    public Dictionary<string, List<SnapshotSprint>> ClosedSprints { get; } = [];
    public Dictionary<string, TeamVelocity> Velocity { get; } = [];
    /// <summary>Each team's last closed sprints with figures for say/do (<c>Analysis:SayDoSprints</c>, oldest first).</summary>
    public Dictionary<string, List<SprintFigure>> SayDoWindow { get; } = [];
    public Dictionary<string, double> SprintLengthDays { get; } = [];
    public Dictionary<string, SnapshotSprint?> Active { get; } = [];
    public Dictionary<string, SnapshotSprint?> Next { get; } = [];
    public Dictionary<string, double?> NormalCapacity { get; } = [];

    /// <summary>The item's current sprint when it is active or future (planned), else null.</summary>
    public SnapshotSprint? PlannedSprint(SnapshotItem i) =>
        i.SprintId is { } id && Sprints.TryGetValue((i.Source, id), out var s) && s.IsOpen ? s : null;

    public SnapshotItem? Parent(SnapshotItem i) => i.ParentKey is { } p ? Items.GetValueOrDefault((i.Source, p)) : null;

    private readonly Dictionary<SnapshotItem, SnapshotItem?> _epic = new(ReferenceEqualityComparer.Instance);

    /// <summary>The nearest epic above the item (story → feature → epic), or null.</summary>
    public SnapshotItem? EpicOf(SnapshotItem i)
    {
        if (_epic.TryGetValue(i, out var e)) return e;
        var cur = Parent(i);
        for (var depth = 0; cur is not null && depth < 8; depth++)
        {
            if (cur.Type == WorkItemType.Epic) break;
            cur = Parent(cur);
        }
        e = cur?.Type == WorkItemType.Epic ? cur : null;
        _epic[i] = e;
        return e;
    }

    public IEnumerable<SnapshotItem> Descendants(SnapshotItem root)
    {
        var stack = new Stack<SnapshotItem>();
        stack.Push(root);
        var seen = new HashSet<SnapshotItem>(ReferenceEqualityComparer.Instance) { root };
        while (stack.Count > 0)
        {
            var cur = stack.Pop();
            if (!Children.TryGetValue((cur.Source, cur.Key), out var kids)) continue;
            foreach (var k in kids)
                if (seen.Add(k)) { yield return k; stack.Push(k); }
        }
    }

    public string TeamName(string? id) => id is not null && Teams.TryGetValue(id, out var t) ? t.Name : id ?? "(no team)";

    public static TeamVelocity VelocityOf(string team, IReadOnlyList<SprintFigure> recent)
    {
        var completed = recent.Select(f => f.Completed).ToList();
        return new TeamVelocity(team, recent, Stats.Percentile(completed, 0.5) ?? 0, Stats.Mean(completed) ?? 0,
            Stats.SampleStandardDeviation(completed), Stats.CoefficientOfVariation(completed));
    }

    private Dictionary<string, List<SnapshotItem>>? _itemsByTeam;

    /// <summary>Every item of each team (items without a team are left out), in snapshot order.</summary>
    public IReadOnlyDictionary<string, List<SnapshotItem>> ItemsByTeam
    {
        get
        {
            if (_itemsByTeam is not null) return _itemsByTeam;
            var map = new Dictionary<string, List<SnapshotItem>>();
            foreach (var i in Snapshot.Items)
            {
                if (i.Team is null) continue;
                if (!map.TryGetValue(i.Team, out var list)) map[i.Team] = list = [];
                list.Add(i);
            }
            return _itemsByTeam = map;
        }
    }

    public List<SnapshotItem> ItemsOf(string team) => ItemsByTeam.TryGetValue(team, out var l) ? l : [];

    private Prioritisation.ValueIndex? _value;

    /// <summary>WSJF and the backlogs of epics and features (built on first use; used by the analyzers on the index's own thread only).</summary>
    public Prioritisation.ValueIndex Value => _value ??= new Prioritisation.ValueIndex(this);

    private Dictionary<string, List<SnapshotItem>>? _backlogsByTeam;

    /// <summary>Open backlog items (stories, bugs, other) of each team that are in no planned sprint, in rank order.</summary>
    public IReadOnlyDictionary<string, List<SnapshotItem>> Backlogs => _backlogsByTeam ??= Snapshot.Items
        .Where(i => i.Team is not null && i.IsOpen && i.IsBacklogWork && PlannedSprint(i) is null)
        .GroupBy(i => i.Team!)
        .ToDictionary(g => g.Key, g => g.OrderBy(i => i.Rank ?? "\uffff", StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal).ToList());
}
