namespace Alignment.Simulator;

public sealed partial class SimulatedOrganisation
{
    // Boundary rule used everywhere (truth and generation): an item is in a sprint "at its start" when the
    // events with time <= start put it there, and "at its end" when the events with time < complete do.
    // Generated events keep at least a minute away from sprint boundaries, except the Azure DevOps
    // carry-over move, which happens exactly at the next sprint's start (midnight UTC).

    /// <summary>Runs a team's simulation up to <paramref name="until"/> (inclusive).</summary>
    private void Run(Team t, long until)
    {
        while (true)
        {
            long planAt = long.MaxValue, startAt = long.MaxValue, closeAt = long.MaxValue;
            Sprint? toPlan = t.NextSprintToPlan < t.Sprints.Count ? t.Sprints[t.NextSprintToPlan] : null;
            if (toPlan is not null) planAt = PlanAt(toPlan);
            Sprint? toStart = t.Sprints.Find(s => s.State == SprintState.Future && t.Sprints.IndexOf(s) < t.NextSprintToPlan);
            if (toStart is not null) startAt = toStart.Start;
            Sprint? toClose = t.NextSprintToClose < t.Sprints.Count && t.Sprints[t.NextSprintToClose].State == SprintState.Active ? t.Sprints[t.NextSprintToClose] : null;
            if (toClose is not null) closeAt = toClose.Complete;
            long next = Math.Min(planAt, Math.Min(startAt, closeAt));
            if (next > until) break;
            if (next == startAt)
            {
                Flush(t, startAt, inclusive: true);
                toStart!.State = SprintState.Active;
            }
            else if (next == closeAt)
            {
                Flush(t, closeAt, inclusive: false);
                Close(t, toClose!);
            }
            else
            {
                Flush(t, planAt, inclusive: true);
                Plan(t, toPlan!);
                t.NextSprintToPlan++;
            }
        }
        Flush(t, until, inclusive: true);
    }

    private void Flush(Team t, long upTo, bool inclusive)
    {
        if (t.Pending.Count == 0) return;
        var due = t.Pending.Where(p => inclusive ? p.Ev.At <= upTo : p.Ev.At < upTo).ToList();
        if (due.Count == 0) return;
        t.Pending.RemoveAll(p => inclusive ? p.Ev.At <= upTo : p.Ev.At < upTo);
        due.Sort((a, b) => a.Ev.At != b.Ev.At ? a.Ev.At.CompareTo(b.Ev.At) : a.Ev.Id.CompareTo(b.Ev.Id));
        foreach (var p in due) Apply(p.Item, p.Ev);
    }

    private void Schedule(Item it, long at, EvKind kind, int a, int b) =>
        it.Team.Pending.Add(new Ev2 { Item = it, Ev = new Ev { At = at, Kind = kind, A = a, B = b, Id = (int)(++_seq) } });

    /// <summary>Applies an event now: updates the item's state and appends it to its history.</summary>
    private void Apply(Item it, Ev ev)
    {
        switch (ev.Kind)
        {
            case EvKind.Status:
                if (it.Status == ev.B) return;
                ev.A = it.Status;
                it.Status = ev.B;
                if (ev.B == 6) it.InBacklog = false;
                break;
            case EvKind.Points:
                if (it.Points == ev.B) return;
                ev.A = it.Points;
                it.Points = ev.B;
                break;
            case EvKind.Sprint:
                var from = ev.A >= 0 ? Sprints[ev.A] : null;
                var to = ev.B >= 0 ? Sprints[ev.B] : null;
                if (it.Tracker == Tracker.Jira)
                {
                    it.JiraSprints ??= [];
                    if (from is not null && !it.JiraSprints.Remove(from)) ev.A = -1;
                    if (to is not null)
                    {
                        if (it.JiraSprints.Contains(to)) ev.B = -1;
                        else it.JiraSprints.Add(to);
                    }
                    if (ev.A < 0 && ev.B < 0) return;
                }
                else
                {
                    if (it.Iteration == to) return;
                    ev.A = it.Iteration?.Index ?? -1;
                    from = it.Iteration;
                    it.Iteration = to;
                }
                if (from is not null) from.Members.Remove(it);
                if (to is not null)
                {
                    to.Members.Add(it);
                    to.Touched.Add(it);
                    it.InBacklog = false;
                }
                if (!it.InOpenSprint && !Statuses.IsDone(it.Status) && it.Status != 6) BacklogPushFront(it);
                break;
        }
        ev.Id = ++_eventCounter;
        it.Events.Add(ev);
        if (_capture is not null && it.Tracker == Tracker.Ado) _capture.Add((it, it.Rev));
    }

