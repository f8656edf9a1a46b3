
namespace Alignment.Domain.Analysis.Drift;

/// <summary>Backlog drift: EPIC-MISALIGNED and the DRIFT-* rules; DRIFT-EPIC-FORECAST reads the epic forecasts.</summary>
public static class DriftAnalyzer
{
    public static IEnumerable<Finding> Analyze(SnapshotIndex x, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts) =>
        Items(x).Concat(Epics(x, forecasts)).Concat(Teams(x));

    /// <summary>The item rules (DRIFT-STALE, -ORPHAN, -CARRYOVER, -UNESTIMATED, -HIERARCHY): the first part of <see cref="Analyze"/>; needs no forecasts.</summary>
    public static IEnumerable<Finding> Items(SnapshotIndex x)
    {
        var staleBefore = x.Now.AddDays(-x.Options.StaleDays);
        foreach (var i in x.Snapshot.Items)
        {
            if (Stale(x, i, staleBefore) is { } stale) yield return stale;
            if (Orphan(x, i) is { } orphan) yield return orphan;
            if (CarryOver(x, i) is { } carryOver) yield return carryOver;
        }
        foreach (var f in Unestimated(x)) yield return f;
        foreach (var f in Hierarchy(x)) yield return f;
    }

    private static Finding? Stale(SnapshotIndex x, SnapshotItem i, DateTimeOffset staleBefore)
    {
        if (i.StatusCategory != StatusCategory.InProgress || i.UpdatedAt >= staleBefore || i.Type == WorkItemType.Epic) return null;
        var days = (int)(x.Now - i.UpdatedAt).TotalDays;
        return new Finding
        {
            Rule = RuleId.DriftStale, Severity = Severity.Info, Team = i.Team, Items = [ItemRef.Of(i)],
            Title = $"{i.Key} has been in progress without an update for {days} days",
            Evidence = new StaleItemEvidence(Evidence.Item(x, i), i.UpdatedAt, days, x.Options.StaleDays),
            Action = $"Check whether {i.Key} is still being worked on; update, split or move it back.", Score = 5 + Math.Min(10, days / 10.0),
            Subject = $"{i.Source}/{i.Key}",
        };
    }

    private static Finding? Orphan(SnapshotIndex x, SnapshotItem i)
    {
        if (!i.IsOpen || i.Type is not (WorkItemType.Story or WorkItemType.Feature) || (i.ParentKey is not null && x.Parent(i) is not null)) return null;
        return new Finding
        {
            Rule = RuleId.DriftOrphan, Severity = Severity.Info, Team = i.Team, Items = [ItemRef.Of(i)],
            Title = $"{i.Type.Name()} {i.Key} has no parent {(i.Type == WorkItemType.Story ? $"{WorkItemType.Epic.Name()} or {WorkItemType.Feature.Name()}" : WorkItemType.Epic.Name())}",
            Evidence = new OrphanEvidence(Evidence.Item(x, i), i.ParentKey),
            Action = $"Link {i.Key} to the epic or feature it delivers, or question whether it is needed.", Score = 3, Subject = $"{i.Source}/{i.Key}",
        };
    }

    private static Finding? CarryOver(SnapshotIndex x, SnapshotItem i)
    {
        if (!i.IsOpen || !i.IsStoryLike) return null;
        var closed = i.SprintIds.Select(id => x.Sprints.GetValueOrDefault((i.Source, id))).OfType<SnapshotSprint>().Where(s => s.State == SprintState.Closed)
            .ToList();
        if (closed.Count < x.Options.CarryOverSprints) return null;
        return new Finding
        {
            Rule = RuleId.DriftCarryOver, Severity = Severity.Warning, Team = i.Team, Items = [ItemRef.Of(i)],
            Title = $"{i.Key} has been carried over {closed.Count} sprints without completion",
            Evidence = new CarryOverEvidence(Evidence.Item(x, i), closed.Select(Evidence.Sprint).ToList(), x.Options.CarryOverSprints),
            Action = $"Split {i.Key} or find out what blocks it; discuss it in the retrospective.", Score = 30 + closed.Count, Subject = $"{i.Source}/{i.Key}",
        };
    }

