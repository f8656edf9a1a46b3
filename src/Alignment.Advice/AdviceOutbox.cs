using Dapper;
using Microsoft.Extensions.Logging;
using MimeKit;
using Npgsql;

namespace Alignment.Advice;

public sealed record OutboxMessage(string Kind, string Email, string Period, string MessageId, string Subject, byte[] Mime, IReadOnlyList<long> Findings);

public sealed record DeliveryResult(int Sent, int Failed, int GaveUp);

/// <summary>
/// The advice outbox (<c>ops.advice_outbox</c>): a message is inserted once per (kind, product owner, period) and then
/// delivered, retried with exponential back-off on failure, each row on its own so one failing recipient never blocks
/// the others. Delivery locks each row (<c>FOR UPDATE SKIP LOCKED</c>) while sending, so several hosts never send one row twice.
/// </summary>
public static class AdviceOutbox
{
    public const int MaxAttempts = 10;

    /// <summary>Back-off after the n-th failed attempt: 5, 10, 20 … minutes, at most 12 hours.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromMinutes(Math.Min(5 * Math.Pow(2, Math.Max(0, attempts - 1)), 12 * 60));

    public static async Task<HashSet<string>> ExistingAsync(NpgsqlConnection conn, string kind, string period, CancellationToken ct) =>
        (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT product_owner_email FROM ops.advice_outbox WHERE kind = @kind AND period = @period", new { kind, period }, cancellationToken: ct)))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Inserts the message unless one with the same key exists; true when this call inserted it.</summary>
    public static async Task<bool> EnqueueAsync(NpgsqlConnection conn, OutboxMessage m, DateTimeOffset now, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ops.advice_outbox (kind, product_owner_email, period, message_id, subject, mime, findings, next_attempt_at, created_at)
            VALUES (@Kind, @Email, @Period, @MessageId, @Subject, @Mime, @findings, @now, @now)
            ON CONFLICT DO NOTHING
            """, new { m.Kind, m.Email, m.Period, m.MessageId, m.Subject, m.Mime, findings = m.Findings.ToArray(), now }, cancellationToken: ct)) == 1;

    private sealed record Due(long Id, string Kind, string Email, string Period, byte[] Mime, int Attempts);

    /// <summary>Sends every pending message that is due (or every pending one with <paramref name="retryNow"/>), one row at a time.</summary>
    public static async Task<DeliveryResult> DeliverAsync(NpgsqlDataSource db, SmtpOptions smtp, TimeProvider clock, bool retryNow, ILogger logger, CancellationToken ct)
    {
        int sent = 0, failed = 0, gaveUp = 0;
        var tried = new List<long>();
        await using var sender = new SmtpAdviceSender(smtp);
        while (true)
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(ct);
            var due = await conn.QuerySingleOrDefaultAsync<Due>(new CommandDefinition("""
                SELECT id, kind, product_owner_email AS email, period, mime, attempts
                  FROM ops.advice_outbox
                 WHERE status = 'pending' AND (@retryNow OR next_attempt_at <= @now) AND NOT (id = ANY(@tried))
                 ORDER BY id
                 LIMIT 1
                 FOR UPDATE SKIP LOCKED
                """, new { retryNow, now = clock.GetUtcNow(), tried = tried.ToArray() }, tx, cancellationToken: ct));
            if (due is null) break;
            tried.Add(due.Id);
            try
            {
                using var ms = new MemoryStream(due.Mime);
                var message = await MimeMessage.LoadAsync(ms, ct);
                await sender.SendAsync(message, ct);
                await conn.ExecuteAsync(new CommandDefinition(
                    "UPDATE ops.advice_outbox SET status = 'sent', attempts = attempts + 1, sent_at = @now, last_error = NULL WHERE id = @Id",
                    new { due.Id, now = clock.GetUtcNow() }, tx, cancellationToken: ct));
                sent++;
                AlignmentTelemetry.RecordDigest(sent: true);
                logger.LogInformation("Advice {Kind} {Period} sent (outbox {Id})", due.Kind, due.Period, due.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var attempts = due.Attempts + 1;
                var give = attempts >= MaxAttempts;
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE ops.advice_outbox SET attempts = @attempts, status = CASE WHEN @give THEN 'failed' ELSE 'pending' END,
                           next_attempt_at = @next, last_error = @error WHERE id = @Id
                    """, new { due.Id, attempts, give, next = clock.GetUtcNow() + Backoff(attempts), error = $"{e.GetType().Name}: {e.Message}" },
                    tx, cancellationToken: ct));
                failed++;
                AlignmentTelemetry.RecordDigest(sent: false);
                if (give) gaveUp++;
                logger.LogWarning("Advice {Kind} {Period} (outbox {Id}) failed, attempt {Attempts}: {Error}", due.Kind, due.Period, due.Id, attempts, e.GetType().Name);
            }
            await tx.CommitAsync(ct);
        }
        return new DeliveryResult(sent, failed, gaveUp);
    }
}
