using System.Globalization;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>
/// Planning intervals (<see cref="SimulatorOptions.Intervals"/>): four six-week intervals on Mondays — two finished before the current one
/// (which started three to four weeks ago) and one to come — configured in <c>/_sim/config</c>. Every team plans all of its sprints of an
/// interval together, before the first one starts (PI planning); nine closed sprints of history cover the finished ones. Three slips are
/// planted in them: a planned item dropped while unplanned work came in, one blocked by another team's item that stays open, and one carried
/// over out of the team's last sprint of the interval. <c>/_sim/truth</c> gives each team's and the organisation's predictability of every
/// finished interval, replayed here from the items' own histories (an independent reading of docs/figures.md, "Planning intervals").
/// </summary>
public sealed partial class SimulatedOrganisation
{
    internal sealed record SimInterval(string Id, DateOnly Start, DateOnly End)
    {
        public bool Holds(DateOnly d) => d >= Start && d <= End;
        public long EndMs => DayMs(End.AddDays(1));
    }

    /// <summary>A planted slip: the item, its team, the interval it slips in and the reason the service must give.</summary>
    internal sealed record PlantedSlip(Item Item, SimInterval Interval, string Reason)
    {
        public Item? Blocker { get; set; }
        public long Since { get; init; }
    }

    private const int IntervalDays = 42;
    private readonly HashSet<Item> _forceCarry = [];
    private List<SimInterval>? _intervals;

    internal List<PlantedSlip> Planted { get; } = [];

    /// <summary>Closed sprints before the current one: six, or nine with the intervals (two finished intervals and a lead-in sprint).</summary>
    private int HistorySprints => Options.Intervals ? 9 : 6;

    /// <summary>The intervals, from the simulated start: the current one starts on the Monday three to four weeks before it.</summary>
    internal IReadOnlyList<SimInterval> PlanningIntervals => _intervals ??= Options.Intervals ? MakeIntervals() : [];

    private List<SimInterval> MakeIntervals()
    {
        var current = DateOnly.FromDateTime(Options.Now.UtcDateTime).AddDays(-21);
        while (current.DayOfWeek != DayOfWeek.Monday) current = current.AddDays(-1);
        return Enumerable.Range(0, 4).Select(k =>
        {
            var start = current.AddDays((k - 2) * IntervalDays);
            return new SimInterval($"PI-{k + 1}", start, start.AddDays(IntervalDays - 1));
        }).ToList();
    }

    private SimInterval? IntervalOf(DateOnly day) => PlanningIntervals.FirstOrDefault(i => i.Holds(day));

    /// <summary>The team's sprints of an interval (their first day in it), in order.</summary>
    private static List<Sprint> SprintsOf(Team t, SimInterval iv) => t.Sprints.Where(s => iv.Holds(s.StartDay)).ToList();

    /// <summary>With the intervals on: the first sprint of <paramref name="s"/>'s interval when that is another sprint (s is planned with it).</summary>
    private Sprint? PlannedWith(Sprint s)
    {
        if (!Options.Intervals || IntervalOf(s.StartDay) is not { } iv) return null;
        var first = s.Team.Sprints.First(x => iv.Holds(x.StartDay));
        return first == s ? null : first;
    }

    /// <summary>When the first sprint of an interval is planned, every sprint of the interval exists (they are planned with it).</summary>
    private void EnsureIntervalSprints(Team t, Sprint s)
    {
        if (IntervalOf(s.StartDay) is not { } iv || PlannedWith(s) is not null) return;
        for (var k = s.Ordinal + 1; EnsureSprint(t, k).StartDay <= iv.End; k++) { }
    }

    /// <summary>
    /// Plants this team's slip when <paramref name="s"/> is where it goes; returns the planted item, whose normal course
    /// (<see cref="PlanItem"/>) the caller skips. Unplanned work: the first team, the first interval, its second sprint — the item leaves
    /// for the backlog two days in, when an urgent item comes in. Blocked: the second team, the first interval, its first sprint — the item
    /// leaves three days in; its blocker is linked at generation (<see cref="PlantBlockers"/>). Carried over: the fourth team, the second
    /// interval, its last sprint — the item stays open and is always carried over.
    /// </summary>
    private Item? PlantSlip(Team t, Sprint s, List<Item> committed)
    {
        if (committed.Count == 0 || IntervalOf(s.StartDay) is not { } iv) return null;
        var mine = SprintsOf(t, iv);
        int position = mine.IndexOf(s), n = Teams.Count, which = PlanningIntervals.ToList().IndexOf(iv);
        var it = committed[0];
        if (which == 0 && t == Teams[0] && position == 1)
        {
            Schedule(it, s.Start + 2 * Day, EvKind.Sprint, s.Index, -1);
            if (TakeBacklog(t) is { } urgent)
            {
                Schedule(urgent, Math.Max(urgent.Created + Minute, s.Start + 2 * Day + Hour), EvKind.Sprint, -1, s.Index);
                PlanItem(urgent, s, EnsureSprint(t, s.Ordinal + 1), s.Start + 2 * Day + Hour, 1.0, committed: false);
            }
            Planted.Add(new PlantedSlip(it, iv, "unplannedWork"));
        }
        else if (which == 0 && n >= 3 && t == Teams[1] && position == 0)
        {
            Schedule(it, s.Start + 3 * Day, EvKind.Sprint, s.Index, -1);
            Planted.Add(new PlantedSlip(it, iv, "blockedByTeam") { Since = s.Start + 2 * Day });
        }
        else if (which == 1 && n >= 4 && t == Teams[3] && position == mine.Count - 1)
        {
            _forceCarry.Add(it);
            Planted.Add(new PlantedSlip(it, iv, "carriedOver"));
        }
        else return null;
        return it;
    }

