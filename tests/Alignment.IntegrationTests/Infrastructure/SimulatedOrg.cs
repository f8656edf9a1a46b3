using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>A simulated Jira + Azure DevOps organisation with the real host configured against it.</summary>
public sealed class SimulatedOrg : IAsyncDisposable
{
    private SimulatedOrg(RunningSimulator sim, TestHost host, JsonObject config)
    {
        Sim = sim;
        Host = host;
        Config = config;
    }

    public RunningSimulator Sim { get; }
    public TestHost Host { get; }
    public JsonObject Config { get; }
    public IEnumerable<string> SourceIds => Config["Sources"]!.AsArray().Select(s => s!["Id"]!.GetValue<string>());

    /// <summary>Starts the simulator and the host; <paramref name="time"/> is the host's clock when given (a FakeTimeProvider).</summary>
    public static async Task<SimulatedOrg> StartAsync(TestDatabase db, SimulatorOptions options, int maxRetries = 3, TimeProvider? time = null,
        Action<JsonObject>? configure = null)
    {
        var sim = await SimulatorServer.StartAsync(options);
        var config = await ConfigAsync(sim, new JsonObject { ["Cron"] = "", ["FullCron"] = "", ["MaxRetries"] = maxRetries, ["RequestTimeoutSeconds"] = 10 });
        configure?.Invoke(config);
        var host = await TestHost.StartAsync(db, config, time);
        return new SimulatedOrg(sim, host, config);
    }

    /// <summary>
    /// The simulator's own configuration (its <c>Alignment</c> section) with every source's <c>Sync</c> replaced by
    /// <paramref name="sync"/> (default: no schedules, the shipped deadlines and retries) and the test API keys.
    /// </summary>
    public static async Task<JsonObject> ConfigAsync(RunningSimulator sim, JsonObject? sync = null)
    {
        using var http = new HttpClient();
        var config = JsonNode.Parse(await http.GetStringAsync(sim.BaseUrl + "/_sim/config"))!["Alignment"]!.AsObject();
        foreach (var s in config["Sources"]!.AsArray())
            s!["Sync"] = sync?.DeepClone() ?? new JsonObject { ["Cron"] = "", ["FullCron"] = "" };
        config["Auth"] = JsonNode.Parse(JsonSerializer.Serialize(new { ApiKeys = TestHost.ApiKeys }));
        return config;
    }

    /// <summary>
    /// The pipeline's first two steps for every source: sync, then sprint figures. Tests that want the analysis (and MI,
    /// alerts) call <see cref="PipelineCalls.AnalyzeAsync"/> after, so they control when it runs (e.g. after reordering rows).
    /// </summary>
    public async Task<IReadOnlyList<SyncRunResult>> SyncAsync(bool full = false)
    {
        var runner = Host.Services.GetRequiredService<SyncRunner>();
        var figures = Host.Services.GetRequiredService<SprintFiguresRefresher>();
        var results = new List<SyncRunResult>();
        foreach (var s in SourceIds)
        {
            var result = await runner.RunAsync(new SyncRequest(s, Full: full, Trigger: "test"));
            if (result.Wrote) await figures.RefreshAsync(s, null, recordSnapshots: true, default);
            results.Add(result);
        }
        return results;
    }

    public async Task<JsonElement> TruthAsync()
    {
        using var http = new HttpClient();
        return await http.GetFromJsonAsync<JsonElement>(Sim.BaseUrl + "/_sim/truth");
    }

    /// <summary>A canonical dump of what a sync wrote (items, links, sprints, membership, events), as a hash and a row count.</summary>
    public static async Task<(string Hash, long Rows)> StoreDigestAsync(TestDatabase db)
    {
        var queries = new[]
        {
            "SELECT source_id, key, type, title, status, status_category, story_points, team_id, sprint_id, parent_key, rank, deleted, sprint_ids FROM core.work_items ORDER BY source_id, key",
            "SELECT DISTINCT from_source_id, from_key, to_source_id, to_key, kind FROM core.links ORDER BY 1, 2, 3, 4, 5",
            "SELECT source_id, external_id, name, state, start_at, end_at, completed_at FROM core.sprints ORDER BY 1, 2",
            "SELECT team_id, source_id, sprint_id FROM core.team_sprints ORDER BY 1, 2, 3",
            "SELECT source_id, sprint_id, item_external_id FROM core.sprint_items ORDER BY 1, 2, 3",
            "SELECT source_id, item_external_id, event_id, at, kind, from_value, to_value FROM core.item_events ORDER BY 1, 2, 3",
            "SELECT team_id, source_id, sprint_id, member, hours_per_day, available_days, days_off FROM core.capacities ORDER BY 1, 2, 3, 4",
        };
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long rows = 0;
        await using var conn = await db.DataSource.OpenConnectionAsync();
        foreach (var q in queries)
        {
            await using var cmd = new Npgsql.NpgsqlCommand(q, conn);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                rows++;
                var values = new object[r.FieldCount];
                r.GetValues(values);
                sha.AppendData(Encoding.UTF8.GetBytes(string.Join("\u001f", values.Select(v => v is Array a ? string.Join(",", a.Cast<object>()) : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture))) + "\n"));
            }
        }
        return (Convert.ToHexString(sha.GetHashAndReset()), rows);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Sim.DisposeAsync();
    }
}
