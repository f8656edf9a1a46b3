using Alignment.UnitTests.Analysis;

namespace Alignment.UnitTests.Finance;

/// <summary>BUDGET-OVERRUN (docs/rules.md): fire and boundary cases.</summary>
public sealed class BudgetOverrunRuleTests
{
    private static readonly DateOnly LongAgo = new(2024, 1, 1);

    /// <summary>
    /// PAY-1: 30 open points for pay, 2 done in S5 at 2,000 a point. As in <see cref="CostModelTests"/>: cost to date 4,000, forecast cost at
    /// completion 78,285.71 at P50 and P85 (velocity 20 every sprint).
    /// </summary>
    private static AnalysisResult Run(double budget, double[]? velocity = null, StatusCategory status = StatusCategory.InProgress)
    {
        var b = new SnapshotBuilder().Team("pay", "jira", velocity: velocity).Team("risk", "jira");
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: status)
            .Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 30)
            .Item("jira", "PAY-3", "pay", parent: "PAY-1", points: 2, status: StatusCategory.Done);
        var input = new FinanceInput("EUR", new Dictionary<string, IReadOnlyList<TeamRate>> { ["pay"] = [new(LongAgo, RateBasis.PerSprint, 40000)] },
            FinanceInput.BudgetsOf([new EpicBudget("jira", "PAY-1", budget, BudgetOrigin.Configuration)], []));
        return Analyzer.Run(b.Build() with { Finance = input, Completions = [new ItemCompletion("pay", "jira", "pay-5", "PAY-3", 2)] }, new AnalysisOptions());
    }

    private static Finding? Overrun(AnalysisResult r) => r.Findings.SingleOrDefault(f => f.Rule == RuleId.BudgetOverrun);

    [Fact]
    public void Critical_when_the_p50_cost_at_completion_exceeds_the_budget()
    {
        var f = Overrun(Run(78285.70));

        Assert.NotNull(f);
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Equal("jira/PAY-1", f.Subject);
        Assert.Equal("Epic PAY-1: P50 forecast cost at completion 78,286 EUR exceeds its budget 78,286 EUR", f.Title);
        var e = Assert.IsType<BudgetOverrunEvidence>(f.Evidence);
        Assert.Equal(("EUR", 78285.70, 4000.0, 78285.71, 78285.71), (e.Currency, e.Budget, e.CostToDate, e.AtCompletionP50!.Value, e.AtCompletionP85!.Value));
        Assert.Equal("pay", Assert.Single(e.Teams).Team);
    }

    [Fact]
    public void No_finding_when_the_cost_at_completion_equals_the_budget()
    {
        Assert.Null(Overrun(Run(78285.71)));
    }

    [Fact]
    public void Warning_when_only_the_p85_cost_exceeds_the_budget()
    {
        // Throughput 10 or 30 a sprint: the 85 % trials need more sprints than the median one.
        double[] velocity = [10, 30, 10, 30, 10, 30];
        var probe = Run(1e12, velocity).Finance!.Epics.Single();
        Assert.True(probe.AtCompletionP85 > probe.AtCompletionP50, "the scenario needs P85 > P50");

        var atP50 = Overrun(Run(probe.AtCompletionP50!.Value, velocity));
        var between = Overrun(Run((probe.AtCompletionP50!.Value + probe.AtCompletionP85!.Value) / 2, velocity));
        var atP85 = Overrun(Run(probe.AtCompletionP85!.Value, velocity));

        Assert.Equal(Severity.Warning, atP50?.Severity); // P50 = budget is not over; P85 is
        Assert.Equal(Severity.Warning, between?.Severity);
        Assert.Null(atP85);
    }

    [Fact]
    public void Critical_when_the_cost_to_date_alone_exceeds_the_budget_even_without_a_forecast()
    {
        // PAY-2 belongs to no team: no forecast, so no cost at completion; 4,000 already spent is over a 3,999 budget, not over 4,000.
        AnalysisResult Teamless(double budget)
        {
            var b = new SnapshotBuilder().Team("pay", "jira");
            b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress)
                .Item("jira", "PAY-2", null, parent: "PAY-1", points: 30)
                .Item("jira", "PAY-3", "pay", parent: "PAY-1", points: 2, status: StatusCategory.Done);
            var input = new FinanceInput("EUR", new Dictionary<string, IReadOnlyList<TeamRate>> { ["pay"] = [new(LongAgo, RateBasis.PerSprint, 40000)] },
                FinanceInput.BudgetsOf([new EpicBudget("jira", "PAY-1", budget, BudgetOrigin.Configuration)], []));
            return Analyzer.Run(b.Build() with { Finance = input, Completions = [new ItemCompletion("pay", "jira", "pay-5", "PAY-3", 2)] }, new AnalysisOptions());
        }

        var f = Overrun(Teamless(3999));
        Assert.Equal(Severity.Critical, f?.Severity);
        var e = Assert.IsType<BudgetOverrunEvidence>(f!.Evidence);
        Assert.Null(e.AtCompletionP50);
        Assert.Contains("no forecast", e.Reason);
        Assert.Equal("Epic PAY-1: cost to date 4,000 EUR already exceeds its budget 3,999 EUR", f.Title);
        Assert.Null(Overrun(Teamless(4000)));
    }

    [Fact]
    public void A_done_epic_or_an_epic_without_a_budget_gets_no_finding()
    {
        Assert.Null(Overrun(Run(1, status: StatusCategory.Done)));
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress).Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 30);
        var input = new FinanceInput("EUR", new Dictionary<string, IReadOnlyList<TeamRate>> { ["pay"] = [new(LongAgo, RateBasis.PerSprint, 40000)] },
            FinanceInput.BudgetsOf([], []));
        Assert.DoesNotContain(Analyzer.Run(b.Build() with { Finance = input }, new AnalysisOptions()).Findings, f => f.Rule == RuleId.BudgetOverrun);
    }

    [Theory]
    [InlineData(100.0, 120.0, 99.99, Severity.Critical)]
    [InlineData(100.0, 120.0, 100.0, Severity.Warning)]
    [InlineData(100.0, 120.0, 110.0, Severity.Warning)]
    [InlineData(100.0, 120.0, 120.0, null)]
    [InlineData(100.0, 120.0, 130.0, null)]
    public void Severity_boundaries(double p50, double p85, double budget, Severity? expected)
    {
        var e = new EpicCost("jira", "E-1", "u", "t", "pay", StatusCategory.InProgress, 10, 0, p50, p85, null, null, null, null, [], []);
        Assert.Equal(expected, BudgetAnalyzer.Overrun(e, budget));
    }
}
