using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Alignment.Simulator;

/// <summary>
/// Records the tracker requests (<c>/jira</c>, <c>/ado</c>) the simulator receives while recording is on, so that a benchmark can
/// replay exactly those requests with a bare client as a floor. <c>POST /_sim/requests/start</c> clears the log and starts recording;
/// <c>POST /_sim/requests/stop</c> stops and answers the log: <c>[{"method","target","contentType","body"}]</c> in arrival order
/// (<c>target</c> is the request target, path and query, as sent, <c>body</c> the request body as text or null). Off by default; the
/// answers to the tracker requests are the same whether it records or not.
/// </summary>
internal sealed class RequestLog
{
    private readonly Lock _gate = new();
    private List<RecordedRequest>? _recording;

    private sealed record RecordedRequest(string Method, string Target, string? ContentType, string? Body);

    /// <summary>Adds the recording middleware (before the tracker endpoints and their fault and auth gate) and the two endpoints.</summary>
    public static void Use(WebApplication app, SimContext ctx)
    {
        var log = new RequestLog();
        app.Use(log.Record);
        app.MapPost("/_sim/requests/start", (HttpContext http) =>
        {
            lock (log._gate) log._recording = [];
            return ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("recording", true);
                w.WriteEndObject();
            });
        });
        app.MapPost("/_sim/requests/stop", (HttpContext http) =>
        {
            List<RecordedRequest> recorded;
            lock (log._gate) (recorded, log._recording) = (log._recording ?? [], null);
            return ctx.Json(http, 200, w => Write(w, recorded));
        });
    }

    private async Task Record(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path;
        bool recording;
        lock (_gate) recording = _recording is not null;
        if (recording && (path.StartsWithSegments("/jira") || path.StartsWithSegments("/ado")))
        {
            string? body = null;
            if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            {
                http.Request.EnableBuffering();
                using var reader = new StreamReader(http.Request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                body = await reader.ReadToEndAsync(http.RequestAborted).ConfigureAwait(false);
                http.Request.Body.Position = 0;
            }
            var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (http.Request.PathBase + path + http.Request.QueryString);
            var entry = new RecordedRequest(http.Request.Method, target, http.Request.ContentType, body);
            lock (_gate) _recording?.Add(entry);
        }
        await next(http).ConfigureAwait(false);
    }

    private static void Write(System.Text.Json.Utf8JsonWriter w, List<RecordedRequest> recorded)
    {
        w.WriteStartArray();
        foreach (var r in recorded)
        {
            w.WriteStartObject();
            w.WriteString("method", r.Method);
            w.WriteString("target", r.Target);
            w.WriteString("contentType", r.ContentType);
            w.WriteString("body", r.Body);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
