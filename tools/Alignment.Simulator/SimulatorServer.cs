using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alignment.Simulator;

/// <summary>A running simulator: Kestrel on 127.0.0.1 serving the Jira and Azure DevOps REST shapes.</summary>
public sealed class RunningSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _requests;

    internal RunningSimulator(WebApplication app, SimulatedOrganisation org, string baseUrl)
    {
        _app = app;
        Organisation = org;
        BaseUrl = baseUrl;
    }

    /// <summary>e.g. <c>http://127.0.0.1:5123</c>.</summary>
    public string BaseUrl { get; }

    /// <summary><see cref="BaseUrl"/> + <c>/jira</c>.</summary>
    public string JiraBaseUrl => BaseUrl + "/jira";

    /// <summary><see cref="BaseUrl"/> + <c>/ado/simorg</c> (the organisation URL).</summary>
    public string AdoBaseUrl => BaseUrl + "/ado/simorg";

    public SimulatedOrganisation Organisation { get; }

    /// <summary>Tracker API requests served (excluding /_sim), faulted ones included.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    private readonly Lock _waitersGate = new();
    private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];

    /// <summary>
    /// Completes once <see cref="RequestCount"/> has reached <paramref name="count"/> (at once when it has): a drill waits for
    /// a client to get so far into its work, not for time to pass.
    /// </summary>
    public Task WhenRequestCountReaches(long count)
    {
        lock (_waitersGate)
        {
            if (RequestCount >= count) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Counts one tracker request and releases the waiters it satisfies.</summary>
    internal void Served()
    {
        lock (_waitersGate)
        {
            var n = Interlocked.Increment(ref _requests);
            for (var i = _waiters.Count - 1; i >= 0; i--)
                if (_waiters[i].Count <= n)
                {
                    _waiters[i].Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
        }
    }

    /// <summary>Moves simulated time forward, as <c>POST /_sim/advance?days=N</c> does.</summary>
    public void Advance(int days = 14) => AdvanceBy(TimeSpan.FromDays(days));

    /// <summary>Moves simulated time forward by whole hours (at least one), as <c>POST /_sim/advance?hours=N</c> does.</summary>
    public void AdvanceBy(TimeSpan span) => AdvanceAsync(span).GetAwaiter().GetResult();

    /// <summary>As <see cref="AdvanceBy"/>; with <see cref="SimulatorOptions.Hooks"/>, then sends a webhook delivery per changed item.</summary>
    public async Task AdvanceAsync(TimeSpan span, CancellationToken ct = default)
    {
        List<(string, byte[], Dictionary<string, string>)>? deliveries = null;
        Organisation.Lock.EnterWriteLock();
        try
        {
            var mark = Hooks is { Enabled: true } ? Organisation.Mark() : default;
            Organisation.AdvanceBy((long)span.TotalMilliseconds);
            if (Hooks is { Enabled: true } hooks) deliveries = hooks.Build(Organisation.ChangesSince(mark));
        }
        finally { Organisation.Lock.ExitWriteLock(); }
        if (deliveries is not null) await Hooks!.SendAsync(deliveries, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves an open item to the sprint <paramref name="sprintsLater"/> after its open one, now (as <c>POST /_sim/move?key=&amp;sprints=</c>),
    /// and sends its webhook delivery when hooks are configured. False when the item is unknown, done, or in no open sprint.
    /// </summary>
    public async Task<bool> MoveToLaterSprintAsync(string key, int sprintsLater, CancellationToken ct = default)
    {
        List<(string, byte[], Dictionary<string, string>)>? deliveries = null;
        Organisation.Lock.EnterWriteLock();
        try
        {
            if (Organisation.MoveToLaterSprint(key, sprintsLater) is not { } change) return false;
            if (Hooks is { Enabled: true } hooks) deliveries = hooks.Build([change]);
        }
        finally { Organisation.Lock.ExitWriteLock(); }
        if (deliveries is not null) await Hooks!.SendAsync(deliveries, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>The webhook sender (null without <see cref="SimulatorOptions.Hooks"/>).</summary>
    internal HookSender? Hooks { get; set; }

    /// <summary>Webhook deliveries sent, duplicated, reordered, dropped and refused so far.</summary>
    public (int Sent, int Duplicated, int Reordered, int Dropped, int Refused) HookCounts =>
        Hooks is { } h ? (h.Sent, h.Duplicated, h.Reordered, h.Dropped, h.Refused) : default;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

public static class SimulatorServer
{
    /// <summary>Generates the organisation and starts Kestrel on 127.0.0.1:<paramref name="port"/> (0 = any free port).</summary>
    public static async Task<RunningSimulator> StartAsync(SimulatorOptions options, int port = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var org = await Task.Run(() => SimulatedOrganisation.Generate(options), ct).ConfigureAwait(false);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatorServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        // Embedded in another process (the demo, tests, the simulate verb): that process owns Ctrl+C and SIGTERM.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var ctx = new SimContext(org, options);
        RequestLog.Use(app, ctx);
        app.Use((http, next) => ctx.Gate(http, next));
        JiraApi.Map(app, ctx);
        AdoApi.Map(app, ctx);
        MapSim(app, ctx);
        MapHooks(app, ctx);
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var sim = new RunningSimulator(app, org, address);
        ctx.Sim = sim;
        if (options.Hooks is { } hooks) sim.Hooks = new HookSender(org, hooks, () => sim.JiraBaseUrl);
        try
        {
            await PrepareAsync(ctx, ct).ConfigureAwait(false);
        }
        catch
        {
            await sim.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        ctx.MarkReady();
        return sim;
    }

    /// <summary>
    /// Before the first client: renders every item's fragments (they carry the base URLs, known once Kestrel listens),
    /// and for a large organisation warms the serving code up (<see cref="WarmUp"/>), then settles the heap.
    /// </summary>
    private static async Task PrepareAsync(SimContext ctx, CancellationToken ct)
    {
        await Task.Run(ctx.Fragments.RenderAll, ct).ConfigureAwait(false);
        if (!(ctx.Options.WarmUp ?? ctx.Options.Items >= WarmUp.DefaultFromItems)) return;
        // The fragments are long-lived: move them to the oldest generation now rather than during the first sync, and
        // give back what rendering them (and then the warm-up's garbage) grew the heap to.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ctx.WarmedUp = await WarmUp.ServeAsync(ctx, ct).ConfigureAwait(false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static void MapSim(WebApplication app, SimContext ctx)
    {
        app.MapGet("/_sim/truth", (HttpContext http) => ctx.Json(http, 200, w => ctx.Org.WriteTruth(w)));
        app.MapGet("/_sim/config", (HttpContext http) => ctx.Json(http, 200, w => ctx.Org.WriteConfig(w, ctx.Sim!.JiraBaseUrl, ctx.Sim.AdoBaseUrl)));
        app.MapGet("/_sim/stats", (HttpContext http) => ctx.Json(http, 200, w => WriteStats(w, ctx)));
        app.MapPost("/_sim/advance", async (HttpContext http) =>
        {
            // ?hours=N (a small step, e.g. the benchmark's 1 % of items changed) wins over ?days=N (default 14).
            var span = int.TryParse(http.Request.Query["hours"], out var h) && h > 0 ? TimeSpan.FromHours(h)
                : TimeSpan.FromDays(int.TryParse(http.Request.Query["days"], out var d) && d > 0 ? d : 14);
            await ctx.Sim!.AdvanceAsync(span, http.RequestAborted);
            await ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteString("now", SimulatedOrganisation.Iso(ctx.Org.NowMs));
                w.WriteNumber("items", ctx.Org.Items.Count);
                w.WriteEndObject();
            });
        });
    }

    /// <summary><c>POST /_sim/move?key=&amp;sprints=N</c> (an item postponed by N sprints, default 1) and <c>GET /_sim/hooks</c> (deliveries sent).</summary>
    private static void MapHooks(WebApplication app, SimContext ctx)
    {
        app.MapPost("/_sim/move", async (HttpContext http) =>
        {
            var key = http.Request.Query["key"].ToString();
            var sprints = int.TryParse(http.Request.Query["sprints"], out var n) && n > 0 ? n : 1;
            var moved = await ctx.Sim!.MoveToLaterSprintAsync(key, sprints, http.RequestAborted);
            await ctx.Json(http, moved ? 200 : 404, w =>
            {
                w.WriteStartObject();
                w.WriteString("key", key);
                w.WriteBoolean("moved", moved);
                w.WriteEndObject();
            });
        });
        app.MapGet("/_sim/hooks", (HttpContext http) => ctx.Json(http, 200, w =>
        {
            var (sent, duplicated, reordered, dropped, refused) = ctx.Sim!.HookCounts;
            w.WriteStartObject();
            w.WriteNumber("sent", sent); w.WriteNumber("duplicated", duplicated); w.WriteNumber("reordered", reordered);
            w.WriteNumber("dropped", dropped); w.WriteNumber("refused", refused);
            w.WriteEndObject();
        }));
    }

    /// <summary>The simulator's own cost, for a benchmark that runs it as a child process: CPU, memory, compiling, requests, fragments.</summary>
    private static void WriteStats(Utf8JsonWriter w, SimContext ctx)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var (items, bytes) = ctx.Fragments.Size();
        w.WriteStartObject();
        w.WriteNumber("cpuSeconds", Math.Round(self.TotalProcessorTime.TotalSeconds, 3));
        w.WriteNumber("workingSetBytes", self.WorkingSet64);
        w.WriteNumber("peakWorkingSetBytes", self.PeakWorkingSet64);
        w.WriteNumber("managedHeapBytes", GC.GetTotalMemory(forceFullCollection: false));
        w.WriteNumber("gcPauseSeconds", Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 3));
        w.WriteNumber("jitSeconds", Math.Round(System.Runtime.JitInfo.GetCompilationTime().TotalSeconds, 3));
        w.WriteNumber("requests", ctx.Sim!.RequestCount);
        w.WriteNumber("renderedItems", items);
        w.WriteNumber("renderedBytes", bytes);
        if (ctx.WarmedUp is { } warm)
        {
            w.WriteStartObject("warmUp");
            w.WriteNumber("rounds", warm.Rounds);
            w.WriteNumber("seconds", warm.Seconds);
            w.WriteNumber("refused", warm.Refused);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}

/// <summary>A host lifetime that leaves process signals to the process that embeds the simulator.</summary>
internal sealed class EmbeddedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
