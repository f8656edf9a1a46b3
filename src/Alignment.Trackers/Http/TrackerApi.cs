using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Alignment.Trackers.Http;

/// <summary>
/// How long one request may take and how large its answer may be (docs/reliability.md, "Deadlines").
/// <see cref="AttemptTimeout"/> covers one attempt's headers <em>and</em> body; <see cref="RequestTimeout"/>
/// covers every attempt and every back-off of one request together.
/// </summary>
public sealed record TrackerRequestPolicy(int MaxRetries, TimeSpan AttemptTimeout, TimeSpan RequestTimeout, long MaxResponseBytes)
{
    public static TrackerRequestPolicy Default { get; } = new(10, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(5), 256L << 20);

    /// <summary>First back-off; doubled per retry with jitter, at most <see cref="MaxDelay"/> (Retry-After wins when longer).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The transport every tracker client shares. One logical request runs through one Polly pipeline: a total
/// deadline, around retries (429/503 honour Retry-After; 5xx, 408, time-outs, broken connections and
/// truncated bodies back off with jitter), around a per-attempt deadline that covers the headers and the
/// streamed body. The body is read under a size limit. A body that parses as JSON but not into the expected
/// shape is a type mismatch: not retried, reported with its JSON path and the value found there.
/// </summary>
public sealed class TrackerApi
{
    private readonly HttpClient _http;
    private readonly IFailedPayloadSink _sink;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _clock;

    /// <summary><paramref name="clock"/>: what every deadline, back-off and Retry-After wait runs on (the host's; a fake one in tests).</summary>
    public TrackerApi(HttpClient http, SourceBudget budget, IFailedPayloadSink sink, TrackerRequestPolicy? policy = null, TimeProvider? clock = null)
    {
        _http = http;
        Budget = budget;
        _sink = sink;
        Policy = policy ?? TrackerRequestPolicy.Default;
        _clock = clock ?? TimeProvider.System;
        _pipeline = BuildPipeline(Policy, _clock);
    }

    public string SourceId => Budget.SourceId;
    public SourceBudget Budget { get; }
    public TrackerRequestPolicy Policy { get; }
    public Uri BaseAddress => _http.BaseAddress ?? throw new InvalidOperationException("tracker client has no base address");

