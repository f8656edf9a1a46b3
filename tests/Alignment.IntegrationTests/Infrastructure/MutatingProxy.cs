using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>One request as the proxy saw it: method, path and query, body. Its identity is all three.</summary>
public sealed record ProxiedRequest(string Method, string PathAndQuery, string Body)
{
    public string Identity => $"{Method} {PathAndQuery}\n{Body}";
}

/// <summary>A mutation armed for every answer to one request identity during a run (retries see the same damage).</summary>
public sealed class ArmedMutation(ProxiedRequest request, MutationKind kind, int seed)
{
    private int _applied;

    public ProxiedRequest Request { get; } = request;
    public MutationKind Kind { get; } = kind;
    public int Seed { get; } = seed;
    public int Applied => Volatile.Read(ref _applied);
    /// <summary>The answer before it was mutated, and what was done (set on the first application).</summary>
    public byte[]? CleanBody { get; private set; }
    public MutatedBody? Result { get; private set; }

    internal byte[] Mutate(byte[] clean)
    {
        lock (this)
        {
            if (Result is null)
            {
                CleanBody = clean;
                Result = JsonMutator.Apply(clean, Kind, Seed);
            }
            _applied++;
            return Result.Body;
        }
    }
}

/// <summary>
/// A loopback HTTP proxy in front of the simulator: forwards every request, records each distinct request,
/// and mutates the successful JSON answer of the requests that have an <see cref="ArmedMutation"/>.
/// </summary>
public sealed class MutatingProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;
    private ConcurrentDictionary<string, ArmedMutation> _armed = new();

    private MutatingProxy(WebApplication app, HttpClient http, string url)
    {
        _app = app;
        _http = http;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Every distinct request seen since the last <see cref="ClearSeen"/>.</summary>
    public ConcurrentDictionary<string, ProxiedRequest> Seen { get; } = new();

    public void ClearSeen() => Seen.Clear();

    /// <summary>A standing rewrite of successful answers, applied before any mutation (part of the clean run too).</summary>
    public Func<ProxiedRequest, byte[], byte[]>? Baseline { get; set; }

    public void Arm(IEnumerable<ArmedMutation> mutations) =>
        _armed = new ConcurrentDictionary<string, ArmedMutation>(mutations.ToDictionary(m => m.Request.Identity));

    public static async Task<MutatingProxy> StartAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, NoSignals>();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None, MaxConnectionsPerServer = 64 })
        {
            BaseAddress = new Uri(target), Timeout = TimeSpan.FromSeconds(60),
        };
        MutatingProxy? proxy = null;
        app.Run(ctx => proxy!.ForwardAsync(ctx));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        proxy = new MutatingProxy(app, http, url);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext ctx)
    {
        using var requestBody = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(requestBody, ctx.RequestAborted);
        var seen = new ProxiedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, Encoding.UTF8.GetString(requestBody.ToArray()));
        Seen.TryAdd(seen.Identity, seen);

        using var forward = new HttpRequestMessage(new HttpMethod(seen.Method), seen.PathAndQuery.TrimStart('/'));
        if (requestBody.Length > 0 || !HttpMethods.IsGet(seen.Method))
        {
            forward.Content = new ByteArrayContent(requestBody.ToArray());
            if (ctx.Request.ContentType is { } type) forward.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        }
        foreach (var h in new[] { "Authorization", "Accept" })
            if (ctx.Request.Headers.TryGetValue(h, out var v)) forward.Headers.TryAddWithoutValidation(h, v.ToArray());
        using var answer = await _http.SendAsync(forward, ctx.RequestAborted);
        var body = await answer.Content.ReadAsByteArrayAsync(ctx.RequestAborted);
        if (answer.IsSuccessStatusCode && Baseline is { } baseline) body = baseline(seen, body);
        if (answer.IsSuccessStatusCode && _armed.TryGetValue(seen.Identity, out var mutation)) body = mutation.Mutate(body);

        ctx.Response.StatusCode = (int)answer.StatusCode;
        if (answer.Content.Headers.ContentType is { } ct) ctx.Response.ContentType = ct.ToString();
        if (answer.Headers.RetryAfter is { } ra) ctx.Response.Headers.RetryAfter = ra.ToString();
        if (answer.Headers.WwwAuthenticate.Count > 0) ctx.Response.Headers.WWWAuthenticate = answer.Headers.WwwAuthenticate.ToString();
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    private sealed class NoSignals : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
