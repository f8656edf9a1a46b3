using System.Buffers;
using System.Net;
using System.Numerics;
using System.Text;
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
    public void Advance(int days = 14)
    {
        Organisation.Lock.EnterWriteLock();
        try { Organisation.Advance(days); }
        finally { Organisation.Lock.ExitWriteLock(); }
    }

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
        app.Use((http, next) => ctx.Gate(http, next));
        JiraApi.Map(app, ctx);
        AdoApi.Map(app, ctx);
        MapSim(app, ctx);
        await app.StartAsync(ct).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        var sim = new RunningSimulator(app, org, address);
        ctx.Sim = sim;
        return sim;
    }

    private static void MapSim(WebApplication app, SimContext ctx)
    {
        app.MapGet("/_sim/truth", (HttpContext http) => ctx.Json(http, 200, w => ctx.Org.WriteTruth(w)));
        app.MapGet("/_sim/config", (HttpContext http) => ctx.Json(http, 200, w => ctx.Org.WriteConfig(w, ctx.Sim!.JiraBaseUrl, ctx.Sim.AdoBaseUrl)));
        app.MapPost("/_sim/advance", (HttpContext http) =>
        {
            int days = int.TryParse(http.Request.Query["days"], out var d) && d > 0 ? d : 14;
            ctx.Sim!.Advance(days);
            return ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteString("now", SimulatedOrganisation.Iso(ctx.Org.NowMs));
                w.WriteNumber("items", ctx.Org.Items.Count);
                w.WriteEndObject();
            });
        });
    }
}

