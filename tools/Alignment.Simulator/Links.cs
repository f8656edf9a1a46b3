namespace Alignment.Simulator;

public sealed partial class SimulatedOrganisation
{
    private static bool IsWorkItem(Item it) => it.Type is ItemType.Story or ItemType.Bug or ItemType.Task;

    internal static Sprint? OpenSprint(Item it) => it.Tracker == Tracker.Jira
        ? it.JiraSprints?.Where(s => s.State != SprintState.Closed).OrderBy(s => s.Start).FirstOrDefault()
        : it.Iteration is { State: not SprintState.Closed } s ? s : null;

    internal static bool IsOpen(Item it) => !Statuses.IsDone(it.Status) && it.Status != 6;

    /// <summary>
    /// Plants the intended problems (a cycle, late and unscheduled blockers), then random links up to the wanted
    /// count. The steps draw from the organisation's random source in this order.
    /// </summary>
    private void CreateLinks()
    {
        long now = NowMs;
        var intended = new HashSet<Item>();
        var jira = Teams.Where(t => t.Tracker == Tracker.Jira).ToList();
        var ado = Teams.Where(t => t.Tracker == Tracker.Ado).ToList();
        if (Options.Intervals) PlantBlockers(intended);
        CreateCycle(intended, jira, ado, now);
        CreateLateAndUnscheduledBlockers(intended, now);
        CreateRandomLinks(intended, jira, ado, now);
    }

    /// <summary>The open work items of the team's active sprint that carry no planted link yet, by index.</summary>
    private static List<Item> ActiveOpen(Team t, HashSet<Item> intended) =>
        t.Sprints.Find(s => s.State == SprintState.Active) is { } a
            ? a.Members.Where(m => IsOpen(m) && IsWorkItem(m) && !intended.Contains(m)).OrderBy(m => m.Index).ToList()
            : [];

    /// <summary>An open, unscheduled work item untouched for two days, best rank first, preferably below <paramref name="maxIndex"/>.</summary>
    private static Item? BacklogPick(Team t, int maxIndex, HashSet<Item> intended, long now)
    {
        var candidates = t.Items.Where(i => IsWorkItem(i) && IsOpen(i) && OpenSprint(i) is null && !intended.Contains(i) && i.Updated < now - 2 * Day).ToList();
        return candidates.Where(i => i.Index < maxIndex).OrderBy(i => i.Rank).FirstOrDefault() ?? candidates.OrderBy(i => i.Rank).FirstOrDefault();
    }

    /// <summary>A dependency cycle across three teams that spans both trackers.</summary>
    private void CreateCycle(HashSet<Item> intended, List<Team> jira, List<Team> ado, long now)
    {
        if (!(Teams.Count >= 3 && jira.Count >= 1 && ado.Count >= 1)) return;
        var cycleTeams = jira.Count >= 2 ? new[] { jira[0], jira[1], ado[0] } : [jira[0], ado[0], ado[1]];
        foreach (var t in cycleTeams)
        {
            var pick = ActiveOpen(t, intended).FirstOrDefault() ?? BacklogPick(t, int.MaxValue, intended, now);
            if (pick is null) break;
            CycleItems.Add(pick);
            intended.Add(pick);
        }
        if (CycleItems.Count == 3)
            for (int k = 0; k < 3; k++)
                AddLink(LinkKind.Blocks, CycleItems[k], CycleItems[(k + 1) % 3], now - (3 - k) * Hour);
        else CycleItems.Clear();
    }