    /// <summary>
    /// The blocked slip's blocker: an open work item of the third team that was never done, linked as blocking it two days into its sprint.
    /// Every planted item is kept out of the other links, so its reason stays the planted one.
    /// </summary>
    private void PlantBlockers(HashSet<Item> intended)
    {
        foreach (var p in Planted) intended.Add(p.Item);
        foreach (var p in Planted.Where(p => p.Reason == "blockedByTeam"))
        {
            var team = Teams[2];
            var blocker = team.Items.Where(i => IsWorkItem(i) && IsOpen(i) && !intended.Contains(i) && i.Created < p.Since
                    && !i.Events.Exists(e => e.Kind == EvKind.Status && Statuses.IsDone(e.B)))
                .OrderBy(i => i.Index).FirstOrDefault();
            if (blocker is null) continue;
            intended.Add(blocker);
            p.Blocker = blocker;
            AddLink(LinkKind.Blocks, blocker, p.Item, p.Since);
        }
        Planted.RemoveAll(p => p.Reason == "blockedByTeam" && p.Blocker is null);
    }

    // ---- truth and configuration -------------------------------------------------------------------------------------------------------

    /// <summary>An item's sprints of interest, status code and estimate after its changes up to <paramref name="at"/>; null before it existed.</summary>
    private static (bool In, int Status, int Points)? StateAt(Item it, long at, bool inclusive, HashSet<int> sprints)
    {
        if (inclusive ? it.Created > at : it.Created >= at) return null;
        var member = new HashSet<int>();
        int status = it.Status0, points = it.Points0;
        foreach (var ev in it.Events)
        {
            if (inclusive ? ev.At > at : ev.At >= at) break;
            switch (ev.Kind)
            {
                case EvKind.Sprint:
                    if (ev.A >= 0) member.Remove(ev.A);
                    if (ev.B >= 0) member.Add(ev.B);
                    break;
                case EvKind.Points: points = ev.B; break;
                case EvKind.Status: status = ev.B; break;
            }
        }
        return (member.Overlaps(sprints), status, points);
    }

    /// <summary>The epic or feature an item counts under: its nearest such ancestor, else itself.</summary>
    private static Item UnitOf(Item it)
    {
        for (var p = it.Parent; p is not null; p = p.Parent)
            if (p.Type is ItemType.Epic or ItemType.Feature) return p;
        return it;
    }

    /// <summary>
    /// A team's planned items of an interval once its first sprint of it has started (null before), and whether the interval has ended for
    /// it (its last day passed, all of its sprints of it closed); then each item says whether it was done at the end.
    /// </summary>
    private (List<(Item Item, Item Unit, int Points, bool Done)> Planned, bool Finished)? PlannedOf(Team t, SimInterval iv)
    {
        var mine = SprintsOf(t, iv);
        if (mine.Count == 0 || mine[0].Start > NowMs) return null;
        bool finished = NowMs >= iv.EndMs && mine.TrueForAll(s => s.State == SprintState.Closed);
        long planAt = mine[0].Start, endAt = mine[^1].Complete;
        var sprints = mine.Select(s => s.Index).ToHashSet();
        var planned = new List<(Item, Item, int, bool)>();
        foreach (var it in t.Items)
        {
            if (it.Type is not (ItemType.Story or ItemType.Bug)) continue;
            if (StateAt(it, planAt, inclusive: true, sprints) is not { In: true } atPlan || Statuses.IsDone(atPlan.Status) || atPlan.Status == 6) continue;
            var done = finished && Statuses.IsDone(StateAt(it, endAt, inclusive: false, sprints)!.Value.Status);
            planned.Add((it, UnitOf(it), Math.Max(0, atPlan.Points), done));
        }
        return (planned, finished);
    }

