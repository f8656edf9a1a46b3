using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Shared state for the endpoints: auth, faults, JSON writing under the read lock.</summary>
internal sealed class SimContext(SimulatedOrganisation org, SimulatorOptions options)
{
    private readonly Random _faultRng = new(options.Seed ^ 0x5eed);
    private readonly FaultKinds[] _kinds = Enum.GetValues<FaultKinds>()
        .Where(k => k is not FaultKinds.None and not FaultKinds.All && BitOperations.PopCount((uint)k) == 1 && options.FaultKinds.HasFlag(k)).ToArray();
    private readonly string _jiraAuth = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.JiraUser}:{options.JiraToken}"));

    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FragmentCache? _fragments;

    public SimulatedOrganisation Org { get; } = org;
    public SimulatorOptions Options { get; } = options;
    public RunningSimulator? Sim { get; set; }

    /// <summary>The items' pre-rendered JSON (<see cref="FragmentCache"/>).</summary>
    public FragmentCache Fragments => LazyInitializer.EnsureInitialized(ref _fragments, () => new FragmentCache(this));

    /// <summary>Marks the simulator's own warm-up requests (<see cref="WarmUp"/>) until it is ready: not counted, never faulted.</summary>
    internal const string WarmUpHeader = "X-Sim-Warm-Up";
    internal string WarmUpToken { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The warm-up's report once it ran (<see cref="WarmUp"/>).</summary>
    internal WarmUp.Report? WarmedUp { get; set; }

    /// <summary>Until now requests wait (but the warm-up's): the base URLs were not known, the fragments not rendered.</summary>
    public void MarkReady() => _ready.TrySetResult();

    public string JiraBase => Sim!.JiraBaseUrl;
    public string AdoBase => Sim!.AdoBaseUrl;

    private const string TruncateKey = "sim.truncate";

    /// <summary>Like the real services: '+' in "+0000" and '<' in "Name &lt;email&gt;" are not escaped.</summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task Gate(HttpContext http, RequestDelegate next)
    {
        bool warmingUp = !_ready.Task.IsCompleted && http.Request.Headers[WarmUpHeader] == WarmUpToken;
        if (!warmingUp && !_ready.Task.IsCompleted) await _ready.Task.WaitAsync(http.RequestAborted).ConfigureAwait(false);
        var path = http.Request.Path;
        bool jira = path.StartsWithSegments("/jira"), ado = path.StartsWithSegments("/ado");
        if (!jira && !ado)
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        if (!warmingUp)
        {
            Sim!.Served();
            if (await InjectFault(http, ado).ConfigureAwait(false)) return;
        }
        if (!await Authorised(http, jira).ConfigureAwait(false)) return;
        await next(http).ConfigureAwait(false);
    }

    /// <summary>Draws a fault at the configured rate; true when the fault has answered the request, false when it goes on (truncated or slow).</summary>
    private async Task<bool> InjectFault(HttpContext http, bool ado)
    {
        if (!(Options.FaultRate > 0 && _kinds.Length > 0)) return false;
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
                return false;
            case FaultKinds.Slow:
                await Task.Delay(2000, http.RequestAborted).ConfigureAwait(false);
                return false;
        }
        return false;
    }

    /// <summary>Checks the credentials and, for Azure DevOps, the api-version; false when the request was refused.</summary>
    private async Task<bool> Authorised(HttpContext http, bool jira)
    {
        var auth = http.Request.Headers.Authorization.ToString();
        if (jira)
        {
            if (string.Equals(auth, _jiraAuth, StringComparison.Ordinal)) return true;
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"protected-area\"";
            await JiraError(http, 401, "You are not authenticated. Authentication required to perform this operation.").ConfigureAwait(false);
            return false;
        }
        if (!AdoAuthorised(auth))
        {
            http.Response.StatusCode = 401;
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"https://dev.azure.com/\"";
            await http.Response.WriteAsync("Access Denied: The Personal Access Token used has expired or is invalid.").ConfigureAwait(false);
            return false;
        }
        var v = http.Request.Query["api-version"].ToString();
        if (!v.StartsWith("7.1", StringComparison.Ordinal))
        {
            await AdoError(http, 400, string.IsNullOrEmpty(v)
                ? "No api-version was supplied for the \"" + http.Request.Method + "\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. \"?api-version=1.0\")."
                : $"The requested REST API version of {v} is not supported by the simulator; use 7.1.", "VssVersionOutOfRangeException").ConfigureAwait(false);
            return false;
        }
        return true;
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
    public async Task Json(HttpContext http, int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new PooledBuffer();
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
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
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
