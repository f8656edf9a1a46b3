namespace Alignment.Domain.Sprints;

/// <summary>
/// An item's state at any instant, replayed from its history by the rules of <see cref="SprintCalculator"/> (docs/figures.md, "Sprint
/// figures"): the state before the first event of a kind is that event's <c>From</c> (without one, the current state); an item that lists a
/// sprint with no event saying how it got there has been in it since it was created; a deleted item leaves every sprint when it was found
/// deleted. Same-instant changes apply in the order creation, events (as the tracker ordered them), deletion. Used by the planning intervals,
/// which ask for a state at moments that are not sprint boundaries.
/// </summary>
public sealed class ItemReplay
{
    private readonly ItemHistory _h;
    private readonly List<(DateTimeOffset At, int Order, ItemEvent? E)> _timeline;
    private readonly double? _points0;
    private readonly StatusCategory? _status0;

    public ItemReplay(ItemHistory h)
    {
        _h = h;
        var events = h.Events.OrderBy(e => e.At).ToList(); // stable: same-instant events keep the tracker's order
        var firstEstimate = events.FirstOrDefault(e => e.Kind == ItemEventKind.EstimateChanged);
        var firstStatus = events.FirstOrDefault(e => e.Kind == ItemEventKind.StatusChanged);
        _points0 = firstEstimate is null ? h.Points : SprintCalculator.ParsePoints(firstEstimate.From);
        _status0 = firstStatus is null ? h.Status : SprintCalculator.ParseStatus(firstStatus.From);
        _timeline = [(h.CreatedAt, 0, null)];
        _timeline.AddRange(events.Select(e => (e.At, 1, (ItemEvent?)e)));
        if (h.DeletedAt is { } d) _timeline.Add((d, 2, null));
        _timeline = _timeline.OrderBy(x => x.At).ThenBy(x => x.Order).ToList();
    }

    public ItemHistory History => _h;

    /// <summary>The item's state: whether it existed (created, not deleted), the sprints of interest it was in, its status and estimate.</summary>
    public readonly record struct State(bool Exists, bool Deleted, IReadOnlySet<string> Sprints, StatusCategory? Status, double? Points)
    {
        public bool IsDone => Status == StatusCategory.Done;
        public bool IsRemoved => Deleted || Status == StatusCategory.Removed;
    }

    /// <summary>
    /// The state after every change at or before <paramref name="at"/> (<paramref name="inclusive"/>, a sprint's start rule) or strictly
    /// before it (a sprint's end rule), with membership of <paramref name="sprintIds"/> only.
    /// </summary>
    public State At(DateTimeOffset at, bool inclusive, IReadOnlyCollection<string> sprintIds)
    {
        var inNow = new HashSet<string>(StringComparer.Ordinal);
        bool exists = false, deleted = false;
        double? points = _points0;
        var status = _status0;
        foreach (var (t, order, e) in _timeline)
        {
            if (inclusive ? t > at : t >= at) break;
            if (order == 0)
            {
                exists = true;
                foreach (var s in sprintIds) if (InitiallyIn(s)) inNow.Add(s);
                continue;
            }
            if (order == 2) { inNow.Clear(); deleted = true; continue; }
            switch (e!.Kind)
            {
                case ItemEventKind.SprintAdded when e.To is { } to && sprintIds.Contains(to): inNow.Add(to); break;
                case ItemEventKind.SprintRemoved when e.From is { } from: inNow.Remove(from); break;
                case ItemEventKind.EstimateChanged: points = SprintCalculator.ParsePoints(e.To); break;
                case ItemEventKind.StatusChanged: status = SprintCalculator.ParseStatus(e.To); break;
            }
        }
        return new State(exists && !deleted, deleted, inNow, status, points);
    }

    /// <summary>Whether the item entered one of <paramref name="sprintIds"/> strictly after <paramref name="after"/> and strictly before <paramref name="before"/>.</summary>
    public bool EnteredBetween(IReadOnlyCollection<string> sprintIds, DateTimeOffset after, DateTimeOffset before)
    {
        foreach (var (t, order, e) in _timeline)
        {
            if (t <= after) continue;
            if (t >= before) break;
            if (order == 0 && sprintIds.Any(InitiallyIn)) return true;
            if (order == 1 && e!.Kind == ItemEventKind.SprintAdded && e.To is { } to && sprintIds.Contains(to)) return true;
        }
        return false;
    }

    /// <summary>Whether the item was in the sprint before any event said so (from its creation).</summary>
    private bool InitiallyIn(string sprintId)
    {
        foreach (var (_, order, e) in _timeline)
        {
            if (order != 1) continue;
            if (e!.Kind == ItemEventKind.SprintAdded && e.To == sprintId) return false;
            if (e.Kind == ItemEventKind.SprintRemoved && e.From == sprintId) return true;
        }
        return _h.SprintIds.Contains(sprintId);
    }
}
