namespace Alignment.Domain.Sprints;

/// <summary>
/// Velocity over a team's last closed sprints (completed points, oldest first). Percentiles interpolate linearly between
/// closest ranks (the common "type 7" definition); <see cref="Trend"/> is the least-squares slope in points per sprint;
/// <see cref="CoefficientOfVariation"/> is the sample standard deviation over the mean (null below two sprints or a zero mean).
/// </summary>
public sealed record VelocityStatistics(
    IReadOnlyList<double> Completed, double? Mean, double? P15, double? P50, double? P85, double? Trend, double? CoefficientOfVariation)
{
    public int Sprints => Completed.Count;

    public static VelocityStatistics Compute(IReadOnlyList<double> completedOldestFirst, int lastN = 6)
    {
        var xs = completedOldestFirst.Skip(Math.Max(0, completedOldestFirst.Count - lastN)).ToList();
        if (xs.Count == 0) return new VelocityStatistics(xs, null, null, null, null, null, null);
        double mean = xs.Average();
        double? cv = null, trend = null;
        if (xs.Count >= 2)
        {
            double sd = Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
            cv = mean == 0 ? null : sd / mean;
            double xm = (xs.Count - 1) / 2.0, num = 0, den = 0;
            for (int i = 0; i < xs.Count; i++) { num += (i - xm) * (xs[i] - mean); den += (i - xm) * (i - xm); }
            trend = num / den;
        }
        return new VelocityStatistics(xs, mean, Percentile(xs, 0.15), Percentile(xs, 0.50), Percentile(xs, 0.85), trend, cv);
    }

    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 1) return sorted[0];
        double h = (sorted.Count - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