    private long Between(Random r, long lo, long hi) => hi <= lo ? lo : lo + r.NextInt64(hi - lo);

    private Sprint EnsureSprint(Team t, int ordinal)
    {
        while (t.Sprints.Count <= ordinal)
        {
            var last = t.Sprints[^1];
            AddSprint(t, last.StartDay.AddDays(t.SprintDays), last.Number + 1);
        }
        return t.Sprints[ordinal];
    }

    private static double PointsOf(Item it) => it.Points < 0 ? 0 : it.Points;

    private void Plan(Team t, Sprint s)
    {
        var r = t.Rng;
        long planAt = PlanAt(s);
        // Planned ahead (PI planning): the items go in before the interval's first sprint starts.
        long entryBy = PlannedWith(s) is { } first ? first.Start : s.Start;
        double target = t.Velocity * t.CommitFactor * (t.SprintDays / 14.0);
        double have = s.Members.Sum(PointsOf);
        if (s.Ordinal > 0 && t.Sprints[s.Ordinal - 1] is { State: not SprintState.Closed } prev && !(Options.Intervals && prev.State == SprintState.Future))
            have += prev.Members.Where(m => !Statuses.IsDone(m.Status)).Sum(PointsOf) * 0.8;
        double pDone = Math.Clamp(0.92 / t.CommitFactor, 0.3, 0.95);
        var next = EnsureSprint(t, s.Ordinal + 1);
        if (Options.Intervals) EnsureIntervalSprints(t, s);

        foreach (var m in s.Members.OrderBy(m => m.Index).ToList()) PlanItem(m, s, next, s.Start, pDone, committed: true);

        var committed = new List<Item>();
        var tooNew = new List<Item>();
        while (have < target && TakeBacklog(t) is { } it)
        {
            if (it.Created >= planAt - Minute) { tooNew.Add(it); continue; }
            committed.Add(it);
            have += Math.Max(1, PointsOf(it));
        }
        var planted = Options.Intervals ? PlantSlip(t, s, committed) : null;
        foreach (var it in committed)
        {
            Schedule(it, Between(r, planAt, entryBy - Minute), EvKind.Sprint, -1, s.Index);
            if (it != planted) PlanItem(it, s, next, s.Start, pDone, committed: true);
        }

        // Scope added mid-sprint.
        int adds = r.Next(0, t.Overcommits ? 2 : 4);
        for (int k = 0; k < adds && TakeBacklog(t) is { } it; k++)
        {
            long at = Between(r, s.Start + Day, s.End - 2 * Day);
            if (it.Created >= at) { tooNew.Add(it); continue; }
            Schedule(it, at, EvKind.Sprint, -1, s.Index);
            PlanItem(it, s, next, at, pDone, committed: false);
        }

        // Now and then a backlog item is removed (ADO) or re-estimated during refinement.
        foreach (var it in tooNew) { it.InBacklog = true; t.Backlog.Add(it); }
        if (t.Tracker == Tracker.Ado && t.Backlog.Count > 10 && r.NextDouble() < 0.3)
        {
            var it = t.Backlog[^1];
            if (it.InBacklog && it.Created < planAt - Day)
            {
                it.InBacklog = false;
                Schedule(it, planAt + Minute, EvKind.Status, 0, 6);
            }
        }
        if (t.Backlog.Count > 5 && r.NextDouble() < 0.5)
        {
            var it = t.Backlog[r.Next(Math.Min(20, t.Backlog.Count))];
            if (it.InBacklog && it.Created < planAt - Day) Schedule(it, planAt + Minute, EvKind.Points, 0, PointScale[r.Next(PointScale.Length)]);
        }
    }

