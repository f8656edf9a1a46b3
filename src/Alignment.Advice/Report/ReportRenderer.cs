using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using MimeKit;

namespace Alignment.Advice.Report;

/// <summary>
/// Renders the monthly report with the Fluid templates embedded in this assembly (<c>Templates/report.*.liquid</c>): one HTML for the
/// e-mail and the printable page (inline styles, print CSS, no scripts; every value HTML-encoded, so tracker text never becomes markup;
/// the charts' sources are the only raw values and are built here), and a plain-text part.
/// </summary>
public static class ReportRenderer
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private static readonly Lazy<IFluidTemplate> Html = new(() => Load("report.html.liquid"));
    private static readonly Lazy<IFluidTemplate> Text = new(() => Load("report.txt.liquid"));

    private static TemplateOptions CreateOptions()
    {
        var o = new TemplateOptions();
        foreach (var t in new[] { typeof(ReportView), typeof(FigureView), typeof(ChartView), typeof(RiskView), typeof(EpicView), typeof(IntervalView),
                     typeof(IntervalRowView) })
            o.MemberAccessStrategy.Register(t);
        o.CultureInfo = CultureInfo.InvariantCulture;
        return o;
    }

    private static IFluidTemplate Load(string name)
    {
        var resource = $"{typeof(AdviceRenderer).Namespace}.Templates.{name}";
        using var stream = typeof(ReportRenderer).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded template {resource} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parser.TryParse(reader.ReadToEnd(), out var template, out var error) ? template : throw new InvalidOperationException($"Template {name}: {error}");
    }

    public static RenderedMessage Render(ReportView view)
    {
        var ctx = new TemplateContext(Options);
        ctx.SetValue("r", view);
        return new RenderedMessage(view.Subject, Html.Value.Render(ctx, HtmlEncoder.Default), Text.Value.Render(ctx, NullEncoder.Default));
    }

    /// <summary>The Content-ID of a chart in the e-mail of <paramref name="month"/> (the HTML refers to it as <c>cid:…</c>).</summary>
    public static string ContentId(string month, ReportChart chart) => $"{chart.Name}.{month}@alignment";

    /// <summary>A chart as a data URI, for the page (its Content-Security-Policy allows <c>img-src data:</c> only).</summary>
    public static string DataUri(ReportChart chart) => "data:image/png;base64," + Convert.ToBase64String(chart.Png);

    /// <summary>
    /// The e-mail: multipart/alternative of the plain text and a multipart/related of the HTML with the charts as inline PNG parts whose
    /// Content-IDs the HTML refers to; a deterministic Message-ID.
    /// </summary>
    public static MimeMessage ToMime(RenderedMessage m, IReadOnlyList<ReportChart> charts, string month, string from, string to, string messageId,
        DateTimeOffset date)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = m.Subject;
        message.MessageId = messageId;
        message.Date = date;
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var body = new BodyBuilder { TextBody = m.Text, HtmlBody = m.Html };
        foreach (var chart in charts)
        {
            var part = body.LinkedResources.Add($"{chart.Name}.png", chart.Png, new ContentType("image", "png"));
            part.ContentId = ContentId(month, chart);
        }
        message.Body = body.ToMessageBody();
        return message;
    }
}
