using System.Globalization;

namespace Alignment.Domain.Sprints;

/// <summary>A sprint of the team, as the calculator needs it. <see cref="End"/> is the planned end (exclusive).</summary>
public sealed record SprintWindow(string SprintId, string Name, SprintState State, DateTimeOffset? Start, DateTimeOffset? End, DateTimeOffset? CompletedAt)
{
    /// <summary>The sprint is shared by several teams' boards: only the team's own items count for it.</summary>
    public bool Shared { get; init; }

    /// <summary>The instant the sprint's end state is taken at: its completion when known, else its planned end.</summary>
    public DateTimeOffset? Finish => CompletedAt ?? End;
}

/// <summary>
/// One item's history in the domain shape: its current state plus the events (sprint, estimate, status) that led there.
/// The state before the first event of a kind is that event's <c>From</c>; without events it is the current state.
/// </summary>
public sealed record ItemHistory
{
    public required string ExternalId { get; init; }
    public string Key { get; init; } = "";
    public string? TeamId { get; init; }
    public DateTimeOffset CreatedAt { get; init; } = DateTimeOffset.MinValue;
    public double? Points { get; init; }
    public StatusCategory Status { get; init; }
    /// <summary>Sprints the item is in now (Jira keeps closed sprints in the field; Azure DevOps has one).</summary>
    public IReadOnlyCollection<string> SprintIds { get; init; } = [];
    /// <summary>When the item was found deleted (it leaves every sprint then); null when it is not deleted.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
    public IReadOnlyList<ItemEvent> Events { get; init; } = [];
}

/// <summary>What an observed snapshot recorded about one item (flags as computed when the snapshot was taken).</summary>
public sealed record ObservedItem(bool Committed, double? CommittedPoints, bool Added, bool Removed, bool Completed, double? EndPoints);

/// <summary>
/// Observed snapshots of one sprint: <see cref="Start"/> taken when a sync first saw it active (its committed scope and
/// estimates), <see cref="End"/> when a sync first saw it closed. Either may be missing. They win over replaying history.
/// </summary>
public sealed record ObservedSprint(IReadOnlyDictionary<string, ObservedItem>? Start, IReadOnlyDictionary<string, ObservedItem>? End);

public enum FigureBasis { Observed, Reconstructed }

public sealed record SprintFigures(
    string SprintId, FigureBasis Basis,
    double CommittedPoints, double CompletedPoints, double AddedPoints, double RemovedPoints, double CarriedOverPoints,
    int CommittedCount, int CompletedCount, int AddedCount, int RemovedCount, int CarriedOverCount, int CarriedOverTwiceCount,
    int UnestimatedCount, double? SayDo)
{
    public string BasisName => Basis == FigureBasis.Observed ? "observed" : "reconstructed";
}

/// <summary>
/// What happened to one item in one sprint. <see cref="CarryCount"/>: consecutive sprints of the team the item has been
/// carried over into up to this one (0 when it was not carried into this sprint). <see cref="Points"/>: estimate at the end
/// (or now, for the active sprint). <see cref="CommittedPoints"/>: estimate at the start, for committed items.
/// </summary>
public sealed record SprintItemOutcome(
    string SprintId, string ItemExternalId, bool Committed, bool Added, bool Removed, bool Completed, bool CarriedOver,
    int CarryCount, double? Points, double? CommittedPoints, bool InSprintAtEnd);

public sealed record SprintResult(SprintFigures Figures, IReadOnlyList<SprintItemOutcome> Outcomes);