    /// <summary>DRIFT-UNESTIMATED: stories in the next sprint or in the top N of the ranked backlog.</summary>
    private static IEnumerable<Finding> Unestimated(SnapshotIndex x)
    {
        var o = x.Options;
        foreach (var team in x.Snapshot.Teams)
        {
            var candidates = new List<(SnapshotItem Item, string Where)>();
            if (x.Next[team.Id] is { } next)
                candidates.AddRange(x.ItemsOf(team.Id).Where(i => i.SprintId == next.Id && i.Source == next.Source)
                    .Select(i => (i, $"planned in {next.Name}")));
            if (x.Backlogs.TryGetValue(team.Id, out var backlog))
                candidates.AddRange(backlog.Take(o.UnestimatedTopN).Select((i, k) => (i, $"rank {k + 1} of the backlog")));
            foreach (var (i, where) in candidates.Where(c => c.Item.IsOpen && c.Item.IsStoryLike && c.Item.Points is null).DistinctBy(c => c.Item))
                yield return new Finding
                {
                    Rule = RuleId.DriftUnestimated, Severity = Severity.Warning, Team = i.Team, Items = [ItemRef.Of(i)],
                    Title = $"{i.Key} is {where} but has no estimate",
                    Evidence = new UnestimatedEvidence(Evidence.Item(x, i), where, o.UnestimatedTopN),
                    Action = $"Estimate {i.Key} in the next refinement.", Score = 25, Subject = $"{i.Source}/{i.Key}",
                };
        }
    }

    /// <summary>DRIFT-HIERARCHY: a done parent with open children, an open parent whose children are all done.</summary>
    private static IEnumerable<Finding> Hierarchy(SnapshotIndex x)
    {
        foreach (var (parentKey, children) in x.Children)
        {
            if (!x.Items.TryGetValue(parentKey, out var parent) || children.Count == 0) continue;
            var open = children.Where(c => c.IsOpen).ToList();
            var allDone = children.All(c => c.IsDone || c.IsRemoved) && children.Any(c => c.IsDone);
            if (parent.IsDone && open.Count > 0)
                yield return new Finding
                {
                    Rule = RuleId.DriftHierarchy, Severity = Severity.Info, Team = parent.Team,
                    RelatedTeams = open.Select(c => c.Team).OfType<string>().Where(t => t != parent.Team).Distinct().Order().ToList(),
                    Items = [ItemRef.Of(parent), .. open.Take(20).Select(ItemRef.Of)],
                    Title = $"{parent.Key} is done while {open.Count} of its children are open",
                    Evidence = new OpenChildrenEvidence(Evidence.Item(x, parent), Evidence.Items(x, open.Take(50)), open.Count),
                    Action = $"Reopen {parent.Key} or close or move its open children.", Score = 8, Subject = $"{parent.Source}/{parent.Key}:parent-done",
                };
            else if (parent.IsOpen && allDone)
                yield return new Finding
                {
                    Rule = RuleId.DriftHierarchy, Severity = Severity.Info, Team = parent.Team, Items = [ItemRef.Of(parent)],
                    Title = $"All {children.Count} children of {parent.Key} are done but it is still open",
                    Evidence = new DoneChildrenEvidence(Evidence.Item(x, parent), children.Count),
                    Action = $"Close {parent.Key}, or add the work that is still missing.", Score = 6, Subject = $"{parent.Source}/{parent.Key}:children-done",
                };
        }
    }

