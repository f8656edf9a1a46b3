namespace Alignment.Domain.Analysis.Dependencies;

/// <summary>
/// DEP-UNSCHEDULED, DEP-LATE, DEP-CYCLE and DEP-RANK over the resolved dependency graph (both trackers).
/// Timing compares calendar dates, since teams run different cadences: a blocker whose sprint's last day
/// is after the dependent sprint's last day is late; one whose sprint ends inside the dependent's sprint is at risk.
/// </summary>
public static class DependencyAnalyzer
{
    public static IEnumerable<Finding> Analyze(SnapshotIndex x)
    {
        foreach (var f in Timing(x)) yield return f;
        foreach (var f in Cycles(x)) yield return f;
        foreach (var f in Rank(x)) yield return f;
    }

    private static bool OtherTeam(SnapshotItem a, SnapshotItem b) => a.Team != b.Team;

    private static IEnumerable<Finding> Timing(SnapshotIndex x)
    {
        foreach (var (dep, blocker) in x.Dependencies)
        {
            if (!dep.IsOpen || !blocker.IsOpen) continue;
            if (x.PlannedSprint(dep) is not { } ds) continue;
            var subject = $"{dep.Source}/{dep.Key}<-{blocker.Source}/{blocker.Key}";
            var items = new[] { ItemRef.Of(dep), ItemRef.Of(blocker) };
            var related = new[] { blocker.Team }.OfType<string>().Where(t => t != dep.Team).ToList();
            var active = ds.State == SprintState.Active;
            var bs = x.PlannedSprint(blocker);
            if (bs is null)
            {
                if (!OtherTeam(dep, blocker)) continue;
                yield return new Finding
                {
                    Rule = RuleId.DepUnscheduled, Severity = active ? Severity.Critical : Severity.Warning, Team = dep.Team, RelatedTeams = related, Items = items,
                    Title = $"{dep.Key} ({ds.Name}) depends on {blocker.Key} of {x.TeamName(blocker.Team)}, which is not planned in any sprint",
                    Evidence = new UnscheduledBlockerEvidence(Evidence.Item(x, dep), Evidence.Item(x, blocker)),
                    Action = $"Ask {x.TeamName(blocker.Team)} to plan {blocker.Key} in a sprint that ends before {Evidence.D(ds.FirstDay)}, or move {dep.Key} out of {ds.Name}.",
                    Score = active ? 100 : 60, Subject = subject,
                };
                continue;
            }
            if (ds.FirstDay is not { } depFirst || ds.LastDay is not { } depLast || bs.LastDay is not { } blockLast) continue;
            if (blockLast < depFirst) continue; // finishes before the dependent starts
            BlockerTimingEvidence TimingEvidence(int? daysLate, string definition) =>
                new(Evidence.Item(x, dep), Evidence.Item(x, blocker), depFirst, depLast, blockLast, daysLate, definition);
            if (blockLast > depLast)
                yield return new Finding
                {
                    Rule = RuleId.DepLate, Severity = active ? Severity.Critical : Severity.Warning, Team = dep.Team, RelatedTeams = related, Items = items,
                    Title = $"{dep.Key} ({ds.Name}, ends {Evidence.D(depLast)}) depends on {blocker.Key} ({bs.Name}, ends {Evidence.D(blockLast)})",
                    Evidence = TimingEvidence(blockLast.DayNumber - depLast.DayNumber, "the blocker's sprint ends (calendar date) after the dependent item's sprint ends"),
                    Action = $"Bring {blocker.Key} forward into a sprint of {x.TeamName(blocker.Team)} that ends before {Evidence.D(depFirst)}, or move {dep.Key} to a sprint starting after {Evidence.D(blockLast)}.",
                    Score = (active ? 90 : 50) + Math.Min(9, (blockLast.DayNumber - depLast.DayNumber) / 7.0), Subject = subject,
                };
            else if (OtherTeam(dep, blocker))
                yield return new Finding
                {
                    Rule = RuleId.DepLate, Severity = Severity.Info, Team = dep.Team, RelatedTeams = related, Items = items,
                    Title = $"{dep.Key} ({ds.Name}) depends on {blocker.Key} ({bs.Name}), planned in an overlapping sprint: at risk",
                    Evidence = TimingEvidence(null, "the blocker's sprint ends while the dependent item's sprint is running (same or overlapping sprint): at risk"),
                    Action = $"Agree with {x.TeamName(blocker.Team)} to finish {blocker.Key} early in {bs.Name}, and pick up {dep.Key} after it.",
                    Score = 20, Subject = subject,
                };
        }
    }