    public Task<T> GetAsync<T>(string relative, JsonTypeInfo<T> type, CancellationToken ct) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Get, relative), $"GET {Describe(relative)}", type, ct);

    public Task<T> PostAsync<TBody, T>(string relative, TBody body, JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> type, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, bodyType);
        return SendAsync(() => new HttpRequestMessage(HttpMethod.Post, relative)
        {
            Content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        }, $"POST {Describe(relative)}", type, ct);
    }

    /// <summary>
    /// Sends and parses a success answer (truncation retried as everywhere), or returns without throwing an error
    /// answer that <paramref name="isAnswer"/> accepts (e.g. a 400 saying VS402337, which the caller interprets):
    /// then Value is default and Body holds the error text.
    /// </summary>
    public Task<(HttpStatusCode Status, T? Value, byte[] Body)> SendOrAnswerAsync<T>(Func<HttpRequestMessage> make, string request, JsonTypeInfo<T> type,
        Func<HttpStatusCode, byte[], bool> isAnswer, CancellationToken ct) =>
        RunAsync(request, async attemptCt =>
        {
            var (status, body) = await AttemptAsync(make, request, attemptCt).ConfigureAwait(false);
            if (IsSuccess(status)) return (status, (T?)Parse(body, type, request), body);
            if (isAnswer(status, body)) return (status, default(T), body);
            throw new TrackerRequestException(SourceId, request, status, ErrorDetail(status, body));
        }, ct);

    public Task<T> SendAsync<T>(Func<HttpRequestMessage> make, string request, JsonTypeInfo<T> type, CancellationToken ct) =>
        RunAsync(request, async attemptCt =>
        {
            var (status, body) = await AttemptAsync(make, request, attemptCt).ConfigureAwait(false);
            if (!IsSuccess(status)) throw new TrackerRequestException(SourceId, request, status, ErrorDetail(status, body));
            return Parse(body, type, request);
        }, ct);

    /// <summary>A field the caller needed was missing: reported like any payload problem.</summary>
    public TrackerPayloadException Missing(string request, string field, string detail) => new(SourceId, request, field, detail);

    private async Task<T> RunAsync<T>(string request, Func<CancellationToken, Task<T>> attempt, CancellationToken ct)
    {
        Budget.CountRequest();
        var context = ResilienceContextPool.Shared.Get(ct);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(async (ctx, state) =>
            {
                try { return Outcome.FromResult(await state(ctx.CancellationToken).ConfigureAwait(false)); }
                catch (Exception e) { return Outcome.FromException<T>(e); }
            }, context, attempt).ConfigureAwait(false);
            if (outcome.Exception is null)
            {
                RequestTrail.Current?.Answered(request);
                return outcome.Result!;
            }
            throw await Translate(outcome.Exception, request, ct).ConfigureAwait(false);
        }
        finally { ResilienceContextPool.Shared.Return(context); }
    }

    /// <summary>Turns what the last attempt threw into the error the caller sees; keeps an unreadable body for diagnosis.</summary>
    private async Task<Exception> Translate(Exception e, string request, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return new OperationCanceledException(ct);
        switch (e)
        {
            case TrackerRequestException or TrackerPayloadException or OperationCanceledException and not TaskCanceledException:
                if (e is TrackerPayloadException { Body: { } body })
                    await _sink.RecordAsync(SourceId, request, e.Message, body, CancellationToken.None).ConfigureAwait(false);
                return e;
            case TimeoutRejectedException t when t.Timeout >= Policy.RequestTimeout:
                return new TrackerRequestException(SourceId, request, null,
                    $"gave up after {Seconds(Policy.RequestTimeout)} s including {Policy.MaxRetries} retries (Sync:RequestTotalSeconds)", e);
            case TimeoutRejectedException:
                return new TrackerRequestException(SourceId, request, null,
                    $"no complete answer within {Seconds(Policy.AttemptTimeout)} s, headers and body (Sync:RequestTimeoutSeconds), after {Policy.MaxRetries} retries", e);
            case TransientStatusException s:
                return new TrackerRequestException(SourceId, request, s.Status, s.Detail, e);
            case TruncatedBodyException tb:
                await _sink.RecordAsync(SourceId, request, tb.Message, Encoding.UTF8.GetString(tb.Body), CancellationToken.None).ConfigureAwait(false);
                return new TrackerPayloadException(SourceId, request, tb.Path, tb.Message, e);
            case HttpRequestException or IOException:
                return new TrackerRequestException(SourceId, request, null, e.Message, e);
            default:
                return new TrackerRequestException(SourceId, request, null, $"{e.GetType().Name}: {e.Message}", e);
        }
    }

    private static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MB" : $"{bytes} bytes";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One attempt: headers and the whole body under the attempt's token, at most <see cref="TrackerRequestPolicy.MaxResponseBytes"/>.</summary>
    private async Task<(HttpStatusCode Status, byte[] Body)> AttemptAsync(Func<HttpRequestMessage> make, string request, CancellationToken ct)
    {
        using var message = make();
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        var max = Policy.MaxResponseBytes;
        if (response.Content.Headers.ContentLength is { } declared && declared > max)
            throw new TrackerPayloadException(SourceId, request, "$", $"the answer is {declared} bytes, more than Sync:MaxResponseMegabytes allows ({Size(max)})");
        await using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new MemoryStream(response.Content.Headers.ContentLength is { } n and > 0 ? (int)n : 16 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > max)
                throw new TrackerPayloadException(SourceId, request, "$", $"the answer passed {Size(max)} (Sync:MaxResponseMegabytes) and was not read further");
            buffer.Write(chunk, 0, read);
        }
        var body = buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
        var status = response.StatusCode;
        if (IsTransient(status))
            throw new TransientStatusException(status, RetryAfter(response), ErrorDetail(status, body));
        return (status, body);
    }

    /// <summary>Parses a body; truncation is retryable, a well-formed body of the wrong shape is not.</summary>
    private T Parse<T>(byte[] body, JsonTypeInfo<T> type, string request)
    {
        try
        {
            var value = JsonSerializer.Deserialize(body, type);
            return value ?? throw new TrackerPayloadException(SourceId, request, "$", "the body is JSON null");
        }
        catch (JsonException e)
        {
            if (body.Length == 0) throw new TruncatedBodyException("$", "empty body", body, e);
            if (!JsonShape.IsWellFormed(body))
                throw new TruncatedBodyException(e.Path ?? "$", $"malformed or truncated JSON after {body.Length} bytes", body, e);
            var path = e.Path ?? "$";
            throw new TrackerPayloadException(SourceId, request, path, JsonShape.Mismatch(e, body, type), e) { Body = Encoding.UTF8.GetString(body) };
        }
    }

    private static ResiliencePipeline BuildPipeline(TrackerRequestPolicy policy, TimeProvider clock)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddTimeout(new TimeoutStrategyOptions { Timeout = policy.RequestTimeout });
        if (policy.MaxRetries > 0)
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.BaseDelay,
                MaxDelay = policy.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is
                    TransientStatusException or TruncatedBodyException or HttpRequestException or IOException
                    || (args.Outcome.Exception is TimeoutRejectedException && !args.Context.CancellationToken.IsCancellationRequested)),
                // Retry-After (429/503) wins over the back-off; the total deadline still bounds it.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is TransientStatusException { RetryAfter: { } ra }
                    ? (TimeSpan?)(ra > policy.MaxDelay ? policy.MaxDelay : ra) : null),
            });
        return builder.AddTimeout(new TimeoutStrategyOptions { Timeout = policy.AttemptTimeout }).Build();
    }

    private static bool IsTransient(HttpStatusCode s) => (int)s is 408 or 429 or >= 500;

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if ((int)response.StatusCode is not (429 or 503) || response.Headers.RetryAfter is not { } ra) return null;
        var wait = ra.Delta ?? (ra.Date is { } date ? date - _clock.GetUtcNow() : TimeSpan.Zero);
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static bool IsSuccess(HttpStatusCode s) => (int)s is >= 200 and < 300;

    /// <summary>Path and query without values that could identify people; the query is kept (it holds no secrets).</summary>
    private static string Describe(string relative) => relative.Length > 200 ? relative[..200] + "…" : relative;

    private static string ErrorDetail(HttpStatusCode status, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 400)).ReplaceLineEndings(" ");
        return status switch
        {
            HttpStatusCode.Unauthorized => "the credentials were refused (check the token environment variable and the user)",
            HttpStatusCode.Forbidden => "the account lacks permission for this resource",
            HttpStatusCode.NotFound => $"not found: {text}",
            _ => string.IsNullOrWhiteSpace(text) ? status.ToString() : text,
        };
    }

    /// <summary>A 408, 429 or 5xx answer: retried; after the last retry it becomes a <see cref="TrackerRequestException"/>.</summary>
    private sealed class TransientStatusException(HttpStatusCode status, TimeSpan? retryAfter, string detail) : Exception(detail)
    {
        public HttpStatusCode Status { get; } = status;
        public TimeSpan? RetryAfter { get; } = retryAfter;
        public string Detail { get; } = detail;
    }

    /// <summary>A body that is not well-formed JSON (cut off, garbled): retried, then kept for diagnosis.</summary>
    private sealed class TruncatedBodyException(string path, string message, byte[] body, Exception inner) : Exception(message, inner)
    {
        public string Path { get; } = path;
        public byte[] Body { get; } = body;
    }
}

