using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alignment.Advice.Report;
using Alignment.Host.Hosting;
using Alignment.Host.Jobs;
using Hangfire;
using Hangfire.Storage;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using netDumbster.smtp;

namespace Alignment.IntegrationTests.Advice;

/// <summary>
/// The monthly management report (README, "Monthly management report") on the simulated organisation: the e-mail reaches a real SMTP
/// server (netDumbster) with its charts as inline PNGs referenced by <c>cid:</c>, its numbers are the history API's for the month, it goes
/// out once per recipient and month however often the job runs, a recipient the server refuses fails alone and shows in the deliveries,
/// and <c>GET /api/mi/report</c> serves the same report as a page to the MI roles only.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class MonthlyReportTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Observed = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
    /// <summary>1 December 2026, 07:30 in Amsterdam: the report of November is due.</summary>
    private static readonly DateTimeOffset December = new(2026, 12, 1, 6, 30, 0, TimeSpan.Zero);
    private const string Script = "<script>alert(1)</script>";
    private const string CfoKey = "test-cfo-key";

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The simulated organisation analysed on 2 November, and a critical finding's title turned into markup.</summary>
    private async Task<(SimulatedOrg Org, FakeTimeProvider Clock)> StartAsync(int smtpPort, params string[] recipients)
    {
        var clock = new FakeTimeProvider(Observed);
        var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Teams = 4, Items = 600 }, time: clock, configure: c =>
        {
            c["Advice"] = JsonNode.Parse(JsonSerializer.Serialize(new
            {
                Cron = "", AlertsEnabled = false, DashboardUrl = "https://alignment.example.com",
                Smtp = new { Host = "127.0.0.1", Port = smtpPort, Security = "None", From = "Alignment <pmo@example.com>" },
            }));
            c["Mi"] = JsonNode.Parse(JsonSerializer.Serialize(new { Report = new { Cron = "", Recipients = recipients } }));
            c["Auth"]!["ApiKeys"]!.AsArray().Add(JsonNode.Parse(JsonSerializer.Serialize(new
            {
                Name = "cfo", Role = "management", Email = "CFO@example.com", Sha256 = ApiKeyAuthenticationHandler.Hash(CfoKey),
            })));
        });
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        Assert.Equal(1, await db.ScalarAsync<int>($"""
            UPDATE analysis.findings SET title = '{Script} ' || title
             WHERE id = (SELECT id FROM analysis.findings WHERE status = 'open' AND severity = 'critical' ORDER BY score DESC, id LIMIT 1)
            RETURNING 1
            """));
        return (org, clock);
    }

    private static async Task<MonthlyReportRunResult> RunAsync(TestHost host, bool retryNow = false)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunMonthlyReportCommand("test", retryNow));
    }

    private static MimeMessage Parse(SmtpMessage m) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data)));

    [Fact]
    public async Task Mails_the_month_report_with_its_charts_once_per_recipient_and_month_however_often_the_job_runs()
    {
        var port = AlignmentProcess.FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var (org, clock) = await StartAsync(port, "board@example.com");
        await using var _ = org;
        clock.SetUtcNow(December);

        var first = await RunAsync(org.Host);
        Assert.Equal(("2026-11", 2, 2, 2), (first.Month, first.Recipients, first.Queued, first.Sent));
        var mails = smtp.ReceivedEmail.Select(Parse).ToList();
        Assert.Equal(["board@example.com", "cfo@example.com"], mails.Select(m => m.To.Mailboxes.Single().Address).Order());
        var mail = mails[0];
        Assert.Equal("Management report November 2026", mail.Subject);
        Assert.Equal(AdviceRenderer.MessageId("report", "2026-11", mail.To.Mailboxes.Single().Address), mail.MessageId);
        AssertInlineCharts(mail);
        Assert.Contains("Say/do", mail.TextBody);
        Assert.Contains("https://alignment.example.com/api/mi/report?month=2026-11", mail.TextBody);
        Assert.DoesNotContain(Script, mail.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", mail.HtmlBody);
        Assert.Contains(MiIntervalPredictability.NoneConfigured, mail.TextBody);

        // The numbers are the history API's month-end values (the last stored day of November), exactly.
        using var board = org.Host.Client(TestHost.ManagementKey);
        var values = FigureValues(mail.HtmlBody!);
        await AssertHistoryValuesAsync(board, values, "2026-11-01", "2026-11-30");
        Assert.NotEqual("", values["sayDo"]);
        Assert.NotEqual("", values["openFindings"]);

        // Again the same morning, later in the month, on another trigger: nothing new.
        var again = await RunAsync(org.Host);
        clock.SetUtcNow(new DateTimeOffset(2026, 12, 20, 15, 0, 0, TimeSpan.Zero));
        var later = await RunAsync(org.Host);
        Assert.Equal((0, 2, 0), (again.Queued, again.AlreadyQueued, again.Sent));
        Assert.Equal(("2026-11", 0, 2), (later.Month, later.Queued, later.AlreadyQueued));
        Assert.Equal(2, smtp.ReceivedEmailCount);

        // The next month: December's report, once more per recipient.
        clock.SetUtcNow(new DateTimeOffset(2027, 1, 1, 6, 0, 0, TimeSpan.Zero));
        var next = await RunAsync(org.Host);
        Assert.Equal(("2026-12", 2, 2), (next.Month, next.Queued, next.Sent));
        Assert.Equal(4, smtp.ReceivedEmailCount);
        Assert.Equal(2, smtp.ReceivedEmail.Select(Parse).Count(m => m.Subject == "Management report December 2026"));
        Assert.Equal(4, await db.ScalarAsync<int>("SELECT count(*)::int FROM ops.advice_outbox WHERE kind = 'report' AND status = 'sent'"));
    }

    [Fact]
    public async Task Serves_the_same_report_as_a_printable_page_to_the_MI_roles()
    {
        var port = AlignmentProcess.FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        var (org, clock) = await StartAsync(port, "board@example.com");
        await using var _ = org;
        clock.SetUtcNow(December);
        await RunAsync(org.Host);
        var mailed = FigureValues(Parse(smtp.ReceivedEmail[0]).HtmlBody!);

        using var board = org.Host.Client(TestHost.ManagementKey);
        using var page = await board.GetAsync("/api/mi/report"); // default: the last complete month
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Management report November 2026", html);
        Assert.Contains("@media print", html);
        Assert.DoesNotContain(Script, html);
        Assert.Equal(mailed, FigureValues(html));
        var images = DataImages().Matches(html).Select(m => Convert.FromBase64String(m.Groups[1].Value.Replace("&#x2B;", "+"))).ToList();
        Assert.Equal(4, images.Count);
        Assert.All(images, AssertPng);

        var october = FigureValues(await board.GetStringAsync("/api/mi/report?month=2026-10"));
        await AssertHistoryValuesAsync(board, october, "2026-10-01", "2026-10-31");

        foreach (var bad in new[] { "2026-13", "november", "2026-1", "2027-01" })
        {
            using var r = await board.GetAsync($"/api/mi/report?month={bad}");
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("\"month\"", await r.Content.ReadAsStringAsync());
        }
        using (var po = org.Host.Client(TestHost.AnnKey))
            Assert.Equal(HttpStatusCode.Forbidden, (await po.GetAsync("/api/mi/report")).StatusCode);
        using (var anonymous = org.Host.Client())
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/mi/report")).StatusCode);
        using (var cfo = org.Host.Client(CfoKey))
            Assert.Equal(HttpStatusCode.OK, (await cfo.GetAsync("/api/mi/report?month=2026-11")).StatusCode);
    }

    [Fact]
    public async Task A_recipient_the_mail_server_refuses_fails_alone_is_retried_and_shows_in_the_deliveries()
    {
        var port = AlignmentProcess.FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        // A valid address (RFC 5321 quoted local part) that this server cannot take: it answers RCPT TO with 501.
        var (org, clock) = await StartAsync(port, "\"john doe\"@example.com", "board@example.com");
        await using var _ = org;
        clock.SetUtcNow(December);

        var first = await RunAsync(org.Host);
        Assert.Equal((3, 3, 2, 1), (first.Recipients, first.Queued, first.Sent, first.Failed));
        Assert.Equal(["board@example.com", "cfo@example.com"], smtp.ReceivedEmail.Select(m => Parse(m).To.Mailboxes.Single().Address).Order());

        using var board = org.Host.Client(TestHost.ManagementKey);
        var deliveries = await board.GetFromJsonAsync<JsonElement>("/api/mi/report/deliveries?month=2026-11");
        var refused = Assert.Single(deliveries.EnumerateArray(), d => d.GetProperty("status").GetString() == "pending");
        Assert.Equal("\"john doe\"@example.com", refused.GetProperty("recipient").GetString());
        Assert.Equal(1, refused.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrEmpty(refused.GetProperty("lastError").GetString()));
        Assert.True(refused.GetProperty("nextAttemptAt").GetDateTimeOffset() > December);
        Assert.Equal(2, deliveries.EnumerateArray().Count(d => d.GetProperty("status").GetString() == "sent"));

        var retried = await RunAsync(org.Host, retryNow: true);
        Assert.Equal((0, 0, 1), (retried.Queued, retried.Sent, retried.Failed));
        Assert.Equal(2, smtp.ReceivedEmailCount);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT attempts FROM ops.advice_outbox WHERE kind = 'report' AND status = 'pending'"));
    }

    [Fact]
    public async Task Schedules_the_report_with_its_retries_only_with_a_mail_server_and_recipients()
    {
        object Config(string smtpHost, string[] recipients) => new
        {
            Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira") },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12) },
            Auth = new { ApiKeys = TestHost.ApiKeys }, // the management key has no e-mail address
            Advice = new { Cron = "", Smtp = new { Host = smtpHost, Port = 2525, Security = "None", From = "pmo@example.com" } },
            Mi = new { Report = new { Cron = "0 6 2 * *", TimeZone = "Europe/Amsterdam", Recipients = recipients } },
        };
        static List<string> Jobs(TestHost host, out string? cron, out string? zone)
        {
            using var conn = host.Services.GetRequiredService<JobStorage>().GetConnection();
            var jobs = conn.GetRecurringJobs();
            var report = jobs.SingleOrDefault(j => j.Id == RecurringJobRegistrar.ReportMonthlyId);
            (cron, zone) = (report?.Cron, report?.TimeZoneId);
            return jobs.Select(j => j.Id).Where(id => id.StartsWith("report:", StringComparison.Ordinal) || id.StartsWith("advice:", StringComparison.Ordinal))
                .Order().ToList();
        }

        await using (var host = await TestHost.StartAsync(db, Config("127.0.0.1", ["board@example.com"])))
        {
            Assert.Equal([RecurringJobRegistrar.AdviceOutboxId, RecurringJobRegistrar.ReportMonthlyId], Jobs(host, out var cron, out var zone));
            Assert.Equal(("0 6 2 * *", TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam").Id), (cron, zone));
        }
        await using (var host = await TestHost.StartAsync(db, Config("127.0.0.1", [])))
            Assert.Empty(Jobs(host, out _, out _));
        await using (var host = await TestHost.StartAsync(db, Config("", ["board@example.com"])))
            Assert.Empty(Jobs(host, out _, out _));
    }

    /// <summary>Four PNG parts, each a valid PNG of some size, each referenced from the HTML by its Content-ID.</summary>
    private static void AssertInlineCharts(MimeMessage mail)
    {
        Assert.NotNull(mail.TextBody);
        var html = mail.HtmlBody!;
        var images = mail.BodyParts.OfType<MimePart>().Where(p => p.ContentType.IsMimeType("image", "png")).ToList();
        Assert.Equal(4, images.Count);
        foreach (var image in images)
        {
            Assert.False(string.IsNullOrEmpty(image.ContentId));
            Assert.Contains($"src=\"cid:{image.ContentId}\"", html);
            using var ms = new MemoryStream();
            image.Content!.DecodeTo(ms);
            AssertPng(ms.ToArray());
        }
    }

    private static void AssertPng(byte[] png)
    {
        Assert.True(png.Length > 5000, $"a chart of {png.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
    }

    /// <summary>Each key figure's stored value as the report's HTML carries it (<c>data-value</c>, round-trip form; empty: none).</summary>
    private static Dictionary<string, string> FigureValues(string html) =>
        FigureRow().Matches(html).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    /// <summary>Each figure's value in the report equals the last point <c>GET /api/mi/history</c> gives for the organisation in the month.</summary>
    private static async Task AssertHistoryValuesAsync(HttpClient http, Dictionary<string, string> values, string from, string to)
    {
        Assert.Equal(MiReportFigures.All.Select(f => f.Figure).Order(), values.Keys.Order());
        foreach (var (figure, raw) in values)
        {
            var series = await http.GetFromJsonAsync<JsonElement>($"/api/mi/history?figure={figure}&from={from}&to={to}");
            var points = series.GetProperty("points").EnumerateArray().ToList();
            var expected = points.Count == 0 || points[^1].GetProperty("value").ValueKind != JsonValueKind.Number
                ? "" : points[^1].GetProperty("value").GetDouble().ToString("R", CultureInfo.InvariantCulture);
            Assert.True(expected == raw, $"{figure}: the report says '{raw}', the history '{expected}'");
        }
    }

    [GeneratedRegex("<tr data-figure=\"(\\w+)\"[^>]*>\\s*<td[^>]*>[^<]*</td>\\s*<td data-value=\"([^\"]*)\"")]
    private static partial Regex FigureRow();

    [GeneratedRegex("src=\"data:image/png;base64,([^\"]+)\"")]
    private static partial Regex DataImages();
}
