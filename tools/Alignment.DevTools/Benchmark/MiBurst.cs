using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Alignment.Host.Cli;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// A burst of MI requests (README, "Benchmark") against the real web host of <c>serve</c> on the scratch database,
/// with a management key made up for the run: <c>GET /api/mi/overview</c> from many clients at once, then the same burst against
/// <c>/health/live</c> as its floor (the target: MI p99 at most 1.5 × the health p99). Every MI endpoint is asked twice first (and
/// <c>/health/live</c> as often before its burst), so the bursts measure the steady state, not JIT compilation.
/// </summary>
public static class MiBurst
{
    /// <summary>The MI burst's percentiles, and the same burst's against <c>/health/live</c> of the same host: its floor.</summary>
    public sealed record Result(int Requests, double P50Ms, double P99Ms, double HealthP50Ms, double HealthP99Ms);

    private static readonly string[] WarmUp = ["/api/mi/overview", "/api/mi/teams", "/api/mi/epics", "/api/mi/dependencies"];
    private const string Measured = "/api/mi/overview";
    /// <summary>The floor: an endpoint with no work of its own (no store, no MI), through the same host and the same middleware.</summary>
    private const string Health = "/health/live";

    public static async Task<Result> RunAsync(byte[] simConfig, string connectionString, int requests, int clients, CancellationToken ct)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
        var port = Ports.Free();
        var app = ServeVerb.Build([], null, worker: false, b =>
        {
            b.Configuration.AddJsonStream(new MemoryStream(simConfig));
            b.Configuration.AddInMemoryCollection([
                new("ConnectionStrings:" + Database.ConnectionStringName, connectionString),
                new("Alignment:Auth:ApiKeys:0:Name", "bench"),
                new("Alignment:Auth:ApiKeys:0:Role", "management"),
                new("Alignment:Auth:ApiKeys:0:Sha256", sha),
            ]);
            b.WebHost.UseUrls($"http://127.0.0.1:{port}");
            b.Logging.ClearProviders();
        });
        await using (app)
        {
            await app.StartAsync(ct);
            try
            {
                // Each burst on a client of its own (connections opened in its burst), after as many warm-up requests.
                var mi = await BurstAsync(port, key, WarmUp.Concat(WarmUp), Measured, requests, clients, ct);
                var health = await BurstAsync(port, key, Enumerable.Repeat(Health, WarmUp.Length * 2), Health, requests, clients, ct);
                return new Result(requests, P(mi, 0.50), P(mi, 0.99), P(health, 0.50), P(health, 0.99));
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// A new client asks <paramref name="warmUp"/> one after the other, then GETs <paramref name="path"/> <paramref name="requests"/> times
    /// from <paramref name="clients"/> at once; each request's milliseconds.
    /// </summary>
    private static async Task<double[]> BurstAsync(int port, string key, IEnumerable<string> warmUp, string path, int requests, int clients, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        foreach (var w in warmUp)
        {
            using var warm = await http.GetAsync(w, ct);
            if (!warm.IsSuccessStatusCode) throw new InvalidOperationException($"MI burst: GET {w} answered {(int)warm.StatusCode}");
        }
        var latencies = new double[requests];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(path, ct);
                await response.Content.CopyToAsync(Stream.Null, ct);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"MI burst: GET {path} answered {(int)response.StatusCode}");
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }));
        return latencies;
    }

    private static double P(double[] latencies, double p) => Stats.NearestRankPercentile(latencies, p) ?? 0;
}