/// <summary>A host lifetime that leaves process signals to the process that embeds the simulator.</summary>
internal sealed class EmbeddedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Shared state for the endpoints: auth, faults, JSON writing under the read lock.</summary>
internal sealed class SimContext(SimulatedOrganisation org, SimulatorOptions options)
{
    private readonly Random _faultRng = new(options.Seed ^ 0x5eed);
    private readonly FaultKinds[] _kinds = Enum.GetValues<FaultKinds>()
        .Where(k => k is not FaultKinds.None and not FaultKinds.All && BitOperations.PopCount((uint)k) == 1 && options.FaultKinds.HasFlag(k)).ToArray();
    private readonly string _jiraAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.JiraUser}:{options.JiraToken}"));

    public SimulatedOrganisation Org { get; } = org;
    public SimulatorOptions Options { get; } = options;
    public RunningSimulator? Sim { get; set; }
    public string JiraBase => Sim!.JiraBaseUrl;
    public string AdoBase => Sim!.AdoBaseUrl;

    private const string TruncateKey = "sim.truncate";

    /// <summary>Like the real services: '+' in "+0000" and '<' in "Name &lt;email&gt;" are not escaped.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task Gate(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path;
        bool jira = path.StartsWithSegments("/jira"), ado = path.StartsWithSegments("/ado");
        if (!jira && !ado)
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        Sim!.Served();
        if (await InjectFaultAsync(http, ado).ConfigureAwait(false)) return;
        var auth = http.Request.Headers.Authorization.ToString();
        if (jira)
        {
            if (!string.Equals(auth, _jiraAuth, StringComparison.Ordinal))
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"protected-area\"";
                await JiraError(http, 401, "You are not authenticated. Authentication required to perform this operation.").ConfigureAwait(false);
                return;
            }
        }
        else
        {
            if (!AdoAuthorised(auth))
            {
                http.Response.StatusCode = 401;
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"https://dev.azure.com/\"";
                await http.Response.WriteAsync("Access Denied: The Personal Access Token used has expired or is invalid.").ConfigureAwait(false);
                return;
            }
            var v = http.Request.Query["api-version"].ToString();
            if (!v.StartsWith("7.1", StringComparison.Ordinal))
            {
                await AdoError(http, 400, string.IsNullOrEmpty(v)
                    ? "No api-version was supplied for the \"" + http.Request.Method + "\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\")."
                    : $"The requested REST API version of {v} is not supported by the simulator; use 7.1.", "VssVersionOutOfRangeException").ConfigureAwait(false);
                return;
            }
        }
        await next(http).ConfigureAwait(false);
    }

    /// <summary>At <see cref="SimulatorOptions.FaultRate"/>, one fault of the enabled kinds; true when the fault is the whole answer.</summary>
    private async Task<bool> InjectFaultAsync(HttpContext http, bool ado)
    {
        if (Options.FaultRate <= 0 || _kinds.Length == 0) return false;
        FaultKinds? fault = null;
        lock (_faultRng)
            if (_faultRng.NextDouble() < Options.FaultRate) fault = _kinds[_faultRng.Next(_kinds.Length)];
        switch (fault)
        {
            case FaultKinds.RateLimit:
                http.Response.Headers.RetryAfter = "1";
                if (ado)
                {
                    http.Response.Headers["X-RateLimit-Resource"] = "Core";
                    await AdoError(http, 429, "TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Core' in namespace 'User'.", "RequestBlockedException").ConfigureAwait(false);
                }
                else await JiraError(http, 429, "Rate limit exceeded.").ConfigureAwait(false);
                return true;
            case FaultKinds.ServerError:
                if (ado) await AdoError(http, 500, "TF246020: Simulated internal server error.", "SqlException").ConfigureAwait(false);
                else await JiraError(http, 500, "Internal server error").ConfigureAwait(false);
                return true;
            case FaultKinds.Unavailable:
                http.Response.Headers.RetryAfter = "1";
                http.Response.StatusCode = 503;
                http.Response.ContentType = "text/html";
                await http.Response.WriteAsync("<html><body>Service Unavailable</body></html>").ConfigureAwait(false);
                return true;
            case FaultKinds.Truncated:
                http.Items[TruncateKey] = true;
                break;
            case FaultKinds.Slow:
                await Task.Delay(2000, http.RequestAborted).ConfigureAwait(false);
                break;
        }
        return false;
    }

    private bool AdoAuthorised(string auth)
    {
        if (!auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
            int colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && decoded[(colon + 1)..] == Options.AdoPat;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Builds the JSON under the read lock, then writes it (cut in half when a truncation fault was drawn).</summary>
    public Task Json(HttpContext http, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        Org.Lock.EnterReadLock();
        try
        {
            using var w = new Utf8JsonWriter(buffer, WriterOptions);
            write(w);
        }
        finally { Org.Lock.ExitReadLock(); }
        var bytes = buffer.WrittenMemory;
        if (http.Items.ContainsKey(TruncateKey)) bytes = bytes[..(bytes.Length / 2)];
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.ContentLength = bytes.Length;
        return http.Response.Body.WriteAsync(bytes, http.RequestAborted).AsTask();
    }

    /// <summary>Runs a lookup under the read lock (advance mutates the model).</summary>
    public T Read<T>(Func<T> read)
    {
        Org.Lock.EnterReadLock();
        try { return read(); }
        finally { Org.Lock.ExitReadLock(); }
    }

    public Task JiraError(HttpContext http, int status, string message) => Json(http, status, w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("errorMessages");
        w.WriteStringValue(message);
        w.WriteEndArray();
        w.WriteStartObject("errors");
        w.WriteEndObject();
        w.WriteEndObject();
    });

    public Task AdoError(HttpContext http, int status, string message, string typeKey) => Json(http, status, w =>
    {
        w.WriteStartObject();
        w.WriteString("$id", "1");
        w.WriteNull("innerException");
        w.WriteString("message", message);
        w.WriteString("typeName", $"Microsoft.TeamFoundation.WorkItemTracking.Server.{typeKey}, Microsoft.TeamFoundation.WorkItemTracking.Server");
        w.WriteString("typeKey", typeKey);
        w.WriteNumber("errorCode", 0);
        w.WriteNumber("eventId", 3000);
        w.WriteEndObject();
    });

    public static async Task<JsonDocument?> ReadBody(HttpContext http)
    {
        try
        {
            return await JsonDocument.ParseAsync(http.Request.Body, default, http.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
