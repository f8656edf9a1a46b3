namespace Alignment.Store.Analysis;

/// <summary>
/// The large parts of an analysis snapshot — items, dependency links, estimate changes — in a canonical order, so that an image
/// patched with the changed items and an image loaded whole are equal element by element (docs/architecture.md, "Incremental
/// analysis"). Items are ordered by source and external id, links by their ends, estimate events by item and event id, all ordinal.
/// An image is never changed: <see cref="Patch"/> returns a new one (the analysis keeps the old one until its run commits).
/// </summary>
public sealed class SnapshotImage
{
    /// <summary>A dependency link as one reporter item states it.</summary>
    public sealed record ReportedLink(string ReporterSource, string ReporterId, SnapshotLink Link);

    /// <summary>An estimate change with its event id (the order among an item's events).</summary>
    public sealed record EstimateRow(string EventId, EstimateEvent Event);

    private readonly SnapshotItem[] _items;
    private readonly Dictionary<(string Source, string Id), SnapshotLink[]> _linksByReporter;
    private readonly Dictionary<SnapshotLink, int> _linkReporters;
    private readonly SnapshotLink[] _links;
    private readonly EstimateRow[] _estimates;

    private SnapshotImage(SnapshotItem[] items, Dictionary<(string, string), SnapshotLink[]> linksByReporter, Dictionary<SnapshotLink, int> linkReporters,
        SnapshotLink[] links, EstimateRow[] estimates)
    {
        (_items, _linksByReporter, _linkReporters, _links, _estimates) = (items, linksByReporter, linkReporters, links, estimates);
    }

    public IReadOnlyList<SnapshotItem> Items => _items;
    /// <summary>
    /// For a patched image: the items that changed by source and key (old and new keys of the changed items, both ends of every link
    /// that came or went), for the forecast memo (<see cref="AnalysisDelta"/>); null for an image read whole.
    /// </summary>
    public IReadOnlySet<(string Source, string Key)>? ChangedKeys { get; private init; }
    /// <summary>Distinct dependency links (a link two items report is one).</summary>
    public IReadOnlyList<SnapshotLink> Links => _links;
    public IReadOnlyList<EstimateEvent> EstimateEvents => Array.ConvertAll(_estimates, e => e.Event);

    /// <summary>An image of everything read.</summary>
    public static SnapshotImage Create(List<SnapshotItem> items, List<ReportedLink> links, List<EstimateRow> estimates)
    {
        var byReporter = new Dictionary<(string, string), SnapshotLink[]>();
        foreach (var g in links.GroupBy(l => (l.ReporterSource, l.ReporterId))) byReporter[g.Key] = g.Select(l => l.Link).ToArray();
        var counts = new Dictionary<SnapshotLink, int>();
        foreach (var l in links) counts[l.Link] = counts.GetValueOrDefault(l.Link) + 1;
        var sortedItems = items.ToArray();
        Array.Sort(sortedItems, ItemOrder);
        var sortedLinks = counts.Keys.ToArray();
        Array.Sort(sortedLinks, LinkOrder);
        var sortedEstimates = estimates.ToArray();
        Array.Sort(sortedEstimates, EstimateOrder);
        return new SnapshotImage(sortedItems, byReporter, counts, sortedLinks, sortedEstimates);
    }

    /// <summary>
    /// This image with the changed items replaced by their rows as read now: <paramref name="items"/> (an item of <paramref name="changed"/>
    /// missing there was deleted), the links those items report, and their estimate events.
    /// </summary>
    public SnapshotImage Patch(ItemChanges changed, List<SnapshotItem> items, List<ReportedLink> links, List<EstimateRow> estimates)
    {
        bool IsChanged(string source, string id) => changed.BySource.TryGetValue(source, out var ids) && ids.Contains(id);

        var keys = new HashSet<(string Source, string Key)>();
        var newItems = items.ToArray();
        Array.Sort(newItems, ItemOrder);
        foreach (var i in newItems) keys.Add((i.Source, i.Key));
        var patchedItems = Merge(_items, i =>
        {
            if (!IsChanged(i.Source, i.ExternalId)) return false;
            keys.Add((i.Source, i.Key));
            return true;
        }, newItems, ItemOrder);

        var byReporter = new Dictionary<(string, string), SnapshotLink[]>(_linksByReporter);
        var counts = new Dictionary<SnapshotLink, int>(_linkReporters);
        var gone = new HashSet<SnapshotLink>();
        var added = new HashSet<SnapshotLink>();
        foreach (var (source, ids) in changed.BySource)
            foreach (var id in ids)
                if (byReporter.Remove((source, id), out var old))
                    foreach (var l in old)
                        if ((counts[l] -= 1) == 0) { counts.Remove(l); gone.Add(l); }
        foreach (var g in links.GroupBy(l => (l.ReporterSource, l.ReporterId))) byReporter[g.Key] = g.Select(l => l.Link).ToArray();
        foreach (var l in links)
        {
            var n = counts.GetValueOrDefault(l.Link);
            counts[l.Link] = n + 1;
            if (n == 0 && !gone.Remove(l.Link)) added.Add(l.Link);
        }
        // A link that went and came back is unchanged: it stays where it is.
        var newLinks = added.ToArray();
        Array.Sort(newLinks, LinkOrder);
        var patchedLinks = Merge(_links, gone.Contains, newLinks, LinkOrder);

        var newEstimates = estimates.ToArray();
        Array.Sort(newEstimates, EstimateOrder);
        var patchedEstimates = Merge(_estimates, e => IsChanged(e.Event.Source, e.Event.ExternalId), newEstimates, EstimateOrder);
        foreach (var l in gone.Concat(added))
        {
            keys.Add((l.FromSource, l.FromKey));
            keys.Add((l.ToSource, l.ToKey));
        }
        return new SnapshotImage(patchedItems, byReporter, counts, patchedLinks, patchedEstimates) { ChangedKeys = keys };
    }

    /// <summary>The rows of <paramref name="sorted"/> that are not dropped, merged with <paramref name="added"/> (sorted) in one pass.</summary>
    private static T[] Merge<T>(T[] sorted, Func<T, bool> drop, T[] added, Comparison<T> order)
    {
        var result = new List<T>(sorted.Length + added.Length);
        var a = 0;
        foreach (var row in sorted)
        {
            if (drop(row)) continue;
            while (a < added.Length && order(added[a], row) < 0) result.Add(added[a++]);
            result.Add(row);
        }
        while (a < added.Length) result.Add(added[a++]);
        return result.ToArray();
    }

    private static readonly Comparison<SnapshotItem> ItemOrder = (x, y) =>
    {
        var c = string.CompareOrdinal(x.Source, y.Source);
        return c != 0 ? c : string.CompareOrdinal(x.ExternalId, y.ExternalId);
    };

    private static readonly Comparison<SnapshotLink> LinkOrder = (x, y) =>
    {
        var c = string.CompareOrdinal(x.FromSource, y.FromSource);
        if (c == 0) c = string.CompareOrdinal(x.FromKey, y.FromKey);
        if (c == 0) c = string.CompareOrdinal(x.ToSource, y.ToSource);
        return c != 0 ? c : string.CompareOrdinal(x.ToKey, y.ToKey);
    };

    private static readonly Comparison<EstimateRow> EstimateOrder = (x, y) =>
    {
        var c = string.CompareOrdinal(x.Event.Source, y.Event.Source);
        if (c == 0) c = string.CompareOrdinal(x.Event.ExternalId, y.Event.ExternalId);
        return c != 0 ? c : string.CompareOrdinal(x.EventId, y.EventId);
    };
}
