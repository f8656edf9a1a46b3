using System.Diagnostics;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Dapper;
using MimeKit;

namespace Alignment.IntegrationTests.Advice;

/// <summary><c>alignment advice</c> as a user runs it: a separate process and a config file.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AdviceVerbTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(int Code, string Output)> Alignment(params string[] args) => AlignmentProcess.RunAsync(db.ConnectionString, args);

    private static string Config() => TestHost.WriteConfig(new
    {
        Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
        Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
        Advice = new { Language = "nl" },
    });

    [Fact]
    public async Task Without_a_mail_server_it_names_the_key_and_exits_2()
    {
        var (code, output) = await Alignment("advice", "--config", Config());
        Assert.Equal(2, code);
        Assert.Contains("Alignment:Advice:Smtp:Host", output);
        Assert.Contains("--dry-run", output);
    }

    [Fact]
    public async Task Dry_run_writes_an_eml_and_an_html_file_per_product_owner_with_something_to_act_on()
    {
        var config = Config();
        var (code, output) = await Alignment("migrate", "--config", config); // the store exists before the findings go in
        Assert.True(code == 0, output);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        {
            var evidence = JsonSerializer.Serialize(new
            {
                item = new { source = "jira", key = "PAY-7", url = "https://jira.example.com/browse/PAY-7", title = "Refund <b>flow</b>", type = "story", team = "payments" },
                where = "rank 1 of the backlog", topN = 20,
            });
            await conn.ExecuteAsync("""
                INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, items, title, evidence, action, score, first_seen, last_seen, status_changed_at)
                VALUES ('f1', 'DRIFT-UNESTIMATED', 'warning', 'open', 'payments', '[]', 't', @evidence::jsonb, 'a', 25, now(), now(), now())
                """, new { evidence });
        }
        var dir = Path.Combine(Path.GetTempPath(), $"alignment-advice-cli-{Guid.NewGuid():N}");
        try
        {
            (code, output) = await Alignment("advice", "--config", config, "--dry-run", dir);
            Assert.True(code == 0, output);
            Assert.Contains("1 digests written", output);
            var eml = Assert.Single(Directory.GetFiles(dir, "*.eml"));
            Assert.EndsWith("ann@example.com.eml", eml);
            Assert.Single(Directory.GetFiles(dir, "*.html"));
            var message = await MimeMessage.LoadAsync(eml);
            Assert.Contains("Prioriteringsadvies", message.Subject);
            Assert.Contains("Refund &lt;b&gt;flow&lt;/b&gt;", message.HtmlBody);
            Assert.Contains("href=\"https://jira.example.com/browse/PAY-7\"", message.HtmlBody);
            Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*)::int FROM ops.advice_outbox"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
