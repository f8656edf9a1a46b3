using System.Globalization;
using System.Text;

namespace Alignment.Core.Reporting.Mi;

/// <summary>RFC 4180 CSV of the MI lists: a header row, CRLF line ends, fields quoted when they hold a comma, quote or line break.</summary>
public static class MiCsv
{
    public static string Teams(MiTeams t) => Write(
        ["team", "name", "source", "activeSprint", "velocityP50", "velocityTrend", "sayDo", "committedPoints", "capacityDays",
         "capacityPoints", "capacityUse", "openFindings", "openCritical", "openWarning", "openInfo"],
        t.Teams.Select(x => new object?[]
        {
            x.Id, x.Name, x.Source, x.ActiveSprint, x.VelocityP50.Value, x.VelocityTrend.Value, x.SayDo.Value, x.CommittedPoints.Value,
            x.CapacityDays.Value, x.CapacityPoints.Value, x.CapacityUse.Value, x.OpenFindings.Value,
            x.OpenFindingsBySeverity?.GetValueOrDefault("critical"), x.OpenFindingsBySeverity?.GetValueOrDefault("warning"),
            x.OpenFindingsBySeverity?.GetValueOrDefault("info"),
        }));

    public static string Epics(MiEpics e) => Write(
        ["source", "key", "title", "status", "statusCategory", "target", "forecastP50", "forecastP85", "donePoints", "totalPoints",
         "items", "unestimatedItems", "teams", "url"],
        e.Epics.Select(x => new object?[]
        {
            x.Source, x.Key, x.Title, x.Status, x.StatusCategory, x.Target, x.ForecastP50.Value, x.ForecastP85.Value, x.DonePoints,
            x.TotalPoints, x.Items, x.UnestimatedItems,
            string.Join("; ", x.Teams.Select(p => $"{p.Team} {Format(p.DonePoints)}/{Format(p.TotalPoints)}")), x.Url,
        }));

    public static string Dependencies(MiDependencies d) => Write(
        ["from", "to", "dependencies", "points", "atRisk"],
        d.Edges.Select(x => new object?[] { x.From, x.To, x.Dependencies, x.Points, x.AtRisk }));

    public static string Write(IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        var sb = new StringBuilder();
        sb.Append(string.Join(",", header.Select(Field))).Append("\r\n");
        foreach (var r in rows) sb.Append(string.Join(",", r.Select(v => Field(Format(v))))).Append("\r\n");
        return sb.ToString();
    }

    private static string Format(object? v) => v switch
    {
        null => "",
        double d => Math.Round(d, 4).ToString("0.####", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Field(string s)
    {
        // A leading =, +, - or @ would be a formula in a spreadsheet: prefix a quote so it shows as text.
        if (s.Length > 0 && s[0] is '=' or '+' or '@' && !double.TryParse(s, CultureInfo.InvariantCulture, out _)) s = "'" + s;
        return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
