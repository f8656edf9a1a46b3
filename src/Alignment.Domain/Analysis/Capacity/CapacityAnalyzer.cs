namespace Alignment.Domain.Analysis.Capacity;

/// <summary>CAP-OVERCOMMIT, CAP-VOLATILE, CAP-SAYDO, CAP-DIP and CAP-DEPENDENCY-LOAD from the sprint figures (docs/figures.md) and capacities.</summary>
public static class CapacityAnalyzer
{
    public static IEnumerable<Finding> Analyze(SnapshotIndex x)
    {
        var plannedPoints = x.Snapshot.Items.Where(i => i.Team is not null && i.SprintId is not null && !i.IsDone && !i.IsRemoved)
            .GroupBy(i => (i.Team!, i.Source, i.SprintId!)).ToDictionary(g => g.Key, g => g.Sum(i => i.Points ?? 0));
        var needed = DependencyLoad(x);

        foreach (var team in x.Snapshot.Teams.OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var v = x.Velocity[team.Id];
            var enough = v.Count >= x.Options.MinHistorySprints && v.P50 > 0;
            if (enough && Overcommit(x, team, v, plannedPoints) is { } overcommit) yield return overcommit;
            if (Volatile(x, team, v) is { } volatile_) yield return volatile_;
            if (SayDo(x, team, v) is { } sayDo) yield return sayDo;
            if (enough && Dip(x, team, v, plannedPoints) is { } dip) yield return dip;
            if (enough && needed.TryGetValue(team.Id, out var load) && DependencyLoadFinding(x, team, v, load) is { } dependencyLoad) yield return dependencyLoad;
        }
    }

    /// <summary>CAP-OVERCOMMIT: the active sprint's commitment, else the next sprint's planned points.</summary>
    private static Finding? Overcommit(SnapshotIndex x, SnapshotTeam team, TeamVelocity v, Dictionary<(string, string, string), double> plannedPoints)
    {
        var o = x.Options;
        foreach (var sprint in new[] { x.Active[team.Id], x.Next[team.Id] }.OfType<SnapshotSprint>())
        {
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
            return new Finding
            {
                Rule = RuleId.CapOvercommit, Severity = critical ? Severity.Critical : Severity.Warning, Team = team.Id,
                Title = $"{team.Name}: {sprint.Name} commits {committed:0.#} points against {expected:0.#} expected ({over:P0} over)",
                Evidence = new OvercommitEvidence(Evidence.Sprint(sprint), committed,
                    figure is null ? "points of the items planned in the sprint" : $"sprint figures ({figure.Basis})", Evidence.Velocity(v), capacity, normal,
                    Evidence.Round(factor), Evidence.Round(expected), Evidence.Round(over), new OvercommitThresholds(o.OvercommitWarning, o.OvercommitCritical)),
                Action = $"Take about {committed - expected:0.#} points out of {sprint.Name}, starting with the lowest-ranked items that nothing depends on.",
                Score = (critical ? 80 : 45) + Math.Min(15, over * 10), Subject = $"{team.Id}:{sprint.Source}/{sprint.Id}",
            };
        }
        return null;
    }

    private static Finding? Volatile(SnapshotIndex x, SnapshotTeam team, TeamVelocity v)
    {
        var o = x.Options;
        if (v.Count < o.MinHistorySprints || v.Cv is not { } cv || cv <= o.VolatileCv) return null;
        return new Finding
        {
            Rule = RuleId.CapVolatile, Severity = Severity.Info, Team = team.Id,
            Title = $"{team.Name}: velocity varies a lot (coefficient of variation {cv:0.00} over {v.Count} sprints)",
            Evidence = new VolatileVelocityEvidence(Evidence.Velocity(v), o.VolatileCv),
            Action = "Plan with the velocity range (P15–P85) rather than one number, and look for the cause in the retrospective.",
            Score = 10 + Math.Min(9, cv * 10), Subject = team.Id,
        };
    }

