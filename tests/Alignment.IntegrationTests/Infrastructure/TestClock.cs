using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that sees the code under test start waiting on it. Every timer created with a finite due
/// time (a Polly back-off or Retry-After delay, a source budget's rate-limit wait, a deadline) is recorded, so a test advances
/// the clock exactly when the product waits, instead of sleeping through the wait; nothing here waits for time to pass.
/// </summary>
public sealed class TestClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset Due, TimeSpan Length)> _timers = [];
    private TaskCompletionSource _created = NewSignal();

    public TestClock() : this(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero)) { }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            TaskCompletionSource created;
            lock (_gate)
            {
                _timers.Add((GetUtcNow() + dueTime, dueTime));
                created = _created;
                _created = NewSignal();
            }
            created.TrySetResult();
        }
        return timer;
    }

    /// <summary>
    /// Runs <paramref name="work"/> to its end on this clock: whenever it waits on a timer of at most <paramref name="longest"/>
    /// (a back-off, a Retry-After or rate-limit wait; longer timers are deadlines, left alone), the clock jumps to that timer's
    /// due time. Returns the jumps, in order. Returns as soon as the work ends; <paramref name="bound"/> (real time, default 30 s)
    /// only catches work that neither ends nor waits. Keep <paramref name="longest"/> below the work's deadlines (attempt and
    /// request time-outs are timers too): a jump to one would time out an attempt that is only waiting for its answer. Polly's
    /// jittered back-offs from the 200 ms base stay under 0.6 s for the first two retries, a 1 s Retry-After is 1 s.
    /// </summary>
    public async Task<IReadOnlyList<TimeSpan>> AdvanceThroughWaitsAsync(Task work, TimeSpan longest, TimeSpan? bound = null)
    {
        var jumps = new List<TimeSpan>();
        var limit = bound ?? TimeSpan.FromSeconds(30);
        using var stop = new CancellationTokenSource(limit);
        while (!work.IsCompleted)
        {
            DateTimeOffset? next;
            Task created;
            lock (_gate)
            {
                var now = GetUtcNow();
                next = _timers.Where(t => t.Length <= longest && t.Due > now).Select(t => (DateTimeOffset?)t.Due).Min();
                created = _created.Task;
            }
            if (next is { } due)
            {
                var jump = due - GetUtcNow();
                jumps.Add(jump);
                Advance(jump);
                continue;
            }
            try { await Task.WhenAny(work, created).WaitAsync(stop.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"the work neither ended nor waited on the test clock within {limit.TotalSeconds:0} s"); }
        }
        return jumps;
    }
}
