using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.Application.Hooks;
using Alignment.Host.Cli;
using Dapper;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// <c>webhookLatency</c> (README, "Benchmark"; docs/webhooks.md): the real web host of <c>serve</c> with webhooks on every source, on the scratch
/// database. Per delivery: the simulator moves an item in an active sprint to the next sprint (<c>/_sim/move</c>), the benchmark posts the
/// tracker's delivery for it (signed as the tracker signs it), and measures from the 202 (recorded) until the API shows the item in its new
/// sprint (<c>itemP*Ms</c>) and until the delivery is processed — the targeted sync, sprint figures, analysis, MI and alerts done, so its
/// findings are visible (<c>p*Ms</c>, the target: p99 &lt; 5 s). Deliveries go <see cref="Concurrent"/> at a time, with the configured
/// <c>Hooks:CoalesceWindow</c>.
/// </summary>
public static class WebhookLatency
{
    public sealed record Result(int Deliveries, double P50Ms, double P99Ms, double ItemP50Ms, double ItemP99Ms, double CoalesceWindowMs, int Syncs);

    /// <summary>Deliveries in flight at once (a few product owners editing at the same time).</summary>
    public const int Concurrent = 4;
    private const string AdoHeader = "X-Alignment-Hook";

    public static async Task<Result> RunAsync(byte[] simConfig, string simBaseUrl, string connectionString, int deliveries, CancellationToken ct)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var sources = JsonNode.Parse(simConfig)!["Alignment"]!["Sources"]!.AsArray().Select(s => (Id: s!["Id"]!.GetValue<string>(), Kind: s["Kind"]!.GetValue<string>())).ToList();
        var settings = new List<KeyValuePair<string, string?>>
        {
            new("ConnectionStrings:" + Database.ConnectionStringName, connectionString),
            new("Alignment:Auth:ApiKeys:0:Name", "bench"), new("Alignment:Auth:ApiKeys:0:Role", "pmo"),
            new("Alignment:Auth:ApiKeys:0:Sha256", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant()),
        };
        for (var i = 0; i < sources.Count; i++)
        {
            settings.Add(new($"Alignment:Sources:{i}:Hooks:Secret", secret));
            if (sources[i].Kind == "AzureDevOps") settings.Add(new($"Alignment:Sources:{i}:Hooks:Header", AdoHeader));
            // No poll during the measurement: a poll holding a source's lock would delay the targeted syncs.
            settings.Add(new($"Alignment:Sources:{i}:Sync:Cron", ""));
            settings.Add(new($"Alignment:Sources:{i}:Sync:FullCron", ""));
        }
        var port = Ports.Free();
        var app = ServeVerb.Build([], null, worker: false, b =>
        {
            b.Configuration.AddJsonStream(new MemoryStream(simConfig));
            b.Configuration.AddInMemoryCollection(settings);
            b.WebHost.UseUrls($"http://127.0.0.1:{port}");
            b.Logging.ClearProviders();
        });
        await using (app)
        {
            await app.StartAsync(ct);
            try
            {
                var window = AlignmentServices.ValidatedOptions(app.Services).Sources[0].Hooks.CoalesceWindow;
                var runsBefore = await ScalarAsync<long>(connectionString, "SELECT count(*) FROM ops.sync_runs WHERE trigger = 'hook'", ct);
                var measured = await MeasureAsync(port, key, secret, simBaseUrl, connectionString, deliveries, ct);
                var syncs = await ScalarAsync<long>(connectionString, "SELECT count(*) FROM ops.sync_runs WHERE trigger = 'hook'", ct) - runsBefore;
                var done = measured.Select(m => m.DoneMs).ToArray();
                var item = measured.Select(m => m.ItemMs).ToArray();
                return new Result(measured.Count, P(done, 0.5), P(done, 0.99), P(item, 0.5), P(item, 0.99), window.TotalMilliseconds, (int)syncs);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
            }
        }
    }

    private sealed record Candidate(string Source, string Kind, string ExternalId, string Key, string SprintId);

    private static async Task<List<(double ItemMs, double DoneMs)>> MeasureAsync(int port, string key, string secret, string simBaseUrl,
        string connectionString, int deliveries, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var sim = new HttpClient { BaseAddress = new Uri(simBaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        var candidates = new Queue<Candidate>(await CandidatesAsync(connectionString, deliveries * 4, ct));
        var results = new List<(double, double)>();
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(async _ =>
        {
            while (true)
            {
                Candidate? c;
                lock (gate)
                {
                    if (results.Count >= deliveries) return;
                    if (!candidates.TryDequeue(out c)) return;
                }
                using (var moved = await sim.PostAsync($"/_sim/move?key={Uri.EscapeDataString(c.Key)}&sprints=1", null, ct))
                    if (moved.StatusCode == HttpStatusCode.NotFound) continue; // done or out of its sprint meanwhile
                    else moved.EnsureSuccessStatusCode();
                var (deliveryId, request) = Delivery(c, secret);
                using var response = await http.SendAsync(request, ct);
                if (response.StatusCode != HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"webhook latency: the delivery for {c.Key} answered {(int)response.StatusCode}");
                var accepted = Stopwatch.StartNew();
                double? itemMs = null, doneMs = null;
                string? newSprint = null;
                while (itemMs is null || doneMs is null)
                {
                    if (accepted.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"webhook latency: {c.Key} not processed within 2 minutes");
                    if (itemMs is null)
                    {
                        var item = await http.GetFromJsonAsync<JsonElement>($"/api/work-items/{c.Source}/{Uri.EscapeDataString(c.Key)}", ct);
                        if (item.GetProperty("sprintId").GetString() is { } now && now != c.SprintId)
                        {
                            itemMs = accepted.Elapsed.TotalMilliseconds;
                            newSprint = now;
                        }
                    }
                    if (doneMs is null && await ScalarAsync<string?>(connectionString,
                            "SELECT status FROM ops.hook_deliveries WHERE source_id = @Source AND delivery_id = @deliveryId", ct, new { c.Source, deliveryId }) == "processed")
                        doneMs = accepted.Elapsed.TotalMilliseconds;
                    if (itemMs is null || doneMs is null) await Task.Delay(20, ct);
                }
                lock (gate)
                {
                    if (results.Count >= deliveries) return;
                    results.Add((itemMs.Value, doneMs.Value));
                    candidates.Enqueue(c with { SprintId = newSprint! }); // a small organisation's items are postponed again
                }
            }
        }));
        if (results.Count == 0) throw new InvalidOperationException("webhook latency: no item in an active sprint could be moved");
        return results;
    }

    /// <summary>Open stories and bugs in active sprints, spread over the teams.</summary>
    private static async Task<List<Candidate>> CandidatesAsync(string connectionString, int limit, CancellationToken ct)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return (await conn.QueryAsync<Candidate>(new CommandDefinition("""
            SELECT w.source_id AS source, s.kind, w.external_id, w.key, w.sprint_id
            FROM core.work_items w
            JOIN core.sources s ON s.id = w.source_id
            JOIN core.sprints sp ON sp.source_id = w.source_id AND sp.external_id = w.sprint_id AND sp.state = 'active'
            WHERE NOT w.deleted AND w.status_category IN ('todo', 'inProgress') AND w.type IN ('story', 'bug')
            ORDER BY row_number() OVER (PARTITION BY w.team_id ORDER BY w.key), w.team_id
            LIMIT @limit
            """, new { limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>The tracker's delivery for a changed item: Jira's signed <c>jira:issue_updated</c>, or Azure DevOps' <c>workitem.updated</c>.</summary>
    private static (string DeliveryId, HttpRequestMessage Request) Delivery(Candidate c, string secret)
    {
        var id = Guid.NewGuid().ToString();
        var jira = c.Kind != "azureDevOps";
        var body = jira
            ? JsonSerializer.SerializeToUtf8Bytes(new
            {
                timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), webhookEvent = "jira:issue_updated", issue_event_type_name = "issue_generic",
                issue = new { id = c.ExternalId, key = c.Key, fields = new { project = new { key = c.Key[..c.Key.LastIndexOf('-')] } } },
                changelog = new { id = "1", items = new[] { new { field = "Sprint", fieldtype = "custom" } } },
            })
            : JsonSerializer.SerializeToUtf8Bytes(new
            {
                id, eventType = "workitem.updated", publisherId = "tfs",
                resource = new { id = 1, workItemId = int.Parse(c.ExternalId, System.Globalization.CultureInfo.InvariantCulture), rev = 2, revision = new { id = c.ExternalId } },
            });
        var request = new HttpRequestMessage(HttpMethod.Post, jira ? $"/hooks/jira/{c.Source}" : $"/hooks/azure-devops/{c.Source}") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (jira)
        {
            request.Headers.Add(HookSignatures.JiraIdentifierHeader, id);
            request.Headers.Add(HookSignatures.JiraSignatureHeader, HookSignatures.JiraSign(body, secret));
        }
        else request.Headers.Add(AdoHeader, secret);
        return (id, request);
    }

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql, CancellationToken ct, object? args = null)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        return (await conn.ExecuteScalarAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct)))!;
    }

    private static double P(double[] latencies, double p) => Stats.NearestRankPercentile(latencies, p) ?? 0;
}
