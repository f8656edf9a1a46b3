using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using netDumbster.smtp;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Advice;

/// <summary>
/// Week over week in the digest, through the outbox to a real SMTP server on a fake clock: two weekly digests a week apart with findings
/// opened, resolved, reopened and kept between them (their lifecycle in <c>analysis.finding_events</c>), the say/do line against the rows
/// <c>GET /api/mi/history</c> serves, and the preview and dry-run showing what was sent, in English and Dutch.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class AdviceWeekOverWeekTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Monday 07:00 in Amsterdam, ISO week 47; the second digest is a week later, week 48.</summary>
    private static readonly DateTimeOffset Week47 = new(2026, 11, 16, 6, 0, 0, TimeSpan.Zero);
    private const string Script = "<script>alert(1)</script>";

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static object Config(int smtpPort, string language) => new
    {
        Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
        Auth = new { ApiKeys = TestHost.ApiKeys },
        Advice = new
        {
            Cron = "",
            Language = language,
            Smtp = new { Host = "127.0.0.1", Port = smtpPort, Security = "None", From = "Alignment <pmo@example.com>" },
        },
    };

    /// <summary>The words each language must show (the English and Dutch texts of AdviceText).</summary>
    private static readonly Dictionary<string, (string First, string Since, string Hygiene, string Unblock, string New, string Resolved, string Still, string Trend)> Words = new()
    {
        ["en"] = ("This is your first digest: everything in it is new.", "Since your last digest (week 47): 2 new, 1 resolved, 1 still open.",
            "Since week 47: 1 new, 1 resolved, 1 still open.", "Since week 47: 1 new, 0 resolved, 0 still open.", "New", "Resolved", "Still open", "weeks ago"),
        ["nl"] = ("Dit is je eerste advies: alles erin is nieuw.", "Sinds je vorige advies (week 47): 2 nieuw, 1 opgelost, 1 nog open.",
            "Sinds week 47: 1 nieuw, 1 opgelost, 1 nog open.", "Sinds week 47: 1 nieuw, 0 opgelost, 0 nog open.", "Nieuw", "Opgelost", "Nog open", "weken geleden"),
    };

    [Theory]
    [InlineData("en")]
    [InlineData("nl")]
    public async Task The_second_digest_names_what_was_opened_resolved_and_kept_since_the_first_and_the_say_do_trend(string language)
    {
        var w = Words[language];
        var port = AlignmentProcess.FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var clock = new FakeTimeProvider(Week47);
        await using var host = await TestHost.StartAsync(db, Config(port, language), clock);
        await SeedSayDoAsync();
        // A digest of week 46 that was given up after every attempt never reached Ann: no baseline.
        await db.ScalarAsync<int>("""
            INSERT INTO ops.advice_outbox (kind, product_owner_email, period, message_id, subject, mime, status, attempts, next_attempt_at, created_at)
            VALUES ('digest', 'ann@example.com', '2026-W46', 'lost@alignment', 'lost', '\x00', 'failed', 10, now(), '2026-11-09T06:00:00Z') RETURNING 1
            """);
        var before = Week47.AddDays(-1);
        var kept = await OpenAsync("f-kept", "DRIFT-UNESTIMATED", "PAY-10", "Kept story", before);
        var gone = await OpenAsync("f-gone", "DRIFT-STALE", "PAY-11", Script, before);
        var back = await OpenAsync("f-back", "DRIFT-ORPHAN", "PAY-13", "Back again", before);

        var first = await RunAsync(host);
        Assert.Equal((1, 1), (first.Queued, first.Sent)); // Bram has nothing to act on
        Assert.Equal(1, smtp.ReceivedEmailCount);
        var week47 = Normalize((await SentAsync("2026-W47")).TextBody);
        Assert.Contains(w.First, week47);
        Assert.Contains("Payments: say/do 74 %", week47); // the latest week (of 10 Nov); nothing four weeks before it in reach
        Assert.Equal(week47, Normalize(await PreviewAsync(host, "text"))); // the week's own digest is no baseline for itself

        clock.Advance(TimeSpan.FromDays(2));
        await ResolveAsync(gone, clock.GetUtcNow());
        await ResolveAsync(back, clock.GetUtcNow());
        await OpenAsync("f-new", "DEP-UNSCHEDULED", "PAY-12", "New blocker", clock.GetUtcNow());
        clock.Advance(TimeSpan.FromDays(1));
        await ReopenAsync(back, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromDays(4)); // Monday of week 48, 07:00 in Amsterdam

        var second = await RunAsync(host);
        Assert.Equal((1, 1, "2026-W48"), (second.Queued, second.Sent, second.Period));
        Assert.Equal(2, smtp.ReceivedEmailCount);
        Assert.Single(smtp.ReceivedEmail.Select(Parse), m => m.MessageId == AdviceRenderer.MessageId("advice", "2026-W48", "ann@example.com"));
        // The bytes the outbox sent (netDumbster keeps SMTP's dot-stuffing of quoted-printable lines, so read them from the outbox).
        var mail = await SentAsync("2026-W48");
        var text = Normalize(mail.TextBody);
        output.WriteLine(text);
        Assert.DoesNotContain(w.First, text);
        Assert.Contains(w.Since, text);
        Assert.Contains($"{w.Hygiene}\n  {w.New}: PAY-13\n  {w.Resolved}: PAY-11 ({Script})\n  {w.Still}: PAY-10\n", text);
        Assert.Contains($"{w.Unblock}\n  {w.New}: PAY-12\n", text);
        Assert.Contains($"* {await ExpectedSayDoLineAsync(host, w.Trend)}\n", text);
        Assert.Contains(language == "en" ? "Ledger: say/do not known yet" : "Ledger: say/do nog niet bekend", Normalize(await PreviewAsync(host, "text", "bram")));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", mail.HtmlBody);
        Assert.DoesNotContain(Script, mail.HtmlBody);
        Assert.Contains("href=\"https://jira.example.com/browse/PAY-11\"", mail.HtmlBody);

        // The preview and the dry-run of week 48 show what was sent.
        Assert.Equal(text, Normalize(await PreviewAsync(host, "text")));
        var dir = Path.Combine(Path.GetTempPath(), $"advice-wow-{Guid.NewGuid():N}");
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            var dry = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunAdviceCommand("test", dir));
            var eml = await MimeMessage.LoadAsync(Assert.Single(dry.Files));
            Assert.Equal(text, Normalize(eml.TextBody));
            Assert.Equal(Normalize(mail.HtmlBody), Normalize(eml.HtmlBody));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>
    /// Say/do of Payments (observed days): the weekly points put week 47's value at 0.74 (10 Nov) and week 48's at 0.78 (today); four weeks
    /// before week 48 is the week of 26 Oct (0.71).
    /// </summary>
    private async Task SeedSayDoAsync()
    {
        (string Day, double Value)[] days = [("2026-10-19", 0.60), ("2026-10-26", 0.71), ("2026-11-10", 0.74), ("2026-11-22", 0.75), ("2026-11-23", 0.78)];
        await using var conn = await db.DataSource.OpenConnectionAsync();
        foreach (var (day, value) in days)
            await conn.ExecuteAsync("""
                INSERT INTO analysis.mi_history (figure, team_id, day, value, basis, recorded_at)
                VALUES ('sayDo', 'payments', @day::date, @value, 'observed', @day::date + time '20:00')
                """, new { day, value });
    }

    /// <summary>The line the digest should show, computed here from the points <c>GET /api/mi/history?interval=week</c> serves.</summary>
    private static async Task<string> ExpectedSayDoLineAsync(TestHost host, string weeksAgo)
    {
        using var http = host.Client(TestHost.ManagementKey);
        var series = await http.GetFromJsonAsync<JsonElement>("/api/mi/history?figure=sayDo&team=payments&interval=week&from=2026-08-01&to=2026-11-23");
        var points = series.GetProperty("points").EnumerateArray()
            .Select(p => (At: DateOnly.Parse(p.GetProperty("at").GetString()!, CultureInfo.InvariantCulture), Value: p.GetProperty("value").GetDouble())).ToList();
        var now = points[^1];
        var then = points.Last(p => p.At <= now.At.AddDays(-28));
        Assert.Equal((new DateOnly(2026, 11, 23), 0.78, new DateOnly(2026, 10, 26), 0.71), (now.At, now.Value, then.At, then.Value));
        return $"Payments: say/do {Math.Round(now.Value * 100)} % ({(now.At.DayNumber - then.At.DayNumber) / 7} {weeksAgo} {Math.Round(then.Value * 100)} %, ↑)";
    }

    private static object Item(string key, string title, string team = "payments") => new
    {
        source = "jira", key, url = $"https://jira.example.com/browse/{key}", title, type = "story", team, statusCategory = "todo",
        storyPoints = (double?)null, sprint = (object?)null,
    };

    /// <summary>A finding of Ann's team opened at <paramref name="at"/>, as the analysis writes it: the row and its <c>opened</c> event.</summary>
    private async Task<long> OpenAsync(string fingerprint, string rule, string key, string title, DateTimeOffset at)
    {
        object evidence = rule == "DEP-UNSCHEDULED"
            ? new { dependent = Item("LED-3", "Ledger import", "ledger"), blocker = Item(key, title) }
            : new { item = Item(key, title), days = 12, updatedAt = "2026-11-01T00:00:00Z", topN = 20 };
        var team = rule == "DEP-UNSCHEDULED" ? "ledger" : "payments";
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            WITH f AS (
              INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, related_teams, items, title, evidence, action, score,
                                             first_seen, last_seen, status_changed_at)
              VALUES (@fingerprint, @rule, 'warning', 'open', @team, @related, @items::jsonb, @title, @evidence::jsonb, 'act', 50, @at, @at, @at)
              RETURNING id)
            INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
            SELECT id, @at, 'opened', 'open', 'warning', 'analysis' FROM f RETURNING finding_id
            """, new
        {
            fingerprint, rule, team, related = team == "ledger" ? new[] { "payments" } : [], title, at,
            items = JsonSerializer.Serialize(new[] { new { source = "jira", key, url = $"https://jira.example.com/browse/{key}" } }),
            evidence = JsonSerializer.Serialize(evidence),
        });
    }

    private async Task ResolveAsync(long id, DateTimeOffset at) => await db.ScalarAsync<int>("""
        WITH u AS (UPDATE analysis.findings SET status = 'resolved', resolved_at = @at, status_changed_at = @at WHERE id = @id RETURNING id)
        INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
        SELECT id, @at, 'resolved', 'resolved', 'warning', 'analysis' FROM u RETURNING 1
        """, new { id, at });

    private async Task ReopenAsync(long id, DateTimeOffset at) => await db.ScalarAsync<int>("""
        WITH u AS (UPDATE analysis.findings SET status = 'open', resolved_at = NULL, status_changed_at = @at WHERE id = @id RETURNING id)
        INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
        SELECT id, @at, 'reopened', 'open', 'warning', 'analysis' FROM u RETURNING 1
        """, new { id, at });

    private static async Task<AdviceRunResult> RunAsync(TestHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunAdviceCommand("test"));
    }

    private static async Task<string> PreviewAsync(TestHost host, string format, string owner = "ann")
    {
        using var pmo = host.Client(TestHost.PmoKey);
        return await pmo.GetStringAsync($"/api/advice/{owner}@example.com/preview?format={format}");
    }

    private static MimeMessage Parse(SmtpMessage m) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data)));

    private async Task<MimeMessage> SentAsync(string period) => MimeMessage.Load(new MemoryStream(await db.ScalarAsync<byte[]>(
        "SELECT mime FROM ops.advice_outbox WHERE kind = 'digest' AND product_owner_email = 'ann@example.com' AND period = @period AND status = 'sent'",
        new { period })));

    private static string Normalize(string? s) => Assert.IsType<string>(s).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();
}
