using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.Host.Hosting;
using Alignment.Host.Cli;
using Alignment.Simulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Alignment.DevTools.Cli;

/// <summary>
/// <c>alignment demo</c>: a simulated organisation, the service on it, and a first sync — everything local.
/// Prints the URLs and a demo API key; Ctrl+C stops everything.
/// </summary>
public static class DemoVerb
{
    private static readonly Option<string?> KeyFile = new("--key-file") { Description = "Keep the demo API key in this file (reused by the next run)" };

    public static Command Create()
    {
        var cmd = new Command("demo", "Simulate + serve + first sync, everything local; prints URLs and an API key")
        {
            SimulateVerb.Teams, SimulateVerb.Items, SimulateVerb.Links, SimulateVerb.Seed, SimulateVerb.Now, SimulateVerb.FaultRate, KeyFile,
        };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, ct)));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult r, CancellationToken ct)
    {
        // The "Value & cost" page has data; every team has capacity; the "Intervals" page has two finished planning intervals.
        var options = SimulateVerb.Options(r) with { Finance = true, JiraCapacity = true, Intervals = true };
        await using var sim = await SimulatorServer.StartAsync(options, 0, ct);
        using var http = new HttpClient();
        var simConfig = JsonNode.Parse(await http.GetStringAsync(sim.BaseUrl + "/_sim/config", ct))!;

        var key = ReadOrCreateKey(r.GetValue(KeyFile));
        var alignment = simConfig["Alignment"]!.AsObject();
        alignment["Auth"] = new JsonObject
        {
            ["ApiKeys"] = new JsonArray(new JsonObject { ["Name"] = "demo", ["Role"] = "admin", ["Sha256"] = ApiKeyAuthenticationHandler.Hash(key) }),
        };
        foreach (var source in alignment["Sources"]!.AsArray())
            source!["Sync"] = new JsonObject { ["Cron"] = "*/5 * * * *", ["FullCron"] = "" };
        // The demo's configuration stays in memory (a JSON stream over the simulator's), layered over appsettings and the environment.
        using var demoConfig = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(simConfig.ToJsonString()));
        string? database = null;
        {
            var app = ServeVerb.Build(r.UnmatchedTokens.ToArray(), null, worker: false, b =>
            {
                b.Configuration.AddJsonStream(demoConfig);
                database = DemoDatabase.UseFresh(b.Configuration);
                // the demo prints its own summary
                b.Logging.AddFilter("Alignment", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Hangfire", LogLevel.Warning)
                    .AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error); // a demo's keys need no encryptor: the dashboard's URL comes first
            });
            var config = AlignmentServices.ValidatedOptions(app.Services);
            await app.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
            await app.Services.GetRequiredService<StoreSeeder>().SeedAsync(config, ct);
            await app.StartAsync(ct);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            // The first thing to see once the host is up: where the dashboard is and how to get in (the first sync follows).
            Console.WriteLine(Dashboard(url, key));
            Console.WriteLine();

            if (database is not null) Console.WriteLine($"Store: database {database}, created afresh for this run");
            Console.WriteLine($"Simulated organisation: {sim.Organisation.TeamCount} teams, {sim.Organisation.ItemCount} items, {sim.Organisation.LinkCount} links at {sim.BaseUrl}");
            // The pipeline, as the jobs and the CLI run it; full: the simulated clock follows the real one.
            var pass = await app.Services.GetRequiredService<AlignmentPipeline>()
                .SyncAsync(config.Sources.Select(s => new SyncRequest(s.Id, Full: true, Trigger: "demo")).ToList(), null, ct);
            foreach (var result in pass.Syncs)
                Console.WriteLine(result.Status == SyncStatus.Succeeded
                    ? $"  synced {result.SourceId}: {result.ItemsRead} items read, {result.ItemsChanged} changed, {result.Requests} requests in {result.Duration.TotalSeconds:0.0} s"
                    : $"  sync of {result.SourceId} {result.Status.Name()}: {result.Error}");
            if (pass.Analysis is { } analysis) Console.WriteLine("  " + AnalyzeVerb.Line(analysis));
            Console.WriteLine();
            Console.WriteLine($"Alignment is running at {url}");
            Console.WriteLine($"  Dashboard:      {url}/   (sign in with the API key below)");
            Console.WriteLine($"  API reference:  {url}/scalar");
            Console.WriteLine($"  OpenAPI:        {url}/openapi/v1.json");
            Console.WriteLine($"  Job dashboard:  {url}/hangfire   (send the key as X-Api-Key, or set the cookie alignment-key)");
            Console.WriteLine($"  Simulator:      {sim.BaseUrl}/_sim/truth");
            Console.WriteLine($"  API key (admin): {key}");
            Console.WriteLine($"  try: curl -H 'X-Api-Key: {key}' {url}/api/teams");
            await PrintAdviceAsync(app.Services, url, r.GetValue(KeyFile), ct);
            Console.WriteLine("Ctrl+C stops everything.");
            await app.WaitForShutdownAsync(ct);
            await app.DisposeAsync();
        }
        return 0;
    }

    /// <summary>The dashboard's address and how to sign in: the admin key in the sign-in form.</summary>
    internal static string Dashboard(string url, string key) =>
        $"Dashboard: {url}/\n  sign in with the demo's admin API key: {key}\n  (paste it into the sign-in form; the dashboard keeps it in a same-site cookie)";

    /// <summary>The advice digests without a mail server: written as .html/.eml files (next to the key file) and their preview URLs.</summary>
    private static async Task PrintAdviceAsync(IServiceProvider services, string url, string? keyFile, CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(keyFile ?? Path.Combine(Path.GetTempPath(), "alignment-demo", "key")))!, "advice");
        await using var scope = services.CreateAsyncScope();
        var r = await scope.ServiceProvider.GetRequiredService<Mediator.IMediator>().Send(new RunAdviceCommand("demo", dir), ct);
        Console.WriteLine($"  Advice digests: {r.Files.Count} written to {dir} (open the .html files in a browser; .eml in a mail client)");
        foreach (var f in r.Files.Take(3))
        {
            var email = Path.GetFileNameWithoutExtension(f)[$"advice-{r.Period}-".Length..];
            Console.WriteLine($"    preview: {url}/api/advice/{Uri.EscapeDataString(email)}/preview   (with the key as X-Api-Key or the alignment-key cookie)");
        }
    }

    private static string ReadOrCreateKey(string? file)
    {
        if (file is not null && File.Exists(file))
        {
            var existing = File.ReadAllText(file).Trim();
            if (existing.Length >= 32) return existing;
        }
        var key = "demo-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        if (file is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            File.WriteAllText(file, key);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return key;
    }
}
