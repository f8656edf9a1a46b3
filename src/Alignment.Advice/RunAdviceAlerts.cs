using Dapper;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Advice;

public sealed record AdviceOutboxRunResult(bool Skipped, int Alerts, int Sent, int Failed)
{
    public static AdviceOutboxRunResult Nothing(bool skipped) => new(Skipped: skipped, Alerts: 0, Sent: 0, Failed: 0);
}

/// <summary>
/// The frequent outbox pass: queues a short alert for each product owner whose team is in a new critical cross-team
/// dependency finding (DEP-UNSCHEDULED, DEP-LATE, DEP-CYCLE) not alerted before, at most one per day per product owner
/// (outbox key: the local date), and delivers every due outbox message (retries of digests included).
/// </summary>
public sealed record RunAdviceOutboxCommand(string Trigger, bool RetryNow = false) : ICommand<AdviceOutboxRunResult>;

internal sealed class RunAdviceOutboxHandler(AdviceOutboxPass pass) : ICommandHandler<RunAdviceOutboxCommand, AdviceOutboxRunResult>
{
    public async ValueTask<AdviceOutboxRunResult> Handle(RunAdviceOutboxCommand command, CancellationToken ct) =>
        await pass.RunAsync(command.Trigger, command.RetryNow, ct);
}

/// <summary>The outbox pass itself: the <c>advice:outbox</c> job and the pipeline's alerts step (after every analysis) run it.</summary>
public sealed class AdviceOutboxPass(NpgsqlDataSource db, IOptions<AlignmentOptions> options, TimeProvider clock, ILogger<AdviceOutboxPass> logger)
{
    public static readonly RuleId[] AlertRules = [RuleId.DepUnscheduled, RuleId.DepLate, RuleId.DepCycle];
    /// <summary>Only findings first seen this recently alert (turning alerts on does not mail the backlog of old findings).</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromDays(2);

    public async Task<AdviceOutboxRunResult> RunAsync(string trigger, bool retryNow, CancellationToken ct)
    {
        var command = new RunAdviceOutboxCommand(trigger, retryNow);
        var o = options.Value.Advice;
        if (string.IsNullOrWhiteSpace(o.Smtp.Host)) return AdviceOutboxRunResult.Nothing(skipped: false);
        await using var guard = await Database.TryLockAsync(db, RunAdviceHandler.LockName, ct);
        if (guard is null) return AdviceOutboxRunResult.Nothing(skipped: true);
        var now = clock.GetUtcNow();
        int alerts = 0, failedToCompose = 0;
        if (o.AlertsEnabled)
        {
            var day = AdvicePeriod.Day(now, o.TimeZone);
            var optOut = o.OptOut.Select(e => e.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
            await using var conn = await db.OpenConnectionAsync(ct);
            var owners = await AdviceReader.OwnersAsync(conn, ct);
            var names = await AdviceReader.TeamNamesAsync(conn, ct);
            var critical = (await AdviceReader.OpenFindingsAsync(conn, ct, Severity.Critical))
                .Where(f => AlertRules.Contains(f.Rule) && f.FirstSeen >= now - Fresh).ToList();
            var today = await AdviceOutbox.ExistingAsync(conn, "alert", day, ct);
            foreach (var owner in owners)
            {
                if (optOut.Contains(owner.Email) || today.Contains(owner.Email)) continue;
                try
                {
                    if (await QueueAlertAsync(owner)) alerts++;
                }
                catch (Exception e) when (e is not OperationCanceledException and not NpgsqlException)
                {
                    // As the weekly digests: one owner's bad data (say, an address MIME cannot take) never keeps the others'
                    // alerts, nor the outbox retries below, back.
                    failedToCompose++;
                    logger.LogWarning("Advice outbox ({Trigger}) {Day}: the alert of one product owner could not be built: {Error}", command.Trigger, day, e.GetType().Name);
                }
            }

            // Queues the owner's alert of fresh critical findings; whether this call inserted it.
            async Task<bool> QueueAlertAsync(ProductOwner owner)
            {
                var teams = owner.Teams.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                var mine = critical.Where(f => (f.Team is { } t && teams.Contains(t)) || f.RelatedTeams.Any(teams.Contains)).ToList();
                if (mine.Count == 0) return false;
                var alerted = (await conn.QueryAsync<long>(new CommandDefinition(
                    "SELECT DISTINCT unnest(findings) FROM ops.advice_outbox WHERE kind = 'alert' AND product_owner_email = @Email",
                    new { owner.Email }, cancellationToken: ct))).ToHashSet();
                var fresh = mine.Where(f => !alerted.Contains(f.Id)).ToList();
                if (fresh.Count == 0) return false;
                // The same sentences as the digest: compose a digest of just these findings (all on the unblock side or the waiting side).
                var lines = fresh.Select(f => AlertLine(f, owner, names, o, now)).ToList();
                var rendered = AdviceRenderer.RenderAlert(owner, lines, o.Language);
                var messageId = AdviceRenderer.MessageId("alert", day, owner.Email);
                var mime = AdviceRenderer.ToMime(rendered, o.Smtp.From, owner, messageId, now);
                return await AdviceOutbox.EnqueueAsync(conn, new OutboxMessage("alert", owner.Email, day, messageId, rendered.Subject,
                    AdviceRenderer.Bytes(mime), fresh.Select(f => f.Id).ToList()), now, ct);
            }
        }
        var delivery = await AdviceOutbox.DeliverAsync(db, o.Smtp, clock, command.RetryNow, logger, ct);
        if (alerts + delivery.Sent + delivery.Failed + failedToCompose > 0)
            logger.LogInformation("Advice outbox ({Trigger}): {Alerts} alerts queued, {Sent} sent, {Failed} failed", command.Trigger, alerts, delivery.Sent,
                delivery.Failed + failedToCompose);
        return new AdviceOutboxRunResult(Skipped: false, Alerts: alerts, Sent: delivery.Sent, Failed: delivery.Failed + failedToCompose);
    }

    /// <summary>One line for one finding: the digest's wording when the owner's team is the blocker, the finding's own title and action otherwise.</summary>
    private static DigestLine AlertLine(AdviceFinding f, ProductOwner owner, IReadOnlyDictionary<string, string> names, AdviceOptions o, DateTimeOffset now)
    {
        var teams = owner.Teams.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        if (DigestComposer.SectionOf(f, teams) == DigestComposer.Unblock)
        {
            var d = DigestComposer.Compose(new AdviceInput(owner, [f], new Dictionary<SprintKey, IReadOnlyList<SprintItem>>(), names),
                new ComposeSettings(o.Language, 1, null), "", AdvicePeriod.Today(now, o.TimeZone));
            if (d.Sections.SelectMany(s => s.Lines).FirstOrDefault() is { } line) return line;
        }
        var first = f.Items.FirstOrDefault();
        var subject = first is null ? new ItemLink(f.Rule.Name(), f.Title, null) : new ItemLink(first.Key, f.Title, DigestComposer.SafeUrl(first.Url));
        return new DigestLine(subject, f.Title, f.Action, f.Items.Skip(1).Select(i => new ItemLink(i.Key, i.Key, DigestComposer.SafeUrl(i.Url))).ToList(),
            f.Severity, f.Score, [f.Id]);
    }
}
