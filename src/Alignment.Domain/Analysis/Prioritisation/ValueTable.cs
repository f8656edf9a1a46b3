namespace Alignment.Domain.Analysis.Prioritisation;

/// <summary>The rows of <see cref="MiValue"/>: every team backlog's epics and features with WSJF, positions and inversion flags.</summary>
public static class ValueTable
{
    public static IReadOnlyList<MiValueItem> Build(SnapshotIndex x)
    {
        var v = x.Value;
        var low = new Dictionary<SnapshotItem, List<string>>(ReferenceEqualityComparer.Instance);
        var high = new Dictionary<SnapshotItem, List<string>>(ReferenceEqualityComparer.Instance);
        if (v.Any)
            foreach (var f in v.Backlogs.Concat(v.OwnerBacklogs()).SelectMany(b => ValueAnalyzer.Inversions(x, b)))
            {
                var e = (PrioInversionEvidence)f.Evidence;
                var lower = x.Items[(e.RankedLower.Item.Source, e.RankedLower.Item.Key)];
                var higher = x.Items[(e.RankedHigher.Item.Source, e.RankedHigher.Item.Key)];
                Add(low, lower, higher.Key);
                Add(high, higher, lower.Key);
            }
        var rows = new List<MiValueItem>();
        foreach (var b in v.Backlogs)
        {
            var byWsjf = b.Items.Where(i => v.Wsjf(i).Wsjf is not null).OrderByDescending(i => v.Wsjf(i).Wsjf).ThenBy(i => i.Rank ?? "\uffff", StringComparer.Ordinal)
                .Select((i, n) => (i, n)).ToDictionary(p => p.i, p => p.n + 1, (IEqualityComparer<SnapshotItem>)ReferenceEqualityComparer.Instance);
            for (var n = 0; n < b.Items.Count; n++)
            {
                var i = b.Items[n];
                var w = v.Wsjf(i).ToEvidence();
                var with = (low.GetValueOrDefault(i) ?? []).Concat(high.GetValueOrDefault(i) ?? []).Distinct().ToList();
                rows.Add(new MiValueItem(i.Source, i.Key, i.Title, i.Url, i.Type, b.Id, i.StatusCategory, n + 1,
                    byWsjf.TryGetValue(i, out var r) ? r : null, w.BusinessValue, w.TimeCriticality, w.RiskReduction, w.CostOfDelay, w.JobSize,
                    w.JobSizeFrom, w.Wsjf, i.Value?.Budget, low.ContainsKey(i), high.ContainsKey(i), with,
                    $"/api/mi/value/{Uri.EscapeDataString(i.Source)}/{Uri.EscapeDataString(i.Key)}/explain"));
            }
        }
        return rows;
    }

    private static void Add(Dictionary<SnapshotItem, List<string>> map, SnapshotItem k, string other)
    {
        if (!map.TryGetValue(k, out var l)) map[k] = l = [];
        l.Add(other);
    }
}
