using System.Globalization;
using System.Text;

namespace Alignment.Store.Mi;

/// <summary>
/// RFC 4180 CSV of the MI lists: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break.
/// A text cell (a string: tracker titles, names, ids) that starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a
/// carriage return is prefixed with <c>'</c> so a spreadsheet shows it as text instead of running it as a formula (OWASP
/// CSV injection); numbers and dates written here are never prefixed, so a negative figure stays a number.
/// </summary>
public static class MiCsv
{
    public static string Teams(MiTeams t) => Write(
        ["team", "name", "source", "activeSprint", "velocityP50", "velocityTrend", "sayDo", "committedPoints", "capacityDays",
         "capacityPoints", "capacityUse", "openFindings", "openCritical", "openWarning", "openInfo"],
        t.Teams.Select(x => new object?[]
        {
            x.Id, x.Name, x.Source, x.ActiveSprint, x.VelocityP50.Value, x.VelocityTrend.Value, x.SayDo.Value, x.CommittedPoints.Value,
            x.CapacityDays.Value, x.CapacityPoints.Value, x.CapacityUse.Value, x.OpenFindings.Value,
            x.OpenFindingsBySeverity?.GetValueOrDefault(Severity.Critical), x.OpenFindingsBySeverity?.GetValueOrDefault(Severity.Warning),
            x.OpenFindingsBySeverity?.GetValueOrDefault(Severity.Info),
        }));

    public static string Epics(MiEpics e) => Write(
        ["source", "key", "title", "status", "statusCategory", "target", "forecastP50", "forecastP85", "donePoints", "totalPoints",
         "items", "unestimatedItems", "teams", "url"],
        e.Epics.Select(x => new object?[]
        {
            x.Source, x.Key, x.Title, x.Status.Name(), x.StatusCategory.Name(), x.Target, x.ForecastP50.Value, x.ForecastP85.Value, x.DonePoints,
            x.TotalPoints, x.Items, x.UnestimatedItems,
            string.Join("; ", x.Teams.Select(p => $"{p.Team} {Format(p.DonePoints)}/{Format(p.TotalPoints)}")), x.Url,
        }));

    public static string Dependencies(MiDependencies d) => Write(
        ["from", "to", "dependencies", "points", "atRisk"],
        d.Edges.Select(x => new object?[] { x.From, x.To, x.Dependencies, x.Points, x.AtRisk }));

    public static string Value(MiValue v) => Write(
        ["team", "type", "source", "key", "title", "rank", "wsjfRank", "wsjf", "businessValue", "timeCriticality", "riskReduction", "costOfDelay",
         "jobSize", "jobSizeFrom", "budget", "rankedTooLow", "rankedTooHigh", "inversionWith", "url"],
        v.Items.Select(x => new object?[]
        {
            x.Team, x.Type.Name(), x.Source, x.Key, x.Title, x.Rank, x.WsjfRank, x.Wsjf, x.BusinessValue, x.TimeCriticality, x.RiskReduction,
            x.CostOfDelay, x.JobSize, x.JobSizeFrom, x.Budget, x.RankedTooLow, x.RankedTooHigh, string.Join("; ", x.InversionWith), x.Url,
        }));

    public static string History(MiHistorySeries h) => Write(
        ["figure", "team", "interval", "at", "value", "basis", "sprint"],
        h.Points.Select(x => new object?[] { h.Figure, h.Team ?? "", h.Interval, x.At, x.Value, x.Basis, x.Sprint }));

    public static string Write(IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", header.Select(h => Field(Text(h))))).Append("\r\n");
        foreach (var r in rows) sb.Append(string.Join(",", r.Select(v => Field(v is string s ? Text(s) : Format(v))))).Append("\r\n");
        return sb.ToString();
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => Math.Round(d, 4).ToString("0.####", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>A text cell: a leading =, +, -, @, tab or carriage return would start a formula in a spreadsheet, so it gets a quote.</summary>
    private static string Text(string s) => s.Length > 0 && s[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + s : s;

    private static string Field(string s) => s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
