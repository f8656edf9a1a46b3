using Alignment.UnitTests.Analysis;

namespace Alignment.UnitTests.Intervals;

/// <summary>
/// INTERVAL-AT-RISK (docs/rules.md) and the intervals document (docs/figures.md, "Planning intervals") on hand-built snapshots. Team pay
/// completes 20 points in every sprint; its sprints of PI-1 run 10 March to 20 April (the active one ends 23 March), so at P85 it finishes
/// 60 open points on 20 April, the last day, and 61 on 4 May.
/// </summary>
public sealed class IntervalAnalyzerTests
{
    private static readonly PlanningInterval Pi = new("PI-1", new DateOnly(2025, 3, 10), new DateOnly(2025, 4, 20));
    private static readonly DateTimeOffset PlanAt = SnapshotBuilder.At(new DateOnly(2025, 3, 10));

    private static PlannedItem Planned(string key, double? points, string unit = "E1", double? value = null) =>
        new("jira", key, key, unit, WorkItemType.Epic, value, points);

    private static TeamPlan Plan(string team, params PlannedItem[] items) =>
        new(Pi.Id, team, "jira", PlanAt, [$"{team}-6", $"{team}-7", $"{team}-8"], "observed", PlanAt, items);

    private static AnalysisResult Run(SnapshotBuilder b, IReadOnlyList<TeamPlan> plans, IReadOnlyList<TeamOutcome>? outcomes = null) =>
        Analyzer.Run(b.Build() with { Intervals = new IntervalInput([Pi], plans, outcomes ?? []) }, new AnalysisOptions());

