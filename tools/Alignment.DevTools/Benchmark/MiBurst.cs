using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Alignment.Host.Cli;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// A burst of MI requests (README, "Benchmark") against the real web host of <c>serve</c> on the scratch database,
/// with a management key made up for the run: <c>GET /api/mi/overview</c> from many clients at once (the
/// issue's target: p99 under 20 ms at 50 concurrent requests). Every MI endpoint is asked once first, so
/// the burst measures the steady state, not JIT compilation and connection set-up.
/// </summary>
public static class MiBurst
{
    public sealed record Result(int Requests, double P50Ms, double P99Ms);

    private static readonly string[] WarmUp = ["/api/mi/overview", "/api/mi/teams", "/api/mi/epics", "/api/mi/dependencies"];
    private const string Measured = "/api/mi/overview";

    public static async Task<Result> RunAsync(byte[] simConfig, string connectionString, int requests, int clients, CancellationToken ct)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var sha = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
        var port = FreePort();
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
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
                http.DefaultRequestHeaders.Add("X-Api-Key", key);
                foreach (var path in WarmUp.Concat(WarmUp))
                {
                    using var warm = await http.GetAsync(path, ct);
                    if (!warm.IsSuccessStatusCode) throw new InvalidOperationException($"MI burst: GET {path} answered {(int)warm.StatusCode}");
                }
                var latencies = new double[requests];
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
                {
                    int i;
                    while ((i = Interlocked.Increment(ref next)) < requests)
                    {
                        var started = Stopwatch.GetTimestamp();
                        using var response = await http.GetAsync(Measured, ct);
                        await response.Content.CopyToAsync(Stream.Null, ct);
                        if (!response.IsSuccessStatusCode)
                            throw new InvalidOperationException($"MI burst: GET {Measured} answered {(int)response.StatusCode}");
                        latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    }
                }));
                return new Result(requests, Stats.NearestRankPercentile(latencies, 0.50) ?? 0, Stats.NearestRankPercentile(latencies, 0.99) ?? 0);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