    private static Item? TakeBacklog(Team t)
    {
        while (t.Backlog.Count > 0)
        {
            var it = t.Backlog[0];
            t.Backlog.RemoveAt(0);
            if (!it.InBacklog) continue;
            it.InBacklog = false;
            return it;
        }
        return null;
    }

    private static void BacklogPushFront(Item it)
    {
        if (it.InBacklog) return;
        it.InBacklog = true;
        it.Team.Backlog.Insert(0, it);
    }

    /// <summary>Plans what happens to an item during a sprint it is in (or enters at <paramref name="entry"/>).</summary>
    private void PlanItem(Item it, Sprint s, Sprint next, long entry, double pDone, bool committed)
    {
        var r = it.Team.Rng;
        long lo = Math.Max(entry, s.Start) + Hour, hi = s.End - Hour;
        int status = it.Status;
        if (Statuses.IsDone(status) || hi - lo < 4 * Hour) return;

        // Estimate changed after the start.
        if (committed && r.NextDouble() < 0.1)
        {
            int to = it.Points < 0 ? PointScale[r.Next(4)] : PointScale[Math.Clamp(Array.IndexOf(PointScale, it.Points) + (r.NextDouble() < 0.6 ? 1 : -1), 0, 5)];
            Schedule(it, Between(r, lo, Math.Min(hi, lo + 3 * Day)), EvKind.Points, 0, to);
        }

        // Removed mid-sprint: back to the backlog, or to the next sprint.
        if (committed && r.NextDouble() < 0.07 && hi - lo > 3 * Day)
        {
            long at = Between(r, lo + Day, hi - Day);
            if (status < 2 && r.NextDouble() < 0.3) Schedule(it, Between(r, lo, at - Hour), EvKind.Status, 0, 2);
            Schedule(it, at, EvKind.Sprint, s.Index, r.NextDouble() < 0.5 ? next.Index : -1);
            return;
        }

        if (r.NextDouble() < pDone)
        {
            long done = Between(r, lo + (hi - lo) / 6, hi);
            long t0 = lo;
            if (status < 2)
            {
                t0 = Between(r, lo, done - 2 * Hour);
                Schedule(it, t0, EvKind.Status, 0, 2);
            }
            if (r.NextDouble() < 0.5) Schedule(it, Between(r, t0 + Hour, done - Hour), EvKind.Status, 0, 3);
            Schedule(it, done, EvKind.Status, 0, r.NextDouble() < 0.2 ? 5 : 4);
            // Done, then reopened.
            if (r.NextDouble() < 0.04 && done + 3 * Hour < hi)
            {
                long reopen = Between(r, done + Hour, hi - Hour);
                Schedule(it, reopen, EvKind.Status, 0, 2);
                if (r.NextDouble() < 0.5 && reopen + Hour < hi) Schedule(it, Between(r, reopen + 30 * Minute, hi), EvKind.Status, 0, 4);
            }
        }
        else if (status < 2 && r.NextDouble() < 0.6)
        {
            Schedule(it, Between(r, lo, hi), EvKind.Status, 0, 2);
        }
    }

