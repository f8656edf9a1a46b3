namespace Alignment.Domain.Finance;

/// <summary>
/// BUDGET-OVERRUN (docs/rules.md): an open epic with a budget whose forecast cost at completion exceeds it — warning at P85, critical at
/// P50; also critical when the cost to date alone exceeds it (every forecast would). Pure; runs after the forecasts and the cost model.
/// </summary>
public static class BudgetAnalyzer
{
    public const string Definition =
        "forecast cost at completion = cost to date (points done on the epic in each closed sprint × the team's cost per point in that sprint) + each team's time from today to its forecast day × its cost per sprint today × the epic's share of that team's forecast work (docs/figures.md, \"Cost\"); warning when the P85 cost exceeds the budget, critical when the P50 cost does or the cost to date already does";

    public static IEnumerable<Finding> Analyze(SnapshotIndex x, FinanceResult finance)
    {
        foreach (var e in finance.Epics)
        {
            if (e.Budget is not { } budget || e.StatusCategory is not (StatusCategory.Todo or StatusCategory.InProgress)) continue;
            if (Overrun(e, budget.Amount) is not { } severity) continue;
            var epic = x.Items[(e.Source, e.Key)];
            var worst = severity == Severity.Critical ? e.AtCompletionP50 ?? e.CostToDate : e.AtCompletionP85!.Value;
            var over = worst - budget.Amount;
            yield return new Finding
            {
                Rule = RuleId.BudgetOverrun, Severity = severity, Team = e.Team,
                RelatedTeams = e.Teams.Select(t => t.Team).Where(t => t != "" && t != e.Team).Distinct().Order(StringComparer.Ordinal).ToList(),
                Items = [ItemRef.Of(epic)],
                Title = severity == Severity.Critical && e.AtCompletionP50 is null
                    ? $"Epic {e.Key}: cost to date {Money.Format(e.CostToDate, finance.Currency)} already exceeds its budget {Money.Format(budget.Amount, finance.Currency)}"
                    : $"Epic {e.Key}: {(severity == Severity.Critical ? "P50" : "P85")} forecast cost at completion {Money.Format(worst, finance.Currency)} exceeds its budget {Money.Format(budget.Amount, finance.Currency)}",
                Evidence = Evidence(x, epic, e, budget, finance.Currency),
                Action = $"Review {e.Key} with its sponsor: cut scope to fit {Money.Format(budget.Amount, finance.Currency)}, raise the budget, or stop the epic.",
                Score = (severity == Severity.Critical ? 80 : 50) + Math.Min(15, over / budget.Amount * 30),
                Subject = $"{e.Source}/{e.Key}",
            };
        }
    }

    /// <summary>The severity, or null when the epic is within its budget. Equal to the budget is within it (the rule needs "exceeds").</summary>
    public static Severity? Overrun(EpicCost e, double budget) =>
        e.AtCompletionP50 > budget || e.CostToDate > budget ? Severity.Critical
        : e.AtCompletionP85 > budget ? Severity.Warning
        : null;

    private static BudgetOverrunEvidence Evidence(SnapshotIndex x, SnapshotItem epic, EpicCost e, EpicBudget budget, string currency) => new(
        Analysis.Evidence.Item(x, epic), currency, budget.Amount, budget.Origin, e.CostToDate, e.AtCompletionP50, e.AtCompletionP85,
        e.ForecastP50, e.ForecastP85, e.UnpricedPoints, e.Reason,
        e.Teams.Select(t => new BudgetTeamEvidence(t.Team == "" ? null : t.Team, t.CostToDate, t.DonePoints, t.UnpricedPoints, t.RemainingPoints,
            t.CostPerSprint, t.SprintsToP50, t.SprintsToP85, t.RemainingCostP50, t.RemainingCostP85, t.Reason)).ToList(),
        Definition);
}

/// <summary>BUDGET-OVERRUN: the budget, the cost to date, the forecast cost at completion and each team's part of it, in <see cref="Currency"/>.</summary>
public sealed record BudgetOverrunEvidence(ItemEvidence Epic, string Currency, double Budget, BudgetOrigin BudgetFrom, double CostToDate,
    double? AtCompletionP50, double? AtCompletionP85, DateOnly? ForecastP50, DateOnly? ForecastP85, double UnpricedPoints, string? Reason,
    IReadOnlyList<BudgetTeamEvidence> Teams, string Definition) : FindingEvidence;

/// <summary>One team's part of an epic's cost (docs/figures.md, "Cost").</summary>
public sealed record BudgetTeamEvidence(string? Team, double CostToDate, double DonePoints, double UnpricedPoints, double RemainingPoints,
    double? CostPerSprint, double? SprintsToP50, double? SprintsToP85, double? RemainingCostP50, double? RemainingCostP85, string? Reason);
