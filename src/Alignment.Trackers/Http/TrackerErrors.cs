using System.Net;

namespace Alignment.Trackers.Http;

/// <summary>A tracker answered with an error status after retries. Never carries credentials.</summary>
public sealed class TrackerRequestException(string sourceId, string request, HttpStatusCode? status, string detail, Exception? inner = null)
    : Exception($"source '{sourceId}': {request} failed{(status is null ? "" : $" with HTTP {(int)status.Value}")}: {detail}", inner)
{
    public string SourceId { get; } = sourceId;
    public string Request { get; } = request;
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>A tracker payload that is malformed, truncated or lacks a field the converter needs.</summary>
public sealed class TrackerPayloadException(string sourceId, string request, string field, string detail, Exception? inner = null)
    : Exception($"source '{sourceId}': {request} returned an unusable payload at '{field}': {detail}", inner)
{
    public string SourceId { get; } = sourceId;
    public string Request { get; } = request;
    public string Field { get; } = field;
    /// <summary>The body, when it should be kept for diagnosis (a well-formed answer of the wrong shape).</summary>
    public string? Body { get; init; }
}

/// <summary>
/// One item of an answer that could not be read or converted: the smallest unit that fails
/// (docs/reliability.md, "Quarantine"). Kept with its request, key, JSON path and reason; the rest of the answer is used.
/// </summary>
public sealed record ItemFailure(string ExternalId, string? Key, string Request, string Path, string Reason, string Body);

/// <summary>Reads the elements of an array answer one by one, so one odd element fails alone.</summary>
public static class ItemReader
{
    public static List<T> Read<T>(IReadOnlyList<System.Text.Json.JsonElement> elements, string request, string arrayPath,
        Func<System.Text.Json.JsonElement, T> read, List<ItemFailure> failures, System.Text.Json.Serialization.Metadata.JsonTypeInfo? type = null)
    {
        var items = new List<T>(elements.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            var element = elements[i];
            var path = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{arrayPath}[{i}]");
            try
            {
                try { items.Add(read(element)); }
                catch (Exception e) when (e is InvalidOperationException or System.Text.Json.JsonException
                                          && StoreText.CleanJson(JsonShape.RawText(element)) is var clean && clean != JsonShape.RawText(element))
                {
                    // Escapes no string can hold (a lone \uD800): read the item again with them replaced by U+FFFD.
                    using var cleaned = System.Text.Json.JsonDocument.Parse(clean);
                    items.Add(read(cleaned.RootElement.Clone()));
                }
            }
            catch (System.Text.Json.JsonException e)
            {
                // The path is relative to the item's own JSON (kept as the body); the reason names where it sat in the answer.
                failures.Add(new ItemFailure(IdOf(element) ?? path, KeyOf(element), request,
                    e.Path ?? "$", JsonShape.Mismatch(e, element, path, type), JsonShape.RawText(element)));
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException or OverflowException or NullReferenceException)
            {
                failures.Add(new ItemFailure(IdOf(element) ?? path, KeyOf(element), request, path, $"{e.GetType().Name}: {e.Message}", JsonShape.RawText(element)));
            }
        }
        return items;
    }

    /// <summary>The element's <c>id</c> (string or number), for the quarantine key.</summary>
    public static string? IdOf(System.Text.Json.JsonElement e) =>
        e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty("id", out var id)
            ? id.ValueKind switch
            {
                System.Text.Json.JsonValueKind.String => id.GetString(),
                System.Text.Json.JsonValueKind.Number => JsonShape.RawText(id),
                _ => null,
            }
            : null;

    public static string? KeyOf(System.Text.Json.JsonElement e) =>
        e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty("key", out var k) && k.ValueKind == System.Text.Json.JsonValueKind.String
            ? k.GetString() : null;
}

/// <summary>
/// The requests answered within one unit of work (a team scope, the source-wide read, a run's preparation), so
/// that a failure while using an answer, not while reading it, still names the source and the request.
/// <see cref="Begin"/> starts one for the calling flow; <see cref="TrackerApi"/> records each answered request in it.
/// </summary>
public sealed class RequestTrail
{
    private static readonly AsyncLocal<RequestTrail?> CurrentTrail = new();
    private string? _last;

    public static RequestTrail? Current => CurrentTrail.Value;

    /// <summary>Starts a trail for this async flow and the work it starts (undone when the calling method returns).</summary>
    public static RequestTrail Begin() => CurrentTrail.Value = new RequestTrail();

    /// <summary>The request answered last in this unit of work (with requests in flight side by side, one of the latest).</summary>
    public string? Last => Volatile.Read(ref _last);

    internal void Answered(string request) => Volatile.Write(ref _last, request);
}

/// <summary>Receives payloads that could not be read, for diagnosis (stored in <c>raw.failed_payloads</c>).</summary>
public interface IFailedPayloadSink
{
    Task RecordAsync(string sourceId, string request, string error, string body, CancellationToken ct);
}

public sealed class NullFailedPayloadSink : IFailedPayloadSink
{
    public static readonly NullFailedPayloadSink Instance = new();
    public Task RecordAsync(string sourceId, string request, string error, string body, CancellationToken ct) => Task.CompletedTask;
}
