namespace Alignment.Domain.Forecasting;

/// <summary>One team's share of an epic's remaining work (its own items and upstream blockers).</summary>
public sealed record ForecastPart(string? Team, double RemainingPoints, int OpenItems, int UnestimatedItems, double AssumedPointsPerUnestimated,
    double SprintLengthDays, IReadOnlyList<double> ThroughputSamples, DateOnly? P50, DateOnly? P85, string? NoForecastReason);

/// <summary>
/// A Monte Carlo forecast of one epic: <see cref="Status"/> is <see cref="ForecastStatus.Forecast"/> (P50/P85 set), <see cref="ForecastStatus.Done"/>,
/// or <see cref="ForecastStatus.NoForecast"/> with <see cref="Reasons"/> (never an infinite date).
/// </summary>
public sealed record EpicForecast(string Source, string Key, string Url, string Title, string? Team, ForecastStatus Status, DateOnly? P50, DateOnly? P85,
    DateOnly? Target, IReadOnlyList<string> Reasons, IReadOnlyList<ForecastPart> Parts, IReadOnlyList<ItemRef> Upstream, int Trials, int Seed,
    DateTimeOffset ComputedAt);

/// <summary>
/// Monte Carlo over each owning team's throughput in its last closed sprints (completed points, docs/figures.md).
/// The work of an epic is its open descendants plus every open item they transitively depend on (across
/// trackers): an item cannot finish before its blockers. Each team burns its part sprint by sprint from the
/// end of its active sprint, drawing a past sprint's throughput at random; the epic finishes when its last
/// part does. Every team uses the same seeded draws for all epics (common random numbers), so forecasts
/// are reproducible and comparable.
/// </summary>
public static partial class EpicForecaster
{
    public static Dictionary<(string Source, string Key), EpicForecast> Forecast(SnapshotIndex x) => Forecast(x, null, null).Forecasts;

    /// <summary>
    /// Every epic's forecast. With the <paramref name="previous"/> run's memo and the items <paramref name="changed"/> since (by source and
    /// key), an epic whose inputs are unchanged keeps its previous forecast (the same object): none of the items it read changed, no changed
    /// item hangs below it, and the models of the teams it drew on are equal (docs/architecture.md, "Incremental analysis").
    /// </summary>
    public static (Dictionary<(string Source, string Key), EpicForecast> Forecasts, ForecastMemo Memo) Forecast(SnapshotIndex x, ForecastMemo? previous,
        IReadOnlySet<(string Source, string Key)>? changed)
    {
        var o = x.Options;
        var trials = Math.Max(1000, o.ForecastTrials);
        var max = Math.Max(1, o.ForecastMaxSprints);
        var settings = new ForecastMemo.Settings(trials, max, o.ForecastSeed, o.MinHistorySprints, x.Today);
        if (previous is not null && (changed is null || previous.Of != settings)) previous = null;
        var (teams, changedTeams) = ForecastMemo.TeamModels(x, previous, trials, max);
        HashSet<(string Source, string Key)>? dirty = null, teamOnly = null;
        if (previous is not null) (dirty, teamOnly) = previous.DirtyEpics(x, changed!, changedTeams);

        var result = new Dictionary<(string, string), EpicForecast>();
        var entries = new Dictionary<(string, string), ForecastMemo.Entry>();
        int computed = 0, repriced = 0;
        var days = new int[trials];
        var sprintsNeeded = new int[trials];
        long closureTicks = 0, partsTicks = 0;
        foreach (var epic in x.Snapshot.Items)
        {
            if (epic.Type != WorkItemType.Epic) continue;
            var key = (epic.Source, epic.Key);
            if (dirty is not null && !dirty.Contains(key) && previous!.Epics.TryGetValue(key, out var kept))
            {
                if (teamOnly!.Contains(key) && kept.Work is { } same)
                {
                    // Nothing it read changed, only a team model it draws on: the same work, priced again.
                    var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                    var again = Finish(x, epic, same, teams, trials, max, days, sprintsNeeded);
                    partsTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
                    repriced++;
                    result[key] = again;
                    entries[key] = kept with { Forecast = again, Teams = again.Parts.Select(p => p.Team ?? "").Distinct().ToArray() };
                    continue;
                }
                result[key] = kept.Forecast;
                entries[key] = kept;
                continue;
            }
            computed++;
            var touched = new HashSet<SnapshotItem>(ReferenceEqualityComparer.Instance) { epic };
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var (early, work) = Work(x, epic, trials, touched);
            var middle = System.Diagnostics.Stopwatch.GetTimestamp();
            var forecast = early ?? Finish(x, epic, work!, teams, trials, max, days, sprintsNeeded);
            closureTicks += middle - start;
            partsTicks += System.Diagnostics.Stopwatch.GetTimestamp() - middle;
            result[key] = forecast;
            entries[key] = new ForecastMemo.Entry(forecast, touched.Select(i => (i.Source, i.Key)).ToArray(),
                forecast.Parts.Select(p => p.Team ?? "").Distinct().ToArray(), work);
        }
        return (result, new ForecastMemo(settings, teams, entries)
        {
            Computed = computed, Repriced = repriced,
            ClosureMs = closureTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency,
            PartsMs = partsTicks * 1000.0 / System.Diagnostics.Stopwatch.Frequency,
        });
    }

