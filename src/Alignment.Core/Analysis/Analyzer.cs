using Alignment.Core.Analysis.Capacity;
using Alignment.Core.Analysis.Dependencies;
using Alignment.Core.Analysis.Drift;
using Alignment.Core.Analysis.Forecasting;
using Alignment.Core.Configuration;

namespace Alignment.Core.Analysis;

/// <summary>The outcome of one analysis: findings (one per fingerprint), epic forecasts and hygiene scorecards.</summary>
public sealed record AnalysisResult(
    IReadOnlyList<Finding> Findings,
    IReadOnlyDictionary<(string Source, string Key), EpicForecast> Forecasts,
    IReadOnlyDictionary<string, HygieneScorecard> Hygiene);

/// <summary>Runs every analyzer over a snapshot. Pure: no I/O, the snapshot's clock, seeded randomness.</summary>
public static class Analyzer
{
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options) => Run(snapshot, options, null);

    /// <summary>As <see cref="Run(AnalysisSnapshot, AnalysisOptions)"/>, reporting each phase's wall time (ms) to <paramref name="phase"/>.</summary>
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options, Action<string, double>? phase)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        void Mark(string name) { phase?.Invoke(name, sw.Elapsed.TotalMilliseconds); sw.Restart(); }
        var x = new SnapshotIndex(snapshot, options);
        Mark("index");
        var forecasts = EpicForecaster.Forecast(x);
        Mark("forecast");
        var hygiene = HygieneScorecard.Compute(x);
        Mark("hygiene");
        var all = new List<Finding>();
        all.AddRange(DependencyAnalyzer.Analyze(x));
        Mark("dependencies");
        all.AddRange(CapacityAnalyzer.Analyze(x));
        Mark("capacity");
        all.AddRange(DriftAnalyzer.Analyze(x, forecasts));
        Mark("drift");
        all.AddRange(HygieneScorecard.Findings(x, hygiene));
        Mark("hygieneFindings");
        var findings = all
            .GroupBy(f => f.Fingerprint).Select(g => g.OrderByDescending(f => Severity.Rank(f.Severity)).First())
            .ToList();
        Mark("dedupe");
        return new AnalysisResult(findings, forecasts, hygiene);
    }
}
