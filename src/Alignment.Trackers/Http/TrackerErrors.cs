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
