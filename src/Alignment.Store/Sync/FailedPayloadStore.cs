using Dapper;
using Npgsql;

namespace Alignment.Store.Sync;

/// <summary>Keeps payloads that could not be read in <c>raw.failed_payloads</c>, outside the failed batch's transaction.</summary>
public sealed class FailedPayloadStore(NpgsqlDataSource dataSource) : IFailedPayloadSink
{
    private const int MaxBody = 1 << 20;

    public async Task RecordAsync(string sourceId, string request, string error, string body, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO raw.failed_payloads (source_id, request, error, body) VALUES (@sourceId, @request, @error, @body)",
            new { sourceId, request = StoreText.Clean(request), error = StoreText.Clean(error), body = StoreText.Clean(body.Length > MaxBody ? body[..MaxBody] : body) }, cancellationToken: ct));
    }
}
