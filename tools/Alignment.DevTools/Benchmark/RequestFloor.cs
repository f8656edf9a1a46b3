using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// The incremental sync's request floor (README, "Benchmark"). The simulator records the tracker requests it receives during the
/// sync (<c>POST /_sim/requests/start</c> … <c>/stop</c>: method, request target, content type, body); afterwards a bare
/// <see cref="HttpClient"/> per source sends exactly that list again with the source's headers (the same authorization, Accept and
/// User-Agent the sync's client sends) at the source's <c>Sync:MaxConcurrency</c>, sources in parallel as the sync runs them (or one
/// after the other with <c>--sequential</c>), every body read and discarded. The sync's own order constraints (a next page after the
/// previous one) do not apply here, so this is a lower bound of what those requests cost.
/// </summary>
public static class RequestFloor
{
    public sealed record Recorded(string Method, string Target, string? ContentType, string? Body);

    public sealed record Result(double Seconds, int Requests);

    public static async Task StartRecordingAsync(HttpClient http, string simBaseUrl, CancellationToken ct)
    {
        using var response = await http.PostAsync(simBaseUrl + "/_sim/requests/start", null, ct);
        response.EnsureSuccessStatusCode();
    }

    public static async Task<IReadOnlyList<Recorded>> StopRecordingAsync(HttpClient http, string simBaseUrl, CancellationToken ct)
    {
        using var response = await http.PostAsync(simBaseUrl + "/_sim/requests/stop", null, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<Recorded>>(System.Text.Json.JsonSerializerOptions.Web, ct) ?? [];
    }

    /// <summary>Replays <paramref name="recorded"/>, each request with the configured source whose base URL path it starts with.</summary>
    public static async Task<Result> ReplayAsync(IReadOnlyList<Recorded> recorded, IReadOnlyList<SourceOptions> sources, bool sequential, CancellationToken ct)
    {
        var perSource = sources.Select(s => (Source: s, Base: new Uri(s.BaseUrl.TrimEnd('/') + "/"))).ToList();
        var groups = recorded.GroupBy(r => perSource
                .Where(p => r.Target.StartsWith(p.Base.AbsolutePath, StringComparison.Ordinal))
                .OrderByDescending(p => p.Base.AbsolutePath.Length)
                .Select(p => p.Source).FirstOrDefault()
            ?? throw new InvalidOperationException($"request floor: {r.Method} {r.Target} belongs to no configured source"))
            .ToList();
        var clients = groups.ToDictionary(g => g.Key, g => Client(g.Key));
        try
        {
            // Untimed: one request per source opens a connection, as the sync's client has open ones from the initial sync.
            foreach (var g in groups) await SendAsync(clients[g.Key], g.First(), ct);
            var clock = Stopwatch.StartNew();
            if (sequential)
                foreach (var g in groups) await ReplaySourceAsync(clients[g.Key], g.ToList(), g.Key.Sync.MaxConcurrency, ct);
            else
                await Task.WhenAll(groups.Select(g => ReplaySourceAsync(clients[g.Key], g.ToList(), g.Key.Sync.MaxConcurrency, ct)));
            return new Result(clock.Elapsed.TotalSeconds, recorded.Count);
        }
        finally
        {
            foreach (var c in clients.Values) c.Dispose();
        }
    }

    private static Task ReplaySourceAsync(HttpClient client, List<Recorded> requests, int maxConcurrency, CancellationToken ct) =>
        Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = ct },
            async (r, innerCt) => await SendAsync(client, r, innerCt));

    private static async Task SendAsync(HttpClient client, Recorded r, CancellationToken ct)
    {
        // Absolute: on Unix a bare "/path" would parse as a file URI.
        using var message = new HttpRequestMessage(new HttpMethod(r.Method), new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + r.Target));
        if (r.Body is not null)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(r.Body));
            if (r.ContentType is not null) message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(r.ContentType);
        }
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
        await response.Content.CopyToAsync(Stream.Null, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"request floor: {r.Method} {r.Target} answered {(int)response.StatusCode}");
    }

    /// <summary>The headers <see cref="TrackerHttpRegistration.AddTrackerHttpClient"/> gives the source's client; nothing else in the way.</summary>
    private static HttpClient Client(SourceOptions s)
    {
        var baseUri = new Uri(s.BaseUrl);
        var client = new HttpClient { BaseAddress = new Uri(baseUri.GetLeftPart(UriPartial.Authority)), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Alignment", "1.0"));
        client.DefaultRequestHeaders.Authorization = TrackerHttpRegistration.Authorization(s.Auth.Scheme.ToString(), s.Auth.User, s.Auth.ResolveToken());
        return client;
    }
}
