using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Advice;

public sealed record AdviceRunResult(bool Skipped, string Period, int Owners, int Queued, int AlreadyQueued, int Empty, int OptedOut,
    int Sent, int Failed, IReadOnlyList<string> Files, bool SmtpConfigured)
{
    /// <summary>No SMTP host configured and no dry-run: nothing composed, queued or sent.</summary>
    public static AdviceRunResult NotConfigured(string period) => Nothing(period, skipped: false, smtpConfigured: false);

    /// <summary>Another run holds the lock.</summary>
    public static AdviceRunResult SkippedRun(string period, bool smtpConfigured) => Nothing(period, skipped: true, smtpConfigured);

    /// <summary>A dry-run: the digests written as <paramref name="files"/>, nothing queued or sent.</summary>
    public static AdviceRunResult DryRun(string period, int owners, AdviceTally tally, IReadOnlyList<string> files, bool smtpConfigured) =>
        new(Skipped: false, Period: period, Owners: owners, Queued: 0, AlreadyQueued: 0, Empty: tally.Empty, OptedOut: tally.OptedOut, Sent: 0,
            Failed: tally.FailedToCompose, Files: files, SmtpConfigured: smtpConfigured);

    /// <summary>Digests queued, then the outbox delivered.</summary>
    public static AdviceRunResult Delivered(string period, int owners, AdviceTally tally, DeliveryResult delivery, bool smtpConfigured) =>
        new(Skipped: false, Period: period, Owners: owners, Queued: tally.Queued, AlreadyQueued: tally.AlreadyQueued, Empty: tally.Empty,
            OptedOut: tally.OptedOut, Sent: delivery.Sent, Failed: delivery.Failed + tally.FailedToCompose, Files: [], SmtpConfigured: smtpConfigured);

    private static AdviceRunResult Nothing(string period, bool skipped, bool smtpConfigured) =>
        new(Skipped: skipped, Period: period, Owners: 0, Queued: 0, AlreadyQueued: 0, Empty: 0, OptedOut: 0, Sent: 0, Failed: 0, Files: [],
            SmtpConfigured: smtpConfigured);
}

/// <summary>What became of the composed digests of one run (files go with a dry-run).</summary>
public sealed record AdviceTally(int Queued, int AlreadyQueued, int Empty, int OptedOut, int FailedToCompose, IReadOnlyList<string> Files);

/// <summary>
/// The weekly digests: one per product owner per ISO week (in <c>Advice:TimeZone</c>) through the outbox, then delivery of
/// every due outbox message. With <see cref="DryRunDirectory"/> nothing is queued or sent: each digest is written there as
/// an <c>.eml</c> file (and an <c>.html</c> file to open in a browser).
/// </summary>
public sealed record RunAdviceCommand(string Trigger, string? DryRunDirectory = null, bool RetryNow = false) : ICommand<AdviceRunResult>;