    /// <summary>DEP-CYCLE: a strongly connected component of open items owned by two or more teams.</summary>
    private static IEnumerable<Finding> Cycles(SnapshotIndex x)
    {
        List<SnapshotItem> Next(SnapshotItem i) => x.BlockersOf.TryGetValue(i, out var b) ? b : [];
        foreach (var comp in Components(x))
        {
            var teams = comp.Select(i => i.Team).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            if (teams.Count < 2) continue;
            var members = comp.OrderBy(i => i.Source, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal).ToList();
            var set = new HashSet<SnapshotItem>(members, ReferenceEqualityComparer.Instance);
            var edges = members.SelectMany(d => Next(d).Where(set.Contains).Select(b => new DependencyEdgeEvidence($"{d.Source}/{d.Key}", $"{b.Source}/{b.Key}")))
                .ToList();
            var trackers = members.Select(i => i.Source).Distinct().Count();
            yield return new Finding
            {
                Rule = RuleId.DepCycle, Severity = Severity.Critical, Team = members[0].Team, RelatedTeams = teams.Where(t => t != members[0].Team).ToList(),
                Items = members.Select(ItemRef.Of).ToList(),
                Title = $"Dependency cycle across {teams.Count} teams: {string.Join(" → ", members.Select(i => i.Key))}",
                Evidence = new DependencyCycleEvidence(Evidence.Items(x, members), edges, teams, trackers),
                Action = "Break the cycle: agree which item goes first and remove or reverse one of the dependency links.",
                Score = 100 + members.Count, Subject = "cycle:" + string.Join(",", members.Select(i => $"{i.Source}/{i.Key}")),
            };
        }
    }

    /// <summary>Strongly connected components (iterative Tarjan) of the open items' dependency graph with more than one item, O(V + E).</summary>
    private static List<List<SnapshotItem>> Components(SnapshotIndex x)
    {
        var nodes = x.BlockersOf.Keys.Where(i => i.IsOpen).ToList();
        var index = new Dictionary<SnapshotItem, int>(ReferenceEqualityComparer.Instance);
        var low = new Dictionary<SnapshotItem, int>(ReferenceEqualityComparer.Instance);
        var onStack = new HashSet<SnapshotItem>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<SnapshotItem>();
        var counter = 0;
        var components = new List<List<SnapshotItem>>();
        List<SnapshotItem> Next(SnapshotItem i) => x.BlockersOf.TryGetValue(i, out var b) ? b : [];

        foreach (var root in nodes)
        {
            if (index.ContainsKey(root)) continue;
            var work = new Stack<(SnapshotItem Node, int Edge)>();
            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root); onStack.Add(root);
            while (work.Count > 0)
            {
                var (v, e) = work.Pop();
                var next = Next(v);
                if (e < next.Count)
                {
                    work.Push((v, e + 1));
                    var w = next[e];
                    if (!w.IsOpen) continue;
                    if (!index.ContainsKey(w))
                    {
                        index[w] = low[w] = counter++;
                        stack.Push(w); onStack.Add(w);
                        work.Push((w, 0));
                    }
                    else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
                    continue;
                }
                if (low[v] == index[v])
                {
                    var comp = new List<SnapshotItem>();
                    SnapshotItem w;
                    do { w = stack.Pop(); onStack.Remove(w); comp.Add(w); } while (!ReferenceEquals(w, v));
                    if (comp.Count > 1) components.Add(comp);
                }
                if (work.Count > 0) { var parent = work.Peek().Node; low[parent] = Math.Min(low[parent], low[v]); }
            }
        }

        return components;
    }

    private static IEnumerable<Finding> Rank(SnapshotIndex x)
    {
        var position = new Dictionary<SnapshotItem, (int Pos, int Count)>(ReferenceEqualityComparer.Instance);
        foreach (var (_, list) in x.Backlogs)
            for (var k = 0; k < list.Count; k++) position[list[k]] = (k, list.Count);
        var seen = new HashSet<SnapshotItem>(ReferenceEqualityComparer.Instance);
        foreach (var (dep, blocker) in x.Dependencies)
        {
            if (!dep.IsOpen || !blocker.IsOpen || !OtherTeam(dep, blocker) || x.PlannedSprint(dep) is null) continue;
            if (!position.TryGetValue(blocker, out var p) || p.Count < 2 || p.Pos < p.Count / 2.0) continue;
            if (!seen.Add(blocker)) continue;
            var dependents = (x.DependentsOf.GetValueOrDefault(blocker) ?? []).Where(d => d.IsOpen && d.Team != blocker.Team && x.PlannedSprint(d) is not null)
                .OrderBy(d => d.Key, StringComparer.Ordinal).ToList();
            yield return new Finding
            {
                Rule = RuleId.DepRank, Severity = Severity.Warning, Team = blocker.Team,
                RelatedTeams = dependents.Select(d => d.Team).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList(),
                Items = [ItemRef.Of(blocker), .. dependents.Select(ItemRef.Of)],
                Title = $"{blocker.Key} blocks planned work of {string.Join(", ", dependents.Select(d => x.TeamName(d.Team)).Distinct())} but ranks {p.Pos + 1} of {p.Count} in {x.TeamName(blocker.Team)}'s backlog",
                Evidence = new BlockerRankEvidence(Evidence.Item(x, blocker), p.Pos + 1, p.Count, Evidence.Items(x, dependents))
                    { ValueWaiting = Prioritisation.ValueAnalyzer.Waiting(x, dependents) },
                Action = $"Move {blocker.Key} up {x.TeamName(blocker.Team)}'s backlog so it can be planned before the work that needs it.",
                Score = 40, Subject = $"{blocker.Source}/{blocker.Key}",
            };
        }
    }
}
