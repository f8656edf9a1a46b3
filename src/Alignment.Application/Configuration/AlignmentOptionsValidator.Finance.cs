using System.Globalization;
using System.Text.RegularExpressions;

namespace Alignment.Application.Configuration;

/// <summary>The finance keys: <c>Teams:N:Costs</c>, <c>Finance:Currency</c> and <c>Finance:Budgets</c> (docs/figures.md, "Cost").</summary>
public sealed partial class AlignmentOptionsValidator
{
    private static void Finance(AlignmentOptions o, List<string> errors)
    {
        for (var i = 0; i < o.Teams.Count; i++) Costs(o.Teams[i].Costs, $"Alignment:Teams:{i}:Costs", errors);
        var f = o.Finance;
        if (!CurrencyCode().IsMatch(f.Currency ?? ""))
            errors.Add($"Alignment:Finance:Currency: '{f.Currency}' must be an ISO 4217 currency code (three capital letters, e.g. EUR)");
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < f.Budgets.Count; i++)
        {
            var b = f.Budgets[i];
            var key = $"Alignment:Finance:Budgets:{i}";
            if (o.Source(b.Source) is null) errors.Add($"{key}:Source: '{b.Source}' is not one of the configured sources");
            if (string.IsNullOrWhiteSpace(b.Epic)) errors.Add($"{key}:Epic: required (the epic's key, e.g. PAY-1 or 4711)");
            if (!(b.Amount > 0) || double.IsInfinity(b.Amount)) errors.Add(Invariant($"{key}:Amount: {b.Amount} must be > 0"));
            if (!seen.Add((b.Source, b.Epic))) errors.Add($"{key}: the budget of {b.Source}/{b.Epic} is configured twice");
        }
    }

    private static void Costs(List<TeamCostOptions> costs, string key, List<string> errors)
    {
        var dates = new Dictionary<DateOnly, int>();
        for (var c = 0; c < costs.Count; c++)
        {
            var e = costs[c];
            var k = $"{key}:{c}";
            if (e.FromDate is not { } from) errors.Add($"{k}:From: '{e.From}' must be a date (yyyy-MM-dd) from which the rate applies");
            else if (dates.TryGetValue(from, out var other)) errors.Add($"{k}:From: {e.From} is also the From of {key}:{other}; each rate starts on its own day");
            else dates[from] = c;
            if (e.PerSprint is null == e.PerPersonDay is null)
                errors.Add($"{k}: set exactly one of PerSprint and PerPersonDay ({(e.PerSprint is null ? "neither is set" : "both are set")})");
            if (e.PerSprint is { } s && (!(s > 0) || double.IsInfinity(s))) errors.Add(Invariant($"{k}:PerSprint must be > 0 (is {s})"));
            if (e.PerPersonDay is { } d && (!(d > 0) || double.IsInfinity(d))) errors.Add(Invariant($"{k}:PerPersonDay must be > 0 (is {d})"));
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Z]{3}$")] private static partial Regex CurrencyCode();
}
