using System.Globalization;

namespace Alignment.Advice.Report;

/// <summary>The report as the templates read it: every value already formatted (invariant culture), tracker text left for the template to encode.</summary>
public sealed record ReportView(
    string Subject, string Month, string MonthName, string Generated, IReadOnlyList<string> TrendMonths, IReadOnlyList<FigureView> Figures,
    IReadOnlyList<ChartView> Charts, string RisksAsOf, IReadOnlyList<RiskView> Risks, string? EpicsAsOf, IReadOnlyList<EpicView> Epics,
    string? EpicsNote, IntervalView Intervals, string? PageUrl)
{
    public bool HasRisks => Risks.Count > 0;
    public bool HasEpics => Epics.Count > 0;
}

/// <summary>
/// A key figure: <see cref="RawValue"/> is the stored value in round-trip form (in the HTML as <c>data-value</c>, so a reader or a test
/// can compare it with <c>GET /api/mi/history</c> exactly); <see cref="Day"/> the day it was stored.
/// </summary>
public sealed record FigureView(
    string Figure, string Label, string Definition, string Value, string RawValue, string Day, string Basis, string Previous, string PreviousDay,
    string Change, IReadOnlyList<string> Trend, string History);

public sealed record ChartView(string Name, string Title, string Alt, string Src);

public sealed record RiskView(string Severity, string Rule, string Team, string Title, string Score, long Finding);

public sealed record EpicView(string Key, string Title, string? Url, string Team, string Target, string ForecastP50, string Reason);

public sealed record IntervalView(bool Configured, string Note, IReadOnlyList<IntervalRowView> Rows)
{
    public bool HasRows => Rows.Count > 0;
}

public sealed record IntervalRowView(string Interval, string Start, string End, string Predictability, string Detail);

public static class ReportViews
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string MonthName(string month) =>
        DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", Inv).ToString("MMMM yyyy", Inv);

    public static string Subject(MiReport report) => $"Management report {MonthName(report.Month)}";

    /// <summary>The view of <paramref name="report"/> with each chart's image at <paramref name="source"/> (a <c>cid:</c> or a data URI).</summary>
    public static ReportView Of(MiReport report, IReadOnlyList<ReportChart> charts, Func<ReportChart, string> source, string? pageUrl)
    {
        var figures = report.Figures.Select(f => new FigureView(f.Figure, f.Label, f.Definition, MiReportFigures.Format(f.Value.Value, f.Unit),
            f.Value.Value?.ToString("R", Inv) ?? "", Day(f.Value.Day), f.Value.Basis ?? "", MiReportFigures.Format(f.Previous.Value, f.Unit),
            Day(f.Previous.Day), MiReportFigures.FormatChange(f.Change, f.Unit), f.Trend.Select(v => MiReportFigures.Format(v.Value, f.Unit)).ToList(),
            f.History)).ToList();
        var risks = report.Risks.Top.Select(r => new RiskView(r.Severity, r.Rule, r.Team ?? "", r.Title, r.Score.ToString("0", Inv), r.Finding))
            .ToList();
        var epics = report.Risks.LateEpics.Select(e => new EpicView(e.Key, e.Title, e.Url, e.Team ?? "", Day(e.Target), Day(e.ForecastP50), e.Reason))
            .ToList();
        var i = report.Intervals;
        var intervals = new IntervalView(i.Configured, i.Note, i.Intervals.Select(r => new IntervalRowView(r.Interval, Day(r.Start), Day(r.End),
            MiReportFigures.Format(r.Predictability, MiReportUnit.Ratio), r.Detail ?? "")).ToList());
        return new ReportView(Subject(report), report.Month, MonthName(report.Month),
            report.GeneratedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv),
            report.TrendMonths.Select(m => DateOnly.ParseExact(m + "-01", "yyyy-MM-dd", Inv).ToString("MMM yy", Inv)).ToList(), figures,
            charts.Select(c => new ChartView(c.Name, c.Title, c.Alt, source(c))).ToList(), Day(report.Risks.AsOf), risks,
            report.Risks.EpicsAsOf is { } d ? Day(d) : null, epics, report.Risks.EpicsNote, intervals, pageUrl);
    }

    private static string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", Inv) ?? "—";
}
