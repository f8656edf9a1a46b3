
namespace Alignment.UnitTests.Statistics;

/// <summary>The one statistics module: exact answers on small lists, and the boundaries (no, one, two values; a zero mean).</summary>
public sealed class StatisticsTests
{
    private const int Digits = 12;

    [Fact]
    public void Mean_is_the_sum_over_the_count_and_null_without_values()
    {
        Assert.Null(Stats.Mean([]));
        Assert.Equal(5.0, Stats.Mean([5]));
        Assert.Equal(2.5, Stats.Mean([1, 2, 3, 4]));
        Assert.Equal(0.0, Stats.Mean([-1, 1]));
    }

    [Theory]
    [InlineData(0.00, 10.0)]
    [InlineData(0.15, 14.5)]   // h = 3 × 0.15 = 0.45: 10 + 0.45 × (20 − 10)
    [InlineData(0.50, 25.0)]   // the median of an even count: the mean of the two middle values
    [InlineData(0.85, 35.5)]   // h = 2.55: 30 + 0.55 × (40 − 30)
    [InlineData(1.00, 40.0)]
    public void Percentile_interpolates_linearly_between_closest_ranks(double p, double expected)
    {
        Assert.Equal(expected, Stats.Percentile([10, 20, 30, 40], p)!.Value, Digits);
        Assert.Equal(expected, Stats.Percentile([40, 10, 30, 20], p)!.Value, Digits); // unsorted: the same
    }

    [Fact]
    public void Percentile_agrees_with_the_type_7_definition_and_does_not_reorder_its_input()
    {
        double[] values = [15, 1, 7, 3];
        Assert.Equal(2.5, Stats.Percentile(values, 0.25)!.Value, Digits);   // R: quantile(c(1,3,7,15), .25) = 2.5
        Assert.Equal(3.0, Stats.Percentile([1, 2, 3, 4, 5], 0.5)!.Value, Digits);
        Assert.Equal([15.0, 1, 7, 3], values);
    }

    [Fact]
    public void Percentile_of_one_value_is_that_value_and_of_none_null()
    {
        Assert.Equal(7.0, Stats.Percentile([7], 0.15));
        Assert.Equal(7.0, Stats.Percentile([7], 0.85));
        Assert.Null(Stats.Percentile([], 0.5));
        Assert.Equal(1.5, Stats.Percentile([2, 1], 0.5));
    }

    [Theory]
    [InlineData(0.00, 15)]
    [InlineData(0.05, 15)]   // ⌈0.25⌉ = rank 1
    [InlineData(0.30, 20)]   // ⌈1.5⌉ = rank 2
    [InlineData(0.40, 20)]   // ⌈2.0⌉ = rank 2: exactly 40 % are at or below 20
    [InlineData(0.50, 35)]   // ⌈2.5⌉ = rank 3
    [InlineData(1.00, 50)]
    public void Nearest_rank_percentile_is_an_order_statistic_never_between_values(double p, int expected)
    {
        Assert.Equal(expected, Stats.NearestRankPercentile(new[] { 15, 20, 35, 40, 50 }, p));
        Assert.Equal(expected, Stats.NearestRankPercentile(new[] { 50, 35, 15, 40, 20 }, p));
        Assert.Equal((double)expected, Stats.NearestRankPercentile(new[] { 15.0, 20, 35, 40, 50 }, p));
    }

    [Fact]
    public void Nearest_rank_of_none_is_null_and_its_index_serves_a_histogram()
    {
        Assert.Null(Stats.NearestRankPercentile(Array.Empty<double>(), 0.5));
        Assert.Equal(3.0, Stats.NearestRankPercentile(new[] { 3.0 }, 0.99));
        Assert.Equal(849, Stats.NearestRankIndex(1000, 0.85));
        Assert.Equal(499, Stats.NearestRankIndex(1000, 0.5));
        Assert.Equal(0, Stats.NearestRankIndex(1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stats.NearestRankIndex(0, 0.5));
    }

    [Fact]
    public void A_share_outside_0_to_1_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Stats.Percentile([1, 2], 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stats.NearestRankPercentile(new[] { 1, 2 }, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Stats.Percentile([1, 2], double.NaN));
    }

    [Fact]
    public void Sample_standard_deviation_divides_by_n_minus_1_and_is_null_below_two_values()
    {
        Assert.Null(Stats.SampleStandardDeviation([]));
        Assert.Null(Stats.SampleStandardDeviation([5]));
        Assert.Equal(Math.Sqrt(2), Stats.SampleStandardDeviation([2, 4])!.Value, Digits);
        // Population standard deviation of this textbook list is 2; the sample one is √(32 ÷ 7).
        Assert.Equal(Math.Sqrt(32.0 / 7), Stats.SampleStandardDeviation([2, 4, 4, 4, 5, 5, 7, 9])!.Value, Digits);
        Assert.Equal(0.0, Stats.SampleStandardDeviation([3, 3, 3]));
    }

    [Fact]
    public void Coefficient_of_variation_is_sample_sd_over_mean_and_null_below_two_values_or_at_a_zero_mean()
    {
        Assert.Null(Stats.CoefficientOfVariation([]));
        Assert.Null(Stats.CoefficientOfVariation([5]));
        Assert.Null(Stats.CoefficientOfVariation([0, 0]));
        Assert.Null(Stats.CoefficientOfVariation([-1, 1]));
        Assert.Equal(Math.Sqrt(2) / 3, Stats.CoefficientOfVariation([2, 4])!.Value, Digits);
        Assert.Equal(Math.Sqrt(500.0 / 3) / 25, Stats.CoefficientOfVariation([10, 20, 30, 40])!.Value, Digits);
        Assert.Equal(Math.Sqrt(43.2) / 20, Stats.CoefficientOfVariation([14, 26, 14, 26, 14, 26])!.Value, Digits);
    }

    [Fact]
    public void Trend_is_the_least_squares_slope_per_step_and_null_below_two_values()
    {
        Assert.Null(Stats.Trend([]));
        Assert.Null(Stats.Trend([3]));
        Assert.Equal(1.0, Stats.Trend([1, 2])!.Value, Digits);
        Assert.Equal(10.0, Stats.Trend([10, 20, 30, 40])!.Value, Digits);
        Assert.Equal(0.0, Stats.Trend([5, 5, 5])!.Value, Digits);
        Assert.Equal(-0.9, Stats.Trend([8, 10, 10, 5])!.Value, Digits);   // Σ(i − 1.5)(x − 8.25) = −4.5 over Σ(i − 1.5)² = 5
    }
}
