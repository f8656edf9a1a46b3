using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using netDumbster.smtp;

namespace Alignment.IntegrationTests.Advice;

/// <summary>The weekly digests through the outbox to a real SMTP server (netDumbster, in-process), the preview and the alerts.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AdviceDeliveryTests(TestDatabase db) : IAsyncLifetime
{
    public const string Script = "<script>alert(1)</script>";

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static int FreePort() => AlignmentProcess.FreePort();

    private static object Config(int smtpPort, string[]? optOut = null, bool sendEmpty = false) => new
    {
        Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
        Auth = new { ApiKeys = TestHost.ApiKeys },
        Advice = new
        {
            Cron = "", // the test runs the digests itself
            Smtp = new { Host = "127.0.0.1", Port = smtpPort, Security = "None", From = "Alignment <pmo@example.com>" },
            DashboardUrl = "https://alignment.example.com",
            OptOut = optOut ?? [],
            SendEmptyDigest = sendEmpty,
        },
    };

    private static object Item(string source, string key, string team, string title, string? sprint = null, string? firstDay = null) => new
    {
        source, key, url = source == "jira" ? $"https://jira.example.com/browse/{key}" : $"https://dev.azure.com/org/Finance/_workitems/edit/{key}",
        title, type = "story", team, statusCategory = "todo", storyPoints = (double?)null,
        sprint = sprint is null ? null : new { source, id = sprint, name = sprint, state = "future", firstDay, lastDay = (string?)null },
    };

    /// <summary>Ann's Payments blocks Ledger's LED-3 (title with markup); Ledger has an unestimated story (Bram).</summary>
    private async Task SeedFindingsAsync(string severity = "warning", DateTimeOffset? firstSeen = null)
    {
        var start = DateTime.UtcNow.Date.AddDays(7).ToString("yyyy-MM-dd");
        var seen = firstSeen ?? DateTimeOffset.UtcNow;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        async Task Insert(string fingerprint, string rule, string sev, string team, string[] related, object[] items, string title, object evidence) =>
            await conn.ExecuteAsync("""
                INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, related_teams, items, title, evidence, action, score,
                                               first_seen, last_seen, status_changed_at)
                VALUES (@fingerprint, @rule, @sev, 'open', @team, @related, @items::jsonb, @title, @evidence::jsonb, 'act', 50, @seen, @seen, @seen)
                """, new { fingerprint, rule, sev, team, related, items = JsonSerializer.Serialize(items), title, evidence = JsonSerializer.Serialize(evidence), seen });
        var blocker = Item("jira", "PAY-1", "payments", Script);
        var dependent = Item("ado", "LED-3", "ledger", "Ledger import", "Ledger sprint 9", start);
        await Insert("f-dep", "DEP-UNSCHEDULED", severity, "ledger", ["payments"],
            [new { source = "ado", key = "LED-3", url = "https://dev.azure.com/org/Finance/_workitems/edit/LED-3" }, new { source = "jira", key = "PAY-1", url = "https://jira.example.com/browse/PAY-1" }],
            "LED-3 depends on PAY-1", new { dependent, blocker });
        await Insert("f-est", "DRIFT-UNESTIMATED", "warning", "ledger", [], [new { source = "ado", key = "LED-9", url = "https://dev.azure.com/org/Finance/_workitems/edit/LED-9" }],
            "LED-9 unestimated", new { item = Item("ado", "LED-9", "ledger", "Reconcile", "Ledger sprint 9", start), where = "planned in Ledger sprint 9", topN = 20 });
    }

    private static async Task<AdviceRunResult> RunAsync(TestHost host, bool retryNow = false)
    {
        await using var scope = host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunAdviceCommand("test", RetryNow: retryNow));
    }

    private static MimeMessage Parse(SmtpMessage m) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(m.Data)));

    [Fact]
    public async Task Sends_one_digest_per_product_owner_per_week_even_when_the_job_runs_twice()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var host = await TestHost.StartAsync(db, Config(port));
        await SeedFindingsAsync();

        var first = await RunAsync(host);
        var second = await RunAsync(host);
        Assert.Equal((2, 2), (first.Queued, first.Sent));
        Assert.Equal((0, 2, 0), (second.Queued, second.AlreadyQueued, second.Sent));
        Assert.Equal(2, smtp.ReceivedEmailCount);

        var messages = smtp.ReceivedEmail.Select(Parse).ToList();
        var ann = Assert.Single(messages, m => m.To.Mailboxes.Single().Address == "ann@example.com");
        var bram = Assert.Single(messages, m => m.To.Mailboxes.Single().Address == "bram@example.com");
        Assert.Equal(AdviceRenderer.MessageId("advice", first.Period, "ann@example.com"), ann.MessageId);
        Assert.NotNull(ann.HtmlBody);
        Assert.NotNull(ann.TextBody);
        Assert.DoesNotContain(Script, ann.HtmlBody);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", ann.HtmlBody);
        Assert.Contains("href=\"https://jira.example.com/browse/PAY-1\"", ann.HtmlBody);
        Assert.Contains("href=\"https://dev.azure.com/org/Finance/_workitems/edit/LED-3\"", ann.HtmlBody);
        Assert.Contains("Ledger waits for it", ann.TextBody);
        Assert.Contains("https://jira.example.com/browse/PAY-1", ann.TextBody);
        Assert.Contains("LED-9", bram.TextBody);
        Assert.Contains("href=\"https://dev.azure.com/org/Finance/_workitems/edit/LED-9\"", bram.HtmlBody);
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*)::int FROM ops.advice_outbox WHERE kind = 'digest' AND status = 'sent'"));
    }

    [Fact]
    public async Task Retries_after_the_smtp_server_failed_once_and_still_sends_each_digest_once()
    {
        var port = FreePort();
        await using var host = await TestHost.StartAsync(db, Config(port));
        await SeedFindingsAsync();

        var down = await RunAsync(host); // nothing listens on the port
        Assert.Equal((2, 0, 2), (down.Queued, down.Sent, down.Failed));
        Assert.Equal(2, await db.ScalarAsync<int>("SELECT count(*)::int FROM ops.advice_outbox WHERE status = 'pending' AND attempts = 1 AND last_error IS NOT NULL AND next_attempt_at > now()"));

        using var smtp = SimpleSmtpServer.Start(port);
        var backedOff = await RunAsync(host); // the back-off has not passed yet
        Assert.Equal((0, 0, 0), (backedOff.Queued, backedOff.Sent, backedOff.Failed));
        Assert.Equal(0, smtp.ReceivedEmailCount);

        var retried = await RunAsync(host, retryNow: true);
        Assert.Equal((0, 2, 0), (retried.Queued, retried.Sent, retried.Failed));
        var again = await RunAsync(host, retryNow: true);
        Assert.Equal(0, again.Sent);
        Assert.Equal(2, smtp.ReceivedEmailCount);
        Assert.Equal(2, smtp.ReceivedEmail.Select(m => Parse(m).MessageId).Distinct().Count());
    }

    [Fact]
    public async Task One_message_that_cannot_be_sent_never_blocks_the_others()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var host = await TestHost.StartAsync(db, Config(port));
        await SeedFindingsAsync();
        // An earlier message in the outbox that no server can take (no recipient), due now.
        var broken = new MimeMessage { Subject = "broken", MessageId = "broken@alignment" };
        broken.From.Add(MailboxAddress.Parse("pmo@example.com"));
        broken.Body = new TextPart("plain") { Text = "x" };
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            Assert.True(await AdviceOutbox.EnqueueAsync(conn, new OutboxMessage("alert", "nobody@example.com", "2000-01-01", "broken@alignment", "broken",
                AdviceRenderer.Bytes(broken), []), DateTimeOffset.UtcNow.AddMinutes(-1), default));

        var r = await RunAsync(host);
        Assert.Equal((2, 2, 1), (r.Queued, r.Sent, r.Failed));
        Assert.Equal(2, smtp.ReceivedEmailCount);
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT attempts FROM ops.advice_outbox WHERE message_id = 'broken@alignment' AND status = 'pending'"));
    }

    [Fact]
    public async Task Skips_opted_out_product_owners_and_empty_digests()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var host = await TestHost.StartAsync(db, Config(port, optOut: ["Bram@example.com"]));
        // No findings at all: Ann's digest would be empty.
        var r = await RunAsync(host);
        Assert.Equal((0, 1, 1), (r.Queued, r.Empty, r.OptedOut));
        Assert.Equal(0, smtp.ReceivedEmailCount);
    }

    [Fact]
    public async Task Alerts_a_new_critical_cross_team_dependency_at_most_once_a_day()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var host = await TestHost.StartAsync(db, Config(port));
        await SeedFindingsAsync(severity: "critical");
        await using var scope = host.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var first = await mediator.Send(new RunAdviceOutboxCommand("test"));
        var second = await mediator.Send(new RunAdviceOutboxCommand("test"));
        Assert.Equal((2, 2), (first.Alerts, first.Sent)); // Ann (her team blocks) and Bram (his team waits)
        Assert.Equal((0, 0), (second.Alerts, second.Sent));
        var alert = Parse(Assert.Single(smtp.ReceivedEmail, m => Parse(m).To.Mailboxes.Single().Address == "ann@example.com"));
        Assert.Contains("PAY-1", alert.Subject);
        Assert.Contains("&lt;script&gt;", alert.HtmlBody);
        Assert.DoesNotContain(Script, alert.HtmlBody);
    }

    [Fact]
    public async Task Previews_the_digest_for_pmo_and_the_product_owner_only()
    {
        await using var host = await TestHost.StartAsync(db, Config(FreePort()));
        await SeedFindingsAsync();
        using var pmo = host.Client(TestHost.PmoKey);
        var page = await pmo.GetAsync("/api/advice/ann@example.com/preview");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.DoesNotContain(Script, html);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());

        using var ann = host.Client(TestHost.AnnKey);
        Assert.Equal(HttpStatusCode.OK, (await ann.GetAsync("/api/advice/ann@example.com/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.GetAsync("/api/advice/bram@example.com/preview")).StatusCode);
        using var board = host.Client(TestHost.ManagementKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await board.GetAsync("/api/advice/ann@example.com/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await pmo.GetAsync("/api/advice/nobody@example.com/preview")).StatusCode);
        var text = await pmo.GetStringAsync("/api/advice/ann@example.com/preview?format=text");
        Assert.Contains(Script, text); // plain text is not HTML: no encoding needed there
    }

    [Fact]
    public async Task One_product_owner_address_mime_cannot_take_never_stops_the_other_alerts_or_the_outbox_retries()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var host = await TestHost.StartAsync(db, Config(port));
        await SeedFindingsAsync(severity: "critical");
        // A product-owner address in the store that MIME cannot parse (written before the validator checked it), owner of "ledger",
        // which comes before Ann's in the loop's order; and a digest of last week whose first send failed, due for a retry now.
        await db.ScalarAsync<int>("UPDATE core.teams SET product_owner_email = 'a bram@example.com' WHERE id = 'ledger'");
        var retry = new MimeMessage { Subject = "digest", MessageId = "retry@alignment" };
        retry.From.Add(MailboxAddress.Parse("pmo@example.com"));
        retry.To.Add(MailboxAddress.Parse("kim@example.com"));
        retry.Body = new TextPart("plain") { Text = "x" };
        await using (var conn = await db.DataSource.OpenConnectionAsync())
            Assert.True(await AdviceOutbox.EnqueueAsync(conn, new OutboxMessage("digest", "kim@example.com", "2000-W01", "retry@alignment", "digest",
                AdviceRenderer.Bytes(retry), []), DateTimeOffset.UtcNow.AddMinutes(-1), default));

        await using var scope = host.Services.CreateAsyncScope();
        var r = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunAdviceOutboxCommand("test"));

        Assert.Equal((1, 2, 1), (r.Alerts, r.Sent, r.Failed));   // Ann's alert and the retried digest sent; Bram's alert failed
        var to = smtp.ReceivedEmail.Select(m => Parse(m).To.Mailboxes.Single().Address).Order().ToList();
        Assert.Equal(["ann@example.com", "kim@example.com"], to);
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*)::int FROM ops.advice_outbox WHERE product_owner_email LIKE '%bram%'"));
    }
}
