namespace Alignment.Simulator;

/// <summary>What changed in the organisation, for the webhook deliveries the simulator sends (<see cref="HookSender"/>).</summary>
internal sealed record ItemChange(Item Item, bool Created, IReadOnlyList<Ev> Events);

public sealed partial class SimulatedOrganisation
{
    /// <summary>Every item's event count now, to tell later which items changed (<see cref="ChangesSince"/>).</summary>
    internal (int Items, int[] Events) Mark() => (Items.Count, Items.Select(i => i.Events.Count).ToArray());

    /// <summary>The items created or changed since <paramref name="mark"/>, with their new events.</summary>
    internal List<ItemChange> ChangesSince((int Items, int[] Events) mark)
    {
        var changes = new List<ItemChange>();
        for (var i = 0; i < Items.Count; i++)
        {
            var it = Items[i];
            var before = i < mark.Items ? mark.Events[i] : 0;
            if (i >= mark.Items || it.Events.Count > before)
                changes.Add(new ItemChange(it, i >= mark.Items, it.Events.Skip(before).ToList()));
        }
        return changes;
    }

    /// <summary>
    /// Moves an open item from its open sprint to the sprint <paramref name="sprintsLater"/> sprints after it (a product owner postponing a
    /// blocker), now; the caller holds the write lock. Null when the item is unknown, done, or in no open sprint.
    /// </summary>
    internal ItemChange? MoveToLaterSprint(string key, int sprintsLater)
    {
        var it = Items.Find(i => string.Equals(i.Key, key, StringComparison.OrdinalIgnoreCase));
        if (it is null || !IsOpen(it) || OpenSprint(it) is not { } from) return null;
        var to = EnsureSprint(it.Team, from.Ordinal + Math.Max(1, sprintsLater));
        var before = it.Events.Count;
        Version++;
        Apply(it, new Ev { At = NowMs, Kind = EvKind.Sprint, A = from.Index, B = to.Index });
        if (it.Tracker == Tracker.Ado) AdoRevisionLog.Add((it, it.Rev));
        return new ItemChange(it, false, it.Events.Skip(before).ToList());
    }
}
