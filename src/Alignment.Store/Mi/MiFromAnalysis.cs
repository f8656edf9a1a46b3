namespace Alignment.Store.Mi;

public static partial class MiBuilder
{
    /// <summary>
    /// The MI rows an analysis already holds in memory: the epics, the items below them, the open cross-team dependencies and the
    /// forecasts. After an analysis the pipeline takes them from its snapshot instead of reading them again (the epic tree alone is a
    /// recursive query of about a second at 100,000 items); the small tables (teams, sprint figures, active sprints, capacities,
    /// findings, sync state) are still read. The rows equal what <see cref="LoadAsync"/> reads from the store the analysis read
    /// (<c>MiFromAnalysisTests</c>; docs/architecture.md, "Incremental analysis").
    /// </summary>
    public sealed record AnalysisRows(List<EpicRow> Epics, List<EpicItemRow> EpicItems, List<DependencyRow> Dependencies,
        Dictionary<(string Source, string Key), MiEpicForecast> Forecasts);

    /// <summary>The levels below an epic that count as its items (the same bound as <see cref="LoadAsync"/>'s recursive query).</summary>
    private const int EpicDepth = 4;

    public static AnalysisRows FromAnalysis(AnalysisSnapshot snapshot, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts)
    {
        var byKey = new Dictionary<(string Source, string Key), SnapshotItem>(snapshot.Items.Count);
        foreach (var i in snapshot.Items) byKey[(i.Source, i.Key)] = i;

        var epics = snapshot.Items.Where(i => i.Type == WorkItemType.Epic && !i.IsRemoved)
            .OrderBy(i => i.Source, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => new EpicRow(i.Source, i.Key, i.Title, i.Url, i.StatusCategory.Name(), i.Team, i.DueDate?.ToDateTime(TimeOnly.MinValue)))
            .ToList();

        var rows = new Dictionary<(string Source, string Key), MiEpicForecast>(forecasts.Count);
        foreach (var (key, f) in forecasts)
            rows[key] = new MiEpicForecast(f.P50, f.P85, f.Reasons.Count == 0 ? null : string.Join("; ", f.Reasons));

        return new AnalysisRows(epics, EpicItems(snapshot, byKey), Dependencies(snapshot, byKey), rows);
    }

    /// <summary>
    /// Each item that is not an epic, with the epic it hangs below through at most <see cref="EpicDepth"/> parent links of items that are not
    /// epics; work items only (no features), not removed.
    /// </summary>
    private static List<EpicItemRow> EpicItems(AnalysisSnapshot snapshot, Dictionary<(string Source, string Key), SnapshotItem> byKey)
    {
        var list = new List<EpicItemRow>();
        foreach (var item in snapshot.Items)
        {
            if (item.Type is WorkItemType.Epic or WorkItemType.Feature || item.IsRemoved) continue;
            var current = item;
            for (var depth = 1; depth <= EpicDepth; depth++)
            {
                if (current.ParentKey is not { } parentKey || !byKey.TryGetValue((item.Source, parentKey), out var parent)) break;
                if (parent.Type == WorkItemType.Epic)
                {
                    list.Add(new EpicItemRow(item.Source, parent.Key, item.Key, item.Team, item.StatusCategory.Name(), item.Points));
                    break;
                }
                current = parent;
            }
        }
        return list;
    }

    /// <summary>Open dependencies between items of two different teams, each once, with both items' current sprints.</summary>
    private static List<DependencyRow> Dependencies(AnalysisSnapshot snapshot, Dictionary<(string Source, string Key), SnapshotItem> byKey)
    {
        var sprints = new Dictionary<(string Source, string Id), SnapshotSprint>();
        foreach (var s in snapshot.Sprints) sprints[(s.Source, s.Id)] = s;
        SnapshotSprint? SprintOf(SnapshotItem i) => i.SprintId is { } id ? sprints.GetValueOrDefault((i.Source, id)) : null;

        var seen = new HashSet<(string, string, string, string)>();
        var list = new List<DependencyRow>();
        foreach (var l in snapshot.Links)
        {
            if (!byKey.TryGetValue((l.FromSource, l.FromKey), out var from) || !byKey.TryGetValue((l.ToSource, l.ToKey), out var to)) continue;
            if (from.Team is null || to.Team is null || from.Team == to.Team || !from.IsOpen || !to.IsOpen) continue;
            if (!seen.Add((l.FromSource, l.FromKey, l.ToSource, l.ToKey))) continue;
            var (fs, ts) = (SprintOf(from), SprintOf(to));
            list.Add(new DependencyRow(from.Team, to.Team, from.Source, from.Key, to.Source, to.Key, to.Points,
                fs?.State.Name(), fs?.Start?.UtcDateTime, ts?.State.Name(), ts?.End?.UtcDateTime));
        }
        return list;
    }
}