    /// <summary>EPIC-MISALIGNED, DRIFT-EPIC-SCOPE and DRIFT-EPIC-FORECAST: the second part of <see cref="Analyze"/>.</summary>
    public static IEnumerable<Finding> Epics(SnapshotIndex x, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts)
    {
        var estimateEvents = x.Snapshot.EstimateEvents.GroupBy(e => (e.Source, e.ExternalId))
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.At).ToList());
        foreach (var epic in x.Snapshot.Items)
        {
            if (epic.Type != WorkItemType.Epic || !epic.IsOpen) continue;
            var stories = x.Descendants(epic).Where(i => i.IsStoryLike).ToList();
            if (Misaligned(x, epic, stories) is { } misaligned) yield return misaligned;
            if (Scope(x, epic, stories, estimateEvents) is { } scope) yield return scope;
            if (Forecast(x, epic, forecasts) is { } forecast) yield return forecast;
        }
    }

    /// <summary>EPIC-MISALIGNED: the earliest planned sprint starts of the teams' stories more than a sprint length apart.</summary>
    private static Finding? Misaligned(SnapshotIndex x, SnapshotItem epic, List<SnapshotItem> stories)
    {
        var planned = stories.Where(i => i.IsOpen && i.Team is not null).Select(i => (Item: i, Sprint: x.PlannedSprint(i)))
            .Where(p => p.Sprint?.FirstDay is not null).ToList();
        var byTeam = planned.GroupBy(p => p.Item.Team!).Select(g => g.OrderBy(p => p.Sprint!.FirstDay).First()).OrderBy(p => p.Sprint!.FirstDay).ToList();
        if (byTeam.Count < 2) return null;
        var first = byTeam[0]; var last = byTeam[^1];
        var gap = last.Sprint!.FirstDay!.Value.DayNumber - first.Sprint!.FirstDay!.Value.DayNumber;
        var length = byTeam.Max(p => x.SprintLengthDays.GetValueOrDefault(p.Item.Team!, 14));
        if (gap <= length) return null;
        return new Finding
        {
            Rule = RuleId.EpicMisaligned, Severity = Severity.Warning, Team = epic.Team ?? first.Item.Team,
            RelatedTeams = byTeam.Select(p => p.Item.Team!).Distinct().Order().ToList(),
            Items = [ItemRef.Of(epic), .. byTeam.Select(p => ItemRef.Of(p.Item))],
            Title = $"Epic {epic.Key}: {x.TeamName(first.Item.Team)} starts {Evidence.D(first.Sprint.FirstDay)}, {x.TeamName(last.Item.Team)} {Evidence.D(last.Sprint.FirstDay)} ({gap} days apart)",
            Evidence = new EpicMisalignedEvidence(Evidence.Item(x, epic), gap, length,
                byTeam.Select(p => new TeamStartEvidence(p.Item.Team, Evidence.Item(x, p.Item))).ToList()),
            Action = $"Align the teams' plans for {epic.Key}: bring {x.TeamName(last.Item.Team)}'s part forward or defer the early part.",
            Score = 35, Subject = $"{epic.Source}/{epic.Key}",
        };
    }

    /// <summary>DRIFT-EPIC-SCOPE: total estimate now vs as at the first time any of its stories entered a sprint.</summary>
    private static Finding? Scope(SnapshotIndex x, SnapshotItem epic, List<SnapshotItem> stories, Dictionary<(string, string), List<EstimateEvent>> estimateEvents)
    {
        var firstPlanned = stories.Select(s => s.FirstSprintAddedAt).OfType<DateTimeOffset>().DefaultIfEmpty().Min();
        if (firstPlanned == default) return null;
        double baseline = 0, now = 0;
        foreach (var s in stories)
        {
            if (!s.IsRemoved) now += s.Points ?? 0;
            // The baseline is what the epic held when first planned: a story removed since still counts there
            // (its last update stands in for the removal time, the snapshot has no other).
            if (s.CreatedAt > firstPlanned || (s.IsRemoved && s.UpdatedAt <= firstPlanned)) continue;
            baseline += EstimateAt(s, firstPlanned, estimateEvents) ?? 0;
        }
        if (baseline <= 0 || now <= baseline * (1 + x.Options.EpicScopeGrowth)) return null;
        return new Finding
        {
            Rule = RuleId.DriftEpicScope, Severity = Severity.Warning, Team = epic.Team,
            RelatedTeams = stories.Select(s => s.Team).OfType<string>().Where(t => t != epic.Team).Distinct().Order().ToList(), Items = [ItemRef.Of(epic)],
            Title = $"Epic {epic.Key} grew from {baseline:0.#} to {now:0.#} points ({now / baseline - 1:P0}) since first planned",
            Evidence = new EpicScopeEvidence(Evidence.Item(x, epic), firstPlanned, baseline, now, Evidence.Round(now / baseline - 1), x.Options.EpicScopeGrowth),
            Action = $"Review {epic.Key}'s scope with its stakeholders: split off what can wait or re-plan its target.", Score = 35,
            Subject = $"{epic.Source}/{epic.Key}",
        };
    }

    /// <summary>DRIFT-EPIC-FORECAST: the 85 % forecast after the epic's due date.</summary>
    private static Finding? Forecast(SnapshotIndex x, SnapshotItem epic, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts)
    {
        if (epic.DueDate is not { } due || !forecasts.TryGetValue((epic.Source, epic.Key), out var f) || f.Status != ForecastStatus.Forecast
            || f is not { P50: { } p50, P85: { } p85 } || p85 <= due) return null;
        return new Finding
        {
            Rule = RuleId.DriftEpicForecast, Severity = Severity.Critical, Team = epic.Team,
            RelatedTeams = f.Parts.Select(p => p.Team).OfType<string>().Where(t => t != epic.Team).Distinct().Order().ToList(),
            Items = [ItemRef.Of(epic), .. f.Upstream],
            Title = $"Epic {epic.Key}: 85 % forecast {Evidence.D(p85)} is after its target {Evidence.D(due)}",
            Evidence = new EpicForecastEvidence(Evidence.Item(x, epic), due, p50, p85, p85.DayNumber - due.DayNumber, f.Parts, f.Upstream, f.Trials, f.Seed),
            Action = $"Cut {epic.Key}'s scope, move its target, or raise its priority with the teams that hold the last part.",
            Score = 85 + Math.Min(14, (p85.DayNumber - due.DayNumber) / 7.0), Subject = $"{epic.Source}/{epic.Key}",
        };
    }

    /// <summary>DRIFT-SPRINT-SCOPE (active sprint) and DRIFT-READINESS: the last part of <see cref="Analyze"/>; needs no forecasts.</summary>
    public static IEnumerable<Finding> Teams(SnapshotIndex x)
    {
        var o = x.Options;
        foreach (var team in x.Snapshot.Teams)
        {
            if (x.Active[team.Id] is { } active && x.Figures.GetValueOrDefault((team.Id, active.Source, active.Id)) is { Committed: > 0 } fig
                && fig.Added > fig.Committed * o.SprintScopeGrowth)
                yield return new Finding
                {
                    Rule = RuleId.DriftSprintScope, Severity = Severity.Warning, Team = team.Id,
                    Title = $"{team.Name}: {fig.Added:0.#} points added to {active.Name} after its start ({fig.Added / fig.Committed:P0} of the commitment)",
                    Evidence = new SprintScopeEvidence(Evidence.Sprint(active), fig.Committed, fig.Added, fig.Basis, Evidence.Round(fig.Added / fig.Committed),
                        o.SprintScopeGrowth),
                    Action = "Protect the sprint: route new requests through the product owner into the next sprint.", Score = 30,
                    Subject = $"{team.Id}:{active.Source}/{active.Id}",
                };
            if (Readiness(x, team) is { } readiness) yield return readiness;
        }
    }

    /// <summary>DRIFT-READINESS: the estimated backlog outside planned sprints, in sprints of P50 velocity, too small or too big.</summary>
    private static Finding? Readiness(SnapshotIndex x, SnapshotTeam team)
    {
        var o = x.Options;
        var v = x.Velocity[team.Id];
        if (v.Count < o.MinHistorySprints || v.P50 <= 0) return null;
        var ready = x.Backlogs.TryGetValue(team.Id, out var backlog) ? backlog.Where(i => i.Points is > 0).ToList() : [];
        var points = ready.Sum(i => i.Points!.Value);
        var sprints = points / v.P50;
        if (sprints >= o.ReadinessMinSprints && sprints <= o.ReadinessMaxSprints) return null;
        var starving = sprints < o.ReadinessMinSprints;
        return new Finding
        {
            Rule = RuleId.DriftReadiness, Severity = starving ? Severity.Warning : Severity.Info, Team = team.Id,
            Title = starving ? $"{team.Name}: only {points:0.#} estimated points ready in the backlog ({sprints:0.0} sprints)"
                             : $"{team.Name}: {points:0.#} estimated points in the backlog ({sprints:0.0} sprints): bloated",
            Evidence = new ReadinessEvidence(points, ready.Count, Evidence.Velocity(v), Evidence.Round(sprints),
                new ReadinessThresholds(o.ReadinessMinSprints, o.ReadinessMaxSprints)),
            Action = starving ? "Refine and estimate more of the backlog before the next planning." : "Prune the backlog: close or park what will not be done in the next few sprints.",
            Score = starving ? 30 : 8, Subject = team.Id,
        };
    }

    private static double? EstimateAt(SnapshotItem i, DateTimeOffset at, Dictionary<(string, string), List<EstimateEvent>> events)
    {
        if (!events.TryGetValue((i.Source, i.ExternalId), out var list) || list.Count == 0) return i.Points;
        EstimateEvent? before = null;
        foreach (var e in list) { if (e.At <= at) before = e; else break; }
        return before is not null ? before.To : list[0].From;
    }
}
