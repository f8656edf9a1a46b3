using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// The MI documents (docs/figures.md, "Management information"): computed by the pipeline after every analysis
/// (<see cref="RefreshAsync"/>) and stored in <c>analysis.mi_snapshots</c>, one row per kind, so that an MI read is one row.
/// One singleton per process: reads are kept for <see cref="CacheFor"/> on the host's <see cref="TimeProvider"/>, which bounds
/// how long another process's refresh takes to show (a refresh in this process shows at once).
/// </summary>
public sealed partial class MiSnapshots : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    public const string Overview = "overview", Teams = "teams", Epics = "epics", Dependencies = "dependencies";
    /// <summary>The value document (<see cref="MiValue"/>): written by each analysis, in its transaction (it comes from the analysis's snapshot).</summary>
    public const string ValueKind = "value";
    private const string FreshnessKey = "freshness";

    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;
    private readonly IOptions<AlignmentOptions> _options;
    private readonly MemoryCache _cache;
    private readonly SemaphoreSlim _computing = new(1, 1);
    private readonly ILogger _logger;

    public MiSnapshots(NpgsqlDataSource db, TimeProvider time, IOptions<AlignmentOptions> options, ILogger<MiSnapshots>? logger = null)
    {
        (_db, _time, _options) = (db, time, options);
        _logger = logger ?? NullLogger<MiSnapshots>.Instance;
        _cache = new MemoryCache(new MemoryCacheOptions { Clock = new TimeProviderClock(time) });
    }

    /// <summary>The phases of this process's last <see cref="RefreshAsync"/> in milliseconds ("load=… build=… store=…"), for the benchmark.</summary>
    public string LastRefreshPhases { get; private set; } = "";

    /// <summary>
    /// Computes every MI document now and replaces the stored ones in one transaction; with <paramref name="fromAnalysis"/> (the rows of the
    /// analysis that just committed, <see cref="MiBuilder.FromAnalysis"/>) the large rows are not read again.
    /// </summary>
    public async Task<MiSnapshot> RefreshAsync(CancellationToken ct, MiBuilder.AnalysisRows? fromAnalysis = null)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await using var conn = await _db.OpenConnectionAsync(ct);
        var o = _options.Value;
        var input = await MiBuilder.LoadAsync(conn, ct, fromAnalysis);
        input.SyncSources = SyncSourceScope.From(o);
        var loadMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var snapshot = MiBuilder.Build(input, _time.GetUtcNow(), MiWindows.Of(o.Analysis));
        var buildMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (kind, body) in Documents(snapshot))
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO analysis.mi_snapshots (kind, computed_at, body) VALUES (@kind, @at, @body::json)
                ON CONFLICT (kind) DO UPDATE SET computed_at = EXCLUDED.computed_at, body = EXCLUDED.body
                """, new { kind, at = snapshot.Overview.ComputedAt.UtcDateTime, body = JsonSerializer.Serialize(body, body.GetType(), Json) },
                tx, cancellationToken: ct));
        }
        var storeMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var history = await MiHistoryStore.RecordAsync(conn, tx, input, snapshot, MiWindows.Of(o.Analysis), o.Mi.HistoryRetentionDays, ct,
            !o.HasPlanningIntervals ? null : await ReadAsync<MiIntervals>(IntervalsKind, ct));
        await tx.CommitAsync(ct);
        var historyMs = sw.Elapsed.TotalMilliseconds;
        LastRefreshPhases = FormattableString.Invariant($"load={loadMs:0} build={buildMs:0} store={storeMs:0} history={historyMs:0}");
        _logger.LogInformation("MI refreshed: load={LoadMs:0} build={BuildMs:0} store={StoreMs:0} history={HistoryMs:0} ms ({Observed} points, {Backfilled} back-filled, {Pruned} pruned)",
            loadMs, buildMs, storeMs, historyMs, history.Observed, history.Backfilled, history.Pruned);
        foreach (var (kind, body) in Documents(snapshot)) _cache.Set(kind, body, CacheFor);
        return snapshot;
    }

    private static (string Kind, object Body)[] Documents(MiSnapshot s) =>
        [(Overview, s.Overview), (Teams, s.Teams), (Epics, s.Epics), (Dependencies, s.Dependencies)];

    /// <summary>
    /// The stored document of <paramref name="kind"/>. Only on a store that has none yet (no analysis has run) is it computed
    /// here, once per process at a time; otherwise the pipeline keeps it current.
    /// </summary>
    public async Task<T> GetAsync<T>(string kind, CancellationToken ct) where T : class
    {
        if (_cache.TryGetValue(kind, out T? cached) && cached is not null) return cached;
        if (await ReadAsync<T>(kind, ct) is { } stored) return _cache.Set(kind, stored, CacheFor);
        await _computing.WaitAsync(ct);
        try
        {
            if (await ReadAsync<T>(kind, ct) is { } computed) return computed;
            var s = await RefreshAsync(ct);
            return (T)Documents(s).Single(d => d.Kind == kind).Body;
        }
        finally { _computing.Release(); }
    }

    /// <summary>
    /// Data freshness now (<see cref="SyncFreshness.Assess"/>), not from the stored snapshot: it moves with the clock, and a failed
    /// sync does not refresh the snapshot. Kept for <see cref="CacheFor"/>, so an MI burst costs one query a second.
    /// </summary>
    public async Task<(IReadOnlyList<SourceFreshness> Sources, DateTimeOffset Now)> FreshnessAsync(CancellationToken ct)
    {
        if (_cache.TryGetValue(FreshnessKey, out FreshnessEntry? hit) && hit is not null) return (hit.Sources, hit.Now);
        SyncStateData data;
        await using (var conn = await _db.OpenConnectionAsync(ct))
            data = await SyncStateReader.LoadAsync(conn, ct);
        var now = _time.GetUtcNow();
        var fresh = _cache.Set(FreshnessKey, new FreshnessEntry(SyncFreshness.Assess(SyncSourceScope.From(_options.Value), data, now), now), CacheFor);
        return (fresh.Sources, fresh.Now);
    }

    /// <summary>Stores the value document of an analysis in the analysis's transaction.</summary>
    public static Task WriteValueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, MiValue value, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.mi_snapshots (kind, computed_at, body) VALUES (@kind, @at, @body::json)
            ON CONFLICT (kind) DO UPDATE SET computed_at = EXCLUDED.computed_at, body = EXCLUDED.body
            """, new { kind = ValueKind, at = value.ComputedAt.UtcDateTime, body = JsonSerializer.Serialize(value, Json) }, tx, cancellationToken: ct));

    /// <summary>The stored value document; before the first analysis an empty one that says so.</summary>
    public async Task<MiValue> GetValueAsync(CancellationToken ct)
    {
        if (_cache.TryGetValue(ValueKind, out MiValue? cached) && cached is not null) return cached;
        var stored = await ReadAsync<MiValue>(ValueKind, ct);
        return stored is null
            ? new MiValue(_time.GetUtcNow(), MiValue.WsjfDefinition, [], "no analysis has run yet")
            : _cache.Set(ValueKind, stored, CacheFor);
    }

    private sealed record FreshnessEntry(IReadOnlyList<SourceFreshness> Sources, DateTimeOffset Now);

    private async Task<T?> ReadAsync<T>(string kind, CancellationToken ct) where T : class
    {
        await using var conn = await _db.OpenConnectionAsync(ct);
        var body = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT body::text FROM analysis.mi_snapshots WHERE kind = @kind", new { kind }, cancellationToken: ct));
        return body is null ? null : JsonSerializer.Deserialize<T>(body, Json);
    }

    public void Dispose()
    {
        _cache.Dispose();
        _computing.Dispose();
    }

    /// <summary>The cache's expiry follows the host's clock (a fake one in tests).</summary>
    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
