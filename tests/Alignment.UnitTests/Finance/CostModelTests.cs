using Alignment.UnitTests.Analysis;

namespace Alignment.UnitTests.Finance;

/// <summary>The cost model (docs/figures.md, "Cost") against hand computations written out in each test.</summary>
public sealed class CostModelTests
{
    private static readonly DateOnly LongAgo = new(2024, 1, 1);

    private static FinanceInput Input(Dictionary<string, TeamRate[]> rates, params EpicBudget[] budgets) =>
        new("EUR", rates.ToDictionary(r => r.Key, r => (IReadOnlyList<TeamRate>)r.Value),
            FinanceInput.BudgetsOf(budgets, []));

    private static AnalysisResult Run(SnapshotBuilder b, FinanceInput input, params ItemCompletion[] completions) =>
        Analyzer.Run(b.Build() with { Finance = input, Completions = completions }, new AnalysisOptions());

    [Fact]
    public void Epic_cost_to_date_across_teams_on_jira_and_azure_devops_with_a_rate_change_matches_the_hand_computation()
    {
        // Sprints (SnapshotBuilder): 14 days, k = 0..5 closed, sprint k starts 2024-12-16 + 14k, so S4 starts 2025-02-10 and S5 2025-02-24.
        // Every closed sprint completed 20 points with 10 person-days, except where set below.
        var b = new SnapshotBuilder().Team("pay", "jira").Team("risk", "jira").Team("ledger", "ado");
        b.Figure(new SprintFigure("pay", "jira", "pay-5", "observed", 20, 25, 0, 0, 1.25, 10));      // pay S5: 25 points
        b.Capacity("risk", "jira", "risk-5", 12.5);                                                // risk S5: 12.5 person-days
        b.Capacity("ledger", "ado", "ledger-5", 8);                                                // ledger S5: 8 person-days
        b.Figure(new SprintFigure("ledger", "ado", "ledger-5", "observed", 20, 16, 0, 0, 0.8, 8));  // ledger S5: 16 points
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress)
            .Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 8, status: StatusCategory.Done)
            .Item("jira", "PAY-3", "pay", parent: "PAY-1", points: 5, status: StatusCategory.Done)
            .Item("jira", "PAY-10", "pay", type: WorkItemType.Feature, parent: "PAY-1")
            .Item("jira", "PAY-4", "pay", parent: "PAY-10", points: 2, status: StatusCategory.Done)
            .Item("jira", "RSK-1", "risk", parent: "PAY-1", points: 3, status: StatusCategory.Done)
            .Item("jira", "PAY-5", "pay", parent: "PAY-1", points: 3, status: StatusCategory.Done)
            .Item("jira", "PAY-6", "pay", parent: "PAY-1", points: 10);
        b.Item("ado", "900", "ledger", type: WorkItemType.Epic, status: StatusCategory.InProgress)
            .Item("ado", "901", "ledger", parent: "900", points: 5, status: StatusCategory.Done)
            .Item("ado", "902", "ledger", parent: "900", points: 4, status: StatusCategory.Done);
        var input = Input(new()
        {
            // pay: 30,000 a sprint, 40,000 from 2025-02-20 (between S4's start and S5's).
            ["pay"] = [new(LongAgo, RateBasis.PerSprint, 30000), new(new DateOnly(2025, 2, 20), RateBasis.PerSprint, 40000)],
            ["risk"] = [new(LongAgo, RateBasis.PerPersonDay, 800)],
            ["ledger"] = [new(LongAgo, RateBasis.PerPersonDay, 700)],
        });

        var finance = Run(b, input,
            new ItemCompletion("pay", "jira", "pay-4", "PAY-2", 8), new ItemCompletion("pay", "jira", "pay-4", "PAY-4", 2),
            new ItemCompletion("pay", "jira", "pay-5", "PAY-3", 5), new ItemCompletion("risk", "jira", "risk-5", "RSK-1", 3),
            new ItemCompletion("pay", "jira", "pay-6", "PAY-5", 3),   // the active sprint: not spent yet, not counted
            new ItemCompletion("ledger", "ado", "ledger-4", "901", 5), new ItemCompletion("ledger", "ado", "ledger-5", "902", 4)).Finance!;

        // Cost per point: pay S4 = 30,000 ÷ 20 = 1,500 (the old rate: S4 started 2025-02-10); pay S5 = 40,000 ÷ 25 = 1,600;
        // risk S5 = 800 × 12.5 ÷ 20 = 500; ledger S4 = 700 × 10 ÷ 20 = 350; ledger S5 = 700 × 8 ÷ 16 = 350.
        var sprint = finance.Sprints.ToDictionary(s => s.SprintId);
        Assert.Equal((30000, 1500), (sprint["pay-4"].Cost!.Value, sprint["pay-4"].CostPerPoint!.Value));
        Assert.Equal((40000, 1600), (sprint["pay-5"].Cost!.Value, sprint["pay-5"].CostPerPoint!.Value));
        Assert.Equal((10000, 500), (sprint["risk-5"].Cost!.Value, sprint["risk-5"].CostPerPoint!.Value));
        Assert.Equal((5600, 350), (sprint["ledger-5"].Cost!.Value, sprint["ledger-5"].CostPerPoint!.Value));
        Assert.Equal(new DateOnly(2024, 1, 1), sprint["pay-4"].RateFrom);

        // PAY-1 = (8 + 2) × 1,500 + 5 × 1,600 + 3 × 500 = 15,000 + 8,000 + 1,500 = 24,500.
        var pay1 = finance.Epics.Single(e => e.Key == "PAY-1");
        Assert.Equal(24500, pay1.CostToDate);
        Assert.Equal([("pay", 23000.0, 15.0), ("risk", 1500.0, 3.0)], pay1.Teams.Where(t => t.DonePoints > 0).Select(t => (t.Team, t.CostToDate, t.DonePoints)));
        Assert.Equal(0, pay1.UnpricedPoints);
        // 900 (Azure DevOps) = 5 × 350 + 4 × 350 = 3,150.
        Assert.Equal(3150, finance.Epics.Single(e => e.Key == "900").CostToDate);
        // Σ over the epics of a sprint's cost never exceeds what the sprint cost.
        Assert.True(pay1.SprintCosts.Where(s => s.SprintId == "pay-4").Sum(s => s.Cost) <= sprint["pay-4"].Cost);
    }

    [Fact]
    public void Per_person_day_without_capacity_is_unknown_and_the_points_stay_unpriced()
    {
        var b = new SnapshotBuilder().Team("ledger", "ado");
        b.Capacity("ledger", "ado", "ledger-5", 0);
        var s = b.Build();
        s = s with { Capacities = s.Capacities.Where(c => c.SprintId != "ledger-5").ToList() };
        s = s with
        {
            Items = [.. s.Items,
                new SnapshotItem("ado", "900", "900", "u", WorkItemType.Epic, "e", StatusCategory.InProgress, null, "ledger", null, [], null, null, SnapshotBuilder.Now, SnapshotBuilder.Now, null),
                new SnapshotItem("ado", "901", "901", "u", WorkItemType.Story, "s", StatusCategory.Done, 5, "ledger", null, [], "900", null, SnapshotBuilder.Now, SnapshotBuilder.Now, null)],
            Finance = Input(new() { ["ledger"] = [new(LongAgo, RateBasis.PerPersonDay, 700)] }),
            Completions = [new ItemCompletion("ledger", "ado", "ledger-5", "901", 5)],
        };

        var finance = Analyzer.Run(s, new AnalysisOptions()).Finance!;

        var sprint = finance.Sprints.Single(x => x.SprintId == "ledger-5");
        Assert.Null(sprint.Cost);
        Assert.Null(sprint.CostPerPoint);
        Assert.Contains("no recorded capacity", sprint.Reason);
        var epic = finance.Epics.Single();
        Assert.Equal(0, epic.CostToDate);
        Assert.Equal(5, epic.UnpricedPoints);
    }

    [Fact]
    public void A_sprint_before_the_first_rate_or_with_no_points_has_no_cost_per_point()
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Figure(new SprintFigure("pay", "jira", "pay-5", "observed", 20, 0, 0, 0, 0, 10));
        var finance = Run(b, Input(new() { ["pay"] = [new(new DateOnly(2025, 1, 1), RateBasis.PerSprint, 30000)] })).Finance!;
        var sprint = finance.Sprints.ToDictionary(s => s.SprintId);

        Assert.Null(sprint["pay-0"].Cost); // starts 2024-12-16, before the first rate
        Assert.Contains("no rate in force on 2024-12-16", sprint["pay-0"].Reason);
        Assert.Equal(30000, sprint["pay-5"].Cost);
        Assert.Null(sprint["pay-5"].CostPerPoint);
        Assert.Equal("no points were completed in the sprint", sprint["pay-5"].Reason);
    }

    [Fact]
    public void Forecast_cost_at_completion_prices_the_team_time_to_the_forecast_day()
    {
        // pay completes 20 points every sprint: 30 open points finish in the second simulated sprint in every trial. The active sprint
        // (S6, 2025-03-10 .. 03-23) ends on 03-23, the next on 04-06: P50 = P85 = 2025-04-06. Today is 2025-03-12: 26 days of team
        // time = 26 ÷ 14 sprints × 40,000 = 74,285.71; the cost to date is 2 × 2,000 (pay S5: 40,000 ÷ 20) = 4,000.
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress)
            .Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 30)
            .Item("jira", "PAY-3", "pay", parent: "PAY-1", points: 2, status: StatusCategory.Done);
        var input = Input(new() { ["pay"] = [new(LongAgo, RateBasis.PerSprint, 40000)] });

        var epic = Run(b, input, new ItemCompletion("pay", "jira", "pay-5", "PAY-3", 2)).Finance!.Epics.Single();

        Assert.Equal(new DateOnly(2025, 4, 6), epic.ForecastP50);
        Assert.Equal(4000, epic.CostToDate);
        var team = epic.Teams.Single();
        Assert.Equal(26 / 14.0, team.SprintsToP50!.Value, 3);
        Assert.Equal(74285.71, team.RemainingCostP50);
        Assert.Equal(78285.71, epic.AtCompletionP50);
        Assert.Equal(78285.71, epic.AtCompletionP85);
        Assert.Null(epic.Reason);
    }

    [Fact]
    public void Only_the_epics_own_share_of_a_forecast_part_is_priced()
    {
        // PAY-2 (30 points, PAY-1's own) depends on PAY-9 (10 points, another epic's): pay's part holds 40 points and ends after two
        // sprints (2025-04-06); PAY-1 pays 30/40 of that time: 26 ÷ 14 × 40,000 × 0.75 = 55,714.29.
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress)
            .Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 30)
            .Item("jira", "PAY-9", "pay", points: 10).DependsOn("jira", "PAY-2", "jira", "PAY-9");
        var epic = Run(b, Input(new() { ["pay"] = [new(LongAgo, RateBasis.PerSprint, 40000)] })).Finance!.Epics.Single();

        Assert.Equal(55714.29, epic.AtCompletionP50);
    }

    [Fact]
    public void Without_a_rate_today_the_forecast_cost_is_unknown_with_the_reason()
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress).Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 30);
        var epic = Run(b, Input(new() { ["other"] = [new(LongAgo, RateBasis.PerSprint, 1)] })).Finance!.Epics.Single();

        Assert.Null(epic.AtCompletionP50);
        Assert.Contains("no rate in force today", epic.Reason);
    }

    [Fact]
    public void Without_finance_configuration_the_analysis_has_no_cost_model()
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        Assert.Null(b.Run().Finance);
        Assert.Null(Run(b, FinanceInput.None).Finance);
    }

    [Fact]
    public void Configured_budgets_override_a_tracker_budget_of_the_same_epic()
    {
        var budgets = FinanceInput.BudgetsOf(
            [new EpicBudget("jira", "PAY-1", 100, BudgetOrigin.Configuration)],
            [new EpicBudget("jira", "PAY-1", 999, BudgetOrigin.Tracker), new EpicBudget("ado", "7", 50, BudgetOrigin.Tracker)]);

        Assert.Equal(100, budgets[("jira", "PAY-1")].Amount);
        Assert.Equal(BudgetOrigin.Tracker, budgets[("ado", "7")].Origin);
    }
}
