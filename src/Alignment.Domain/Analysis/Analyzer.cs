
namespace Alignment.Domain.Analysis;

/// <summary>The outcome of one analysis: findings (one per fingerprint), epic forecasts and hygiene scorecards.</summary>
public sealed record AnalysisResult(
    IReadOnlyList<Finding> Findings,
    IReadOnlyDictionary<(string Source, string Key), EpicForecast> Forecasts,
    IReadOnlyDictionary<string, HygieneScorecard> Hygiene,
    IReadOnlyList<MiValueItem>? Value = null);

/// <summary>Runs every analyzer over a snapshot. Pure: no I/O, the snapshot's clock, seeded randomness.</summary>
public static class Analyzer
{
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options) => Run(snapshot, options, null);

    /// <summary>
    /// As <see cref="Run(AnalysisSnapshot, AnalysisOptions)"/>, reporting each phase's time (ms) to <paramref name="phase"/>. The index is
    /// built first (with its lazy lookups), then the forecaster and the drift analyzer's epic rules (which read the forecasts) run on a second thread
    /// while the other analyzers run on this one; the findings are concatenated in the same order as a sequential run.
    /// </summary>
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options, Action<string, double>? phase)
    {
        var total = System.Diagnostics.Stopwatch.StartNew();
        var x = new SnapshotIndex(snapshot, options);
        _ = x.ItemsByTeam; // built before the analyzers share the index across threads
        _ = x.Backlogs;
        var indexMs = total.Elapsed.TotalMilliseconds;

        double forecastMs = 0, driftMs = 0;
        IReadOnlyDictionary<(string Source, string Key), EpicForecast>? forecasts = null;
        List<Finding>? drift = null;
        var second = Task.Run(() =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            forecasts = EpicForecaster.Forecast(x);
            forecastMs = sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            drift = DriftAnalyzer.Epics(x, forecasts).ToList();
            driftMs = sw.Elapsed.TotalMilliseconds;
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
            .GroupBy(f => f.Fingerprint).Select(g => g.OrderByDescending(f => f.Severity).First())
            .ToList();
        var dedupeMs = clock.Elapsed.TotalMilliseconds;
        if (phase is not null)
        {
            phase("index", indexMs);
            phase("forecast", forecastMs);
            phase("driftEpics", driftMs);
            foreach (var (name, ms) in timings) phase(name, ms);
            phase("dedupe", dedupeMs);
            phase("wall", total.Elapsed.TotalMilliseconds);
        }
        return new AnalysisResult(findings, forecasts!, hygiene, valueTable);
    }
}