internal sealed class RunAdviceHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options, TimeProvider clock, ITeamPredictability predictability,
    ILogger<RunAdviceHandler> logger)
    : ICommandHandler<RunAdviceCommand, AdviceRunResult>
{
    public const string LockName = "alignment:advice";

    public async ValueTask<AdviceRunResult> Handle(RunAdviceCommand command, CancellationToken ct)
    {
        var o = options.Value.Advice;
        var now = clock.GetUtcNow();
        var period = AdvicePeriod.Week(now, o.TimeZone);
        var dry = command.DryRunDirectory;
        var smtp = !string.IsNullOrWhiteSpace(o.Smtp.Host);
        if (dry is null && !smtp)
        {
            logger.LogWarning("Advice ({Trigger}): Alignment:Advice:Smtp:Host is not set; no digests queued (use the preview or --dry-run)", command.Trigger);
            return AdviceRunResult.NotConfigured(period);
        }
        await using var guard = dry is null ? await Database.TryLockAsync(db, LockName, ct) : null;
        if (dry is null && guard is null)
        {
            logger.LogInformation("Advice ({Trigger}) skipped: another run holds the lock", command.Trigger);
            return AdviceRunResult.SkippedRun(period, smtp);
        }

        var composed = await AdviceComposition.ComposeAllAsync(db, options.Value, now, ct, predictability: predictability);
        var tally = await QueueOrWriteAllAsync(command, composed, period, now, ct);
        if (dry is not null)
        {
            logger.LogInformation("Advice ({Trigger}) {Period} dry-run: {Owners} product owners, {Files} digests written, {Empty} empty, {OptedOut} opted out",
                command.Trigger, period, composed.Count, tally.Files.Count, tally.Empty, tally.OptedOut);
            return AdviceRunResult.DryRun(period, composed.Count, tally, tally.Files, smtp);
        }
        var delivery = await AdviceOutbox.DeliverAsync(db, o.Smtp, clock, command.RetryNow, logger, ct);
        logger.LogInformation("Advice ({Trigger}) {Period}: {Owners} product owners, {Queued} queued, {Already} already queued, {Empty} empty, {OptedOut} opted out; {Sent} sent, {Failed} failed",
            command.Trigger, period, composed.Count, tally.Queued, tally.AlreadyQueued, tally.Empty, tally.OptedOut, delivery.Sent, delivery.Failed);
        return AdviceRunResult.Delivered(period, composed.Count, tally, delivery, smtp);
    }

    /// <summary>Queues each digest (or writes it, dry-run), skipping opted-out owners, empty digests and ones already queued this period.</summary>
    private async Task<AdviceTally> QueueOrWriteAllAsync(RunAdviceCommand command, List<Digest> composed, string period, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value.Advice;
        var dry = command.DryRunDirectory;
        var optOut = o.OptOut.Select(e => e.Trim().ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        int queued = 0, already = 0, empty = 0, opted = 0, failedToCompose = 0;
        var files = new List<string>();
        HashSet<string> existing = [];
        if (dry is null)
        {
            await using var c = await db.OpenConnectionAsync(ct);
            existing = await AdviceOutbox.ExistingAsync(c, "digest", period, ct);
        }
        else Directory.CreateDirectory(dry);

        foreach (var digest in composed)
        {
            var email = digest.Owner.Email;
            if (optOut.Contains(email)) { opted++; continue; }
            if (digest.IsEmpty && !o.SendEmptyDigest) { empty++; continue; }
            if (existing.Contains(email)) { already++; continue; }
            try
            {
                var (file, inserted) = await QueueOrWriteAsync(digest, dry, period, now, ct);
                if (file is not null) files.Add(file);
                else if (inserted) queued++;
                else already++;
            }
            catch (Exception e) when (e is not OperationCanceledException and not NpgsqlException)
            {
                // One owner's bad data (say, an address MIME cannot take) never keeps the others' digests back.
                failedToCompose++;
                logger.LogWarning("Advice ({Trigger}) {Period}: the digest of one product owner could not be built: {Error}", command.Trigger, period, e.GetType().Name);
            }
        }
        return new AdviceTally(queued, already, empty, opted, failedToCompose, files);
    }

    /// <summary>Writes the digest as files (dry-run), or queues it: (file, false) or (null, whether this call inserted the outbox row).</summary>
    private async Task<(string? File, bool Inserted)> QueueOrWriteAsync(Digest digest, string? dry, string period, DateTimeOffset now, CancellationToken ct)
    {
        var o = options.Value.Advice;
        var email = digest.Owner.Email;
        var rendered = AdviceRenderer.Render(digest);
        var messageId = AdviceRenderer.MessageId("advice", period, email);
        var from = string.IsNullOrWhiteSpace(o.Smtp.From) ? "alignment@localhost" : o.Smtp.From;
        var mime = AdviceRenderer.ToMime(rendered, from, digest.Owner, messageId, now);
        if (dry is not null)
        {
            var name = Path.Combine(dry, $"advice-{period}-{SafeName(email)}");
            await using (var f = File.Create(name + ".eml")) await mime.WriteToAsync(f, ct);
            await File.WriteAllTextAsync(name + ".html", rendered.Html, ct);
            return (name + ".eml", false);
        }
        await using var conn = await db.OpenConnectionAsync(ct);
        return (null, await AdviceOutbox.EnqueueAsync(conn, new OutboxMessage("digest", email, period, messageId, rendered.Subject,
            AdviceRenderer.Bytes(mime), digest.FindingIds.ToList()), now, ct));
    }

    private static string SafeName(string email) => new(email.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '@' ? c : '_').ToArray());
}

