
namespace Alignment.UnitTests.Analysis;

/// <summary>Hand-built snapshots: teams with sprints on their own cadence, items, dependencies, sprint figures.</summary>
internal sealed class SnapshotBuilder
{
    public static readonly DateTimeOffset Now = new(2025, 3, 12, 9, 0, 0, TimeSpan.Zero);
    private readonly List<SnapshotTeam> _teams = [];
    private readonly List<SnapshotItem> _items = [];
    private readonly List<SnapshotLink> _links = [];
    private readonly List<SnapshotSprint> _sprints = [];
    private readonly List<SprintFigure> _figures = [];
    private readonly List<SprintCapacity> _capacities = [];
    private readonly List<EstimateEvent> _estimates = [];
    private readonly Dictionary<string, List<string>> _teamSprints = [];

    /// <summary>A team with <paramref name="closed"/> closed sprints before an active one and two future ones, each <paramref name="days"/> long.</summary>
    public SnapshotBuilder Team(string id, string source, int days = 14, int closed = 6, DateOnly? activeStart = null, double[]? velocity = null,
        string? owner = null)
    {
        _teams.Add(new SnapshotTeam(id, id, source, _teamSprints[id] = [], owner));
        var start = (activeStart ?? new DateOnly(2025, 3, 10)).AddDays(-closed * days);
        for (var k = 0; k < closed + 3; k++)
        {
            var s = start.AddDays(k * days);
            var state = k < closed ? SprintState.Closed : k == closed ? SprintState.Active : SprintState.Future;
            var sid = $"{id}-{k}";
            _sprints.Add(new SnapshotSprint(source, sid, $"{id} S{k}", state, At(s), At(s.AddDays(days)), null));
            _teamSprints[id].Add(sid);
            if (state == SprintState.Closed)
            {
                var v = velocity is null ? 20 : velocity[k % velocity.Length];
                _figures.Add(new SprintFigure(id, source, sid, "reconstructed", 20, v, 0, 0, v / 20, 10));
                _capacities.Add(new SprintCapacity(id, source, sid, 10));
            }
        }
        return this;
    }

    public static DateTimeOffset At(DateOnly d) => new(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Sprint index of a team: 0.. closed-1 closed, then active, then future.</summary>
    public string Sprint(string team, int k) => $"{team}-{k}";

    public SnapshotBuilder Item(string source, string key, string? team, string? sprint = null, WorkItemType type = WorkItemType.Story, StatusCategory status = StatusCategory.Todo,
        double? points = 3, string? parent = null, string? rank = null, DateTimeOffset? updated = null, DateOnly? due = null, string[]? sprintIds = null,
        DateTimeOffset? created = null, DateTimeOffset? firstPlanned = null, ItemValue? value = null)
    {
        _items.Add(new SnapshotItem(source, key, key, $"https://{source}.example/{key}", type, "title " + key, status, points, team, sprint,
            sprintIds ?? (sprint is null ? [] : [sprint]), parent, rank ?? key, created ?? Now.AddDays(-60), updated ?? Now.AddDays(-1), due, firstPlanned, value));
        return this;
    }

    public SnapshotBuilder DependsOn(string source, string key, string blockerSource, string blockerKey)
    {
        _links.Add(new SnapshotLink(source, key, blockerSource, blockerKey));
        return this;
    }

    public SnapshotBuilder Figure(SprintFigure f) { _figures.RemoveAll(x => x.Team == f.Team && x.SprintId == f.SprintId); _figures.Add(f); return this; }
    public SnapshotBuilder Capacity(string team, string source, string sprint, double days)
    {
        _capacities.RemoveAll(c => c.Team == team && c.SprintId == sprint);
        _capacities.Add(new SprintCapacity(team, source, sprint, days));
        return this;
    }

    /// <summary>An estimate change of an item (the key is also its external id).</summary>
    public SnapshotBuilder Estimate(string source, string key, DateTimeOffset at, double? from, double? to)
    {
        _estimates.Add(new EstimateEvent(source, key, at, from, to));
        return this;
    }

    public AnalysisSnapshot Build() => new(Now, _teams, _items, _links, _sprints, _figures, _capacities, _estimates);

    public AnalysisResult Run(AnalysisOptions? o = null) => Analyzer.Run(Build(), o ?? new AnalysisOptions());
}