    /// <summary>The work of an epic: its own open items and every open item they wait on; the upstream ones by source and key.</summary>
    public sealed record EpicWork(HashSet<SnapshotItem> Required, List<SnapshotItem> Upstream);

    /// <summary>
    /// The epic's work, with every item it reads added to <paramref name="touched"/>; or, for an epic that is done, removed or has no open
    /// work, its forecast at once.
    /// </summary>
    private static (EpicForecast? Early, EpicWork? Work) Work(SnapshotIndex x, SnapshotItem epic, int trials, HashSet<SnapshotItem> touched)
    {
        var o = x.Options;
        var descendants = x.Descendants(epic).ToList();
        touched.UnionWith(descendants);
        var own = descendants.Where(i => i.IsBacklogWork).ToList();
        if (epic.IsDone || epic.IsRemoved)
            return (new EpicForecast(epic.Source, epic.Key, epic.Url, epic.Title, epic.Team, ForecastStatus.Done, null, null,
                epic.DueDate, [], [], [], trials, o.ForecastSeed, x.Now), null);
        var (required, upstream) = RequiredWork(x, own, touched);
        if (required.Count == 0)
        {
            var status = own.Count > 0 ? ForecastStatus.Done : ForecastStatus.NoForecast;
            return (new EpicForecast(epic.Source, epic.Key, epic.Url, epic.Title, epic.Team, status, null, null, epic.DueDate,
                own.Count > 0 ? ["every item of the epic is done; the epic itself is still open"] : ["the epic has no stories or other work items"],
                [], [], trials, o.ForecastSeed, x.Now), null);
        }
        return (null, new EpicWork(required, upstream));
    }

    /// <summary>The Monte Carlo over an epic's work, team by team (<see cref="Parts"/>).</summary>
    private static EpicForecast Finish(SnapshotIndex x, SnapshotItem epic, EpicWork work, Dictionary<string, TeamModel> teams, int trials, int max,
        int[] days, int[] sprintsNeeded)
    {
        var o = x.Options;
        var (parts, reasons, forecastParts, lastP50, lastP85) = Parts(x, work.Required, teams, trials, max, days, sprintsNeeded);
        if (reasons.Count > 0)
            return new EpicForecast(epic.Source, epic.Key, epic.Url, epic.Title, epic.Team, ForecastStatus.NoForecast, null, null,
                epic.DueDate, reasons, parts, work.Upstream.Select(ItemRef.Of).ToList(), trials, o.ForecastSeed, x.Now);
        int epicP50 = lastP50, epicP85 = lastP85; // one part: the epic finishes with it
        if (forecastParts > 1)
            (epicP50, epicP85) = (NearestRank(days, 0.5), NearestRank(days, 0.85));
        return new EpicForecast(epic.Source, epic.Key, epic.Url, epic.Title, epic.Team, ForecastStatus.Forecast,
            DateOnly.FromDayNumber(epicP50), DateOnly.FromDayNumber(epicP85), epic.DueDate, [], parts,
            work.Upstream.Select(ItemRef.Of).ToList(), trials, o.ForecastSeed, x.Now);
    }

    /// <summary>The epic's open work plus its open upstream blockers, transitively; the upstream ones (not the epic's own) by source and key.</summary>
    private static (HashSet<SnapshotItem> Required, List<SnapshotItem> Upstream) RequiredWork(SnapshotIndex x, List<SnapshotItem> own,
        HashSet<SnapshotItem> touched)
    {
        var required = new HashSet<SnapshotItem>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<SnapshotItem>();
        foreach (var i in own) if (i.IsOpen && required.Add(i)) queue.Enqueue(i);
        var ownSet = new HashSet<SnapshotItem>(required, ReferenceEqualityComparer.Instance);
        while (queue.Count > 0)
        {
            var i = queue.Dequeue();
            if (!x.BlockersOf.TryGetValue(i, out var bs)) continue;
            foreach (var b in bs)
            {
                touched.Add(b);
                if (b.IsOpen && b.Type is not (WorkItemType.Epic or WorkItemType.Feature) && required.Add(b)) queue.Enqueue(b);
            }
        }
        var upstream = required.Where(i => !ownSet.Contains(i)).OrderBy(i => i.Source, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal).ToList();
        return (required, upstream);
    }