    private static void WritePredictability(Utf8JsonWriter w, List<(Item Item, Item Unit, int Points, bool Done)> planned, bool finished)
    {
        var units = planned.GroupBy(p => p.Unit).ToList();
        int plannedUnits = units.Count, deliveredUnits = units.Count(g => g.All(p => p.Done));
        double plannedPoints = planned.Sum(p => p.Points), deliveredPoints = planned.Where(p => p.Done).Sum(p => p.Points);
        w.WriteString("phase", finished ? "finished" : "running");
        w.WriteNumber("plannedCount", plannedUnits);
        w.WriteNumber("plannedPoints", plannedPoints);
        if (!finished) return;
        w.WriteNumber("deliveredCount", deliveredUnits);
        w.WriteNumber("deliveredPoints", deliveredPoints);
        if (plannedUnits > 0) w.WriteNumber("predictabilityCount", (double)deliveredUnits / plannedUnits); else w.WriteNull("predictabilityCount");
        if (plannedPoints > 0) w.WriteNumber("predictabilityPoints", deliveredPoints / plannedPoints); else w.WriteNull("predictabilityPoints");
    }

    /// <summary>
    /// <c>intervals</c> in the truth: each interval, and for every team for which it has ended (and the organisation, when it has for all)
    /// the planned and delivered epics/features and points and the predictability of each; <c>plantedSlips</c>: the planted slips.
    /// </summary>
    private void WriteIntervalTruth(Utf8JsonWriter w)
    {
        w.WriteStartArray("intervals");
        foreach (var iv in PlanningIntervals)
        {
            w.WriteStartObject();
            w.WriteString("id", iv.Id);
            w.WriteString("start", iv.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("end", iv.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            var all = new List<(Item Item, Item Unit, int Points, bool Done)>();
            var finished = true;
            w.WriteStartArray("teams");
            foreach (var t in Teams)
            {
                var of = PlannedOf(t, iv);
                finished &= of?.Finished ?? SprintsOf(t, iv).Count == 0;
                if (of is not { } p) continue;
                all.AddRange(p.Planned);
                w.WriteStartObject();
                w.WriteString("team", t.Id);
                WritePredictability(w, p.Planned, p.Finished);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            finished &= NowMs >= iv.EndMs && Teams.Exists(t => PlannedOf(t, iv) is not null);
            w.WriteBoolean("finished", finished);
            if (finished) { w.WriteStartObject("organisation"); WritePredictability(w, all, true); w.WriteEndObject(); }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("plantedSlips");
        foreach (var p in Planted)
        {
            w.WriteStartObject();
            w.WriteString("interval", p.Interval.Id);
            w.WriteString("team", p.Item.Team.Id);
            w.WriteString("tracker", TrackerName(p.Item.Tracker));
            w.WriteString("key", p.Item.Key);
            w.WriteString("reason", p.Reason);
            if (p.Blocker is { } b) { w.WritePropertyName("blocker"); WriteRef(w, b); }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>With the intervals in the trackers: the source reads them from there (the release versions do not match).</summary>
    private void WriteSourceIntervals(Utf8JsonWriter w, string from)
    {
        if (!Options.Intervals || !Options.IntervalsInTrackers) return;
        w.WriteStartObject("Intervals"); w.WriteString("From", from); w.WriteString("Match", "^PI-"); w.WriteEndObject();
    }

    /// <summary>
    /// A Jira project's versions (<c>/rest/api/{2,3}/project/{key}/versions</c>): with the intervals in the trackers, one per interval with its
    /// dates, a release version and one without dates; otherwise just the release.
    /// </summary>
    internal void WriteProjectVersions(Utf8JsonWriter w, string projectKey, string baseUrl)
    {
        var id = 10000;
        void Version(string name, DateOnly? start, DateOnly? release, bool released)
        {
            w.WriteStartObject();
            w.WriteString("self", $"{baseUrl}/rest/api/2/version/{id}");
            w.WriteString("id", (id++).ToString(CultureInfo.InvariantCulture));
            w.WriteString("name", name);
            w.WriteBoolean("archived", false);
            w.WriteBoolean("released", released);
            if (start is { } s) w.WriteString("startDate", s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (release is { } r) w.WriteString("releaseDate", r.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("projectKey", projectKey);
            w.WriteEndObject();
        }
        w.WriteStartArray();
        var today = DateOnly.FromDateTime(Options.Now.UtcDateTime);
        Version("Release 1.0", today.AddDays(-120), today.AddDays(-60), true);
        if (Options.Intervals && Options.IntervalsInTrackers)
        {
            foreach (var iv in PlanningIntervals) Version(iv.Id, iv.Start, iv.End, iv.End < today);
            Version("Backlog ideas", null, null, false);
        }
        w.WriteEndArray();
    }

    private void WriteIntervalConfig(Utf8JsonWriter w)
    {
        w.WriteStartArray("PlanningIntervals");
        foreach (var iv in PlanningIntervals)
        {
            w.WriteStartObject();
            w.WriteString("Id", iv.Id);
            w.WriteString("Start", iv.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("End", iv.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
