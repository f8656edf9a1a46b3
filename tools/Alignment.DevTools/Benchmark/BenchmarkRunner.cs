using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Alignment.Host.Hosting;
using Dapper;
using Spectre.Console;

namespace Alignment.DevTools.Benchmark;

public sealed record BenchOptions(int Teams, int Items, int Links, int Seed, string? JsonFile, bool Keep, bool Sequential);

/// <summary>
/// One benchmark run (README, "Benchmark"): simulator in a child process → scratch database → initial sync (with both
/// processes' CPU time) → peak RSS → minimum requests → COPY baseline → unchanged incremental sync → its request floor →
/// analyzers → their read floor → MI burst and its /health/live floor → table + JSON.
/// </summary>
public static class BenchmarkRunner
{
    public static async Task<int> RunAsync(BenchOptions o, string configuredConnection, CancellationToken ct)
    {
        // Ctrl+C / SIGTERM: cancel and clean up (kill the simulator, drop the scratch database) before exiting;
        // a second signal ends the process at once.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var signals = 0;
        void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref signals) > 1) return;
            context.Cancel = true;
            Console.Error.WriteLine("alignment bench: stopping; cleaning up the simulator and the scratch database…");
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        try
        {
            return await RunCoreAsync(o, configuredConnection, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("alignment bench: cancelled");
            return 130;
        }
    }

    private static async Task<int> RunCoreAsync(BenchOptions o, string configuredConnection, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        Step($"starting the simulator ({o.Teams} teams, {o.Items} items, {o.Links} links, seed {o.Seed})");
        await using var sim = await SimulatorProcess.StartAsync(o.Teams, o.Items, o.Links, o.Seed, http, ct);
        var simConfig = await http.GetByteArrayAsync(sim.BaseUrl + "/_sim/config", ct);

        await using var scratch = await ScratchDatabase.CreateAsync(configuredConnection, ct);
        scratch.Keep = o.Keep;
        Step($"scratch database {scratch.Name}{(o.Keep ? " (kept)" : "")}");

        using var host = BuildHost(simConfig, scratch.ConnectionString);
        await host.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var (report, code) = await MeasureAsync(new Run(o, http, sim, simConfig, scratch.ConnectionString, host), ct);
        if (report is null) return code;
        report.Print();
        if (o.JsonFile is { } file)
        {
            await using var f = File.Create(file);
            report.WriteJson(f);
            AnsiConsole.MarkupLine($"[grey]JSON written to {Markup.Escape(Path.GetFullPath(file))}[/]");
        }
        return 0;
    }

    private sealed record Run(BenchOptions O, HttpClient Http, SimulatorProcess Sim, byte[] SimConfig, string ConnectionString, IHost Host);

    /// <summary>Every measurement in order, each figure with its floor from the same run; a failed sync ends the run with its exit code.</summary>
    private static async Task<(BenchReport? Report, int Code)> MeasureAsync(Run run, CancellationToken ct)
    {
        var (o, sim) = (run.O, run.Sim);
        var options = AlignmentServices.ValidatedOptions(run.Host.Services);
        var sources = options.Sources.Select(s => s.Id).ToList();
        var runner = run.Host.Services.GetRequiredService<SyncRunner>();

        Step("initial sync" + (o.Sequential ? " (sources one after the other)" : " (sources in parallel)"));
        var (selfCpu, simCpu) = (ProcessCpu(), sim.CpuTime);
        var initial = await SyncAllAsync(runner, sources, full: true, o.Sequential, ct);
        (selfCpu, simCpu) = (ProcessCpu() - selfCpu, sim.CpuTime - simCpu);
        var peakRssMb = PeakRssMb(); // before anything else grows the process (the truth document below is large)
        if (initial.Failed is { } failedInitial) return (null, Fail("initial sync", failedInitial));

        Step("minimum requests from the organisation's shape");
        var minimum = await MinimumRequestsAsync(run, ct);

        Step("COPY baseline");
        var copy = await CopyBaseline.RunAsync(run.ConnectionString, ct);

        // The first incremental sync after a full read writes each team's sprint answer once more (a full read's answer is not an
        // incremental one's); every later one is the steady state of a quarter-hourly sync, and that is what is timed.
        Step("incremental sync, nothing changed (first, not timed: writes each team's incremental sprint answer once)");
        var first = await SyncAllAsync(runner, sources, full: false, o.Sequential, ct);
        if (first.Failed is { } failedFirst) return (null, Fail("incremental sync", failedFirst));
        AnsiConsole.MarkupLine($"[grey]  first incremental sync {first.Seconds:0.000} s, {first.Requests} requests[/]");
        Step("incremental sync, nothing changed (the simulator records its requests)");
        await RequestFloor.StartRecordingAsync(run.Http, sim.BaseUrl, ct);
        var incremental = await SyncAllAsync(runner, sources, full: false, o.Sequential, ct);
        var recorded = await RequestFloor.StopRecordingAsync(run.Http, sim.BaseUrl, ct);
        if (incremental.Failed is { } failedIncremental) return (null, Fail("incremental sync", failedIncremental));
        foreach (var phases in incremental.Phases) AnsiConsole.MarkupLine($"[grey]  {Markup.Escape(phases)}[/]");
        Step($"request floor: the same {recorded.Count} requests from a bare HttpClient");
        if (recorded.Count != incremental.Requests)
            AnsiConsole.MarkupLine($"[yellow]the simulator recorded {recorded.Count} requests, the sync counted {incremental.Requests}[/]");
        var requestFloor = await RequestFloor.ReplayAsync(recorded, options.Sources, o.Sequential, ct);

        Step("sprint figures of every source (the pipeline's step between sync and analysis; not timed)");
        var sprintFigures = run.Host.Services.GetRequiredService<SprintFiguresRefresher>();
        foreach (var s in sources) await sprintFigures.RefreshAsync(s, null, recordSnapshots: true, ct);

        Step("analyzers");
        var analyzeClock = Stopwatch.StartNew();
        // The pipeline from the analysis on (analysis, MI, alerts); the syncs above are its first step, timed on their own.
        var analysis = await run.Host.Services.GetRequiredService<AlignmentPipeline>().AnalyzeAsync("bench", ct);
        var analyzeSeconds = analyzeClock.Elapsed.TotalSeconds;
        Step("read floor: the analysis's SELECTs as binary COPY");
        var readFloor = await ReadFloor.RunAsync(run.ConnectionString, ct);

        Step("MI burst, then the same burst against /health/live");
        var mi = await MiBurst.RunAsync(run.SimConfig, run.ConnectionString, requests: 1000, clients: 50, ct);

        Step($"the organisation moves on ({AdvanceHours} simulated hours), an incremental sync, the analysis");
        var moved = await IncrementalAnalysisAsync(run, sources, ct);
        if (moved.Failed is { } failedMoved) return (null, Fail("incremental sync after the change", failedMoved));

        Step($"webhook latency: {WebhookDeliveries} deliveries through the serve host, {WebhookLatency.Concurrent} at a time");
        var hooks = await WebhookLatency.RunAsync(run.SimConfig, sim.BaseUrl, run.ConnectionString, WebhookDeliveries, ct);

        return (new BenchReport(options.Teams.Count, o.Items, o.Links,
            new InitialSyncFigures(initial.Seconds, initial.Items, initial.Requests, minimum, peakRssMb, selfCpu.TotalSeconds, simCpu.TotalSeconds),
            copy,
            new IncrementalSyncFigures(incremental.Seconds, incremental.Requests, requestFloor.Seconds),
            new AnalyzeFigures(analyzeSeconds, analysis.Findings, readFloor.Seconds, readFloor.Bytes, analysis.Phases),
            mi, moved.Figures) { WebhookLatency = hooks }, 0);
    }

    /// <summary>Deliveries timed for <c>webhookLatency</c>.</summary>
    private const int WebhookDeliveries = 100;

    /// <summary>How far <c>/_sim/advance</c> moves the organisation for <c>analyzeIncremental</c> (about 0.15 % of the items change).</summary>
    private const int AdvanceHours = 24;

    /// <summary>
    /// <c>analyzeIncremental</c>: the simulator moves on, the sources sync incrementally with their sprint figures (as the pipeline's first
    /// steps), then the pipeline from the analysis on is timed, as for <c>analyze</c>.
    /// </summary>
    private static async Task<(AnalyzeIncrementalFigures? Figures, SyncRunResult? Failed)> IncrementalAnalysisAsync(Run run, List<string> sources,
        CancellationToken ct)
    {
        using (var advanced = await run.Http.PostAsync($"{run.Sim.BaseUrl}/_sim/advance?hours={AdvanceHours}", null, ct)) advanced.EnsureSuccessStatusCode();
        var runner = run.Host.Services.GetRequiredService<SyncRunner>();
        var figures = run.Host.Services.GetRequiredService<SprintFiguresRefresher>();
        var clock = Stopwatch.StartNew();
        var sync = await SyncAllAsync(runner, sources, full: false, run.O.Sequential, ct);
        if (sync.Failed is { } failed) return (null, failed);
        var syncSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        foreach (var s in sources) await figures.RefreshAsync(s, null, recordSnapshots: true, ct);
        var figuresSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var analysis = await run.Host.Services.GetRequiredService<AlignmentPipeline>().AnalyzeAsync("bench", ct);
        return (new AnalyzeIncrementalFigures(clock.Elapsed.TotalSeconds, analysis.ChangedItems ?? 0, analysis.Incremental, syncSeconds, analysis.Phases)
        {
            FiguresSeconds = figuresSeconds, SyncRequests = sync.Requests,
        }, null);
    }

    private static async Task<long> MinimumRequestsAsync(Run run, CancellationToken ct)
    {
        await using var truthStream = await run.Http.GetStreamAsync(run.Sim.BaseUrl + "/_sim/truth", ct);
        using var truth = await JsonDocument.ParseAsync(truthStream, default, ct);
        return MinimumRequests.Compute(truth.RootElement, await AdoRevisionsAsync(run.ConnectionString, ct)).Total;
    }

    /// <summary>This process's CPU time so far, every thread (user + system).</summary>
    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private sealed record SyncFigures(double Seconds, long Requests, long Items, SyncRunResult? Failed)
    {
        /// <summary>Each source's run phases (<see cref="SyncRunResult.Phases"/>), "source: …".</summary>
        public IReadOnlyList<string> Phases { get; init; } = [];
    }

    private static async Task<SyncFigures> SyncAllAsync(SyncRunner runner, List<string> sources, bool full, bool sequential, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<SyncRunResult>();
        if (sequential)
            foreach (var s in sources) results.Add(await runner.RunAsync(new SyncRequest(s, null, full, "bench"), null, ct));
        else
            results.AddRange(await Task.WhenAll(sources.Select(s => Task.Run(() => runner.RunAsync(new SyncRequest(s, null, full, "bench"), null, ct), ct))));
        var seconds = clock.Elapsed.TotalSeconds;
        return new SyncFigures(seconds, results.Sum(r => r.Requests), results.Sum(r => (long)r.ItemsRead),
            results.FirstOrDefault(r => r.Status != SyncStatus.Succeeded))
        {
            Phases = results.Select(r => $"{r.SourceId} ({r.Teams.Count(t => t.TeamId.Length > 0)} teams): {r.Phases}").ToList(),
        };
    }

    /// <summary>Like <see cref="Cli.CliHost.Build"/>, configured with the simulator's <c>/_sim/config</c> and the scratch database only.</summary>
    private static IHost BuildHost(byte[] simConfig, string connectionString)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddJsonStream(new MemoryStream(simConfig));
        builder.Configuration.AddInMemoryCollection([new("ConnectionStrings:" + Database.ConnectionStringName, connectionString)]);
        builder.Services.AddAlignment(builder.Configuration);
        var host = builder.Build();
        AlignmentServices.ValidatedOptions(host.Services);
        return host;
    }

    /// <summary>Revisions per Azure DevOps project: the sum of the stored items' <c>rev</c> (see <see cref="MinimumRequests"/>).</summary>
    private static async Task<IReadOnlyDictionary<string, long>> AdoRevisionsAsync(string connectionString, CancellationToken ct)
    {
        await using var conn = new Npgsql.NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var rows = await conn.QueryAsync<(string Project, long Revisions)>(new CommandDefinition("""
            SELECT p.payload -> 'fields' ->> 'System.TeamProject' AS project,
                   sum(CASE WHEN jsonb_typeof(p.payload -> 'rev') = 'number' THEN (p.payload ->> 'rev')::bigint ELSE 1 END)::bigint AS revisions
            FROM raw.item_payloads p JOIN core.sources s ON s.id = p.source_id
            WHERE s.kind = 'azureDevOps' AND p.payload -> 'fields' ->> 'System.TeamProject' IS NOT NULL
            GROUP BY 1
            """, cancellationToken: ct));
        return rows.ToDictionary(r => r.Project, r => r.Revisions, StringComparer.Ordinal);
    }

    /// <summary>The process's peak resident set size (VmHWM); it cannot be reset, so it is the peak since start.</summary>
    private static double PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Environment.WorkingSet / (1024.0 * 1024.0); // not Linux: the current working set
    }

    private static void Step(string what) =>
        AnsiConsole.MarkupLine($"[grey]{DateTime.Now:HH:mm:ss} {Markup.Escape(what)}…[/]");

    private static int Fail(string phase, SyncRunResult r)
    {
        AnsiConsole.MarkupLine($"[red]alignment bench: {Markup.Escape(phase)} of source {Markup.Escape(r.SourceId)} {r.Status.ToString().ToLowerInvariant()}:[/] {Markup.Escape(r.Error ?? "")}");
        return 1;
    }
}