    /// <summary>
    /// Each owning team's part of the required work, with the reasons there is no forecast; the trials' finish days of the forecast parts are
    /// kept per trial (the maximum) in <paramref name="days"/>, and the last forecast part's percentiles are returned (the epic's when it is the only one).
    /// </summary>
    private static (List<ForecastPart> Parts, List<string> Reasons, int ForecastParts, int LastP50, int LastP85) Parts(SnapshotIndex x,
        HashSet<SnapshotItem> required, Dictionary<string, TeamModel> teams, int trials, int max, int[] days, int[] sprintsNeeded)
    {
        var parts = new List<ForecastPart>();
        var reasons = new List<string>();
        var forecastParts = 0;
        int lastP50 = 0, lastP85 = 0;
        foreach (var g in required.GroupBy(i => i.Team).OrderBy(g => g.Key ?? "", StringComparer.Ordinal))
        {
            var unestimated = g.Count(i => i.Points is null);
            if (g.Key is null || !teams.TryGetValue(g.Key, out var model))
            {
                var why = $"{g.Count()} open item(s) belong to no configured team";
                reasons.Add(why);
                parts.Add(new ForecastPart(g.Key, g.Sum(i => i.Points ?? 0), g.Count(), unestimated, 0, 0, [], null, null, why));
                continue;
            }
            var remaining = g.Sum(i => i.Points ?? 0) + unestimated * model.AssumedPoints;
            if (model.NoForecastReason is { } reason)
            {
                reasons.Add(reason);
                parts.Add(new ForecastPart(g.Key, remaining, g.Count(), unestimated, model.AssumedPoints, model.LengthDays, model.Samples, null, null, reason));
                continue;
            }
            // The finish day is monotone in the number of sprints a trial needs, so the part's percentiles are those of that number;
            // the epic's per-trial maximum is kept across parts.
            var firstPart = forecastParts++ == 0;
            var (k50, k85) = model.Price(remaining, sprintsNeeded);
            for (var t = 0; t < trials; t++)
            {
                var d = model.Days[sprintsNeeded[t]];
                if (firstPart || d > days[t]) days[t] = d;
            }
            var (p50, p85) = (model.DayOf(k50), model.DayOf(k85));
            (lastP50, lastP85) = (p50, p85);
            string? partReason = p85 == int.MaxValue ? $"{x.TeamName(g.Key)} needs more than {max} sprints for {remaining:0.#} points at its recent throughput" : null;
            if (partReason is not null) reasons.Add(partReason);
            parts.Add(new ForecastPart(g.Key, remaining, g.Count(), unestimated, model.AssumedPoints, model.LengthDays, model.Samples,
                p50 == int.MaxValue ? null : DateOnly.FromDayNumber(p50), partReason is null ? DateOnly.FromDayNumber(p85) : null, partReason));
        }
        return (parts, reasons, forecastParts, lastP50, lastP85);
    }

    /// <summary>
    /// <see cref="Stats.NearestRankPercentile{T}"/> of the trials' finish days without sorting them: the days lie on a few sprint grids
    /// (int.MaxValue for never), so they are counted by day from the earliest, and the rank is found by walking the counts.
    /// </summary>
    internal static int NearestRank(int[] days, double p)
    {
        int min = int.MaxValue, max = int.MinValue, never = 0;
        foreach (var d in days)
        {
            if (d == int.MaxValue) { never++; continue; }
            if (d < min) min = d;
            if (d > max) max = d;
        }
        var rank = Stats.NearestRankIndex(days.Length, p);
        if (rank >= days.Length - never) return int.MaxValue;
        var counts = new int[max - min + 1];
        foreach (var d in days)
            if (d != int.MaxValue) counts[d - min]++;
        var seen = 0;
        for (var i = 0; ; i++)
            if ((seen += counts[i]) > rank) return min + i;
    }

    /// <summary>Stable across processes (string.GetHashCode is randomized per process).</summary>
    public static int StableHash(string s)
    {
        unchecked
        {
            var h = 2166136261u;
            foreach (var c in s) { h ^= c; h *= 16777619u; }
            return (int)h;
        }
    }
}
