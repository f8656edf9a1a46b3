using System.Globalization;

namespace Alignment.Domain.Mi;

/// <summary>A calendar month (<c>yyyy-MM</c>), the period of the monthly management report.</summary>
public readonly record struct ReportMonth(int Year, int Month)
{
    public DateOnly First => new(Year, Month, 1);
    public DateOnly Last => First.AddMonths(1).AddDays(-1);
    public ReportMonth AddMonths(int n) => Of(First.AddMonths(n));
    public override string ToString() => First.ToString("yyyy-MM", CultureInfo.InvariantCulture);
    public static ReportMonth Of(DateOnly day) => new(day.Year, day.Month);

    public static bool TryParse(string? text, out ReportMonth month)
    {
        month = default;
        if (text is not { Length: 7 } || !DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            return false;
        month = Of(d);
        return true;
    }

    /// <summary>The month <paramref name="now"/> falls in, in <paramref name="zone"/>.</summary>
    public static ReportMonth Current(DateTimeOffset now, TimeZoneInfo zone) => Of(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime));

    /// <summary>The last complete month: the one before the month <paramref name="now"/> falls in, in <paramref name="zone"/>.</summary>
    public static ReportMonth LastComplete(DateTimeOffset now, TimeZoneInfo zone) => Current(now, zone).AddMonths(-1);
}

/// <summary>How a report figure is shown: a ratio as a percentage, points with one decimal, a count as a whole number.</summary>
public enum MiReportUnit { Ratio, Points, Count }

/// <summary>
/// The monthly management report (README, "Monthly management report"): the month's key figures from the MI history
/// (<c>analysis.mi_history</c>, the rows <c>GET /api/mi/history</c> serves) with the previous month's and a trend, the top risks, and the
/// planning-interval predictability. The e-mail and the printable page render this one record.
/// </summary>
public sealed record MiReport(
    string Month, DateOnly First, DateOnly Last, DateTimeOffset GeneratedAt, IReadOnlyList<string> TrendMonths,
    IReadOnlyList<MiReportFigure> Figures, MiReportRisks Risks, MiIntervalPredictability Intervals)
{
    public MiReportFigure? Figure(string name) => Figures.FirstOrDefault(f => f.Figure == name);
}

/// <summary>
/// A key figure of the organisation: <see cref="Value"/> is the month's last stored day's value (the month-end value),
/// <see cref="Previous"/> the previous month's, <see cref="Trend"/> one month-end value per month of <see cref="MiReport.TrendMonths"/>.
/// </summary>
public sealed record MiReportFigure(
    string Figure, string Label, string Definition, MiReportUnit Unit, MiReportValue Value, MiReportValue Previous, double? Change,
    IReadOnlyList<MiReportValue> Trend, string History);

/// <summary>A month's value: the last stored day of <see cref="Month"/> (null <see cref="Day"/>: no stored day that month).</summary>
public sealed record MiReportValue(string Month, double? Value, DateOnly? Day, string? Basis);

/// <summary>
/// The risks: <see cref="Top"/> are the findings open or acknowledged at the end of <see cref="AsOf"/> (the day of the month-end figures),
/// critical first, then by score; <see cref="LateEpics"/> the MI's late epics as of <see cref="EpicsAsOf"/>, or none with
/// <see cref="EpicsNote"/> saying why.
/// </summary>
public sealed record MiReportRisks(
    DateOnly AsOf, IReadOnlyList<MiReportRisk> Top, DateOnly? EpicsAsOf, IReadOnlyList<MiReportEpic> LateEpics, string? EpicsNote);

public sealed record MiReportRisk(long Finding, string Rule, string Severity, string? Team, string Title, double Score);

public sealed record MiReportEpic(string Source, string Key, string Title, string? Url, string? Team, DateOnly? Target, DateOnly? ForecastP50,
    string Reason);

/// <summary>
/// The planning-interval predictability of the intervals that ended in (or overlap) the report's month. <see cref="Configured"/> false:
/// no planning intervals are configured, and <see cref="Note"/> says so.
/// </summary>
public sealed record MiIntervalPredictability(bool Configured, string Note, IReadOnlyList<MiIntervalRow> Intervals)
{
    public const string NoneConfigured = "No planning intervals configured (Alignment:PlanningIntervals) or read from the trackers (Sources:N:Intervals).";
}

/// <summary>One planning interval: its predictability (a ratio, 1 = as planned) and a line of detail.</summary>
public sealed record MiIntervalRow(string Interval, DateOnly Start, DateOnly End, double? Predictability, string? Detail);

/// <summary>The figures of the report, in order, with how they are shown.</summary>
public static class MiReportFigures
{
    public sealed record Spec(string Figure, string Label, MiReportUnit Unit);

    public static readonly IReadOnlyList<Spec> All =
    [
        new("sayDo", "Say/do", MiReportUnit.Ratio),
        new("velocityP50", "Velocity P50 (points)", MiReportUnit.Points),
        new("commitmentVsCapacity", "Commitment vs capacity", MiReportUnit.Ratio),
        new("carryOverPoints", "Carried-over points", MiReportUnit.Points),
        new("openFindings", "Open findings", MiReportUnit.Count),
        new("openCriticalFindings", "Open critical findings", MiReportUnit.Count),
        new("dependenciesAtRisk", "Dependencies at risk", MiReportUnit.Count),
        new("epicsLate", "Epics late", MiReportUnit.Count),
    ];

    /// <summary>A value as the report shows it (invariant culture): 87 %, 42.5, 3; an em dash when there is none.</summary>
    public static string Format(double? value, MiReportUnit unit) => value is not { } v || double.IsNaN(v) ? "—" : unit switch
    {
        MiReportUnit.Ratio => (v * 100).ToString("0", CultureInfo.InvariantCulture) + " %",
        MiReportUnit.Points => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0", CultureInfo.InvariantCulture),
    };

    /// <summary>A change as the report shows it: +5 pp (percentage points of a ratio), −2.5, +1; empty when there is none.</summary>
    public static string FormatChange(double? change, MiReportUnit unit)
    {
        if (change is not { } c || double.IsNaN(c)) return "";
        var scaled = unit == MiReportUnit.Ratio ? c * 100 : c;
        var text = Math.Abs(scaled).ToString(unit == MiReportUnit.Points ? "0.#" : "0", CultureInfo.InvariantCulture);
        var suffix = unit == MiReportUnit.Ratio ? " pp" : "";
        return text == "0" ? "±0" + suffix : (scaled > 0 ? "+" : "−") + text + suffix;
    }
}
