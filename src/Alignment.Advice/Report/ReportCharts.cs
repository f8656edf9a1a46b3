using System.Globalization;
using SP = ScottPlot;

namespace Alignment.Advice.Report;

/// <summary>A chart of the report as a PNG: <see cref="Name"/> names it in the e-mail (<c>cid:</c>) and the page; <see cref="Alt"/> lists its values.</summary>
public sealed record ReportChart(string Name, string Title, string Alt, byte[] Png);

/// <summary>
/// Draws the report's trend charts on the server with ScottPlot (PNG, no browser or script needed): one line per figure over the report's
/// months, a month without a stored value left out. Ratios are drawn as percentages.
/// </summary>
public static class ReportCharts
{
    public const int Width = 640, Height = 260;

    private sealed record Spec(string Name, string Title, string[] Figures);

    private static readonly Spec[] Specs =
    [
        new("predictability", "Say/do and commitment vs capacity (%)", ["sayDo", "commitmentVsCapacity"]),
        new("velocity", "Velocity P50 and carried-over points", ["velocityP50", "carryOverPoints"]),
        new("findings", "Open findings", ["openFindings", "openCriticalFindings"]),
        new("dependencies", "Dependencies at risk and late epics", ["dependenciesAtRisk", "epicsLate"]),
    ];

    public static IReadOnlyList<ReportChart> Draw(MiReport report) =>
        Specs.Select(s => Draw(report, s)).ToList();

    private static ReportChart Draw(MiReport report, Spec spec)
    {
        var figures = spec.Figures.Select(f => report.Figure(f)).OfType<MiReportFigure>().ToList();
        var plot = new SP.Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(spec.Title, size: 14);
        var xs = Enumerable.Range(0, report.TrendMonths.Count).Select(i => (double)i).ToArray();
        var top = 0.0;
        foreach (var f in figures)
        {
            var points = f.Trend.Select((v, i) => (X: (double)i, Y: v.Value)).Where(p => p.Y is { } y && !double.IsNaN(y)).ToList();
            if (points.Count == 0) continue;
            var scale = f.Unit == MiReportUnit.Ratio ? 100 : 1;
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value * scale).ToArray());
            line.LegendText = f.Label;
            line.LineWidth = 2;
            line.MarkerSize = 6;
            top = Math.Max(top, points.Max(p => p.Y!.Value * scale));
        }
        if (plot.GetPlottables().Any()) plot.ShowLegend(SP.Edge.Bottom);
        else plot.Add.Annotation("No stored values in these months", SP.Alignment.MiddleCenter);
        // Every figure here is zero or more: the axis starts at zero, so a small change does not look like a large one.
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.15 : 1);
        plot.Axes.Bottom.SetTicks(xs, report.TrendMonths.Select(Label).ToArray());
        plot.Axes.SetLimitsX(-0.5, xs.Length - 0.5);
        var png = plot.GetImageBytes(Width, Height, SP.ImageFormat.Png);
        return new ReportChart(spec.Name, spec.Title, Alt(spec, figures), png);
    }

    /// <summary>A month as a tick label: <c>Nov 26</c>.</summary>
    private static string Label(string month) =>
        DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("MMM yy", CultureInfo.InvariantCulture);

    /// <summary>The chart's values as text, for readers that do not see the image.</summary>
    private static string Alt(Spec spec, List<MiReportFigure> figures) =>
        spec.Title + ": " + string.Join("; ", figures.Select(f =>
            f.Label + " " + string.Join(", ", f.Trend.Select(v => $"{Label(v.Month)} {MiReportFigures.Format(v.Value, f.Unit)}"))));
}
