using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Alignment.Trackers.Http;

/// <summary>
/// The transport every tracker client shares: sends a request through the source's resilient
/// <see cref="HttpClient"/>, reads the whole body, and deserializes it with source-generated metadata.
/// A body that does not parse (truncated, malformed) is retried a few times, then kept for diagnosis
/// and reported with the source, the request and the JSON path.
/// </summary>
public sealed class TrackerApi(HttpClient http, SourceBudget budget, IFailedPayloadSink sink, int parseRetries = 2)
{
    public string SourceId => budget.SourceId;
    public SourceBudget Budget => budget;
    public Uri BaseAddress => http.BaseAddress ?? throw new InvalidOperationException("tracker client has no base address");

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

    /// <summary>Sends and returns the status and raw body without throwing on an error status (for answers the caller interprets, e.g. VS402337).</summary>
    public async Task<(HttpStatusCode Status, byte[] Body)> SendRawAsync(Func<HttpRequestMessage> make, string request, CancellationToken ct)
    {
        budget.CountRequest();
        try
        {
            using var response = await http.SendAsync(make(), HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                   && !ct.IsCancellationRequested)
        {
            throw new TrackerRequestException(SourceId, request, null, e.Message, e);
        }
    }

    public async Task<T> SendAsync<T>(Func<HttpRequestMessage> make, string request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (status, body) = await SendRawAsync(make, request, ct).ConfigureAwait(false);
            if (!IsSuccess(status))
                throw new TrackerRequestException(SourceId, request, status, ErrorDetail(status, body));
            try
            {
                var value = JsonSerializer.Deserialize(body, type);
                if (value is null) throw new JsonException("the body is JSON null", "$", null, null);
                return value;
            }
            catch (JsonException e)
            {
                if (attempt < parseRetries) continue;
                var text = Encoding.UTF8.GetString(body);
                await sink.RecordAsync(SourceId, request, e.Message, text, CancellationToken.None).ConfigureAwait(false);
                throw new TrackerPayloadException(SourceId, request, e.Path ?? "$",
                    body.Length == 0 ? "empty body" : $"malformed or truncated JSON after {body.Length} bytes ({FirstLine(e.Message)})", e);
            }
        }
    }

    public TrackerPayloadException Missing(string request, string field, string detail) => new(SourceId, request, field, detail);

    private static bool IsSuccess(HttpStatusCode s) => (int)s is >= 200 and < 300;

    private static string FirstLine(string s) { var i = s.IndexOf('.'); return i > 0 ? s[..i] : s; }

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
}

public sealed record TrackerHttpSettings(
    string SourceId, Uri BaseAddress, AuthenticationHeaderValue? Authorization,
    int MaxConcurrency, double MaxRequestsPerSecond, int MaxRetries, TimeSpan AttemptTimeout);

public static class TrackerHttpRegistration
{
    public static string ClientName(string sourceId) => "tracker:" + sourceId;

    /// <summary>
    /// Registers the named client of one source: resilience (retry honouring Retry-After on 429/503,
    /// jittered exponential back-off on 5xx and time-outs, per-attempt time-out) outside the source budget.
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
        builder.AddResilienceHandler("tracker", p =>
        {
            if (s.MaxRetries > 0) p.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = s.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(30),
                ShouldRetryAfterHeader = true,
            });
            p.AddTimeout(s.AttemptTimeout);
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
