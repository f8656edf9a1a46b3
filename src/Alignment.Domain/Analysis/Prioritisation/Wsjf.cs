namespace Alignment.Domain.Analysis.Prioritisation;

/// <summary>Where an item's job size came from: its job-size field, or the remaining points of its descendants.</summary>
public enum JobSizeFrom { Field, RemainingPoints }

/// <summary>
/// An epic's or feature's WSJF (docs/figures.md, "WSJF"): cost of delay = business value + time criticality + risk reduction/opportunity
/// enablement (the inputs that are there; null when none is), job size = the job-size field when above 0, else the points of the item's
/// open descendant stories, bugs and other backlog work when above 0, else unknown; WSJF = cost of delay ÷ job size, null when either is.
/// </summary>
public sealed record WsjfFigure(double? BusinessValue, double? TimeCriticality, double? RiskReduction, double? CostOfDelay, double? JobSize,
    JobSizeFrom? JobSizeFrom, double? Wsjf)
{
    public const string Definition =
        "WSJF = (business value + time criticality + risk reduction/opportunity enablement) ÷ job size; the inputs from the tracker's value fields " +
        "(Sources:N:Fields; an absent input counts 0, none at all = no cost of delay); job size from the job-size field when above 0, else the " +
        "remaining points (open descendant stories, bugs and other backlog work); no WSJF without a cost of delay or a job size above 0 (docs/figures.md)";

    /// <summary>The figure of one item (pure; the index gives the descendants).</summary>
    public static WsjfFigure Of(SnapshotIndex x, SnapshotItem i)
    {
        var v = i.Value;
        double? cod = v is { HasCostOfDelay: true } ? (v.BusinessValue ?? 0) + (v.TimeCriticality ?? 0) + (v.RiskReduction ?? 0) : null;
        double? size = null;
        JobSizeFrom? from = null;
        if (v?.JobSize is > 0 and var js) (size, from) = (js, Prioritisation.JobSizeFrom.Field);
        else
        {
            var remaining = x.Descendants(i).Where(d => d.IsOpen && d.IsBacklogWork).Sum(d => d.Points ?? 0);
            if (remaining > 0) (size, from) = (remaining, Prioritisation.JobSizeFrom.RemainingPoints);
        }
        return new WsjfFigure(v?.BusinessValue, v?.TimeCriticality, v?.RiskReduction, cod, size, from,
            cod is { } c && size is { } s ? c / s : null);
    }

    public WsjfEvidence ToEvidence() => new(BusinessValue, TimeCriticality, RiskReduction, CostOfDelay, JobSize,
        JobSizeFrom switch { Prioritisation.JobSizeFrom.Field => "field", Prioritisation.JobSizeFrom.RemainingPoints => "remainingPoints", _ => null },
        Wsjf is { } w ? Evidence.Round(w) : null);
}

/// <summary>
/// The value lookups of one analysis, built lazily (on the analyzers' thread): each open epic's and feature's WSJF, the sources whose
/// items carry value inputs at all, and the ranked backlogs of epics and of features per team and per product owner.
/// </summary>
public sealed class ValueIndex
{
    private readonly SnapshotIndex _x;
    private readonly Dictionary<SnapshotItem, WsjfFigure> _wsjf = new(ReferenceEqualityComparer.Instance);

    public ValueIndex(SnapshotIndex x)
    {
        _x = x;
        var portfolio = x.Snapshot.Items.Where(i => i.Type is WorkItemType.Epic or WorkItemType.Feature).ToList();
        SourcesWithValues = portfolio.Where(i => i.Value is { HasCostOfDelay: true }).Select(i => i.Source).ToHashSet(StringComparer.Ordinal);
        Backlogs = portfolio.Where(i => i.IsOpen && i.Team is not null)
            .GroupBy(i => (i.Team!, i.Type))
            .Select(g => new ValueBacklog(BacklogKind.Team, g.Key.Item1, x.TeamName(g.Key.Item1), g.Key.Type, Ranked(g)))
            .OrderBy(b => b.Id, StringComparer.Ordinal).ThenBy(b => b.Level)
            .ToList();
    }

    /// <summary>Sources with at least one epic or feature that carries a cost-of-delay input: their value fields are in use.</summary>
    public HashSet<string> SourcesWithValues { get; }

    public bool Any => SourcesWithValues.Count > 0;

    /// <summary>Each team's open epics, and its open features, in rank order (unranked last, by key).</summary>
    public IReadOnlyList<ValueBacklog> Backlogs { get; }

    /// <summary>
    /// Each product owner's backlog per source and level, when they own two or more teams there: their teams' items merged in rank order
    /// (a source's rank is one order across its teams). A product owner of one team has that team's backlog.
    /// </summary>
    public IEnumerable<ValueBacklog> OwnerBacklogs() =>
        _x.Snapshot.Teams.Where(t => !string.IsNullOrEmpty(t.ProductOwner))
            .GroupBy(t => (Owner: t.ProductOwner!.ToLowerInvariant(), t.Source))
            .Where(g => g.Count() > 1)
            .SelectMany(g =>
            {
                var teams = g.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                return Backlogs.Where(b => teams.Contains(b.Id)).GroupBy(b => b.Level)
                    .Select(l => new ValueBacklog(BacklogKind.ProductOwner, g.Key.Owner, g.First().ProductOwner!, l.Key, Ranked(l.SelectMany(b => b.Items))));
            })
            .OrderBy(b => b.Id, StringComparer.Ordinal).ThenBy(b => b.Level);

    public WsjfFigure Wsjf(SnapshotItem i)
    {
        if (_wsjf.TryGetValue(i, out var f)) return f;
        return _wsjf[i] = WsjfFigure.Of(_x, i);
    }

    private static List<SnapshotItem> Ranked(IEnumerable<SnapshotItem> items) =>
        items.OrderBy(i => i.Rank ?? "\uffff", StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal).ToList();
}

public enum BacklogKind { Team, ProductOwner }

/// <summary>A ranked backlog of one level (epics or features) of a team or a product owner.</summary>
public sealed record ValueBacklog(BacklogKind Kind, string Id, string Name, WorkItemType Level, IReadOnlyList<SnapshotItem> Items);
