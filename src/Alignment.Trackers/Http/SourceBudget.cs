using System.Collections.Concurrent;
using System.Globalization;

namespace Alignment.Trackers.Http;

/// <summary>
/// One request budget per source, shared by every job in the process: a concurrency limit, an optional
/// request rate bound, a slow-down learnt from rate-limit headers, and counters for the sync run report. Every wait is on
/// its <see cref="TimeProvider"/> (the host's), so a test can advance a fake clock instead of sleeping.
/// </summary>
public sealed class SourceBudget
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _minInterval;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private DateTimeOffset _nextAllowed = DateTimeOffset.MinValue;
    private long _requests, _attempts, _rateLimitWaits;

    public SourceBudget(string sourceId, int maxConcurrency, double maxRequestsPerSecond, TimeProvider? time = null)
    {
        SourceId = sourceId;
        _time = time ?? TimeProvider.System;
        _slots = new SemaphoreSlim(Math.Max(1, maxConcurrency));
        _minInterval = maxRequestsPerSecond > 0 ? TimeSpan.FromSeconds(1 / maxRequestsPerSecond) : TimeSpan.Zero;
    }

    public string SourceId { get; }
    /// <summary>Logical requests (one per call the client made).</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>HTTP attempts, retries included.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);
    public long Retries => Math.Max(0, Attempts - Requests);
    public long RateLimitWaits => Interlocked.Read(ref _rateLimitWaits);

    public BudgetSnapshot Snapshot() => new(Requests, Retries, RateLimitWaits);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal async Task<IDisposable> AcquireAsync(CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                var at = _nextAllowed > now ? _nextAllowed : now;
                _nextAllowed = at + _minInterval;
                wait = at - now;
            }
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _attempts);
            return new Release(_slots);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Reads the rate-limit headers of Jira and Azure DevOps and pushes the next request back when asked to.</summary>
    internal void Observe(HttpResponseMessage response)
    {
        TimeSpan delay = TimeSpan.Zero;
        var h = response.Headers;
        if (Header(h, "X-RateLimit-Delay") is { } d && double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var secs) && secs > 0)
            delay = TimeSpan.FromSeconds(Math.Min(secs, 30));
        if (Header(h, "X-RateLimit-NearLimit") is { } near && near.Equals("true", StringComparison.OrdinalIgnoreCase))
            delay = Max(delay, TimeSpan.FromMilliseconds(250));
        if (Header(h, "X-RateLimit-Remaining") is { } rem && long.TryParse(rem, out var remaining) && remaining <= 0
            && (int)response.StatusCode < 400)
            delay = Max(delay, TimeSpan.FromSeconds(1));
        if ((int)response.StatusCode is 429 or 503 && h.RetryAfter is { } ra)
        {
            var ask = ra.Delta ?? (ra.Date is { } date ? date - _time.GetUtcNow() : TimeSpan.Zero);
            delay = Max(delay, ask);
        }
        if (delay <= TimeSpan.Zero) return;
        Interlocked.Increment(ref _rateLimitWaits);
        lock (_gate)
        {
            var until = _time.GetUtcNow() + delay;
            if (until > _nextAllowed) _nextAllowed = until;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string? Header(System.Net.Http.Headers.HttpResponseHeaders h, string name) =>
        h.TryGetValues(name, out var v) ? v.FirstOrDefault() : null;

    private sealed class Release(SemaphoreSlim s) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) s.Release(); }
    }
}

public readonly record struct BudgetSnapshot(long Requests, long Retries, long RateLimitWaits)
{
    public static BudgetSnapshot operator -(BudgetSnapshot a, BudgetSnapshot b) =>
        new(a.Requests - b.Requests, a.Retries - b.Retries, a.RateLimitWaits - b.RateLimitWaits);
}

/// <summary>The process-wide registry of budgets, one per source id, all waiting on <paramref name="time"/> (the host's clock).</summary>
public sealed class SourceBudgets(TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, SourceBudget> _budgets = new();

    public SourceBudget Get(string sourceId, int maxConcurrency = 4, double maxRequestsPerSecond = 0) =>
        _budgets.GetOrAdd(sourceId, id => new SourceBudget(id, maxConcurrency, maxRequestsPerSecond, time));
}

/// <summary>Innermost handler: every attempt (retries included) takes a slot of the source's budget.</summary>
public sealed class SourceBudgetHandler(SourceBudget budget) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var slot = await budget.AcquireAsync(ct).ConfigureAwait(false);
        var response = await base.SendAsync(request, ct).ConfigureAwait(false);
        budget.Observe(response);
        return response;
    }
}