/// <summary>
/// Sprint figures as the Jira velocity chart defines them (docs/figures.md), one definition for both trackers. Pure: no I/O,
/// no clock (the active sprint is measured up to <c>asOf</c>).
/// <list type="bullet">
/// <item>An item is in a sprint at its start when the events at or before the start put it there; at its end when the
/// events strictly before the finish (completion, else planned end) do.</item>
/// <item>committed = in at the start, estimate as at the start; completed = in at the end and done at the end, estimate as
/// at the end; added = entered after the start and before the end (a remove-and-re-add included), estimate at the end;
/// removed = committed or added and not in at the end, estimate at the end.</item>
/// <item>carried over = in at the end, not done, and in the team's next sprint at or after this one's end.</item>
/// <item>An item in a sprint with no event saying how it got there has been in it since it was created (created after the
/// start: added at creation). A deleted item leaves every sprint when it was found deleted.</item>
/// <item>say/do = completed ÷ committed points; when no committed item had an estimate, completed ÷ committed count;
/// null when nothing was committed.</item>
/// </list>
/// </summary>
public static class SprintCalculator
{
    /// <summary>Figures for every started sprint of one team, in the order given (sorted by start here).</summary>
    public static IReadOnlyList<SprintResult> Calculate(IReadOnlyList<SprintWindow> teamSprints, IReadOnlyList<ItemHistory> items,
        DateTimeOffset asOf, IReadOnlyDictionary<string, ObservedSprint>? observed = null, string? teamId = null)
    {
        // Dateless (future) sprints sort last: they can still be the "next sprint" an item is carried over into.
        var ordered = teamSprints.OrderBy(s => s.Start ?? DateTimeOffset.MaxValue).ThenBy(s => s.SprintId, StringComparer.Ordinal).ToList();
        var prepared = items.Select(Prepare).ToList();
        var results = new List<SprintResult>();
        var carryInto = new Dictionary<string, int>(StringComparer.Ordinal); // item → carry count into the current sprint
        for (int i = 0; i < ordered.Count; i++)
        {
            var s = ordered[i];
            if (s.Start is null || s.State == SprintState.Future || (s.State == SprintState.Active && s.Start > asOf)) continue;
            var next = i + 1 < ordered.Count ? ordered[i + 1] : null;
            var start = s.Start!.Value;
            var end = s.State == SprintState.Closed ? s.Finish ?? asOf : asOf;
            if (end < start) end = start;
            ObservedSprint? obs = null;
            observed?.TryGetValue(s.SprintId, out obs);

            var outcomes = new List<SprintItemOutcome>();
            var nextCarry = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var it in prepared)
            {
                if (s.Shared && teamId is not null && it.H.TeamId != teamId) continue;
                int carryCount = carryInto.TryGetValue(it.H.ExternalId, out var c) ? c : 0;
                if (Outcome(it, s, next, start, end, obs, carryCount) is not { } outcome) continue;
                if (outcome.CarriedOver) nextCarry[it.H.ExternalId] = carryCount + 1;
                outcomes.Add(outcome);
            }
            carryInto = nextCarry;

            var basis = obs?.Start is not null ? FigureBasis.Observed : FigureBasis.Reconstructed;
            results.Add(new SprintResult(Totals(s.SprintId, basis, outcomes), outcomes));
        }
        return results;
    }

    /// <summary>
    /// One item's outcome in one sprint: replayed from its history, overridden by the observed snapshots where they exist
    /// (docs/figures.md, "Observed and reconstructed figures"); null when the item was never part of the sprint.
    /// </summary>
    private static SprintItemOutcome? Outcome(Prepared it, SprintWindow s, SprintWindow? next, DateTimeOffset start, DateTimeOffset end,
        ObservedSprint? obs, int carryCount)
    {
        var r = Replay(it, s.SprintId, start, end);
        if (!r.Touched && !(obs?.Start?.ContainsKey(it.H.ExternalId) ?? false) && !(obs?.End?.ContainsKey(it.H.ExternalId) ?? false)) return null;
        bool committed = r.InStart, added = r.Added, removed = (r.InStart || r.Added) && !r.InEnd, completed = r.InEnd && r.DoneEnd;
        double? startPts = r.PointsStart, endPts = r.PointsEnd;
        if (obs?.Start is { } os)
        {
            committed = os.TryGetValue(it.H.ExternalId, out var o) && o.Committed;
            startPts = committed ? o!.CommittedPoints : null;
        }
        if (s.State == SprintState.Closed && obs?.End is { } oe)
        {
            if (oe.TryGetValue(it.H.ExternalId, out var o))
            {
                if (obs.Start is null) { committed = o.Committed; startPts = o.CommittedPoints; }
                added = o.Added; removed = o.Removed; completed = o.Completed; endPts = o.EndPoints;
            }
            else if (obs.Start is null) { committed = added = removed = completed = false; }
            else { added = false; removed = committed; completed = false; }
        }
        if (!committed && !added && !removed && !completed) return null;
        bool inEnd = (committed || added) && !removed;
        bool carried = s.State == SprintState.Closed && inEnd && !completed && next is not null && InAtOrAfter(it, next.SprintId, end);
        return new SprintItemOutcome(s.SprintId, it.H.ExternalId, committed, added, removed, completed, carried,
            carryCount, endPts, committed ? startPts : null, inEnd);
    }

    /// <summary>The sprint's figures summed over its item outcomes (say/do on points, on counts when nothing committed was estimated).</summary>
    private static SprintFigures Totals(string sprintId, FigureBasis basis, IReadOnlyList<SprintItemOutcome> outcomes)
    {
        double cp = 0, dp = 0, ap = 0, rp = 0, op = 0;
        int cc = 0, dc = 0, ac = 0, rc = 0, oc = 0, o2 = 0, un = 0, committedEstimated = 0;
        foreach (var o in outcomes)
        {
            if (o.Committed) { cp += o.CommittedPoints ?? 0; cc++; if (o.CommittedPoints is not null) committedEstimated++; else un++; }
            else if (o.Points is null) un++;
            if (o.Added) { ap += o.Points ?? 0; ac++; }
            if (o.Removed) { rp += o.Points ?? 0; rc++; }
            if (o.Completed) { dp += o.Points ?? 0; dc++; }
            if (o.CarriedOver) { op += o.Points ?? 0; oc++; if (o.CarryCount >= 1) o2++; }
        }
        double? sayDo = cc == 0 ? null : committedEstimated == 0 ? (double)dc / cc : cp == 0 ? null : dp / cp;
        return new SprintFigures(sprintId, basis, cp, dp, ap, rp, op, cc, dc, ac, rc, oc, o2, un, sayDo);
    }

    private sealed record Prepared(ItemHistory H, List<ItemEvent> Events, double? Points0, StatusCategory? Status0);

    private static Prepared Prepare(ItemHistory h)
    {
        var events = h.Events.OrderBy(e => e.At).ToList(); // stable: same-instant events keep the tracker's order
        var firstEstimate = events.FirstOrDefault(e => e.Kind == ItemEventKind.EstimateChanged);
        var firstStatus = events.FirstOrDefault(e => e.Kind == ItemEventKind.StatusChanged);
        return new Prepared(h, events,
            firstEstimate is null ? h.Points : ParsePoints(firstEstimate.From),
            firstStatus is null ? h.Status : ParseStatus(firstStatus.From));
    }

    private readonly record struct Replayed(bool Touched, bool InStart, bool Added, bool InEnd, bool DoneEnd, double? PointsStart, double? PointsEnd);

    /// <summary>Whether the item was in the sprint before any event said so (from its creation).</summary>
    private static bool InitiallyIn(Prepared it, string sprintId)
    {
        foreach (var e in it.Events)
        {
            if (e.Kind == ItemEventKind.SprintAdded && e.To == sprintId) return false;
            if (e.Kind == ItemEventKind.SprintRemoved && e.From == sprintId) return true;
        }
        return it.H.SprintIds.Contains(sprintId);
    }

    private static Replayed Replay(Prepared it, string sprintId, DateTimeOffset start, DateTimeOffset end)
    {
        bool initially = InitiallyIn(it, sprintId);
        bool touched = initially || it.Events.Exists(e => (e.Kind == ItemEventKind.SprintAdded && e.To == sprintId) || (e.Kind == ItemEventKind.SprintRemoved && e.From == sprintId));
        if (!touched) return default;

        // The implicit entry at creation, then the events, then the deletion.
        bool inNow = false, added = false, startTaken = false, inStart = false;
        double? pts = it.Points0, ptsStart = null;
        StatusCategory? st = it.Status0;
        var created = it.H.CreatedAt;
        void Enter(DateTimeOffset at)
        {
            if (!inNow && at > start) added = true;
            inNow = true;
        }
        void TakeStart() { if (!startTaken) { inStart = inNow; ptsStart = pts; startTaken = true; } }

        IEnumerable<(DateTimeOffset At, int Order, ItemEvent? E)> Timeline()
        {
            yield return (created, 0, null);
            foreach (var e in it.Events) yield return (e.At, 1, e);
            if (it.H.DeletedAt is { } d) yield return (d, 2, null);
        }
        foreach (var (at, order, e) in Timeline().OrderBy(x => x.At).ThenBy(x => x.Order))
        {
            if (at > start) TakeStart();
            if (at >= end) break;
            if (order == 0) { if (initially) Enter(at); continue; }
            if (order == 2) { inNow = false; continue; }
            switch (e!.Kind)
            {
                case ItemEventKind.SprintAdded when e.To == sprintId: Enter(at); break;
                case ItemEventKind.SprintRemoved when e.From == sprintId: inNow = false; break;
                case ItemEventKind.EstimateChanged: pts = ParsePoints(e.To); break;
                case ItemEventKind.StatusChanged: st = ParseStatus(e.To); break;
            }
        }
        TakeStart();
        return new Replayed(true, inStart, added, inNow, st == StatusCategory.Done, ptsStart, pts);
    }

    /// <summary>Whether the item is in the sprint at <paramref name="from"/> or enters it afterwards.</summary>
    private static bool InAtOrAfter(Prepared it, string sprintId, DateTimeOffset from)
    {
        bool inNow = false;
        bool initially = InitiallyIn(it, sprintId);
        if (initially && it.H.CreatedAt <= from) inNow = true;
        foreach (var e in it.Events)
        {
            bool relevantAdd = e.Kind == ItemEventKind.SprintAdded && e.To == sprintId;
            bool relevantRemove = e.Kind == ItemEventKind.SprintRemoved && e.From == sprintId;
            if (e.At <= from)
            {
                if (relevantAdd) inNow = true;
                if (relevantRemove) inNow = false;
            }
            else if (relevantAdd) return it.H.DeletedAt is not { } d || d > e.At;
        }
        if (initially && it.H.CreatedAt > from) return true;
        return inNow && (it.H.DeletedAt is not { } del || del > from);
    }

    public static double? ParsePoints(string? value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    /// <summary>A stored status category name (<see cref="DomainNames"/>), or null for none or an unknown one.</summary>
    public static StatusCategory? ParseStatus(string? value) => DomainNames.TryParse<StatusCategory>(value, out var c) ? c : null;
}
