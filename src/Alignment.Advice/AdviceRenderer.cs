using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using MimeKit;

namespace Alignment.Advice;

/// <summary>A rendered message: subject, HTML and plain-text bodies.</summary>
public sealed record RenderedMessage(string Subject, string Html, string Text);

/// <summary>
/// Renders digests and alerts with the Fluid (Liquid) templates embedded in this assembly: HTML with inline styles
/// (no scripts, no external images) and a plain-text alternative. In the HTML every value is HTML-encoded, so tracker
/// text (titles, names) can never become markup.
/// </summary>
public static class AdviceRenderer
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();
    private static readonly Lazy<IFluidTemplate> DigestHtml = new(() => Load("digest.html.liquid"));
    private static readonly Lazy<IFluidTemplate> DigestText = new(() => Load("digest.txt.liquid"));
    private static readonly Lazy<IFluidTemplate> AlertHtml = new(() => Load("alert.html.liquid"));
    private static readonly Lazy<IFluidTemplate> AlertText = new(() => Load("alert.txt.liquid"));

    private static TemplateOptions CreateOptions()
    {
        var o = new TemplateOptions();
        o.MemberAccessStrategy.Register<Digest>();
        o.MemberAccessStrategy.Register<DigestSection>();
        o.MemberAccessStrategy.Register<DigestLine>();
        o.MemberAccessStrategy.Register<ItemLink>();
        o.MemberAccessStrategy.Register<SectionChanges>();
        o.MemberAccessStrategy.Register<ChangeGroup>();
        o.MemberAccessStrategy.Register<ProductOwner>();
        o.MemberAccessStrategy.Register<AdviceTeam>();
        o.MemberAccessStrategy.Register<AdviceText>();
        o.CultureInfo = CultureInfo.InvariantCulture;
        return o;
    }

    private static IFluidTemplate Load(string name)
    {
        var resource = $"{typeof(AdviceRenderer).Namespace}.Templates.{name}";
        using var stream = typeof(AdviceRenderer).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded template {resource} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var source = reader.ReadToEnd();
        return Parser.TryParse(source, out var template, out var error) ? template : throw new InvalidOperationException($"Template {name}: {error}");
    }

    public static RenderedMessage Render(Digest digest)
    {
        var t = AdviceText.For(digest.Language);
        var ctx = new TemplateContext(Options);
        ctx.SetValue("digest", digest);
        ctx.SetValue("t", t);
        return new RenderedMessage(digest.Subject, DigestHtml.Value.Render(ctx, HtmlEncoder.Default), DigestText.Value.Render(ctx, NullEncoder.Default));
    }

    public static RenderedMessage RenderAlert(ProductOwner owner, IReadOnlyList<DigestLine> lines, string language)
    {
        var t = AdviceText.For(language);
        var subject = t.AlertSubjectFormat(string.Join(", ", lines.Select(l => l.Subject.Key).Take(3)));
        var ctx = new TemplateContext(Options);
        ctx.SetValue("owner", owner);
        ctx.SetValue("lines", lines);
        ctx.SetValue("subject", subject);
        ctx.SetValue("t", t);
        return new RenderedMessage(subject, AlertHtml.Value.Render(ctx, HtmlEncoder.Default), AlertText.Value.Render(ctx, NullEncoder.Default));
    }

    /// <summary>The Message-ID of one product owner's message of one period: the same on every host and every retry.</summary>
    public static string MessageId(string kind, string period, string email) =>
        $"{kind}.{period}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())))[..16]}@alignment";

    /// <summary>A multipart/alternative message (text first, HTML preferred) with a deterministic Message-ID.</summary>
    public static MimeMessage ToMime(RenderedMessage m, string from, ProductOwner to, string messageId, DateTimeOffset date)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(new MailboxAddress(to.Name, to.Email));
        message.Subject = m.Subject;
        message.MessageId = messageId;
        message.Date = date;
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var body = new BodyBuilder { TextBody = m.Text, HtmlBody = m.Html };
        message.Body = body.ToMessageBody();
        return message;
    }

    public static byte[] Bytes(MimeMessage message)
    {
        using var ms = new MemoryStream();
        message.WriteTo(ms);
        return ms.ToArray();
    }
}
