using System.Text;
using Alignment.Advice.Report;
using MimeKit;

namespace Alignment.UnitTests.Advice;

/// <summary>The monthly report's months, formats, recipients, charts and rendering (README, "Monthly management report").</summary>
public sealed class MonthlyReportRenderingTests
{
    private const string Script = "<script>alert(1)</script>";
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");

    [Fact]
    public void The_last_complete_month_is_the_one_before_the_month_of_now_in_the_report_time_zone()
    {
        var lateOnTheLast = new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero); // already 1 December in Amsterdam
        Assert.Equal("2026-11", ReportMonth.LastComplete(lateOnTheLast, Amsterdam).ToString());
        Assert.Equal("2026-10", ReportMonth.LastComplete(lateOnTheLast, TimeZoneInfo.Utc).ToString());
        Assert.Equal("2025-12", ReportMonth.LastComplete(new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero), Amsterdam).ToString());
        Assert.Equal((new DateOnly(2028, 2, 1), new DateOnly(2028, 2, 29)), (new ReportMonth(2028, 2).First, new ReportMonth(2028, 2).Last));
    }

    [Theory]
    [InlineData("2026-11", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-1", false)]
    [InlineData("26-11", false)]
    [InlineData("2026-11-01", false)]
    [InlineData(null, false)]
    public void A_month_is_yyyy_MM(string? text, bool valid) => Assert.Equal(valid, ReportMonth.TryParse(text, out _));

    [Fact]
    public void Values_and_changes_are_shown_by_unit()
    {
        Assert.Equal(("87 %", "110.5", "3", "—"), (MiReportFigures.Format(0.8712, MiReportUnit.Ratio), MiReportFigures.Format(110.5, MiReportUnit.Points),
            MiReportFigures.Format(3, MiReportUnit.Count), MiReportFigures.Format(null, MiReportUnit.Count)));
        Assert.Equal(("+5 pp", "−2.5", "±0", ""), (MiReportFigures.FormatChange(0.05, MiReportUnit.Ratio), MiReportFigures.FormatChange(-2.5, MiReportUnit.Points),
            MiReportFigures.FormatChange(0.2, MiReportUnit.Count), MiReportFigures.FormatChange(null, MiReportUnit.Ratio)));
    }

    [Fact]
    public void Recipients_are_the_configured_addresses_and_the_management_keys_each_once()
    {
        var o = new AlignmentOptions();
        o.Mi.Report.Recipients = ["Board@example.com", " cfo@example.com "];
        o.Auth.ApiKeys =
        [
            new ApiKeyOptions { Name = "cfo", Role = "management", Email = "CFO@example.com" },
            new ApiKeyOptions { Name = "coo", Role = "management", Email = "coo@example.com" },
            new ApiKeyOptions { Name = "wall", Role = "management" },
            new ApiKeyOptions { Name = "ann", Role = "productOwner", Email = "ann@example.com" },
        ];
        Assert.Equal(
            [new("board@example.com", "Alignment:Mi:Report:Recipients:0"), new("cfo@example.com", "Alignment:Mi:Report:Recipients:1"),
             new MonthlyReportRecipient("coo@example.com", "Alignment:Auth:ApiKeys:1:Email")],
            MonthlyReportRecipients.Of(o));
        o.Mi.Report.ManagementKeys = false;
        Assert.Equal(["board@example.com", "cfo@example.com"], MonthlyReportRecipients.Of(o).Select(r => r.Address));
    }

    private static MiReport Report()
    {
        var months = Enumerable.Range(0, 6).Select(i => new ReportMonth(2026, 6 + i).ToString()).ToList();
        var figures = MiReportFigures.All.Select((s, n) =>
        {
            var trend = months.Select((m, i) => new MiReportValue(m, s.Figure == "epicsLate" || i < 2 ? null : 0.5 + n + i * 0.1,
                i < 2 ? null : new DateOnly(2026, 6 + i, 28), "observed")).ToList();
            return new MiReportFigure(s.Figure, s.Label, $"definition of {s.Figure} & more", s.Unit, trend[^1], trend[^2],
                trend[^1].Value - trend[^2].Value, trend, $"/api/mi/history?figure={s.Figure}");
        }).ToList();
        var risks = new MiReportRisks(new DateOnly(2026, 11, 28), [new MiReportRisk(7, "DEP-LATE", "critical", "Payments", Script + " waits", 95)],
            new DateOnly(2026, 12, 1), [new MiReportEpic("jira", "PAY-1", Script, "https://jira.example.com/browse/PAY-1", "Payments",
                new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 20), "late")], null);
        return new MiReport("2026-11", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero),
            months, figures, risks, new MiIntervalPredictability(false, MiIntervalPredictability.NoneConfigured, []));
    }

    [Fact]
    public void Draws_one_png_per_chart_also_when_a_chart_has_no_values()
    {
        var report = Report();
        var empty = report with { Figures = report.Figures.Select(f => f with { Trend = f.Trend.Select(v => v with { Value = null }).ToList() }).ToList() };
        foreach (var charts in new[] { ReportCharts.Draw(report), ReportCharts.Draw(empty) })
        {
            Assert.Equal(["predictability", "velocity", "findings", "dependencies"], charts.Select(c => c.Name));
            Assert.All(charts, c => Assert.Equal("\u0089PNG", Encoding.Latin1.GetString(c.Png, 0, 4)));
            Assert.All(charts, c => Assert.True(c.Png.Length > 3000, $"{c.Name}: {c.Png.Length} bytes"));
        }
        // The alternative text lists the values: velocity P50 is 0.5 + 1 + 0.1 × the month's index, none in the first two months.
        Assert.Contains("Velocity P50 (points) Jun 26 —, Jul 26 —, Aug 26 1.7, Sep 26 1.8, Oct 26 1.9, Nov 26 2;", ReportCharts.Draw(report)[1].Alt);
    }

    [Fact]
    public void The_email_encodes_tracker_text_and_refers_to_each_inline_chart_by_its_content_id()
    {
        var report = Report();
        var charts = ReportCharts.Draw(report);
        var rendered = ReportRenderer.Render(ReportViews.Of(report, charts, c => "cid:" + ReportRenderer.ContentId(report.Month, c),
            "https://alignment.example.com/api/mi/report?month=2026-11"));
        var mime = ReportRenderer.ToMime(rendered, charts, report.Month, "Alignment <pmo@example.com>", "board@example.com", "report.x@alignment",
            report.GeneratedAt);

        Assert.Equal("Management report November 2026", mime.Subject);
        Assert.DoesNotContain(Script, rendered.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; waits", rendered.Html);
        Assert.Contains("definition of sayDo &amp; more", rendered.Html);
        Assert.Contains(Script + " waits", rendered.Text);
        Assert.Contains("<tr data-figure=\"sayDo\"", rendered.Html);
        Assert.Contains(MiIntervalPredictability.NoneConfigured, rendered.Html);
        var images = mime.BodyParts.OfType<MimePart>().Where(p => p.ContentType.IsMimeType("image", "png")).ToList();
        Assert.Equal(4, images.Count);
        Assert.All(images, i => Assert.Contains($"src=\"cid:{i.ContentId}\"", rendered.Html));
        var text = Assert.Single(mime.BodyParts.OfType<TextPart>(), p => p.IsPlain).Text;
        Assert.Contains("Printable version: https://alignment.example.com/api/mi/report?month=2026-11", text);
        Assert.Contains("* Say/do: ", text);
    }

    [Fact]
    public void The_page_embeds_the_charts_as_data_uris()
    {
        var report = Report();
        var charts = ReportCharts.Draw(report);
        var html = ReportRenderer.Render(ReportViews.Of(report, charts, ReportRenderer.DataUri, null)).Html;
        Assert.Equal(4, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("cid:", html);
        Assert.DoesNotContain("Printable version", html);
    }
}
