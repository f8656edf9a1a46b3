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
            var evidence = new Dictionary<string, object?> { ["dependent"] = Evidence.Item(x, dep), ["blocker"] = Evidence.Item(x, blocker) };
            var active = ds.State == "active";
            var bs = x.PlannedSprint(blocker);
            if (bs is null)
            {
                if (!OtherTeam(dep, blocker)) continue;
                evidence["definition"] = "the dependent item is planned in an active or future sprint; its blocker (another team's) is not done and in no active or future sprint";
                yield return new Finding(Rules.DepUnscheduled, active ? Severity.Critical : Severity.Warning, dep.Team, related, items,
                    $"{dep.Key} ({ds.Name}) depends on {blocker.Key} of {x.TeamName(blocker.Team)}, which is not planned in any sprint",
                    evidence,
                    $"Ask {x.TeamName(blocker.Team)} to plan {blocker.Key} in a sprint that ends before {Evidence.D(ds.FirstDay)}, or move {dep.Key} out of {ds.Name}.",
                    active ? 100 : 60, subject);
                continue;
            }
            if (ds.FirstDay is not { } depFirst || ds.LastDay is not { } depLast || bs.LastDay is not { } blockLast) continue;
            if (blockLast < depFirst) continue; // finishes before the dependent starts
            evidence["dependentStarts"] = Evidence.D(depFirst);
            evidence["dependentEnds"] = Evidence.D(depLast);
            evidence["blockerEnds"] = Evidence.D(blockLast);
            if (blockLast > depLast)
            {
                evidence["daysLate"] = blockLast.DayNumber - depLast.DayNumber;
                evidence["definition"] = "the blocker's sprint ends (calendar date) after the dependent item's sprint ends";
                yield return new Finding(Rules.DepLate, active ? Severity.Critical : Severity.Warning, dep.Team, related, items,
                    $"{dep.Key} ({ds.Name}, ends {Evidence.D(depLast)}) depends on {blocker.Key} ({bs.Name}, ends {Evidence.D(blockLast)})",
                    evidence,
                    $"Bring {blocker.Key} forward into a sprint of {x.TeamName(blocker.Team)} that ends before {Evidence.D(depFirst)}, or move {dep.Key} to a sprint starting after {Evidence.D(blockLast)}.",
                    (active ? 90 : 50) + Math.Min(9, (blockLast.DayNumber - depLast.DayNumber) / 7.0), subject);
            }
            else if (OtherTeam(dep, blocker))
            {
                evidence["definition"] = "the blocker's sprint ends while the dependent item's sprint is running (same or overlapping sprint): at risk";
                yield return new Finding(Rules.DepLate, Severity.Info, dep.Team, related, items,
                    $"{dep.Key} ({ds.Name}) depends on {blocker.Key} ({bs.Name}), planned in an overlapping sprint: at risk",
                    evidence,
                    $"Agree with {x.TeamName(blocker.Team)} to finish {blocker.Key} early in {bs.Name}, and pick up {dep.Key} after it.",
                    20, subject);
            }
        }
    }

    /// <summary>Strongly connected components (iterative Tarjan) of the open items' dependency graph, O(V + E).</summary>
    private static IEnumerable<Finding> Cycles(SnapshotIndex x)
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

        foreach (var comp in components)
        {
            var teams = comp.Select(i => i.Team).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            if (teams.Count < 2) continue;
            var members = comp.OrderBy(i => i.Source, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal).ToList();
            var set = new HashSet<SnapshotItem>(members, ReferenceEqualityComparer.Instance);
            var edges = members.SelectMany(d => Next(d).Where(set.Contains).Select(b => new Dictionary<string, object?>
            {
                ["dependent"] = $"{d.Source}/{d.Key}", ["blocker"] = $"{b.Source}/{b.Key}",
            })).ToList();
            var trackers = members.Select(i => i.Source).Distinct().Count();
            yield return new Finding(Rules.DepCycle, Severity.Critical, members[0].Team, teams.Where(t => t != members[0].Team).ToList(),
                members.Select(ItemRef.Of).ToList(),
                $"Dependency cycle across {teams.Count} teams: {string.Join(" → ", members.Select(i => i.Key))}",
                new Dictionary<string, object?>
                {
                    ["items"] = members.Select(i => Evidence.Item(x, i)).ToList(), ["dependencies"] = edges, ["teams"] = teams,
                    ["sources"] = trackers, ["definition"] = "open items that (transitively) depend on each other, owned by two or more teams",
                },
                "Break the cycle: agree which item goes first and remove or reverse one of the dependency links.",
                100 + members.Count, "cycle:" + string.Join(",", members.Select(i => $"{i.Source}/{i.Key}")));
        }
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
            yield return new Finding(Rules.DepRank, Severity.Warning, blocker.Team,
                dependents.Select(d => d.Team).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList(),
                [ItemRef.Of(blocker), .. dependents.Select(ItemRef.Of)],
                $"{blocker.Key} blocks planned work of {string.Join(", ", dependents.Select(d => x.TeamName(d.Team)).Distinct())} but ranks {p.Pos + 1} of {p.Count} in {x.TeamName(blocker.Team)}'s backlog",
                new Dictionary<string, object?>
                {
                    ["blocker"] = Evidence.Item(x, blocker), ["rank"] = p.Pos + 1, ["backlogSize"] = p.Count,
                    ["dependents"] = dependents.Select(d => Evidence.Item(x, d)).ToList(),
                    ["definition"] = "a blocker of another team's planned work sits in the lower half of its own team's ranked backlog",
                },
                $"Move {blocker.Key} up {x.TeamName(blocker.Team)}'s backlog so it can be planned before the work that needs it.",
                40, $"{blocker.Source}/{blocker.Key}");
        }
    }
}
