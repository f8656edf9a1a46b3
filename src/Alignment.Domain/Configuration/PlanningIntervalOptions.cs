using System.Globalization;

namespace Alignment.Domain.Configuration;

/// <summary>
/// One entry of <c>Alignment:PlanningIntervals</c>: a quarter or programme increment by its first and last day (inclusive, UTC calendar days),
/// e.g. <c>{ "Id": "2026-Q4", "Start": "2026-10-05", "End": "2026-12-27" }</c> (docs/figures.md, "Planning intervals").
/// </summary>
public sealed class PlanningIntervalOptions
{
    public string Id { get; set; } = "";
    /// <summary>The first day (yyyy-MM-dd).</summary>
    public string Start { get; set; } = "";
    /// <summary>The last day (yyyy-MM-dd), inclusive.</summary>
    public string End { get; set; } = "";

    public DateOnly? StartDate => Parse(Start);
    public DateOnly? EndDate => Parse(End);

    private static DateOnly? Parse(string s) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
}
