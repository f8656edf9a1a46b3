using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Advice;

/// <summary><c>alignment advice --dry-run</c> on a simulated organisation: a digest per product owner whose items are the open findings of their teams.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SimulatedAdviceTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private sealed record Expected(long Id, string Email, string Rule);

    [Fact]
    public async Task Dry_run_writes_a_digest_per_product_owner_that_matches_the_open_findings_of_their_teams()
    {
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Teams = 6, Items = 900, Links = 90, Seed = 7 });
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await using var scope = org.Host.Services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        var analysis = await org.Host.Services.AnalyzeAsync();
        Assert.True(analysis.Findings > 0);

        // Independently of the composer: which open findings belong in whose digest (docs/architecture.md Advise, issue 7).
        var expected = await db.QueryAsync<Expected>("""
            SELECT DISTINCT f.id, lower(t.product_owner_email) AS email, f.rule
              FROM analysis.findings f JOIN core.teams t ON t.configured AND coalesce(t.product_owner_email, '') <> ''
             WHERE f.status = 'open' AND (
                   (f.rule IN ('DEP-UNSCHEDULED', 'DEP-LATE') AND f.evidence->'blocker'->>'team' = t.id)
                OR (f.rule IN ('DEP-RANK', 'CAP-OVERCOMMIT', 'DRIFT-UNESTIMATED', 'DRIFT-STALE', 'DRIFT-ORPHAN') AND f.team_id = t.id)
                OR (f.rule IN ('DEP-CYCLE', 'DRIFT-EPIC-FORECAST') AND (f.team_id = t.id OR t.id = ANY(f.related_teams))))
            """);
        var owners = await db.QueryAsync<string>("SELECT DISTINCT lower(product_owner_email) FROM core.teams WHERE configured AND coalesce(product_owner_email, '') <> ''");
        Assert.NotEmpty(owners);
        output.WriteLine($"{analysis.Findings} findings, {expected.Count} for {owners.Count} product owners: " +
            string.Join(", ", expected.GroupBy(e => e.Rule).Select(g => $"{g.Key} {g.Count()}")));

        var dir = Path.Combine(Path.GetTempPath(), $"alignment-advice-{Guid.NewGuid():N}");
        try
        {
            var run = await mediator.Send(new RunAdviceCommand("test", dir));
            var options = org.Host.Services.GetRequiredService<IOptions<AlignmentOptions>>().Value;
            var digests = await AdviceComposition.ComposeAllAsync(org.Host.Services.GetRequiredService<NpgsqlDataSource>(), options, DateTimeOffset.UtcNow, default);
            Assert.Equal(owners.Order(), digests.Select(d => d.Owner.Email).Order());
            foreach (var d in digests)
            {
                var mine = expected.Where(e => e.Email == d.Owner.Email).Select(e => e.Id).Order().ToList();
                Assert.Equal(mine, d.FindingIds.Order().ToList());
                var file = Path.Combine(dir, $"advice-{run.Period}-{d.Owner.Email}.eml");
                if (d.IsEmpty) { Assert.False(File.Exists(file)); continue; }
                Assert.Contains(file, run.Files);
                var message = await MimeMessage.LoadAsync(file);
                Assert.Equal(d.Owner.Email, message.To.Mailboxes.Single().Address);
                Assert.NotNull(message.HtmlBody);
                Assert.NotNull(message.TextBody);
                foreach (var line in d.Sections.SelectMany(s => s.Lines))
                {
                    Assert.Contains(line.Subject.Key, message.TextBody);
                    if (line.Subject.Url is { } url) Assert.Contains($"href=\"{url}\"", message.HtmlBody);
                }
                output.WriteLine($"{d.Owner.Email}: {d.Subject} — " + string.Join(", ", d.Sections.Select(s => $"{s.Id} {s.Total}")));
            }
            Assert.Equal(digests.Count(d => !d.IsEmpty), run.Files.Count);
            Assert.NotEmpty(run.Files);
            Assert.Equal(0, await db.ScalarAsync<int>("SELECT count(*)::int FROM ops.advice_outbox")); // a dry-run queues nothing
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
