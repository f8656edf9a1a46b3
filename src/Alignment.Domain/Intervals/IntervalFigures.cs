namespace Alignment.Domain.Intervals;

/// <summary>A planned item and whether it was delivered (done at the end, or done so far while the interval runs).</summary>
public readonly record struct Delivery(string Team, PlannedItem Item, bool Done);

/// <summary>Scope change of a finished interval: unplanned work added, planned work removed.</summary>
public sealed record ScopeChange(double AddedPoints, int AddedCount, double RemovedPoints, int RemovedCount)
{
    /// <summary>Added: the unplanned items' points at the end; removed: the planned points of planned items removed by the end.</summary>
    public static ScopeChange Of(TeamPlan plan, TeamOutcome outcome)
    {
        var plannedPoints = plan.Items.ToDictionary(p => (p.Source, p.ExternalId), p => p.Points ?? 0);
        double added = 0, removed = 0;
        int addedCount = 0, removedCount = 0;
        foreach (var i in outcome.Items)
        {
            if (!i.Planned) { added += i.Points ?? 0; addedCount++; }
            else if (i.Removed) { removed += plannedPoints.GetValueOrDefault((i.Source, i.ExternalId)); removedCount++; }
        }
        return new ScopeChange(added, addedCount, removed, removedCount);
    }

    public static ScopeChange Sum(IEnumerable<ScopeChange> parts) =>
        parts.Aggregate(new ScopeChange(0, 0, 0, 0), (a, b) => new ScopeChange(a.AddedPoints + b.AddedPoints, a.AddedCount + b.AddedCount,
            a.RemovedPoints + b.RemovedPoints, a.RemovedCount + b.RemovedCount));
}

/// <summary>
/// The interval figures of a team or the organisation (docs/figures.md, "Planning intervals") from the planned items and whether each was
/// delivered: the units (epics and features; an item without one is its own unit) planned and delivered, points and business value, and the
/// predictability of each. The organisation passes every team's items: a unit is counted once and is delivered when all of its planned items
/// are, whichever team planned them.
/// </summary>
public static class IntervalFigures
{
    public static MiIntervalFigures Of(IReadOnlyList<Delivery> planned, double? velocity, ScopeChange? scope, IReadOnlyDictionary<SlipReason, int> reasons,
        string explain, IntervalPhase phase)
    {
        var units = planned.GroupBy(d => (d.Item.Source, d.Item.UnitKey))
            .Select(g => (Delivered: g.All(d => d.Done), Value: g.Select(d => d.Item.UnitValue).FirstOrDefault(v => v is not null))).ToList();
        var plannedPoints = planned.Sum(d => d.Item.Points ?? 0);
        var deliveredPoints = planned.Where(d => d.Done).Sum(d => d.Item.Points ?? 0);
        var valued = units.Where(u => u.Value is not null).ToList();
        double? plannedValue = valued.Count == 0 ? null : valued.Sum(u => u.Value!.Value);
        double? deliveredValue = valued.Count == 0 ? null : valued.Where(u => u.Delivered).Sum(u => u.Value!.Value);
        var deliveredUnits = units.Count(u => u.Delivered);
        var soFar = phase == IntervalPhase.Running ? " (so far: the interval is still running)" : "";
        string? notStarted = phase == IntervalPhase.NotStarted ? "the interval has not started for this team: nothing is planned yet" : null;
        string Explain(string figure) => $"{explain}&figure={figure}";
        return new MiIntervalFigures(units.Count, deliveredUnits, plannedPoints, deliveredPoints, plannedValue, deliveredValue,
            Ratio(deliveredUnits, units.Count, IntervalDefinitions.PredictabilityCount + soFar, Explain(Figures[0]), notStarted ?? "nothing was planned"),
            Ratio(deliveredPoints, plannedPoints, IntervalDefinitions.PredictabilityPoints + soFar, Explain(Figures[1]),
                notStarted ?? (planned.Count == 0 ? "nothing was planned" : "no planned item had an estimate at the plan moment")),
            Ratio(deliveredValue ?? 0, plannedValue ?? 0, IntervalDefinitions.PredictabilityValue + soFar, Explain(Figures[2]),
                notStarted ?? "no planned epic or feature has a business value (no value field, or none filled in)"),
            MiFigure.Of(velocity, IntervalDefinitions.Velocity + soFar, Explain(Figures[3]), notStarted ?? "no sprint of the interval has figures yet"),
            MiFigure.Of(scope?.AddedPoints, IntervalDefinitions.ScopeAdded, Explain(Figures[4]), notStarted ?? "measured when the interval has ended for the team"),
            MiFigure.Of(scope?.RemovedPoints, IntervalDefinitions.ScopeRemoved, Explain(Figures[5]), notStarted ?? "measured when the interval has ended for the team"),
            scope?.AddedCount, scope?.RemovedCount, reasons);
    }

    /// <summary>The figures an interval explains (<c>GET /api/mi/intervals/explain?figure=</c>), in the order of <see cref="MiIntervalFigures"/>.</summary>
    public static readonly IReadOnlyList<string> Figures =
        ["predictabilityCount", "predictabilityPoints", "predictabilityValue", "velocity", "scopeAddedPoints", "scopeRemovedPoints"];

    /// <summary>One of <see cref="Figures"/> of <paramref name="f"/>; null for another name.</summary>
    public static MiFigure? Figure(MiIntervalFigures f, string name) => Figures.ToList().IndexOf(name) switch
    {
        0 => f.PredictabilityCount, 1 => f.PredictabilityPoints, 2 => f.PredictabilityValue, 3 => f.Velocity, 4 => f.ScopeAddedPoints,
        5 => f.ScopeRemovedPoints, _ => null,
    };

    private static MiFigure Ratio(double delivered, double planned, string definition, string explain, string reasonWhenNone) =>
        MiFigure.Of(planned > 0 ? delivered / planned : null, definition, explain, reasonWhenNone);

    /// <summary>The reasons of the slipped units, counted once per unit and reason.</summary>
    public static IReadOnlyDictionary<SlipReason, int> CountReasons(IEnumerable<MiSlip> slips) =>
        slips.SelectMany(s => s.Reasons).GroupBy(r => r).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
}
