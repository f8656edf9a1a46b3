namespace Alignment.Domain.Statistics;

/// <summary>
/// The one place where the product's statistics are defined (velocity, say/do windows, MI, analyzers, forecasts, benchmark).
/// Pure functions over a list of values; none of them changes its input. Where a figure is undefined for too few values
/// the answer is null, never a made-up 0.
/// </summary>
public static class Statistics
{
    /// <summary>Arithmetic mean: (x₁ + … + xₙ) ÷ n. Null for no values.</summary>
    public static double? Mean(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        double sum = 0;
        for (var i = 0; i < values.Count; i++) sum += values[i];
        return sum / values.Count;
    }

    /// <summary>
    /// The <paramref name="p"/>-quantile (0 ≤ p ≤ 1) by linear interpolation between closest ranks, Hyndman and Fan's
    /// "type 7" (R's default, NumPy's "linear", Excel's PERCENTILE.INC): with the values sorted ascending as
    /// x₀ ≤ … ≤ xₙ₋₁, h = (n − 1)·p, the answer is x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋). P50 is the usual median (the mean of
    /// the two middle values for an even n). One value: that value. Null for no values. The list may be unsorted.
    /// </summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        CheckP(p);
        if (values.Count == 0) return null;
        var sorted = Sorted(values);
        var h = (sorted.Count - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>
    /// The <paramref name="p"/>-quantile (0 ≤ p ≤ 1) as an order statistic, by nearest rank: the smallest value that at
    /// least a share p of the values are at or below, i.e. the sorted value at 1-based rank max(1, ⌈p·n⌉). Never between two
    /// values, so it is always an outcome that happened: for Monte Carlo trial results and request latencies. Null for no
    /// values. The list may be unsorted.
    /// </summary>
    public static T? NearestRankPercentile<T>(IReadOnlyList<T> values, double p) where T : struct, IComparable<T> =>
        values.Count == 0 ? null : Sorted(values)[NearestRankIndex(values.Count, p)];

    /// <summary>
    /// The 0-based position in <paramref name="count"/> sorted values of <see cref="NearestRankPercentile{T}"/>:
    /// max(1, ⌈p·count⌉) − 1. For callers that keep outcomes as a histogram instead of a list.
    /// </summary>
    public static int NearestRankIndex(int count, double p)
    {
        CheckP(p);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return Math.Clamp((int)Math.Ceiling(p * count) - 1, 0, count - 1);
    }

    /// <summary>
    /// Sample standard deviation (Bessel's correction): √( Σ(xᵢ − x̄)² ÷ (n − 1) ). Null below two values, where it is
    /// undefined.
    /// </summary>
    public static double? SampleStandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return null;
        var mean = Mean(values)!.Value;
        double squares = 0;
        for (var i = 0; i < values.Count; i++) squares += (values[i] - mean) * (values[i] - mean);
        return Math.Sqrt(squares / (values.Count - 1));
    }

    /// <summary>
    /// Coefficient of variation: <see cref="SampleStandardDeviation"/> ÷ <see cref="Mean"/>. Null below two values or when
    /// the mean is 0.
    /// </summary>
    public static double? CoefficientOfVariation(IReadOnlyList<double> values)
    {
        if (SampleStandardDeviation(values) is not { } sd) return null;
        var mean = Mean(values)!.Value;
        return mean == 0 ? null : sd / mean;
    }

    /// <summary>
    /// Trend: the least-squares slope of the values against their position 0, 1, …, n − 1 (change per step, e.g. points per
    /// sprint; positive = rising): Σ(i − ī)(xᵢ − x̄) ÷ Σ(i − ī)², ī = (n − 1) ÷ 2. Null below two values.
    /// </summary>
    public static double? Trend(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return null;
        var mean = Mean(values)!.Value;
        var im = (values.Count - 1) / 2.0;
        double num = 0, den = 0;
        for (var i = 0; i < values.Count; i++)
        {
            num += (i - im) * (values[i] - mean);
            den += (i - im) * (i - im);
        }
        return num / den;
    }

    /// <summary>The list itself when already ascending, else a sorted copy (the input is never changed).</summary>
    private static IReadOnlyList<T> Sorted<T>(IReadOnlyList<T> values) where T : IComparable<T>
    {
        for (var i = 1; i < values.Count; i++)
            if (values[i - 1].CompareTo(values[i]) > 0)
            {
                var copy = values.ToArray();
                Array.Sort(copy);
                return copy;
            }
        return values;
    }

    private static void CheckP(double p)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a percentile is a share between 0 and 1");
    }
}