    private static Finding? SayDo(SnapshotIndex x, SnapshotTeam team, TeamVelocity v)
    {
        var o = x.Options;
        var last = x.SayDoWindow[team.Id].Where(f => f.SayDo is not null).ToList();
        if (last.Count < Math.Min(o.SayDoSprints, o.MinHistorySprints)) return null;
        var avg = last.Average(f => f.SayDo!.Value);
        if (avg >= o.SayDoMinimum - 1e-9) return null;
        return new Finding
        {
            Rule = RuleId.CapSayDo, Severity = Severity.Warning, Team = team.Id,
            Title = $"{team.Name}: say/do averages {avg:0.00} over the last {last.Count} sprints",
            Evidence = new SayDoEvidence(last.Select(f => new SayDoSprintEvidence(f.SprintId, f.SayDo, f.Committed, f.Completed)).ToList(),
                Evidence.Round(avg), o.SayDoMinimum),
            Action = "Commit to less in planning (use the P50 velocity) and protect the sprint from added scope.",
            Score = 40 + (o.SayDoMinimum - avg) * 20, Subject = team.Id,
        };
    }

    private static Finding? Dip(SnapshotIndex x, SnapshotTeam team, TeamVelocity v, Dictionary<(string, string, string), double> plannedPoints)
    {
        var o = x.Options;
        if (x.Next[team.Id] is not { } next || x.NormalCapacity[team.Id] is not { } normalCap || normalCap <= 0
            || !x.Capacity.TryGetValue((team.Id, next.Source, next.Id), out var nextCap)) return null;
        var ratio = nextCap / normalCap;
        var planned = plannedPoints.GetValueOrDefault((team.Id, next.Source, next.Id));
        if (ratio >= o.CapacityDip || planned <= v.P50 * ratio) return null;
        return new Finding
        {
            Rule = RuleId.CapDip, Severity = Severity.Warning, Team = team.Id,
            Title = $"{team.Name}: {next.Name} has {ratio:P0} of normal capacity but {planned:0.#} points planned",
            Evidence = new CapacityDipEvidence(Evidence.Sprint(next), nextCap, normalCap, Evidence.Round(ratio), planned, Evidence.Velocity(v),
                Evidence.Round(v.P50 * ratio), o.CapacityDip),
            Action = $"Reduce {next.Name} to about {v.P50 * ratio:0.#} points.",
            Score = 45, Subject = $"{team.Id}:{next.Source}/{next.Id}",
        };
    }

    /// <summary>CAP-DEPENDENCY-LOAD: the points of <paramref name="load"/> (open items other teams need by its next sprint) against P50.</summary>
    private static Finding? DependencyLoadFinding(SnapshotIndex x, SnapshotTeam team, TeamVelocity v, List<SnapshotItem> load)
    {
        var o = x.Options;
        var points = load.Sum(b => b.Points ?? 0);
        if (points <= v.P50 * o.DependencyLoad) return null;
        var dependents = load.SelectMany(b => x.DependentsOf.GetValueOrDefault(b) ?? []).Where(d => d.Team != team.Id && d.Team is not null)
            .Select(d => d.Team!).Distinct().Order(StringComparer.Ordinal).ToList();
        var blockers = load.OrderBy(b => b.Key, StringComparer.Ordinal).ToList();
        return new Finding
        {
            Rule = RuleId.CapDependencyLoad, Severity = Severity.Warning, Team = team.Id, RelatedTeams = dependents, Items = blockers.Select(ItemRef.Of).ToList(),
            Title = $"{team.Name}: other teams need {points:0.#} points from it by its next sprint (P50 velocity {v.P50:0.#})",
            Evidence = new DependencyLoadEvidence(points, Evidence.Velocity(v), o.DependencyLoad, Evidence.Items(x, blockers), dependents),
            Action = "Plan these blockers first and agree with the dependent teams what can wait.",
            Score = 40, Subject = team.Id,
        };
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
