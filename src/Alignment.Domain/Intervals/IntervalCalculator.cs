namespace Alignment.Domain.Intervals;

/// <summary>An item a team's interval reads: its history (by <see cref="ItemReplay"/>), its source and type.</summary>
public sealed record IntervalItem(string Source, WorkItemType Type, ItemReplay Replay)
{
    public ItemHistory History => Replay.History;
    /// <summary>Work a team does in sprints: stories, bugs and other items, not epics, features or tasks.</summary>
    public bool IsBacklogWork => Type is not (WorkItemType.Epic or WorkItemType.Feature or WorkItemType.Task);
}

/// <summary>The epic or feature a planned item counts under, and that unit's business value.</summary>
public sealed record PlanUnit(string Key, WorkItemType Type, double? BusinessValue);

/// <summary>
/// The plan and the outcome of a team's planning interval (docs/figures.md, "Planning intervals"), replayed from item history. Pure.
/// <list type="bullet">
/// <item>Planned: the team's backlog work (stories, bugs, other) that at the plan moment (the start of the team's first sprint of the
/// interval; changes at or before it count) was neither done nor removed and was in one of the team's sprints of the interval; its points
/// are its estimate then.</item>
/// <item>Done at the end: done when the team's last sprint of the interval finished (changes strictly before the finish count).</item>
/// <item>Unplanned: the team's backlog work, not planned, that entered one of those sprints after the plan moment and before the end.</item>
/// <item>Slip reasons of a planned item not done at the end: removed (removed or deleted); else blocked by another team (it depends on another
/// team's item that was neither done nor removed at the end) and/or carried over (it was in the team's last sprint of the interval at the end);
/// else unplanned work (the team took on unplanned work in the interval); else unexplained.</item>
/// </list>
/// </summary>
public static class IntervalCalculator
{
    /// <summary>The team's planned items at <paramref name="planAt"/>; <paramref name="unitOf"/> gives an item's epic or feature.</summary>
    public static List<PlannedItem> Plan(string team, IReadOnlyCollection<string> sprintIds, DateTimeOffset planAt, IEnumerable<IntervalItem> items,
        Func<IntervalItem, PlanUnit> unitOf)
    {
        var planned = new List<PlannedItem>();
        foreach (var it in items)
        {
            if (it.History.TeamId != team || !it.IsBacklogWork) continue;
            var s = it.Replay.At(planAt, inclusive: true, sprintIds);
            if (!s.Exists || s.Sprints.Count == 0 || s.IsDone || s.IsRemoved) continue;
            var unit = unitOf(it);
            planned.Add(new PlannedItem(it.Source, it.History.ExternalId, it.History.Key, unit.Key, unit.Type, unit.BusinessValue, s.Points));
        }
        return planned.OrderBy(p => p.Source, StringComparer.Ordinal).ThenBy(p => p.ExternalId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The outcome at <paramref name="endAt"/> of <paramref name="plan"/>: every planned item (done, or why not) and every unplanned one.
    /// <paramref name="items"/> holds the planned items and every other item that was in the sprints; <paramref name="blockersOf"/> gives the
    /// items an item depends on (any team; other teams' are kept); <paramref name="unitOf"/> an unplanned item's epic or feature.
    /// </summary>
    public static List<OutcomeItem> Outcome(TeamPlan plan, IReadOnlyList<string> sprintIds, DateTimeOffset endAt, IEnumerable<IntervalItem> items,
        Func<IntervalItem, IEnumerable<IntervalItem>> blockersOf, Func<IntervalItem, PlanUnit> unitOf)
    {
        var last = sprintIds.Count == 0 ? null : sprintIds[^1];
        var planned = plan.Items.ToDictionary(p => (p.Source, p.ExternalId));
        var byKey = new Dictionary<(string, string), IntervalItem>();
        foreach (var it in items) byKey.TryAdd((it.Source, it.History.ExternalId), it);

        var unplanned = new List<OutcomeItem>();
        foreach (var it in byKey.Values)
        {
            if (it.History.TeamId != plan.Team || !it.IsBacklogWork || planned.ContainsKey((it.Source, it.History.ExternalId))) continue;
            if (!it.Replay.EnteredBetween(sprintIds, plan.PlanAt, endAt)) continue;
            var s = it.Replay.At(endAt, inclusive: false, sprintIds);
            unplanned.Add(new OutcomeItem(it.Source, it.History.ExternalId, it.History.Key, unitOf(it).Key, Planned: false, s.IsDone, s.IsRemoved,
                s.Points, [], []));
        }

        var result = new List<OutcomeItem>();
        foreach (var p in plan.Items)
        {
            if (!byKey.TryGetValue((p.Source, p.ExternalId), out var it))
            {
                // The item is gone from the store altogether: it left the plan.
                result.Add(new OutcomeItem(p.Source, p.ExternalId, p.Key, p.UnitKey, true, false, true, p.Points, [SlipReason.Removed], []));
                continue;
            }
            var s = it.Replay.At(endAt, inclusive: false, last is null ? [] : [last]);
            if (s.IsDone) { result.Add(new OutcomeItem(p.Source, p.ExternalId, p.Key, p.UnitKey, true, true, false, s.Points, [], [])); continue; }
            var blockers = blockersOf(it)
                .Where(b => b.History.TeamId is { } t && t != plan.Team && b.Replay.At(endAt, inclusive: false, []) is { IsDone: false, IsRemoved: false })
                .Select(b => $"{b.Source}/{b.History.Key}").Distinct().Order(StringComparer.Ordinal).ToList();
            result.Add(new OutcomeItem(p.Source, p.ExternalId, p.Key, p.UnitKey, true, false, s.IsRemoved, s.Points,
                Reasons(s, blockers.Count > 0, last is not null && s.Sprints.Contains(last), unplanned.Count > 0), blockers));
        }
        result.AddRange(unplanned.OrderBy(u => u.Source, StringComparer.Ordinal).ThenBy(u => u.ExternalId, StringComparer.Ordinal));
        return result;
    }

    private static List<SlipReason> Reasons(ItemReplay.State s, bool blocked, bool inLastSprint, bool unplannedWork)
    {
        if (s.IsRemoved) return [SlipReason.Removed];
        var reasons = new List<SlipReason>();
        if (blocked) reasons.Add(SlipReason.BlockedByTeam);
        if (inLastSprint) reasons.Add(SlipReason.CarriedOver);
        if (reasons.Count == 0) reasons.Add(unplannedWork ? SlipReason.UnplannedWork : SlipReason.Unexplained);
        return reasons;
    }

    /// <summary>
    /// The epic or feature an item counts under: its nearest ancestor (through its parents, in its source, up to eight levels) that is an
    /// epic or a feature; the item itself when it has none.
    /// </summary>
    public static PlanUnit UnitOf(string source, string key, WorkItemType type, IReadOnlyDictionary<(string Source, string Key), SnapshotItem> items)
    {
        var current = items.GetValueOrDefault((source, key));
        var parent = current?.ParentKey;
        for (var depth = 0; parent is not null && depth < 8; depth++)
        {
            if (!items.TryGetValue((source, parent), out var p)) break;
            if (p.Type is WorkItemType.Epic or WorkItemType.Feature) return new PlanUnit(p.Key, p.Type, p.Value?.BusinessValue);
            parent = p.ParentKey;
        }
        return new PlanUnit(key, type, current?.Value?.BusinessValue);
    }
}