public sealed record TrackerHttpSettings(
    string SourceId, Uri BaseAddress, AuthenticationHeaderValue? Authorization, int MaxConcurrency, double MaxRequestsPerSecond);

public static class TrackerHttpRegistration
{
    public static string ClientName(string sourceId) => "tracker:" + sourceId;

    /// <summary>
    /// Registers the named client of one source. It has no time-out of its own and no retry handler: every
    /// bound lives in <see cref="TrackerApi"/>'s pipeline, which also covers the body. Each attempt takes a
    /// slot of the source's budget.
    /// </summary>
    public static IHttpClientBuilder AddTrackerHttpClient(this IServiceCollection services, TrackerHttpSettings s)
    {
        var builder = services.AddHttpClient(ClientName(s.SourceId), c =>
        {
            c.BaseAddress = s.BaseAddress;
            c.Timeout = Timeout.InfiniteTimeSpan;
            c.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            c.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Alignment", "1.0"));
            if (s.Authorization is not null) c.DefaultRequestHeaders.Authorization = s.Authorization;
        });
        builder.AddHttpMessageHandler(sp => new SourceBudgetHandler(sp.GetRequiredService<SourceBudgets>()
            .Get(s.SourceId, s.MaxConcurrency, s.MaxRequestsPerSecond)));
        return builder;
    }

    public static AuthenticationHeaderValue? Authorization(string scheme, string? user, string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        return scheme switch
        {
            "Basic" => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}"))),
            "Bearer" => new AuthenticationHeaderValue("Bearer", token),
            "Pat" => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($":{token}"))),
            _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown auth scheme"),
        };
    }
}