    private static SnapshotBuilder Open(params (string Key, double? Points)[] items)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        foreach (var (key, points) in items) b.Item("jira", key, "pay", b.Sprint("pay", 6), points: points, parent: "E1");
        return b.Item("jira", "E1", "pay", type: WorkItemType.Epic);
    }

    [Fact]
    public void Fires_when_the_P85_finish_of_the_open_planned_work_is_after_the_last_day_of_the_interval()
    {
        var r = Run(Open(("A", 20), ("B", 20), ("C", 21)), [Plan("pay", Planned("A", 20), Planned("B", 20), Planned("C", 21))]);
        var f = Assert.Single(r.Findings, x => x.Rule == RuleId.IntervalAtRisk);
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("PI-1/pay", f.Subject);
        Assert.Equal(["A", "B", "C"], f.Items.Select(i => i.Key));
        var e = Assert.IsType<IntervalAtRiskEvidence>(f.Evidence);
        Assert.Equal((new DateOnly(2025, 5, 4), new DateOnly(2025, 4, 20), 61.0), (e.P85!.Value, e.LastDay, e.RemainingPoints));
        var team = r.Intervals!.Intervals.Single().Teams.Single();
        Assert.Equal(IntervalPhase.Running, team.Phase);
        Assert.True(team.Forecast!.AtRisk);
    }

    [Fact]
    public void Does_not_fire_when_P85_is_the_last_day()
    {
        var r = Run(Open(("A", 20), ("B", 20), ("C", 20)), [Plan("pay", Planned("A", 20), Planned("B", 20), Planned("C", 20))]);
        Assert.DoesNotContain(r.Findings, x => x.Rule == RuleId.IntervalAtRisk);
        Assert.Equal(new DateOnly(2025, 4, 20), r.Intervals!.Intervals.Single().Teams.Single().Forecast!.P85);
    }

    [Fact]
    public void Done_planned_items_and_unplanned_items_do_not_count_towards_the_forecast()
    {
        var b = Open(("A", 20), ("B", 20), ("Z", 40)).Item("jira", "C", "pay", points: 21, status: StatusCategory.Done);
        var r = Run(b, [Plan("pay", Planned("A", 20), Planned("B", 20), Planned("C", 21))]);
        Assert.DoesNotContain(r.Findings, x => x.Rule == RuleId.IntervalAtRisk);
        var team = r.Intervals!.Intervals.Single().Teams.Single();
        Assert.Equal((2, 40.0), (team.Forecast!.OpenItems, team.Forecast.RemainingPoints));
        Assert.Equal(21, team.Figures.DeliveredPoints); // done so far
        Assert.Equal(21.0 / 61, team.Figures.PredictabilityPoints.Value!.Value, 9);
    }

    [Fact]
    public void Without_a_plan_or_without_enough_history_nothing_fires()
    {
        var none = Run(Open(("A", 80)), []);
        Assert.DoesNotContain(none.Findings, x => x.Rule == RuleId.IntervalAtRisk);
        Assert.Equal(IntervalPhase.NotStarted, none.Intervals!.Intervals.Single().Phase);

        var b = new SnapshotBuilder().Team("pay", "jira", closed: 2).Item("jira", "A", "pay", "pay-2", points: 80);
        var young = Analyzer.Run(b.Build() with
        {
            Intervals = new IntervalInput([Pi], [new TeamPlan(Pi.Id, "pay", "jira", PlanAt, ["pay-2"], "observed", PlanAt, [Planned("A", 80)])], []),
        }, new AnalysisOptions());
        Assert.DoesNotContain(young.Findings, x => x.Rule == RuleId.IntervalAtRisk);
        Assert.Contains("a forecast needs 3", young.Intervals!.Intervals.Single().Teams.Single().Forecast!.Reason);
    }

    [Fact]
    public void A_finished_interval_gives_predictability_by_count_points_and_value_and_the_organisation_counts_a_shared_unit_once()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("led", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic).Item("jira", "E2", "pay", type: WorkItemType.Epic);
        var end = SnapshotBuilder.At(new DateOnly(2025, 4, 20));
        var plans = new[]
        {
            Plan("pay", Planned("A", 5, "E1", 10), Planned("B", 3, "E2", 30)),
            Plan("led", Planned("C", 2, "E1", 10), Planned("D", null, "E1", 10)),
        };
        OutcomeItem O(string key, string unit, bool done, params SlipReason[] reasons) =>
            new("jira", key, key, unit, true, done, false, 1, reasons, reasons.Contains(SlipReason.BlockedByTeam) ? ["jira/X"] : []);
        var outcomes = new[]
        {
            new TeamOutcome(Pi.Id, "pay", end, [], 33, end, [O("A", "E1", true), O("B", "E2", false, SlipReason.CarriedOver),
                new OutcomeItem("jira", "U", "U", "U", false, true, false, 8, [], [])]),
            new TeamOutcome(Pi.Id, "led", end, [], 12, end, [O("C", "E1", false, SlipReason.BlockedByTeam), O("D", "E1", true)]),
        };
        var doc = Analyzer.Run(b.Build() with { Now = end.AddDays(3), Intervals = new IntervalInput([Pi], plans, outcomes) }, new AnalysisOptions()).Intervals!;
        var iv = doc.Intervals.Single();
        var pay = iv.Teams.Single(t => t.Team == "pay");
        Assert.Equal((2, 1, 8.0, 5.0), (pay.Figures.PlannedCount, pay.Figures.DeliveredCount, pay.Figures.PlannedPoints, pay.Figures.DeliveredPoints));
        Assert.Equal((0.5, 5.0 / 8, 10.0 / 40), (pay.Figures.PredictabilityCount.Value!.Value, pay.Figures.PredictabilityPoints.Value!.Value, pay.Figures.PredictabilityValue.Value!.Value));
        Assert.Equal((8.0, 1), (pay.Figures.ScopeAddedPoints.Value!.Value, pay.Figures.AddedCount!.Value));
        var slip = Assert.Single(pay.Slipped);
        Assert.Equal("E2", slip.Key);
        Assert.Equal([SlipReason.CarriedOver], slip.Reasons);
        var led = iv.Teams.Single(t => t.Team == "led");
        Assert.Equal(["jira/X"], led.Slipped.Single().Items.Single().Blockers);
        // The organisation: E1 (pay delivered its part, led did not) and E2, both slipped; points 5 + 0 of 10.
        Assert.Equal(IntervalPhase.Finished, iv.Phase);
        Assert.Equal((2, 0, 10.0, 5.0, 45.0), (iv.Organisation.PlannedCount, iv.Organisation.DeliveredCount, iv.Organisation.PlannedPoints,
            iv.Organisation.DeliveredPoints, iv.Organisation.Velocity.Value!.Value));
        Assert.Equal(new Dictionary<SlipReason, int> { [SlipReason.BlockedByTeam] = 1, [SlipReason.CarriedOver] = 1 }, iv.Organisation.SlipReasons);
        Assert.Equal(0, iv.Organisation.PredictabilityValue.Value);

        // The MI history's predictability: each team's and the organisation's, once, on the day the interval ended.
        var points = IntervalHistory.Points(doc);
        Assert.Equal([("", 5.0 / 10), ("led", 0.0), ("pay", 5.0 / 8)], points.Select(p => (p.Team, p.Value!.Value)).Order());
        Assert.All(points, p => Assert.Equal((new DateOnly(2025, 4, 20), MiHistory.Observed), (p.Day, p.Basis)));
        Assert.Equal("PI-1", IntervalHistory.Rows(doc, "pay", new DateOnly(2025, 4, 20)).Single()["interval"]);
    }
}
