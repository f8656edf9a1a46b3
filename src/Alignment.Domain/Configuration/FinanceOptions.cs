namespace Alignment.Domain.Configuration;

/// <summary><c>Alignment:Finance</c>: the currency of every cost figure and the epics' budgets (docs/figures.md, "Cost").</summary>
public sealed class FinanceOptions
{
    /// <summary>ISO 4217 code of the amounts in <c>Teams:N:Costs</c> and <see cref="Budgets"/>; every cost figure is in it.</summary>
    public string Currency { get; set; } = "EUR";
    /// <summary>Budgets of epics by source and key; BUDGET-OVERRUN compares the forecast cost at completion with them.</summary>
    public List<BudgetOptions> Budgets { get; set; } = [];
}

/// <summary>One epic's budget: <c>{ "Source": "jira", "Epic": "PAY-1", "Amount": 250000 }</c>.</summary>
public sealed class BudgetOptions
{
    public string Source { get; set; } = "";
    public string Epic { get; set; } = "";
    public double Amount { get; set; }
}

/// <summary>
/// One entry of <c>Teams:N:Costs</c>: the team's cost from <see cref="From"/> until the next entry's <c>From</c>, either per sprint or per
/// person-day of available capacity (exactly one of the two). A rate change is a new entry, so past sprints keep the rate they had.
/// </summary>
public sealed class TeamCostOptions
{
    /// <summary>The first day (yyyy-MM-dd) the rate applies.</summary>
    public string From { get; set; } = "";
    public double? PerSprint { get; set; }
    public double? PerPersonDay { get; set; }

    /// <summary><see cref="From"/> as a date, or null when it is not one (the validator says so).</summary>
    public DateOnly? FromDate =>
        DateOnly.TryParseExact(From, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d : null;
}
