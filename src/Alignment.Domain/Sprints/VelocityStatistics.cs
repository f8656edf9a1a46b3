namespace Alignment.Domain.Sprints;

/// <summary>
/// Velocity over a team's last closed sprints (completed points, oldest first), as defined in <see cref="Stats"/>: P15, P50
/// and P85 interpolate linearly between closest ranks ("type 7"); <see cref="Trend"/> is the least-squares slope in points
/// per sprint; <see cref="CoefficientOfVariation"/> is the sample standard deviation over the mean (null below two sprints
/// or a zero mean).
/// </summary>
public sealed record VelocityStatistics(
    IReadOnlyList<double> Completed, double? Mean, double? P15, double? P50, double? P85, double? Trend, double? CoefficientOfVariation)
{
    public int Sprints => Completed.Count;

    /// <summary>The statistics of the last <paramref name="lastN"/> values (<c>Analysis:VelocitySprints</c>).</summary>
    public static VelocityStatistics Compute(IReadOnlyList<double> completedOldestFirst, int lastN)
    {
        var xs = completedOldestFirst.Skip(Math.Max(0, completedOldestFirst.Count - lastN)).ToList();
        return new VelocityStatistics(xs, Stats.Mean(xs), Stats.Percentile(xs, 0.15), Stats.Percentile(xs, 0.50), Stats.Percentile(xs, 0.85),
            Stats.Trend(xs), Stats.CoefficientOfVariation(xs));
    }
}
