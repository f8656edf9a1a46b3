
namespace Alignment.Domain.Analysis.Drift;

/// <summary>Backlog drift: EPIC-MISALIGNED and the DRIFT-* rules; DRIFT-EPIC-FORECAST reads the epic forecasts.</summary>
public static class DriftAnalyzer
{
    public static IEnumerable<Finding> Analyze(SnapshotIndex x, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts) =>
        Items(x).Concat(Epics(x, forecasts)).Concat(Teams(x));

    /// <summary>The item rules (DRIFT-STALE, -ORPHAN, -CARRYOVER, -UNESTIMATED, -HIERARCHY): the first part of <see cref="Analyze"/>; needs no forecasts.</summary>
    public static IEnumerable<Finding> Items(SnapshotIndex x)
    {
        var o = x.Options;
        var staleBefore = x.Now.AddDays(-o.StaleDays);

        foreach (var i in x.Snapshot.Items)
        {
            // DRIFT-STALE
            if (i.StatusCategory == "inProgress" && i.UpdatedAt < staleBefore && i.Type is not "epic")
            {
                var days = (int)(x.Now - i.UpdatedAt).TotalDays;
                yield return new Finding(Rules.DriftStale, Severity.Info, i.Team, [], [ItemRef.Of(i)],
                    $"{i.Key} has been in progress without an update for {days} days",
                    new Dictionary<string, object?> { ["item"] = Evidence.Item(x, i), ["updatedAt"] = i.UpdatedAt, ["days"] = days, ["threshold"] = o.StaleDays },
                    $"Check whether {i.Key} is still being worked on; update, split or move it back.", 5 + Math.Min(10, days / 10.0), $"{i.Source}/{i.Key}");
            }

            // DRIFT-ORPHAN
            if (i.IsOpen && i.Type is "story" or "feature" && (i.ParentKey is null || x.Parent(i) is null))
                yield return new Finding(Rules.DriftOrphan, Severity.Info, i.Team, [], [ItemRef.Of(i)],
                    $"{i.Type} {i.Key} has no parent {(i.Type == "story" ? "epic or feature" : "epic")}",
                    new Dictionary<string, object?> { ["item"] = Evidence.Item(x, i), ["parentKey"] = i.ParentKey,
                        ["definition"] = "an open story or feature without a synced parent" },
                    $"Link {i.Key} to the epic or feature it delivers, or question whether it is needed.", 3, $"{i.Source}/{i.Key}");

            // DRIFT-CARRYOVER
            if (i.IsOpen && i.IsStoryLike)
            {
                var closed = i.SprintIds.Select(id => x.Sprints.GetValueOrDefault((i.Source, id))).Where(s => s?.State == "closed").ToList();
                if (closed.Count >= o.CarryOverSprints)
                    yield return new Finding(Rules.DriftCarryOver, Severity.Warning, i.Team, [], [ItemRef.Of(i)],
                        $"{i.Key} has been carried over {closed.Count} sprints without completion",
                        new Dictionary<string, object?>
                        {
                            ["item"] = Evidence.Item(x, i), ["closedSprints"] = closed.Select(s => Evidence.Sprint(s!)).ToList(), ["threshold"] = o.CarryOverSprints,
                            ["definition"] = "an open story or bug that was in this many closed sprints",
                        },
                        $"Split {i.Key} or find out what blocks it; discuss it in the retrospective.", 30 + closed.Count, $"{i.Source}/{i.Key}");
            }
        }

        // DRIFT-UNESTIMATED: stories in the next sprint or in the top N of the ranked backlog.
        foreach (var team in x.Snapshot.Teams)
        {
            var candidates = new List<(SnapshotItem Item, string Where)>();
            if (x.Next[team.Id] is { } next)
                candidates.AddRange(x.ItemsOf(team.Id).Where(i => i.SprintId == next.Id && i.Source == next.Source)
                    .Select(i => (i, $"planned in {next.Name}")));
            if (x.Backlogs.TryGetValue(team.Id, out var backlog))
                candidates.AddRange(backlog.Take(o.UnestimatedTopN).Select((i, k) => (i, $"rank {k + 1} of the backlog")));
            foreach (var (i, where) in candidates.Where(c => c.Item.IsOpen && c.Item.IsStoryLike && c.Item.Points is null).DistinctBy(c => c.Item))
                yield return new Finding(Rules.DriftUnestimated, Severity.Warning, i.Team, [], [ItemRef.Of(i)],
                    $"{i.Key} is {where} but has no estimate",
                    new Dictionary<string, object?> { ["item"] = Evidence.Item(x, i), ["where"] = where, ["topN"] = o.UnestimatedTopN },
                    $"Estimate {i.Key} in the next refinement.", 25, $"{i.Source}/{i.Key}");
        }

        // DRIFT-HIERARCHY
        foreach (var (parentKey, children) in x.Children)
        {
            if (!x.Items.TryGetValue(parentKey, out var parent) || children.Count == 0) continue;
            var open = children.Where(c => c.IsOpen).ToList();
            var allDone = children.All(c => c.IsDone || c.StatusCategory == "removed") && children.Any(c => c.IsDone);
            if (parent.IsDone && open.Count > 0)
                yield return new Finding(Rules.DriftHierarchy, Severity.Info, parent.Team, open.Select(c => c.Team).OfType<string>().Where(t => t != parent.Team).Distinct().Order().ToList(),
                    [ItemRef.Of(parent), .. open.Take(20).Select(ItemRef.Of)],
                    $"{parent.Key} is done while {open.Count} of its children are open",
                    new Dictionary<string, object?> { ["parent"] = Evidence.Item(x, parent), ["openChildren"] = open.Take(50).Select(c => Evidence.Item(x, c)).ToList(), ["openCount"] = open.Count },
                    $"Reopen {parent.Key} or close or move its open children.", 8, $"{parent.Source}/{parent.Key}:parent-done");
            else if (parent.IsOpen && allDone)
                yield return new Finding(Rules.DriftHierarchy, Severity.Info, parent.Team, [], [ItemRef.Of(parent)],
                    $"All {children.Count} children of {parent.Key} are done but it is still open",
                    new Dictionary<string, object?> { ["parent"] = Evidence.Item(x, parent), ["children"] = children.Count },
                    $"Close {parent.Key}, or add the work that is still missing.", 6, $"{parent.Source}/{parent.Key}:children-done");
        }

    }

