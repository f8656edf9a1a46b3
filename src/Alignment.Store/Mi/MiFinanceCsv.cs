namespace Alignment.Store.Mi;

/// <summary>
/// The finance MI as one CSV (<see cref="MiCsv.Write"/>: RFC 4180, formula-safe text cells), a row per record: <c>teamMonth</c>,
/// <c>teamQuarter</c>, <c>sprint</c> (cost and cost per point), <c>epicMonth</c>, <c>epicQuarter</c> and <c>epic</c> (budget, cost to date,
/// cost at completion, status). A product owner's (restricted) document has only <c>epic</c> rows.
/// </summary>
public static class MiFinanceCsv
{
    /// <summary>The epic column and the epic record are named as the item type is.</summary>
    private static readonly string Epic = WorkItemType.Epic.Name();

    private static readonly string[] Header =
        ["record", "team", "source", Epic, "period", "sprint", "spend", "unpricedSprints", "cost", "completedPoints", "costPerPoint", "budget",
         "costToDate", "atCompletionP50", "atCompletionP85", "budgetStatus", "currency"];

    public static string Write(MiFinance doc) => MiCsv.Write(Header, Rows(doc));

    private static IEnumerable<object?[]> Rows(MiFinance d)
    {
        foreach (var t in d.Teams)
        {
            foreach (var m in t.Months) yield return ["teamMonth", t.Team, null, null, m.Period, null, m.Spend, m.UnpricedSprints, null, null, null, null, null, null, null, null, d.Currency];
            foreach (var q in t.Quarters) yield return ["teamQuarter", t.Team, null, null, q.Period, null, q.Spend, q.UnpricedSprints, null, null, null, null, null, null, null, null, d.Currency];
            foreach (var s in t.Sprints) yield return ["sprint", t.Team, null, null, null, s.Sprint, null, null, s.Cost, s.CompletedPoints, s.CostPerPoint, null, null, null, null, null, d.Currency];
        }
        foreach (var e in d.Epics)
        {
            foreach (var m in e.Months ?? []) yield return ["epicMonth", e.Team, e.Source, e.Key, m.Period, null, m.Spend, m.UnpricedSprints, null, null, null, null, null, null, null, null, d.Currency];
            foreach (var q in e.Quarters ?? []) yield return ["epicQuarter", e.Team, e.Source, e.Key, q.Period, null, q.Spend, q.UnpricedSprints, null, null, null, null, null, null, null, null, d.Currency];
            yield return [Epic, e.Team, e.Source, e.Key, null, null, null, null, null, null, null, e.Budget, e.CostToDate, e.AtCompletionP50, e.AtCompletionP85,
                StatusName(e.BudgetStatus), d.Currency];
        }
    }

    /// <summary>The status as the JSON names it (camelCase).</summary>
    public static string StatusName(BudgetStatus s) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(s.ToString());
}
