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
        var sprintsNeeded = new int[max + 1];
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
            (epicP50, epicP85) = (Stats.NearestRankPercentile(days, 0.5)!.Value, Stats.NearestRankPercentile(days, 0.85)!.Value);
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
            // The finish day is monotone in the number of sprints a trial needs, so the part's percentiles come
            // from a histogram of that number (no sort); the epic's per-trial maximum is kept across parts.
            Array.Clear(sprintsNeeded);
            var firstPart = forecastParts++ == 0;
            for (var t = 0; t < trials; t++)
            {
                var k = model.FinishIndex(t, remaining);
                sprintsNeeded[k]++;
                var d = model.DayOf(k);
                if (firstPart || d > days[t]) days[t] = d;
            }
            var (p50, p85) = (model.DayOf(PercentileIndex(sprintsNeeded, trials, 0.5)), model.DayOf(PercentileIndex(sprintsNeeded, trials, 0.85)));
            (lastP50, lastP85) = (p50, p85);
            string? partReason = p85 == int.MaxValue ? $"{x.TeamName(g.Key)} needs more than {max} sprints for {remaining:0.#} points at its recent throughput" : null;
            if (partReason is not null) reasons.Add(partReason);
            parts.Add(new ForecastPart(g.Key, remaining, g.Count(), unestimated, model.AssumedPoints, model.LengthDays, model.Samples,
                p50 == int.MaxValue ? null : DateOnly.FromDayNumber(p50), partReason is null ? DateOnly.FromDayNumber(p85) : null, partReason));
        }
        return (parts, reasons, forecastParts, lastP50, lastP85);
    }

    /// <summary>
    /// <see cref="Stats.NearestRankPercentile{T}"/> over a histogram: the smallest bucket holding the trial of nearest rank
    /// <paramref name="p"/>.
    /// </summary>
    private static int PercentileIndex(int[] counts, int total, double p)
    {
        var rank = Stats.NearestRankIndex(total, p);
        var seen = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            seen += counts[k];
            if (seen > rank) return k;
        }
        return counts.Length - 1;
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

    internal sealed class TeamModel
    {
        public required double[] Samples { get; init; }
        public required double LengthDays { get; init; }
        public required double AssumedPoints { get; init; }
        public string? NoForecastReason { get; init; }
        /// <summary>Cumulative throughput per trial and sprint: [trial * max + k] = points done after k + 1 sprints.</summary>
        public float[] Cumulative { get; init; } = [];
        public int Max { get; init; }
        public int FirstEndDay { get; init; }

        /// <summary>The sprints (after the first) a trial needs for <paramref name="remaining"/> points: 0 … Max − 1, or Max when it never finishes.</summary>
        public int FinishIndex(int trial, double remaining)
        {
            if (remaining <= 0) return 0;
            int lo = trial * Max, hi = lo + Max - 1;
            if (Cumulative[hi] < remaining) return Max;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (Cumulative[mid] >= remaining) hi = mid; else lo = mid + 1;
            }
            return lo - trial * Max;
        }

        /// <summary>The finish day of a trial that needs <paramref name="k"/> sprints (monotone in k); int.MaxValue for Max (never).</summary>
        public int DayOf(int k) => k >= Max ? int.MaxValue : FirstEndDay + (int)Math.Round(k * LengthDays);

        /// <summary>What a team's model is made of; equal inputs give an equal model (the memo's test).</summary>
        public required Inputs Of { get; init; }

        public sealed record Inputs(double[] Samples, double LengthDays, double AssumedPoints, string? NoForecastReason, int FirstEndDay)
        {
            public bool Equals(Inputs? o) => o is not null && Samples.AsSpan().SequenceEqual(o.Samples) && LengthDays.Equals(o.LengthDays)
                && AssumedPoints.Equals(o.AssumedPoints) && NoForecastReason == o.NoForecastReason && FirstEndDay == o.FirstEndDay;
            public override int GetHashCode() => HashCode.Combine(Samples.Length, LengthDays, AssumedPoints, NoForecastReason, FirstEndDay);
        }

        public static Inputs InputsOf(SnapshotIndex x, string team)
        {
            var o = x.Options;
            var v = x.Velocity[team];
            var samples = v.Sprints.Select(f => f.Completed).ToArray();
            var length = x.SprintLengthDays[team];
            var estimated = x.ItemsOf(team).Where(i => i.Points is > 0 && i.Type is not (WorkItemType.Epic or WorkItemType.Feature)).Select(i => i.Points!.Value).ToList();
            var assumed = Stats.Percentile(estimated, 0.5) ?? 1;
            string? reason = null;
            if (samples.Length < o.MinHistorySprints)
                reason = $"{x.TeamName(team)} has {samples.Length} closed sprint(s) with figures; a forecast needs {o.MinHistorySprints}";
            else if (samples.All(s => s <= 0))
                reason = $"{x.TeamName(team)} completed no points in its last {samples.Length} sprints";
            var firstEnd = (x.Active[team] ?? x.Next[team])?.LastDay ?? x.Today.AddDays((int)length);
            if (firstEnd < x.Today) firstEnd = x.Today;
            return new Inputs(samples, length, assumed, reason, firstEnd.DayNumber);
        }

        public static TeamModel Build(Inputs inputs, string team, int seed, int trials, int max)
        {
            if (inputs.NoForecastReason is not null)
                return new TeamModel
                {
                    Of = inputs, Samples = inputs.Samples, LengthDays = inputs.LengthDays, AssumedPoints = inputs.AssumedPoints,
                    NoForecastReason = inputs.NoForecastReason,
                };
            var samples = inputs.Samples;
            var rng = new Random(seed ^ StableHash(team));
            var cumulative = new float[trials * max];
            for (var t = 0; t < trials; t++)
            {
                double acc = 0;
                for (var k = 0; k < max; k++)
                {
                    acc += samples[rng.Next(samples.Length)];
                    cumulative[t * max + k] = (float)acc;
                }
            }
            return new TeamModel
            {
                Of = inputs, Samples = samples, LengthDays = inputs.LengthDays, AssumedPoints = inputs.AssumedPoints, Cumulative = cumulative, Max = max,
                FirstEndDay = inputs.FirstEndDay,
            };
        }
    }
}
