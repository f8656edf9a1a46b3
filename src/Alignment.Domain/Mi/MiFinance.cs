using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alignment.Domain.Mi;

/// <summary>
/// <c>GET /api/mi/finance</c> (docs/figures.md, "Cost"): spend per team and per epic per month and quarter, each team's sprint costs and cost
/// per point (the trend), and each epic's forecast cost at completion against its budget, in <see cref="Currency"/>. <see cref="Restricted"/>:
/// the product-owner view (their teams' epics' budget status only; no rates, sprint costs or cost per point). <see cref="Reason"/> says why
/// the lists are empty when no team has costs and no epic a budget.
/// </summary>
public sealed record MiFinance(DateTimeOffset ComputedAt, string Currency, bool Restricted, string? Reason, IReadOnlyList<MiFinanceTeam> Teams,
    IReadOnlyList<MiFinanceEpic> Epics, MiFinanceDefinitions Definition);

/// <summary>A team's rates, spend per month and quarter, and its closed sprints priced (the cost-per-point trend, oldest first).</summary>
public sealed record MiFinanceTeam(string Team, string Name, IReadOnlyList<MiTeamRate> Rates, double? CostPerSprintNow, string? CostPerSprintNowReason,
    IReadOnlyList<MiSpend> Months, IReadOnlyList<MiSpend> Quarters, IReadOnlyList<MiSprintCost> Sprints, double? CostPerPointTrend, string Explain);

public sealed record MiTeamRate(DateOnly From, string Basis, double Amount);

/// <summary>Spend in a period (<c>2026-03</c> or <c>2026-Q1</c>): Σ priced sprint costs ending in it; <see cref="UnpricedSprints"/> had no cost.</summary>
public sealed record MiSpend(string Period, double Spend, int Sprints, int UnpricedSprints);

public sealed record MiSprintCost(string Sprint, string Name, DateOnly? FirstDay, DateOnly? LastDay, string? Basis, double? Rate, double? CapacityDays,
    double? Cost, double? CompletedPoints, double? CostPerPoint, string? Reason);

/// <summary>
/// An epic's cost and budget status. In the restricted view <see cref="Months"/>, <see cref="Quarters"/>, <see cref="ByTeam"/> and
/// <see cref="Sprints"/> are null.
/// </summary>
public sealed record MiFinanceEpic(string Source, string Key, string Title, string Url, string? Team, IReadOnlyList<string> Teams, StatusCategory StatusCategory,
    double? Budget, string? BudgetFrom, double CostToDate, double UnpricedPoints, double? AtCompletionP50, double? AtCompletionP85,
    DateOnly? ForecastP50, DateOnly? ForecastP85, BudgetStatus BudgetStatus, string? Reason,
    IReadOnlyList<MiSpend>? Months, IReadOnlyList<MiSpend>? Quarters, IReadOnlyList<MiEpicTeamCost>? ByTeam, IReadOnlyList<MiEpicSprint>? Sprints, string Explain);

public sealed record MiEpicTeamCost(string? Team, double CostToDate, double DonePoints, double UnpricedPoints, double RemainingPoints, double? CostPerSprint,
    double? SprintsToP50, double? SprintsToP85, double? RemainingCostP50, double? RemainingCostP85, string? Reason);

/// <summary>The points of an epic a team completed in a sprint, at that sprint's cost per point, with the items.</summary>
public sealed record MiEpicSprint(string Team, string Source, string Sprint, string Name, DateOnly? LastDay, double Points, double? CostPerPoint, double? Cost,
    IReadOnlyList<string> Items);

/// <summary>An epic's budget status: over (P50 or the cost to date above the budget), at risk (only P85 above), within, no budget, or unknown.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<BudgetStatus>))]
public enum BudgetStatus { WithinBudget, AtRisk, OverBudget, NoBudget, Unknown }

public sealed class CamelCaseEnumConverter<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase, allowIntegerValues: false) where T : struct, Enum;

/// <summary>The definitions of the finance figures (docs/figures.md, "Cost"), carried in the response.</summary>
public sealed record MiFinanceDefinitions(string SprintCost, string CostPerPoint, string Spend, string CostToDate, string CostAtCompletion, string BudgetStatus,
    string CostPerPointTrend)
{
    public static readonly MiFinanceDefinitions Default = new(
        SprintCost: "Cost of a closed sprint of a team: the PerSprint rate in force on the sprint's first day (Teams:N:Costs), or the PerPersonDay rate in force then × the sprint's available person-days (capacity); unknown without a rate or, per person-day, without capacity.",
        CostPerPoint: "Sprint cost ÷ the sprint's completed points (as the velocity chart counts them); none when nothing was completed or the cost is unknown.",
        Spend: "Σ of the sprint costs of the sprints that end (last day) in the month or quarter; an epic's spend is Σ of its points completed in those sprints × the sprint's cost per point. Sprints without a cost are counted as unpriced, not as 0.",
        CostToDate: "Σ over teams and closed sprints of the points of the epic's own descendant items (nearest epic above them) completed in that sprint by that team × that team's cost per point in that sprint. Points done in sprints without a cost per point are unpriced (the cost is then a lower bound).",
        CostAtCompletion: "Cost to date + for each team with open work on the epic: the team's time from today through its forecast part's P50 (P85) day, in sprints ((day − today + 1) ÷ sprint length), × its cost per sprint today (PerSprint rate, or PerPersonDay × the median capacity of its recent closed sprints) × the epic's own share of the part's remaining points (upstream blockers belong to other epics). Unknown when the epic has no forecast or a team has no cost today.",
        BudgetStatus: "overBudget when the P50 cost at completion or the cost to date exceeds the budget (BUDGET-OVERRUN critical); atRisk when only the P85 cost does (warning); withinBudget otherwise; noBudget without a budget (Finance:Budgets); unknown when the cost at completion is unknown and the cost to date is within the budget.",
        CostPerPointTrend: "Least-squares slope of the cost per point over the team's priced closed sprints with a cost per point, oldest first (currency per point per sprint; positive = a point gets dearer).");
}
