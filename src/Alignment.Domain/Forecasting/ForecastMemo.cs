namespace Alignment.Domain.Forecasting;

/// <summary>
/// What a forecast run computed and from what, so that the next run recomputes only the epics whose inputs changed
/// (docs/architecture.md, "Incremental analysis"). Immutable: a run builds a new memo.
/// </summary>
public sealed class ForecastMemo
{
    /// <summary>What every forecast depends on besides its items and teams: the trials, the seed, the history needed and the day.</summary>
    public sealed record Settings(int Trials, int Max, int Seed, int MinHistorySprints, DateOnly Today);

    /// <summary>
    /// An epic's forecast, every item it read (by source and key), the teams whose models it drew on ("" for none), and its work (null when
    /// it has none to forecast) — kept so that a changed team model reprices it without walking its dependencies again.
    /// </summary>
    internal sealed record Entry(EpicForecast Forecast, (string Source, string Key)[] Touched, string[] Teams, EpicForecaster.EpicWork? Work);

    private Dictionary<(string Source, string Key), List<(string Source, string Key)>>? _epicsTouching;

    internal ForecastMemo(Settings of, Dictionary<string, EpicForecaster.TeamModel> teams, Dictionary<(string Source, string Key), Entry> epics)
    {
        (Of, Teams, Epics) = (of, teams, epics);
    }

    internal Settings Of { get; }
    internal Dictionary<string, EpicForecaster.TeamModel> Teams { get; }
    internal Dictionary<(string Source, string Key), Entry> Epics { get; }

    /// <summary>How many epics the run that made this memo computed afresh (the rest it kept or repriced).</summary>
    public int Computed { get; internal init; }
    /// <summary>How many epics it priced again on their unchanged work, because a team model they draw on changed.</summary>
    public int Repriced { get; internal init; }
    /// <summary>Milliseconds walking epics' items and dependencies, and running their Monte Carlo parts.</summary>
    public double ClosureMs { get; internal init; }
    public double PartsMs { get; internal init; }

    /// <summary>
    /// Each team's model: the previous one when its inputs are equal (no new Monte Carlo draws), otherwise built; and the teams whose
    /// model is new, changed or gone.
    /// </summary>
    internal static (Dictionary<string, EpicForecaster.TeamModel> Models, HashSet<string> Changed) TeamModels(SnapshotIndex x, ForecastMemo? previous,
        int trials, int max)
    {
        var models = new Dictionary<string, EpicForecaster.TeamModel>();
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in x.Snapshot.Teams)
        {
            var inputs = EpicForecaster.TeamModel.InputsOf(x, t.Id);
            if (previous?.Teams.GetValueOrDefault(t.Id) is { } kept && kept.Of.Equals(inputs)) models[t.Id] = kept;
            else
            {
                models[t.Id] = EpicForecaster.TeamModel.Build(inputs, t.Id, x.Options.ForecastSeed, trials, max);
                changed.Add(t.Id);
            }
        }
        if (previous is not null) changed.UnionWith(previous.Teams.Keys.Where(t => !models.ContainsKey(t)));
        return (models, changed);
    }

    /// <summary>
    /// The epics to compute again: those that read a changed item (or an item linked to one: a link to an item not synced before resolves
    /// when it arrives) and those above a changed item (a child that moved in); and, apart, the epics to price again on their unchanged work
    /// because they draw on a changed team model. New epics are not in the memo and are computed anyway.
    /// </summary>
    internal (HashSet<(string Source, string Key)> Dirty, HashSet<(string Source, string Key)> TeamOnly) DirtyEpics(SnapshotIndex x,
        IReadOnlySet<(string Source, string Key)> changed, HashSet<string> changedTeams)
    {
        _epicsTouching ??= Invert();
        var dirty = new HashSet<(string Source, string Key)>();
        var items = new HashSet<(string Source, string Key)>(changed);
        foreach (var k in changed)
            if (x.Items.TryGetValue(k, out var item))
            {
                foreach (var b in x.BlockersOf.GetValueOrDefault(item) ?? []) items.Add((b.Source, b.Key));
                foreach (var d in x.DependentsOf.GetValueOrDefault(item) ?? []) items.Add((d.Source, d.Key));
                var cur = item;
                for (var depth = 0; cur is not null && depth < 16; depth++, cur = x.Parent(cur))
                    if (cur.Type == WorkItemType.Epic) dirty.Add((cur.Source, cur.Key));
            }
        foreach (var k in items)
            if (_epicsTouching.TryGetValue(k, out var epics)) dirty.UnionWith(epics);
        var teamOnly = new HashSet<(string Source, string Key)>();
        if (changedTeams.Count > 0)
            foreach (var (key, entry) in Epics)
                if (!dirty.Contains(key) && entry.Teams.Any(changedTeams.Contains)) teamOnly.Add(key);
        return (dirty, teamOnly);
    }

    private Dictionary<(string Source, string Key), List<(string Source, string Key)>> Invert()
    {
        var map = new Dictionary<(string Source, string Key), List<(string Source, string Key)>>();
        foreach (var (epic, entry) in Epics)
            foreach (var k in entry.Touched)
            {
                if (!map.TryGetValue(k, out var list)) map[k] = list = [];
                list.Add(epic);
            }
        return map;
    }
}