/// <summary>Composes every product owner's digest from the store (shared by the weekly run, the preview and the dry-run).</summary>
public static class AdviceComposition
{
    /// <summary>
    /// Every product owner's digest (or only <paramref name="onlyEmail"/>'s) as of <paramref name="now"/>, week over week against their
    /// previous digest in the outbox, with their teams' say/do trend and, from <paramref name="predictability"/>, their predictability.
    /// </summary>
    public static async Task<List<Digest>> ComposeAllAsync(NpgsqlDataSource db, AlignmentOptions options, DateTimeOffset now, CancellationToken ct,
        string? onlyEmail = null, ITeamPredictability? predictability = null)
    {
        var o = options.Advice;
        await using var conn = await db.OpenConnectionAsync(ct);
        var owners = await AdviceReader.OwnersAsync(conn, ct);
        if (onlyEmail is not null) owners = owners.Where(p => p.Email == onlyEmail.Trim().ToLowerInvariant()).ToList();
        if (owners.Count == 0) return [];
        var names = await AdviceReader.TeamNamesAsync(conn, ct);
        var findings = await AdviceReader.OpenFindingsAsync(conn, ct);
        var period = AdvicePeriod.Week(now, o.TimeZone);
        var today = AdvicePeriod.Today(now, o.TimeZone);
        var baselines = await AdviceHistoryReader.BaselinesAsync(conn, owners.Select(p => p.Email), period, findings, ct);
        var trends = await AdviceHistoryReader.TrendsAsync(conn, owners.SelectMany(p => p.Teams).ToList(), DateOnly.FromDateTime(now.UtcDateTime),
            predictability ?? new NoTeamPredictability(), ct);
        var settings = new ComposeSettings(o.Language, o.CapPerSection, o.DashboardUrl);
        var result = new List<Digest>();
        foreach (var owner in owners)
        {
            var teams = owner.Teams.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
            var mine = findings.Where(f => DigestComposer.SectionOf(f, teams) is not null).ToList();
            var sprintItems = await AdviceReader.SprintItemsAsync(conn, mine, ct);
            var input = new AdviceInput(owner, mine, sprintItems, names)
            {
                Baseline = baselines.GetValueOrDefault(owner.Email),
                Trends = owner.Teams.Select(t => trends[t.Id]).ToList(),
            };
            result.Add(DigestComposer.Compose(input, settings, period, today));
        }
        return result;
    }
}

/// <summary>The HTML of a product owner's digest as it would be sent now (null when no configured team has that product owner).</summary>
public sealed record PreviewDigestQuery(string Email) : IQuery<RenderedMessage?>;

internal sealed class PreviewDigestHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options, TimeProvider clock, ITeamPredictability predictability)
    : IQueryHandler<PreviewDigestQuery, RenderedMessage?>
{
    public async ValueTask<RenderedMessage?> Handle(PreviewDigestQuery query, CancellationToken ct)
    {
        var digests = await AdviceComposition.ComposeAllAsync(db, options.Value, clock.GetUtcNow(), ct, query.Email, predictability);
        return digests.Count == 0 ? null : AdviceRenderer.Render(digests[0]);
    }
}
