using MimeKit;
using static Alignment.UnitTests.Advice.AdviceFindings;

namespace Alignment.UnitTests.Advice;

public class AdviceRendererTests
{
    private static Digest Digest(string language, string title = "<script>alert(1)</script>") =>
        DigestComposer.Compose(Input("pay", [Unscheduled("PAY-1", "pay", "LED-3", "ledger", "2026-11-30", blockerTitle: title)]),
            new ComposeSettings(language, 5, null), "2026-W48", Today);

    [Fact]
    public void Encodes_tracker_text_in_the_html_and_keeps_it_readable_in_the_text()
    {
        var m = AdviceRenderer.Render(Digest("en"));
        Assert.DoesNotContain("<script>", m.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", m.Html);
        Assert.Contains("<script>alert(1)</script>", m.Text);
        Assert.Contains("href=\"https://jira.example.com/browse/PAY-1\"", m.Html);
        Assert.Contains("href=\"https://jira.example.com/browse/LED-3\"", m.Html);
        Assert.Contains("Unblock other teams", m.Html);
        Assert.DoesNotContain("<img", m.Html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Drops_links_that_are_not_http()
    {
        Assert.Null(DigestComposer.SafeUrl("javascript:alert(1)"));
        Assert.Equal("https://jira.example.com/browse/PAY-1", DigestComposer.SafeUrl("https://jira.example.com/browse/PAY-1"));
    }

    [Fact]
    public void Renders_dutch()
    {
        var m = AdviceRenderer.Render(Digest("nl", "Betaalscherm"));
        Assert.Contains("Deblokkeer andere teams", m.Html);
        Assert.Contains("Prioriteringsadvies, week 48", m.Subject);
        Assert.Contains("Ledger wacht erop", m.Text);
    }

    [Fact]
    public void Builds_a_multipart_message_with_a_deterministic_message_id()
    {
        var digest = Digest("en");
        var id = AdviceRenderer.MessageId("advice", "2026-W48", "Ann@Example.com");
        Assert.Equal(id, AdviceRenderer.MessageId("advice", "2026-W48", "ann@example.com"));
        Assert.StartsWith("advice.2026-W48.", id);
        var mime = AdviceRenderer.ToMime(AdviceRenderer.Render(digest), "pmo@example.com", digest.Owner, id, DateTimeOffset.UnixEpoch);
        var parsed = MimeMessage.Load(new MemoryStream(AdviceRenderer.Bytes(mime)));
        Assert.Equal(id, parsed.MessageId);
        Assert.NotNull(parsed.HtmlBody);
        Assert.NotNull(parsed.TextBody);
    }

    [Fact]
    public void Names_the_iso_week_in_the_configured_time_zone()
    {
        // Sunday 23:30 UTC is Monday 00:30 in Amsterdam: the next ISO week there.
        var now = DateTimeOffset.Parse("2026-11-29T23:30:00Z");
        Assert.Equal("2026-W48", AdvicePeriod.Week(now, "UTC"));
        Assert.Equal("2026-W49", AdvicePeriod.Week(now, "Europe/Amsterdam"));
    }
}
