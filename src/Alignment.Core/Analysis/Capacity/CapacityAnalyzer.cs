namespace Alignment.Core.Analysis.Capacity;

/// <summary>CAP-OVERCOMMIT, CAP-VOLATILE, CAP-SAYDO, CAP-DIP and CAP-DEPENDENCY-LOAD from the sprint figures (DESIGN §6) and capacities.</summary>
public static class CapacityAnalyzer
{
    public static IEnumerable<Finding> Analyze(SnapshotIndex x)
    {
        var o = x.Options;
        var plannedPoints = x.Snapshot.Items.Where(i => i.Team is not null && i.SprintId is not null && !i.IsDone && i.StatusCategory != "removed")
            .GroupBy(i => (i.Team!, i.Source, i.SprintId!)).ToDictionary(g => g.Key, g => g.Sum(i => i.Points ?? 0));
        var needed = DependencyLoad(x);

        foreach (var team in x.Snapshot.Teams.OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var v = x.Velocity[team.Id];
            var enough = v.Count >= o.MinHistorySprints && v.P50 > 0;

            // CAP-OVERCOMMIT: the active sprint's commitment, else the next sprint's planned points.
            foreach (var sprint in new[] { x.Active[team.Id], x.Next[team.Id] }.OfType<SnapshotSprint>())
            {
                if (!enough) break;
                var figure = x.Figures.GetValueOrDefault((team.Id, sprint.Source, sprint.Id));
                var committed = figure?.Committed ?? plannedPoints.GetValueOrDefault((team.Id, sprint.Source, sprint.Id));
                var capacity = x.Capacity.TryGetValue((team.Id, sprint.Source, sprint.Id), out var c) ? c : (double?)null;
                var normal = x.NormalCapacity[team.Id];
                var factor = capacity is { } cap && normal is > 0 ? cap / normal.Value : 1.0;
                var expected = v.P50 * factor;
                if (expected <= 0) continue;
                var over = committed / expected - 1;
                if (over <= o.OvercommitWarning + 1e-9) continue; // a boundary value is not over
                var critical = over > o.OvercommitCritical + 1e-9;
                yield return new Finding(Rules.CapOvercommit, critical ? Severity.Critical : Severity.Warning, team.Id, [], [],
                    $"{team.Name}: {sprint.Name} commits {committed:0.#} points against {expected:0.#} expected ({over:P0} over)",
                    new Dictionary<string, object?>
                    {
                        ["sprint"] = Evidence.Sprint(sprint), ["committedPoints"] = committed,
                        ["committedFrom"] = figure is null ? "points of the items planned in the sprint" : $"sprint figures ({figure.Basis})",
                        ["velocity"] = Evidence.Velocity(v), ["capacityDays"] = capacity, ["normalCapacityDays"] = normal,
                        ["capacityFactor"] = Evidence.Round(factor), ["expectedPoints"] = Evidence.Round(expected), ["overBy"] = Evidence.Round(over),
                        ["thresholds"] = new { warning = o.OvercommitWarning, critical = o.OvercommitCritical },
                        ["definition"] = "commitment ÷ (P50 velocity × available capacity ÷ normal capacity) − 1",
                    },
                    $"Take about {committed - expected:0.#} points out of {sprint.Name}, starting with the lowest-ranked items that nothing depends on.",
                    (critical ? 80 : 45) + Math.Min(15, over * 10), $"{team.Id}:{sprint.Source}/{sprint.Id}");
                break;
            }

            // CAP-VOLATILE
            if (v.Count >= o.MinHistorySprints && v.Cv is { } cv && cv > o.VolatileCv)
                yield return new Finding(Rules.CapVolatile, Severity.Info, team.Id, [], [],
                    $"{team.Name}: velocity varies a lot (coefficient of variation {cv:0.00} over {v.Count} sprints)",
                    new Dictionary<string, object?> { ["velocity"] = Evidence.Velocity(v), ["threshold"] = o.VolatileCv,
                        ["definition"] = "sample standard deviation (n − 1) ÷ mean of the completed points of the last closed sprints" },
                    "Plan with the velocity range (P15–P85) rather than one number, and look for the cause in the retrospective.",
                    10 + Math.Min(9, cv * 10), team.Id);

            // CAP-SAYDO
            var last = x.SayDoWindow[team.Id].Where(f => f.SayDo is not null).ToList();
            if (last.Count >= Math.Min(o.SayDoSprints, o.MinHistorySprints))
            {
                var avg = last.Average(f => f.SayDo!.Value);
                if (avg < o.SayDoMinimum - 1e-9)
                    yield return new Finding(Rules.CapSayDo, Severity.Warning, team.Id, [], [],
                        $"{team.Name}: say/do averages {avg:0.00} over the last {last.Count} sprints",
                        new Dictionary<string, object?>
                        {
                            ["sayDo"] = last.Select(f => new { sprint = f.SprintId, f.SayDo, f.Committed, f.Completed }).ToList(),
                            ["average"] = Evidence.Round(avg), ["threshold"] = o.SayDoMinimum,
                            ["definition"] = "completed ÷ committed points per sprint, averaged",
                        },
                        "Commit to less in planning (use the P50 velocity) and protect the sprint from added scope.",
                        40 + (o.SayDoMinimum - avg) * 20, team.Id);
            }

            // CAP-DIP
            if (x.Next[team.Id] is { } next && x.NormalCapacity[team.Id] is > 0 and var normalCap
                && x.Capacity.TryGetValue((team.Id, next.Source, next.Id), out var nextCap) && enough)
            {
                var ratio = nextCap / normalCap;
                var planned = plannedPoints.GetValueOrDefault((team.Id, next.Source, next.Id));
                if (ratio < o.CapacityDip && planned > v.P50 * ratio)
                    yield return new Finding(Rules.CapDip, Severity.Warning, team.Id, [], [],
                        $"{team.Name}: {next.Name} has {ratio:P0} of normal capacity but {planned:0.#} points planned",
                        new Dictionary<string, object?>
                        {
                            ["sprint"] = Evidence.Sprint(next), ["capacityDays"] = nextCap, ["normalCapacityDays"] = normalCap,
                            ["ratio"] = Evidence.Round(ratio), ["plannedPoints"] = planned, ["velocity"] = Evidence.Velocity(v),
                            ["reducedTarget"] = Evidence.Round(v.P50 * ratio), ["threshold"] = o.CapacityDip,
                            ["definition"] = "next sprint's available person-days ÷ the median of recent sprints, and planned points above P50 × that ratio",
                        },
                        $"Reduce {next.Name} to about {v.P50 * ratio:0.#} points.",
                        45, $"{team.Id}:{next.Source}/{next.Id}");
            }

            // CAP-DEPENDENCY-LOAD
            if (enough && needed.TryGetValue(team.Id, out var load))
            {
                var points = load.Sum(b => b.Points ?? 0);
                if (points > v.P50 * o.DependencyLoad)
                {
                    var dependents = load.SelectMany(b => x.DependentsOf.GetValueOrDefault(b) ?? []).Where(d => d.Team != team.Id && d.Team is not null)
                        .Select(d => d.Team!).Distinct().Order(StringComparer.Ordinal).ToList();
                    yield return new Finding(Rules.CapDependencyLoad, Severity.Warning, team.Id, dependents,
                        load.OrderBy(b => b.Key, StringComparer.Ordinal).Select(ItemRef.Of).ToList(),
                        $"{team.Name}: other teams need {points:0.#} points from it by its next sprint (P50 velocity {v.P50:0.#})",
                        new Dictionary<string, object?>
                        {
                            ["neededPoints"] = points, ["velocity"] = Evidence.Velocity(v), ["threshold"] = o.DependencyLoad,
                            ["blockers"] = load.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => Evidence.Item(x, b)).ToList(), ["teams"] = dependents,
                            ["definition"] = "points of the team's open items that block other teams' work planned to start by the end of the team's next sprint",
                        },
                        "Plan these blockers first and agree with the dependent teams what can wait.",
                        40, team.Id);
                }
            }
        }
    }

    /// <summary>Per team: its open items that other teams' planned work (starting by the end of this team's next sprint) depends on.</summary>
    private static Dictionary<string, List<SnapshotItem>> DependencyLoad(SnapshotIndex x)
    {
        var result = new Dictionary<string, HashSet<SnapshotItem>>();
        foreach (var (dep, blocker) in x.Dependencies)
        {
            if (blocker.Team is null || dep.Team == blocker.Team || !dep.IsOpen || !blocker.IsOpen) continue;
            if (x.PlannedSprint(dep) is not { FirstDay: { } starts }) continue;
            var horizon = (x.Next.GetValueOrDefault(blocker.Team) ?? x.Active.GetValueOrDefault(blocker.Team))?.LastDay;
            if (horizon is null || starts > horizon) continue;
            if (!result.TryGetValue(blocker.Team, out var set)) result[blocker.Team] = set = new(ReferenceEqualityComparer.Instance);
            set.Add(blocker);
        }
        return result.ToDictionary(kv => kv.Key, kv => kv.Value.ToList());
    }
}
