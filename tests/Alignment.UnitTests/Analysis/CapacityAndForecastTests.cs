
namespace Alignment.UnitTests.Analysis;

public sealed class CapacityAndForecastTests
{
    private static IEnumerable<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule);

    private static SnapshotBuilder Committed(double points)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        return b.Figure(new SprintFigure("pay", "jira", b.Sprint("pay", 6), "observed", points, 0, 0, 0, null, null));
    }

    [Fact]
    public void Flags_overcommit_critical_when_commitment_exceeds_p50_velocity_by_more_than_30_percent() =>
        Assert.Equal(Severity.Critical, Assert.Single(Of(Committed(27).Run(), RuleId.CapOvercommit)).Severity);

    [Fact]
    public void Flags_overcommit_warning_between_10_and_30_percent() =>
        Assert.Equal(Severity.Warning, Assert.Single(Of(Committed(23).Run(), RuleId.CapOvercommit)).Severity);

    [Fact]
    public void Does_not_flag_overcommit_at_exactly_10_percent_over() => Assert.Empty(Of(Committed(22).Run(), RuleId.CapOvercommit));

    [Fact]
    public void Flags_overcommit_when_capacity_halves_and_commitment_does_not()
    {
        var b = Committed(20);
        b.Capacity("pay", "jira", b.Sprint("pay", 6), 5);
        Assert.Single(Of(b.Run(), RuleId.CapOvercommit));
    }

    [Fact]
    public void Flags_volatile_velocity_and_not_a_steady_one()
    {
        Assert.Single(Of(new SnapshotBuilder().Team("pay", "jira", velocity: [5, 30, 10, 35, 8, 25]).Run(), RuleId.CapVolatile));
        Assert.Empty(Of(new SnapshotBuilder().Team("pay", "jira", velocity: [19, 21, 20, 20, 19, 21]).Run(), RuleId.CapVolatile));
    }

    [Fact]
    public void Flags_say_do_below_07_and_not_at_07()
    {
        Assert.Single(Of(new SnapshotBuilder().Team("pay", "jira", velocity: [13]).Run(), RuleId.CapSayDo));
        Assert.Empty(Of(new SnapshotBuilder().Team("pay", "jira", velocity: [14]).Run(), RuleId.CapSayDo));
    }

    private static SnapshotBuilder Epic(double[] velocity, DateOnly? due = null)
    {
        var b = new SnapshotBuilder().Team("pay", "jira", velocity: velocity).Team("ledger", "ado", days: 7, velocity: [10, 12, 8]);
        b.Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic, due: due);
        for (var i = 0; i < 10; i++) b.Item("jira", $"PAY-{i}", "pay", points: 5, parent: "EPIC-1");
        return b;
    }

    [Fact]
    public void Forecasts_are_identical_for_the_same_seed_and_p85_is_not_before_p50()
    {
        var a = Epic([10, 30, 20, 15, 25]).Run().Forecasts[("jira", "EPIC-1")];
        var c = Epic([10, 30, 20, 15, 25]).Run().Forecasts[("jira", "EPIC-1")];
        Assert.Equal(ForecastStatus.Forecast, a.Status);
        Assert.Equal((a.P50, a.P85), (c.P50, c.P85));
        Assert.True(a.P85 >= a.P50);
        Assert.True(a.Trials >= 1000);
    }

    [Fact]
    public void Dependency_propagation_moves_a_dependent_epics_dates()
    {
        var alone = Epic([20]).Run().Forecasts[("jira", "EPIC-1")];
        var b = Epic([20]);
        b.Item("ado", "900", "ledger", points: 100).DependsOn("jira", "PAY-3", "ado", "900");
        var blocked = b.Run().Forecasts[("jira", "EPIC-1")];
        Assert.True(blocked.P50 > alone.P50, $"{blocked.P50} should be after {alone.P50}");
        Assert.Contains(blocked.Upstream, u => u.Key == "900");
    }

    [Fact]
    public void A_team_without_history_gets_an_explicit_no_forecast_reason()
    {
        var b = new SnapshotBuilder().Team("pay", "jira", closed: 1);
        b.Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic).Item("jira", "PAY-1", "pay", parent: "EPIC-1");
        var f = b.Run().Forecasts[("jira", "EPIC-1")];
        Assert.Equal(ForecastStatus.NoForecast, f.Status);
        Assert.Null(f.P85);
        Assert.Contains("closed sprint", Assert.Single(f.Reasons));
    }

    [Fact]
    public void Flags_epic_forecast_when_p85_is_after_the_target_and_not_when_the_target_is_far()
    {
        Assert.Single(Of(Epic([20], due: new DateOnly(2025, 3, 20)).Run(), RuleId.DriftEpicForecast));
        Assert.Empty(Of(Epic([20], due: new DateOnly(2026, 1, 1)).Run(), RuleId.DriftEpicForecast));
    }
}
