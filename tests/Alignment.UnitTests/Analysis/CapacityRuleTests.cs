
namespace Alignment.UnitTests.Analysis;

/// <summary>
/// Fire and boundary cases of CAP-DIP and CAP-DEPENDENCY-LOAD (docs/rules.md) with the default thresholds. The builder's teams
/// complete 20 points with 10 person-days in each closed sprint, so P50 velocity = 20 and normal capacity = 10 days.
/// </summary>
public sealed class CapacityRuleTests
{
    private static IEnumerable<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule);
    private static string[] Keys(Finding f) => f.Items.Select(i => $"{i.Source}/{i.Key}").ToArray();

    // CAP-DIP: next sprint's available capacity below 70 % of normal and the commitment not reduced.

    /// <summary>The next sprint (S7) has <paramref name="days"/> person-days and four stories of <paramref name="each"/> points.</summary>
    private static AnalysisResult NextSprint(double days, double each = 5)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Capacity("pay", "jira", b.Sprint("pay", 7), days);
        for (var k = 1; k <= 4; k++) b.Item("jira", $"PAY-{k}", "pay", b.Sprint("pay", 7), points: each);
        return b.Run();
    }

    [Fact]
    public void Flags_capacity_dip_when_the_next_sprint_has_60_percent_capacity_and_the_full_20_points_planned()
    {
        var f = Assert.Single(Of(NextSprint(days: 6), RuleId.CapDip));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Empty(f.Items);
        Assert.Equal(0.6, Assert.IsType<CapacityDipEvidence>(f.Evidence).Ratio);
        Assert.Equal(12.0, Assert.IsType<CapacityDipEvidence>(f.Evidence).ReducedTarget);
    }

    [Fact]
    public void Does_not_flag_capacity_dip_when_the_next_sprint_has_exactly_70_percent_capacity() =>
        Assert.Empty(Of(NextSprint(days: 7), RuleId.CapDip));

    [Fact]
    public void Does_not_flag_capacity_dip_when_the_commitment_was_reduced_to_p50_times_the_capacity_ratio() =>
        Assert.Empty(Of(NextSprint(days: 6, each: 3), RuleId.CapDip));

    // CAP-DEPENDENCY-LOAD: points other teams need from a team in its next sprint exceed half its P50 velocity.

    /// <summary>pay's active-sprint story and next-sprint story depend on ledger's items 101 (6 points) and 102.</summary>
    private static AnalysisResult LedgerNeeded(double secondBlockerPoints)
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        return b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6)).Item("jira", "PAY-2", "pay", b.Sprint("pay", 7))
            .Item("ado", "101", "ledger", points: 6).Item("ado", "102", "ledger", points: secondBlockerPoints)
            .DependsOn("jira", "PAY-1", "ado", "101").DependsOn("jira", "PAY-2", "ado", "102").Run();
    }

    [Fact]
    public void Flags_dependency_load_when_other_teams_need_11_points_against_half_of_p50_20()
    {
        var f = Assert.Single(Of(LedgerNeeded(5), RuleId.CapDependencyLoad));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("ledger", f.Team);
        Assert.Equal(["pay"], f.RelatedTeams);
        Assert.Equal(["ado/101", "ado/102"], Keys(f));
        Assert.Equal(11.0, Assert.IsType<DependencyLoadEvidence>(f.Evidence).NeededPoints);
    }

    [Fact]
    public void Does_not_flag_dependency_load_when_other_teams_need_exactly_half_of_p50() =>
        Assert.Empty(Of(LedgerNeeded(4), RuleId.CapDependencyLoad));
}
