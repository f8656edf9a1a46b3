using System.Text.Json.Serialization;

namespace Alignment.Domain.Finance;

/// <summary>How a team's rate is expressed (<c>Teams:N:Costs</c>): a fixed amount per sprint, or per available person-day.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RateBasis>))]
public enum RateBasis { PerSprint, PerPersonDay }

/// <summary>One entry of a team's costs: <see cref="Amount"/> per <see cref="Basis"/>, from <see cref="From"/> until the next entry.</summary>
public sealed record TeamRate(DateOnly From, RateBasis Basis, double Amount);

/// <summary>
/// An item completed in a sprint by a team (a row of <c>analysis.sprint_item_outcomes</c> with <c>completed</c>): its points at the sprint's
/// finish, as the sprint's completed figure counts them.
/// </summary>
public sealed record ItemCompletion(string Team, string Source, string SprintId, string ItemExternalId, double Points);

/// <summary>
/// What the cost model needs from configuration: the currency, each team's rates (oldest first) and the epics' budgets. Built in one place
/// (<see cref="From"/>); a second source of budgets (a tracker field) joins through <see cref="Budgets"/>'s builder.
/// </summary>
public sealed record FinanceInput(
    string Currency,
    IReadOnlyDictionary<string, IReadOnlyList<TeamRate>> Rates,
    IReadOnlyDictionary<(string Source, string Epic), EpicBudget> Budgets)
{
    /// <summary>Whether any team has costs or any epic a budget; without either the analysis adds nothing (no figures, no findings).</summary>
    public bool Configured => Rates.Count > 0 || Budgets.Count > 0;

    public static FinanceInput From(AlignmentOptions o, IEnumerable<EpicBudget>? trackerBudgets = null)
    {
        var rates = new Dictionary<string, IReadOnlyList<TeamRate>>(StringComparer.Ordinal);
        foreach (var t in o.Teams)
        {
            var list = t.Costs.Where(c => c.FromDate is not null && (c.PerSprint is not null || c.PerPersonDay is not null))
                .Select(c => c.PerSprint is { } s ? new TeamRate(c.FromDate!.Value, RateBasis.PerSprint, s) : new TeamRate(c.FromDate!.Value, RateBasis.PerPersonDay, c.PerPersonDay!.Value))
                .OrderBy(r => r.From).ToList();
            if (list.Count > 0) rates[t.Id] = list;
        }
        var configured = o.Finance.Budgets.Select(b => new EpicBudget(b.Source, b.Epic, b.Amount, BudgetOrigin.Configuration));
        return new FinanceInput(string.IsNullOrWhiteSpace(o.Finance.Currency) ? "EUR" : o.Finance.Currency, rates, BudgetsOf(configured, trackerBudgets ?? []));
    }

    /// <summary>The budgets the trackers hold: every epic whose <c>Budget</c> field (<c>Sources:N:Fields</c>) carries an amount above 0.</summary>
    public static IEnumerable<EpicBudget> FromTrackers(IEnumerable<SnapshotItem> items) =>
        items.Where(i => i.Type == WorkItemType.Epic && i.Value?.Budget is > 0)
            .Select(i => new EpicBudget(i.Source, i.Key, i.Value!.Budget!.Value, BudgetOrigin.Tracker));

    /// <summary>
    /// The one budget lookup: a tracker field's budget (<paramref name="fromTrackers"/>) unless configuration names the same epic, which wins
    /// (an operator's explicit figure overrides what the tracker says).
    /// </summary>
    public static IReadOnlyDictionary<(string Source, string Epic), EpicBudget> BudgetsOf(IEnumerable<EpicBudget> configured, IEnumerable<EpicBudget> fromTrackers)
    {
        var budgets = new Dictionary<(string, string), EpicBudget>();
        foreach (var b in fromTrackers) if (b.Amount > 0) budgets[(b.Source, b.Epic)] = b;
        foreach (var b in configured) budgets[(b.Source, b.Epic)] = b;
        return budgets;
    }

    /// <summary>The team's rate in force on <paramref name="day"/> (the latest entry whose From is on or before it), or null.</summary>
    public TeamRate? RateOn(string team, DateOnly day) =>
        Rates.TryGetValue(team, out var list) ? list.LastOrDefault(r => r.From <= day) : null;

    public static readonly FinanceInput None = new("EUR", new Dictionary<string, IReadOnlyList<TeamRate>>(),
        new Dictionary<(string Source, string Epic), EpicBudget>());
}

/// <summary>Where a budget comes from.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BudgetOrigin>))]
public enum BudgetOrigin { Configuration, Tracker }

/// <summary>An epic's budget in the configured currency.</summary>
public sealed record EpicBudget(string Source, string Epic, double Amount, BudgetOrigin Origin);

/// <summary>Money in evidence and titles: whole units with thousands separators and the currency code (<c>312,500 EUR</c>).</summary>
public static class Money
{
    public static string Format(double amount, string currency) =>
        amount.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture) + " " + currency;

    /// <summary>Amounts in figures and evidence are rounded to cents.</summary>
    public static double Round(double amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static double? Round(double? amount) => amount is { } a ? Round(a) : null;
}
