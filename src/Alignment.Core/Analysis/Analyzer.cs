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
    public static AnalysisResult Run(AnalysisSnapshot snapshot, AnalysisOptions options)
    {
        var x = new SnapshotIndex(snapshot, options);
        var forecasts = EpicForecaster.Forecast(x);
        var hygiene = HygieneScorecard.Compute(x);
        var findings = DependencyAnalyzer.Analyze(x)
            .Concat(CapacityAnalyzer.Analyze(x))
            .Concat(DriftAnalyzer.Analyze(x, forecasts))
            .Concat(HygieneScorecard.Findings(x, hygiene))
            .GroupBy(f => f.Fingerprint).Select(g => g.OrderByDescending(f => Severity.Rank(f.Severity)).First())
            .ToList();
        return new AnalysisResult(findings, forecasts, hygiene);
    }
}
