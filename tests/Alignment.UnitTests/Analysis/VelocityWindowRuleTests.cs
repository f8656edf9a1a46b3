
namespace Alignment.UnitTests.Analysis;

/// <summary>
/// CAP-VOLATILE and CAP-SAYDO on the one statistics module: the coefficient of variation is the sample one (n − 1), and
/// say/do covers <c>Analysis:SayDoSprints</c> whatever <c>Analysis:VelocitySprints</c> is.
/// </summary>
public sealed class VelocityWindowRuleTests
{
    private static List<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule).ToList();

    [Fact]
    public void Volatile_velocity_uses_the_sample_coefficient_of_variation()
    {
        // 14, 26, 14, 26, 14, 26: mean 20; the population sd (6, cv 0.30) did not pass the 0.3 threshold, the sample sd
        // √(216 ÷ 5) ≈ 6.57 (cv ≈ 0.33) does.
        var r = new SnapshotBuilder().Team("pay", "jira", velocity: [14, 26]).Run();

        var f = Assert.Single(Of(r, RuleId.CapVolatile));
        Assert.Contains("coefficient of variation 0.33 over 6 sprints", f.Title);
        var evidence = Assert.IsType<VolatileVelocityEvidence>(f.Evidence);
        Assert.Equal(0.33, evidence.Velocity.Cv);
        Assert.Contains("sample standard deviation", evidence.Definition);
    }

    [Fact]
    public void Volatile_velocity_is_not_flagged_at_or_below_the_threshold_nor_without_variation_defined()
    {
        // 15, 25 alternating over 6 sprints: sample cv √(150 ÷ 5) ÷ 20 ≈ 0.27, below 0.3.
        Assert.Empty(Of(new SnapshotBuilder().Team("pay", "jira", velocity: [15, 25]).Run(), RuleId.CapVolatile));
        // A zero mean has no coefficient of variation.
        Assert.Empty(Of(new SnapshotBuilder().Team("pay", "jira", velocity: [0]).Run(), RuleId.CapVolatile));
        // One sprint has none either, even when one sprint is enough history.
        Assert.Empty(Of(new SnapshotBuilder().Team("pay", "jira", closed: 1, velocity: [10]).Run(new AnalysisOptions { MinHistorySprints = 1 }),
            RuleId.CapVolatile));
    }

    [Fact]
    public void Say_do_covers_its_own_window_even_when_it_is_longer_than_the_velocity_window()
    {
        // Say/do per sprint (velocity ÷ 20 committed): 1, 1, 0.2, 0.2, 1, 1. The last four average 0.6.
        var b = new SnapshotBuilder().Team("pay", "jira", velocity: [20, 20, 4, 4, 20, 20]);

        var f = Assert.Single(Of(b.Run(new AnalysisOptions { VelocitySprints = 2, SayDoSprints = 4 }), RuleId.CapSayDo));
        Assert.Contains("over the last 4 sprints", f.Title);
        Assert.Equal(0.6, Assert.IsType<SayDoEvidence>(f.Evidence).Average);
        Assert.Empty(Of(b.Run(new AnalysisOptions { VelocitySprints = 6, SayDoSprints = 2 }), RuleId.CapSayDo));
    }
}