    /// <summary>EPIC-MISALIGNED, DRIFT-EPIC-SCOPE and DRIFT-EPIC-FORECAST: the second part of <see cref="Analyze"/>.</summary>
    public static IEnumerable<Finding> Epics(SnapshotIndex x, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts)
    {
        var o = x.Options;
        var estimateEvents = x.Snapshot.EstimateEvents.GroupBy(e => (e.Source, e.ExternalId))
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.At).ToList());
        foreach (var epic in x.Snapshot.Items)
        {
            if (epic.Type != "epic" || !epic.IsOpen) continue;
            var stories = x.Descendants(epic).Where(i => i.IsStoryLike).ToList();

            var planned = stories.Where(i => i.IsOpen && i.Team is not null).Select(i => (Item: i, Sprint: x.PlannedSprint(i)))
                .Where(p => p.Sprint?.FirstDay is not null).ToList();
            var byTeam = planned.GroupBy(p => p.Item.Team!).Select(g => g.OrderBy(p => p.Sprint!.FirstDay).First()).OrderBy(p => p.Sprint!.FirstDay).ToList();
            if (byTeam.Count >= 2)
            {
                var first = byTeam[0]; var last = byTeam[^1];
                var gap = last.Sprint!.FirstDay!.Value.DayNumber - first.Sprint!.FirstDay!.Value.DayNumber;
                var length = byTeam.Max(p => x.SprintLengthDays.GetValueOrDefault(p.Item.Team!, 14));
                if (gap > length)
                    yield return new Finding(Rules.EpicMisaligned, Severity.Warning, epic.Team ?? first.Item.Team, byTeam.Select(p => p.Item.Team!).Distinct().Order().ToList(),
                        [ItemRef.Of(epic), .. byTeam.Select(p => ItemRef.Of(p.Item))],
                        $"Epic {epic.Key}: {x.TeamName(first.Item.Team)} starts {Evidence.D(first.Sprint.FirstDay)}, {x.TeamName(last.Item.Team)} {Evidence.D(last.Sprint.FirstDay)} ({gap} days apart)",
                        new Dictionary<string, object?>
                        {
                            ["epic"] = Evidence.Item(x, epic), ["gapDays"] = gap, ["sprintLengthDays"] = length,
                            ["teams"] = byTeam.Select(p => new { team = p.Item.Team, firstStory = Evidence.Item(x, p.Item) }).ToList(),
                            ["definition"] = "the earliest planned sprint start of each team's stories of the epic, more than one sprint length apart",
                        },
                        $"Align the teams' plans for {epic.Key}: bring {x.TeamName(last.Item.Team)}'s part forward or defer the early part.",
                        35, $"{epic.Source}/{epic.Key}");
            }

            // DRIFT-EPIC-SCOPE: total estimate now vs as at the first time any of its stories entered a sprint.
            var firstPlanned = stories.Select(s => s.FirstSprintAddedAt).OfType<DateTimeOffset>().DefaultIfEmpty().Min();
            if (firstPlanned != default)
            {
                double baseline = 0, now = 0;
                foreach (var s in stories)
                {
                    var removed = s.StatusCategory == "removed";
                    if (!removed) now += s.Points ?? 0;
                    // The baseline is what the epic held when first planned: a story removed since still counts there
                    // (its last update stands in for the removal time, the snapshot has no other).
                    if (s.CreatedAt > firstPlanned || (removed && s.UpdatedAt <= firstPlanned)) continue;
                    baseline += EstimateAt(s, firstPlanned, estimateEvents) ?? 0;
                }
                if (baseline > 0 && now > baseline * (1 + o.EpicScopeGrowth))
                    yield return new Finding(Rules.DriftEpicScope, Severity.Warning, epic.Team, stories.Select(s => s.Team).OfType<string>().Where(t => t != epic.Team).Distinct().Order().ToList(),
                        [ItemRef.Of(epic)],
                        $"Epic {epic.Key} grew from {baseline:0.#} to {now:0.#} points ({now / baseline - 1:P0}) since first planned",
                        new Dictionary<string, object?>
                        {
                            ["epic"] = Evidence.Item(x, epic), ["firstPlanned"] = firstPlanned, ["baselinePoints"] = baseline, ["currentPoints"] = now,
                            ["growth"] = Evidence.Round(now / baseline - 1), ["threshold"] = o.EpicScopeGrowth,
                            ["definition"] = "sum of the stories' estimates now vs. the estimates of the stories that existed when the first of them entered a sprint",
                        },
                        $"Review {epic.Key}'s scope with its stakeholders: split off what can wait or re-plan its target.", 35, $"{epic.Source}/{epic.Key}");
            }

            // DRIFT-EPIC-FORECAST
            if (epic.DueDate is { } due && forecasts.TryGetValue((epic.Source, epic.Key), out var f) && f.Status == EpicForecast.Forecast && f.P85 > due)
                yield return new Finding(Rules.DriftEpicForecast, Severity.Critical, epic.Team, f.Parts.Select(p => p.Team).OfType<string>().Where(t => t != epic.Team).Distinct().Order().ToList(),
                    [ItemRef.Of(epic), .. f.Upstream],
                    $"Epic {epic.Key}: 85 % forecast {Evidence.D(f.P85)} is after its target {Evidence.D(due)}",
                    new Dictionary<string, object?>
                    {
                        ["epic"] = Evidence.Item(x, epic), ["target"] = Evidence.D(due), ["p50"] = Evidence.D(f.P50), ["p85"] = Evidence.D(f.P85),
                        ["daysLate"] = f.P85!.Value.DayNumber - due.DayNumber, ["parts"] = f.Parts, ["upstream"] = f.Upstream, ["trials"] = f.Trials, ["seed"] = f.Seed,
                        ["definition"] = "Monte Carlo over each team's recent sprint throughput; the epic finishes when its last part (and its upstream blockers) do",
                    },
                    $"Cut {epic.Key}'s scope, move its target, or raise its priority with the teams that hold the last part.",
                    85 + Math.Min(14, (f.P85!.Value.DayNumber - due.DayNumber) / 7.0), $"{epic.Source}/{epic.Key}");
        }

    }

    /// <summary>DRIFT-SPRINT-SCOPE (active sprint) and DRIFT-READINESS: the last part of <see cref="Analyze"/>; needs no forecasts.</summary>
    public static IEnumerable<Finding> Teams(SnapshotIndex x)
    {
        var o = x.Options;
        foreach (var team in x.Snapshot.Teams)
        {
            if (x.Active[team.Id] is { } active && x.Figures.GetValueOrDefault((team.Id, active.Source, active.Id)) is { Committed: > 0 } fig
                && fig.Added > fig.Committed * o.SprintScopeGrowth)
                yield return new Finding(Rules.DriftSprintScope, Severity.Warning, team.Id, [], [],
                    $"{team.Name}: {fig.Added:0.#} points added to {active.Name} after its start ({fig.Added / fig.Committed:P0} of the commitment)",
                    new Dictionary<string, object?>
                    {
                        ["sprint"] = Evidence.Sprint(active), ["committedPoints"] = fig.Committed, ["addedPoints"] = fig.Added, ["basis"] = fig.Basis,
                        ["share"] = Evidence.Round(fig.Added / fig.Committed), ["threshold"] = o.SprintScopeGrowth,
                    },
                    "Protect the sprint: route new requests through the product owner into the next sprint.", 30, $"{team.Id}:{active.Source}/{active.Id}");

            var v = x.Velocity[team.Id];
            if (v.Count < o.MinHistorySprints || v.P50 <= 0) continue;
            var ready = x.Backlogs.TryGetValue(team.Id, out var backlog) ? backlog.Where(i => i.Points is > 0).ToList() : [];
            var points = ready.Sum(i => i.Points!.Value);
            var sprints = points / v.P50;
            if (sprints < o.ReadinessMinSprints || sprints > o.ReadinessMaxSprints)
            {
                var starving = sprints < o.ReadinessMinSprints;
                yield return new Finding(Rules.DriftReadiness, starving ? Severity.Warning : Severity.Info, team.Id, [], [],
                    starving ? $"{team.Name}: only {points:0.#} estimated points ready in the backlog ({sprints:0.0} sprints)"
                             : $"{team.Name}: {points:0.#} estimated points in the backlog ({sprints:0.0} sprints): bloated",
                    new Dictionary<string, object?>
                    {
                        ["readyPoints"] = points, ["readyItems"] = ready.Count, ["velocity"] = Evidence.Velocity(v), ["sprints"] = Evidence.Round(sprints),
                        ["thresholds"] = new { min = o.ReadinessMinSprints, max = o.ReadinessMaxSprints },
                        ["definition"] = "estimated open stories and bugs in no planned sprint, in sprints of P50 velocity",
                    },
                    starving ? "Refine and estimate more of the backlog before the next planning." : "Prune the backlog: close or park what will not be done in the next few sprints.",
                    starving ? 30 : 8, team.Id);
            }
        }
    }

    private static double? EstimateAt(SnapshotItem i, DateTimeOffset at, Dictionary<(string, string), List<EstimateEvent>> events)
    {
        if (!events.TryGetValue((i.Source, i.ExternalId), out var list) || list.Count == 0) return i.Points;
        EstimateEvent? before = null;
        foreach (var e in list) { if (e.At <= at) before = e; else break; }
        return before is not null ? before.To : list[0].From;
    }
}