    /// <summary>Blockers scheduled in a sprint that ends after the dependent's sprint, and unscheduled blockers.</summary>
    private void CreateLateAndUnscheduledBlockers(HashSet<Item> intended, long now)
    {
        var r = _rng;
        int n = Teams.Count;
        for (int k = 0; k < Math.Min(n, 6) && n >= 2; k++)
        {
            var depTeam = Teams[(k * 5 + 1) % n];
            var blockTeam = Teams[(k * 5 + 2 + k % 2) % n];
            if (blockTeam == depTeam) blockTeam = Teams[(depTeam.Index + 1) % n];
            var dep = ActiveOpen(depTeam, intended).LastOrDefault();
            if (dep is null) continue;
            var blocker = BacklogPick(blockTeam, dep.Index, intended, now);
            if (blocker is null) continue;
            if (k % 2 == 0)
            {
                var sd = OpenSprint(dep)!;
                var later = blockTeam.Sprints.Find(s => s.State == SprintState.Future && s.FinishDay > sd.FinishDay.AddDays(1));
                if (later is null) continue;
                Apply(blocker, new Ev { At = now - Between(r, 2 * Hour, Day), Kind = EvKind.Sprint, A = -1, B = later.Index });
            }
            intended.Add(dep);
            intended.Add(blocker);
            AddLink(LinkKind.Blocks, blocker, dep, now - Between(r, 10 * Minute, Hour));
        }
    }

    /// <summary>Random links: blockers always have a lower index than their dependents, so they cannot form cycles.</summary>
    private void CreateRandomLinks(HashSet<Item> intended, List<Team> jira, List<Team> ado, long now)
    {
        var r = _rng;
        var pairs = new HashSet<(int, int)>();
        int total = Options.Links < 0 ? Options.Items / 10 : Options.Links;
        int wanted = Math.Max(0, total - LinkList.Count);
        var byTeam = Teams.Select(t => t.Items.Where(i => IsWorkItem(i) && !intended.Contains(i)).ToList()).ToArray();
        var pool = byTeam.SelectMany(x => x).ToList();
        int relates = wanted / 5;
        for (int made = 0, attempts = 0; made < wanted + relates && attempts < (wanted + relates) * 5 && pool.Count > 1; attempts++)
        {
            bool isRelates = made >= wanted;
            var d = pool[r.Next(pool.Count)];
            double x = r.NextDouble();
            Team other;
            if (x < 0.2) other = d.Team;
            else if (x < 0.7 || isRelates)
            {
                var same = d.Tracker == Tracker.Jira ? jira : ado;
                other = same[r.Next(same.Count)];
            }
            else
            {
                var opp = d.Tracker == Tracker.Jira ? ado : jira;
                other = opp.Count > 0 ? opp[r.Next(opp.Count)] : d.Team;
            }
            var list = byTeam[other.Index];
            if (list.Count == 0) continue;
            var b = list[r.Next(list.Count)];
            if (b == d) continue;
            var (from, to) = b.Index < d.Index ? (b, d) : (d, b);
            if (!pairs.Add((from.Index, to.Index))) continue;
            long lo = Math.Max(from.Created, to.Created) + Hour;
            AddLink(isRelates ? LinkKind.Relates : LinkKind.Blocks, from, to, Between(r, lo, Math.Max(lo + Minute, now - Hour)));
            made++;
        }
    }

    private void AddLink(LinkKind kind, Item from, Item to, long created)
    {
        var l = new Link { Index = LinkList.Count, Kind = kind, From = from, To = to, JiraId = 20_000 + LinkList.Count, Created = created };
        LinkList.Add(l);
        (from.Links ??= []).Add(l.Index);
        (to.Links ??= []).Add(l.Index);
        InsertEvent(from, new Ev { At = created, Kind = from.Tracker == Tracker.Jira && to.Tracker == Tracker.Ado ? EvKind.RemoteLink : EvKind.Link, A = l.Index });
        InsertEvent(to, new Ev { At = created, Kind = to.Tracker == Tracker.Jira && from.Tracker == Tracker.Ado ? EvKind.RemoteLink : EvKind.Link, A = l.Index });
    }

    private void InsertEvent(Item it, Ev ev)
    {
        ev.Id = ++_eventCounter;
        int pos = it.Events.Count;
        while (pos > 0 && it.Events[pos - 1].At > ev.At) pos--;
        it.Events.Insert(pos, ev);
    }
}