    private void Close(Team t, Sprint s)
    {
        var r = t.Rng;
        s.State = SprintState.Closed;
        t.NextSprintToClose = s.Ordinal + 1;
        var next = EnsureSprint(t, s.Ordinal + 1);
        EnsureSprint(t, s.Ordinal + 3);
        bool nextPlanned = t.NextSprintToPlan > next.Ordinal;
        double pDone = Math.Clamp(0.92 / t.CommitFactor, 0.3, 0.95);
        foreach (var it in s.Members.OrderBy(m => m.Index).ToList())
        {
            if (Statuses.IsDone(it.Status)) continue;
            bool carry = r.NextDouble() < 0.85;
            if (carry || _forceCarry.Contains(it))
            {
                if (t.Tracker == Tracker.Jira) Apply(it, new Ev { At = s.Complete, Kind = EvKind.Sprint, A = -1, B = next.Index });
                else Schedule(it, next.Start, EvKind.Sprint, s.Index, next.Index);
                if (nextPlanned) PlanItem(it, next, EnsureSprint(t, next.Ordinal + 1), next.Start, pDone, committed: true);
            }
            else if (t.Tracker == Tracker.Jira)
            {
                // Jira keeps the closed sprint in the field; the issue is simply back in the backlog.
                BacklogPushFront(it);
            }
            else Apply(it, new Ev { At = s.Complete, Kind = EvKind.Sprint, A = s.Index, B = -1 });
        }
    }

    /// <summary>Moves simulated time forward; closes and starts sprints, changes items, adds a few new ones.</summary>
    internal void Advance(int days) => AdvanceBy(days * Day);

    /// <summary>As <see cref="Advance"/>, by <paramref name="ms"/> milliseconds (at least an hour).</summary>
    internal void AdvanceBy(long ms)
    {
        long from = NowMs, until = NowMs + Math.Max(Hour, ms);
        Version++;
        _capture = [];
        foreach (var t in Teams)
        {
            int newItems = 1 + t.Rng.Next(0, 2);
            for (int k = 0; k < newItems; k++)
            {
                var it = NewItem(t, t.Rng.NextDouble() < 0.3 ? ItemType.Bug : ItemType.Story, Between(t.Rng, from + Hour, until - Hour));
                it.Points0 = t.Rng.NextDouble() < 0.3 ? -1 : PointScale[t.Rng.Next(4)];
                it.Parent = t.Items.FirstOrDefault(e => e.Type is ItemType.Epic or ItemType.Feature && !Statuses.IsDone(e.Status));
                // Created in (from, until]; joins the backlog.
                PendingCreate(it);
            }
            Run(t, until);
        }
        NowMs = until;
        var batch = _capture;
        _capture = null;
        batch.Sort((a, b) =>
        {
            int c = RevisionTime(a.Item, a.Rev).CompareTo(RevisionTime(b.Item, b.Rev));
            return c != 0 ? c : a.Item.Id != b.Item.Id ? a.Item.Id.CompareTo(b.Item.Id) : a.Rev.CompareTo(b.Rev);
        });
        AdoRevisionLog.AddRange(batch);
    }

    private void PendingCreate(Item it)
    {
        Register(it);
        if (it.Tracker == Tracker.Ado) _capture?.Add((it, 1));
        it.InBacklog = true;
        it.Team.Backlog.Add(it);
    }

    internal static long RevisionTime(Item it, int rev) => rev <= 1 ? it.Created : it.Events[rev - 2].At;

    private void BuildRevisionLog()
    {
        AdoRevisionLog.Clear();
        foreach (var it in Items)
            if (it.Tracker == Tracker.Ado)
                for (int rev = 1; rev <= it.Rev; rev++)
                    AdoRevisionLog.Add((it, rev));
        AdoRevisionLog.Sort((a, b) =>
        {
            int c = RevisionTime(a.Item, a.Rev).CompareTo(RevisionTime(b.Item, b.Rev));
            return c != 0 ? c : a.Item.Id != b.Item.Id ? a.Item.Id.CompareTo(b.Item.Id) : a.Rev.CompareTo(b.Rev);
        });
    }
}
