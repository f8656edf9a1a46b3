
namespace Alignment.Domain.Analysis;

/// <summary>
/// The outcome of one analysis: findings (one per fingerprint), epic forecasts, hygiene scorecards, and the cost model when finance is
/// configured (<see cref="AnalysisSnapshot.Finance"/>; null otherwise); <see cref="ForecastMemo"/> is what the next run may start from
/// (<see cref="AnalysisDelta"/>).
/// </summary>
public sealed record AnalysisResult(
    IReadOnlyList<Finding> Findings,
    IReadOnlyDictionary<(string Source, string Key), EpicForecast> Forecasts,
    IReadOnlyDictionary<string, HygieneScorecard> Hygiene,
    FinanceResult? Finance = null,
    IReadOnlyList<MiValueItem>? Value = null,
    MiIntervals? Intervals = null)
{
    public ForecastMemo? ForecastMemo { get; init; }
}

/// <summary>
/// What an incremental analysis knows (docs/architecture.md, "Incremental analysis"): the previous run's forecast memo and the items changed
/// since (by source and key: the old and new keys of changed items, and both ends of links that came or went). The result is the same as
/// without it.
/// </summary>
public sealed record AnalysisDelta(ForecastMemo Previous, IReadOnlySet<(string Source, string Key)> ChangedItems);

/// <summary>Runs every analyzer over a snapshot. Pure: no I/O, the snapshot's clock, seeded randomness.</summary>
public static class Analyzer
{
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options) => Run(snapshot, options, null);

    /// <summary>
    /// As <see cref="Run(AnalysisSnapshot, AnalysisOptions)"/>, reporting each phase's time (ms) to <paramref name="phase"/>. The index is
    /// built first (with its lazy lookups), then the forecaster and the drift analyzer's epic rules (which read the forecasts) run on a second thread
    /// while the other analyzers run on this one; the findings are concatenated in the same order as a sequential run.
    /// </summary>
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options, Action<string, double>? phase) => Run(snapshot, options, phase, null);

    /// <summary>As above; with a <paramref name="delta"/>, epics whose inputs did not change keep the previous forecast.</summary>
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options, Action<string, double>? phase, AnalysisDelta? delta)
    {
        var total = System.Diagnostics.Stopwatch.StartNew();
        var x = new SnapshotIndex(snapshot, options);
        _ = x.ItemsByTeam; // built before the analyzers share the index across threads
        _ = x.Backlogs;
        var indexMs = total.Elapsed.TotalMilliseconds;

        double forecastMs = 0, driftMs = 0;
        IReadOnlyDictionary<(string Source, string Key), EpicForecast>? forecasts = null;
        ForecastMemo? memo = null;
        List<Finding>? drift = null;
        FinanceResult? finance = null;
        List<Finding> budget = [];
        (MiIntervals? Document, List<Finding> Findings) intervals = (null, []);
        var second = Task.Run(() =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            (var computed, memo) = EpicForecaster.Forecast(x, delta?.Previous, delta?.ChangedItems);
            forecasts = computed;
            forecastMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            drift = DriftAnalyzer.Epics(x, forecasts).ToList();
            driftMs = sw.Elapsed.TotalMilliseconds;
            if (snapshot.Finance is { Configured: true } input) (finance, budget) = Costs(x, forecasts, input);
            if (snapshot.Intervals is { } iv) intervals = IntervalAnalyzer.Analyze(x, iv, memo.Teams);
        });

        var timings = new List<(string, double)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        T Timed<T>(string name, Func<T> f) { clock.Restart(); var r = f(); timings.Add((name, clock.Elapsed.TotalMilliseconds)); return r; }
        Dictionary<string, HygieneScorecard> hygiene;
        IReadOnlyList<MiValueItem> valueTable;
        List<Finding> dependencies, capacity, driftItems, driftTeams, hygieneFindings, syncStale, value;
        try
        {
            hygiene = Timed("hygiene", () => HygieneScorecard.Compute(x));
            dependencies = Timed("dependencies", () => DependencyAnalyzer.Analyze(x).ToList());
            capacity = Timed("capacity", () => CapacityAnalyzer.Analyze(x).ToList());
            driftItems = Timed("driftItems", () => DriftAnalyzer.Items(x).ToList());
            driftTeams = Timed("driftTeams", () => DriftAnalyzer.Teams(x).ToList());
            hygieneFindings = Timed("hygieneFindings", () => HygieneScorecard.Findings(x, hygiene).ToList());
            syncStale = Timed("syncStale", () => SyncStaleAnalyzer.Analyze(x).ToList());
            value = Timed("value", () => Prioritisation.ValueAnalyzer.Analyze(x).ToList());
            valueTable = Timed("valueTable", () => Prioritisation.ValueTable.Build(x));
        }
        finally
        {
            second.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Wait();
        }
        second.GetAwaiter().GetResult();

        clock.Restart();
        var findings = dependencies.Concat(capacity).Concat(driftItems).Concat(drift!).Concat(driftTeams).Concat(hygieneFindings).Concat(syncStale).Concat(value)
            .Concat(budget).Concat(intervals.Findings)
            .GroupBy(f => f.Fingerprint).Select(g => g.OrderByDescending(f => f.Severity).First())
            .ToList();
        var dedupeMs = clock.Elapsed.TotalMilliseconds;
        if (phase is not null)
            Report(phase, [("index", indexMs), ("forecast", forecastMs), ("driftEpics", driftMs), .. timings, ("dedupe", dedupeMs),
                ("wall", total.Elapsed.TotalMilliseconds)], memo!);
        return new AnalysisResult(findings, forecasts!, hygiene, finance, valueTable, intervals.Document) { ForecastMemo = memo };
    }

    /// <summary>
    /// Each phase's milliseconds, then the forecaster's share: time walking and pricing, and how many epics it computed or repriced (counts).
    /// </summary>
    private static void Report(Action<string, double> phase, List<(string Name, double Ms)> phases, ForecastMemo memo)
    {
        foreach (var (name, ms) in phases) phase(name, ms);
        phase("forecastClosure", memo.ClosureMs);
        phase("forecastParts", memo.PartsMs);
        phase("forecastsComputed", memo.Computed);
        phase("forecastsRepriced", memo.Repriced);
    }

    /// <summary>The cost model and BUDGET-OVERRUN (after the forecasts; only when finance is configured, so nothing changes without it).</summary>
    private static (FinanceResult, List<Finding>) Costs(SnapshotIndex x, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts,
        FinanceInput input)
    {
        var finance = CostModel.Compute(x, forecasts, input, x.Snapshot.Completions ?? []);
        return (finance, BudgetAnalyzer.Analyze(x, finance).ToList());
    }
}
