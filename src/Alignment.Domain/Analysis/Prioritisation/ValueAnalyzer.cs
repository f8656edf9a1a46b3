namespace Alignment.Domain.Analysis.Prioritisation;

/// <summary>
/// VALUE-MISSING and PRIO-INVERSION (docs/rules.md) over the ranked backlogs of epics and of features, and the value waiting on a
/// DEP-RANK blocker. Pure: the snapshot in, findings out. Sources without value data give nothing, so their findings are as before.
/// </summary>
public static class ValueAnalyzer
{
    public static IEnumerable<Finding> Analyze(SnapshotIndex x)
    {
        var v = x.Value;
        if (!v.Any) yield break;
        foreach (var b in v.Backlogs)
        {
            if (Missing(x, b) is { } f) yield return f;
            foreach (var i in Inversions(x, b)) yield return i;
        }
        foreach (var b in v.OwnerBacklogs())
            foreach (var i in Inversions(x, b)) yield return i;
    }

    /// <summary>VALUE-MISSING: the items of a team backlog's top N without a cost-of-delay input, when the source's value fields are in use.</summary>
    public static Finding? Missing(SnapshotIndex x, ValueBacklog b)
    {
        var n = x.Options.ValueTopN;
        var missing = b.Items.Take(n).Select((item, pos) => (item, pos))
            .Where(p => x.Value.SourcesWithValues.Contains(p.item.Source) && p.item.Value is not { HasCostOfDelay: true }).ToList();
        if (missing.Count == 0) return null;
        var level = b.Level == WorkItemType.Epic ? "epics" : "features";
        return new Finding
        {
            Rule = RuleId.ValueMissing, Severity = Severity.Info, Team = b.Id,
            Items = missing.Select(p => ItemRef.Of(p.item)).ToList(),
            Title = $"{missing.Count} of the top {Math.Min(n, b.Items.Count)} {level} of {b.Name} have no value inputs: {string.Join(", ", missing.Take(5).Select(p => p.item.Key))}{(missing.Count > 5 ? ", …" : "")}",
            Evidence = new ValueMissingEvidence(Backlog(b), n, missing.Select(p => Valued(x, p.item, p.pos)).ToList()),
            Action = $"Fill in business value, time criticality and risk reduction on these {level}, so their order can be weighed by value.",
            Score = 10, Subject = $"{b.Id}/{b.Level.Name()}",
        };
    }

    /// <summary>
    /// PRIO-INVERSION: for each ranked item B with a WSJF above 0, the highest-ranked item A above it with WSJF(B) ≥ ratio × WSJF(A)
    /// (A's WSJF known, possibly 0). One finding per B, so a backlog gives at most one per item.
    /// </summary>
    public static IEnumerable<Finding> Inversions(SnapshotIndex x, ValueBacklog b)
    {
        var ratio = x.Options.InversionRatio;
        var ranked = b.Items.Where(i => i.Rank is not null).ToList();
        var wsjf = ranked.Select(i => x.Value.Wsjf(i).Wsjf).ToArray();
        for (var j = 1; j < ranked.Count; j++)
        {
            if (wsjf[j] is not { } lower || lower <= 0) continue;
            for (var i = 0; i < j; i++)
            {
                if (wsjf[i] is not { } higher || lower < ratio * higher) continue;
                yield return Inversion(x, b, ranked[i], i, ranked[j], j, higher, lower);
                break;
            }
        }
    }

    private static Finding Inversion(SnapshotIndex x, ValueBacklog b, SnapshotItem a, int ai, SnapshotItem c, int ci, double wa, double wc)
    {
        var move = $"move {c.Key} from position {ci + 1} to position {ai + 1}, above {a.Key}";
        var atStake = Evidence.Round(wc - wa);
        return new Finding
        {
            Rule = RuleId.PrioInversion, Severity = Severity.Warning, Team = c.Team,
            RelatedTeams = a.Team is { } t && t != c.Team ? [t] : [],
            Items = [ItemRef.Of(c), ItemRef.Of(a)],
            Title = $"{c.Key} (WSJF {Evidence.Round(wc)}) is ranked below {a.Key} (WSJF {Evidence.Round(wa)}) in {b.Name}'s backlog",
            Evidence = new PrioInversionEvidence(Backlog(b), Valued(x, a, ai), Valued(x, c, ci), wa > 0 ? Evidence.Round(wc / wa) : null,
                x.Options.InversionRatio, atStake, move),
            Action = $"Reconsider the order: {move}, or correct the value inputs if they are wrong.",
            Score = 30 + Math.Min(20, atStake), Subject = $"{c.Source}/{c.Key}",
        };
    }

    /// <summary>DEP-RANK's value waiting on a blocker: the WSJF of the dependents' epics; null without value data (the evidence is as before).</summary>
    public static ValueWaitingEvidence? Waiting(SnapshotIndex x, IEnumerable<SnapshotItem> dependents)
    {
        if (!x.Value.Any) return null;
        var epics = dependents.Select(d => d.Type == WorkItemType.Epic ? d : x.EpicOf(d)).OfType<SnapshotItem>().Distinct()
            .Select(e => (e, f: x.Value.Wsjf(e))).Where(p => p.f.Wsjf is not null)
            .OrderByDescending(p => p.f.Wsjf).ThenBy(p => p.e.Key, StringComparer.Ordinal).ToList();
        return epics.Count == 0 ? null
            : new ValueWaitingEvidence(epics.Select(p => new EpicValueEvidence(p.e.Source, p.e.Key, p.e.Url, p.e.Title, p.f.ToEvidence())).ToList(),
                Evidence.Round(epics[0].f.Wsjf!.Value));
    }

    public static BacklogEvidence Backlog(ValueBacklog b) =>
        new(b.Kind == BacklogKind.Team ? "team" : "productOwner", b.Id, b.Name, b.Level, b.Items.Count);

    private static ValuedItemEvidence Valued(SnapshotIndex x, SnapshotItem i, int pos) => new(Evidence.Item(x, i), pos + 1, x.Value.Wsjf(i).ToEvidence());
}
