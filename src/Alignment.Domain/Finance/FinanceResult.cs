namespace Alignment.Domain.Finance;

/// <summary>The cost model of one analysis (docs/figures.md, "Cost"): every team's closed sprints priced, and every epic's cost.</summary>
public sealed record FinanceResult(string Currency, DateOnly Today, IReadOnlyList<SprintCost> Sprints, IReadOnlyList<EpicCost> Epics,
    IReadOnlyList<TeamCostNow> Teams);

/// <summary>
/// A closed sprint of a team, priced: <see cref="Cost"/> (null with <see cref="Reason"/> when unknown) and <see cref="CostPerPoint"/> =
/// cost ÷ completed points (null when the cost is unknown or nothing was completed).
/// </summary>
public sealed record SprintCost(string Team, string Source, string SprintId, string SprintName, DateOnly? FirstDay, DateOnly? LastDay,
    RateBasis? Basis, double? Rate, DateOnly? RateFrom, double? CapacityDays, double? Cost, double? CompletedPoints, double? CostPerPoint, string? Reason);

/// <summary>A team's cost per sprint today (the rate in force today; per person-day × its normal capacity), used to price forecasts.</summary>
public sealed record TeamCostNow(string Team, RateBasis? Basis, double? Rate, DateOnly? RateFrom, double? NormalCapacityDays, double? CostPerSprint, string? Reason);

/// <summary>The points of one epic a team completed in one sprint, priced at the team's cost per point in that sprint.</summary>
public sealed record EpicSprintCost(string Team, string Source, string SprintId, string SprintName, DateOnly? LastDay, double Points,
    double? CostPerPoint, double? Cost, IReadOnlyList<string> Items);

/// <summary>One team's share of an epic: cost to date, and the remaining work priced to the forecast's P50 and P85.</summary>
public sealed record EpicTeamCost(string Team, double CostToDate, double DonePoints, double UnpricedPoints, double RemainingPoints,
    double? CostPerSprint, double? SprintsToP50, double? SprintsToP85, double? RemainingCostP50, double? RemainingCostP85, string? Reason);

/// <summary>
/// An epic's cost: <see cref="CostToDate"/> over the priced sprints (points done in sprints without a cost per point are
/// <see cref="UnpricedPoints"/>), forecast cost at completion at P50 and P85 (null with <see cref="Reason"/> when unknown), and its budget.
/// </summary>
public sealed record EpicCost(string Source, string Key, string Url, string Title, string? Team, StatusCategory StatusCategory,
    double CostToDate, double UnpricedPoints, double? AtCompletionP50, double? AtCompletionP85, DateOnly? ForecastP50, DateOnly? ForecastP85,
    EpicBudget? Budget, string? Reason, IReadOnlyList<EpicTeamCost> Teams, IReadOnlyList<EpicSprintCost> SprintCosts);
