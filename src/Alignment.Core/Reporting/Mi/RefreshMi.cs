using System.Text.Json;
using Alignment.Core.Configuration;
using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Core.Reporting.Mi;

/// <summary>
/// Recomputes the MI (DESIGN §8) and stores it in <c>analysis.mi_snapshots</c>, so that the MI endpoints read one row.
/// Send it after every sync and analysis run; the endpoints also refresh a missing snapshot, or one older than the last
/// finished sync or analysis run, on first read.
/// </summary>
public sealed record RefreshMiCommand : ICommand<MiRefreshed>;

public sealed record MiRefreshed(DateTimeOffset ComputedAt, int Teams, int Epics, int DependencyEdges);

internal sealed class RefreshMiHandler(NpgsqlDataSource db, TimeProvider time, IOptions<AlignmentOptions> options,
    IEnumerable<IEpicForecastSource> forecasts) : ICommandHandler<RefreshMiCommand, MiRefreshed>
{
    public async ValueTask<MiRefreshed> Handle(RefreshMiCommand command, CancellationToken ct)
    {
        var s = await new MiSnapshots(db, time, options, forecasts).RefreshAsync(ct);
        return new MiRefreshed(s.Overview.ComputedAt, s.Teams.Teams.Count, s.Epics.Epics.Count, s.Dependencies.Edges.Count);
    }
}

/// <summary>Reads and writes <c>analysis.mi_snapshots</c>; public so that a job or the benchmark can refresh without the mediator.</summary>
public sealed class MiSnapshots(NpgsqlDataSource db, TimeProvider time, IOptions<AlignmentOptions> options, IEnumerable<IEpicForecastSource> forecasts)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly SemaphoreSlim Refreshing = new(1, 1);

    /// <summary>
    /// How long a process keeps a document it read before asking the database again (per data source and kind). Bounds how
    /// long another process's refresh takes to show; a refresh in this process shows at once.
    /// </summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NpgsqlDataSource,
        System.Collections.Concurrent.ConcurrentDictionary<string, (long At, object Doc)>> Caches = new();
    private System.Collections.Concurrent.ConcurrentDictionary<string, (long At, object Doc)> Cache => Caches.GetOrCreateValue(db);

    public const string Overview = "overview", Teams = "teams", Epics = "epics", Dependencies = "dependencies";

    /// <summary>Computes every MI document now and replaces the stored ones in one transaction.</summary>
    public async Task<MiSnapshot> RefreshAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var snapshot = await MiBuilder.ComputeAsync(conn, time.GetUtcNow(), MiWindows.Of(options.Value.Analysis), forecasts, ct,
            Freshness.SyncSourceScope.From(options.Value));
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var (kind, body) in new (string, object)[]
                 { (Overview, snapshot.Overview), (Teams, snapshot.Teams), (Epics, snapshot.Epics), (Dependencies, snapshot.Dependencies) })
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO analysis.mi_snapshots (kind, computed_at, body) VALUES (@kind, @at, @body::jsonb)
                ON CONFLICT (kind) DO UPDATE SET computed_at = EXCLUDED.computed_at, body = EXCLUDED.body
                """, new { kind, at = snapshot.Overview.ComputedAt.UtcDateTime, body = JsonSerializer.Serialize(body, body.GetType(), Json) },
                tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        var at = System.Diagnostics.Stopwatch.GetTimestamp();
        Cache[Overview] = (at, snapshot.Overview);
        Cache[Teams] = (at, snapshot.Teams);
        Cache[Epics] = (at, snapshot.Epics);
        Cache[Dependencies] = (at, snapshot.Dependencies);
        return snapshot;
    }

    /// <summary>
    /// The stored document of <paramref name="kind"/>; when there is none, or it is older than the last finished sync,
    /// it is recomputed first (one refresh at a time per process; concurrent readers wait for it).
    /// </summary>
    public async Task<T> GetAsync<T>(string kind, CancellationToken ct) where T : class
    {
        if (Cache.TryGetValue(kind, out var hit) && hit.Doc is T cached
            && System.Diagnostics.Stopwatch.GetElapsedTime(hit.At) < CacheFor) return cached;
        if (await ReadAsync<T>(kind, ct) is { } fresh)
        {
            Cache[kind] = (System.Diagnostics.Stopwatch.GetTimestamp(), fresh);
            return fresh;
        }
        await Refreshing.WaitAsync(ct);
        try
        {
            if (await ReadAsync<T>(kind, ct) is { } refreshed) return refreshed;
            var s = await RefreshAsync(ct);
            return (T)(object)(kind switch
            {
                Overview => s.Overview, Teams => s.Teams, Epics => s.Epics, Dependencies => s.Dependencies,
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            });
        }
        finally { Refreshing.Release(); }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<NpgsqlDataSource,
        System.Runtime.CompilerServices.StrongBox<FreshnessEntry?>> FreshnessCaches = new();
    private sealed record FreshnessEntry(long At, IReadOnlyList<Freshness.SourceFreshness> Sources, DateTimeOffset Now);

    /// <summary>
    /// Data freshness now (<see cref="Freshness.SyncFreshness.Assess"/>), not from the stored snapshot: it moves with the clock, and a failed
    /// sync does not refresh the snapshot. Kept for <see cref="CacheFor"/> on this host's clock, so an MI burst costs one query a second.
    /// </summary>
    public async Task<(IReadOnlyList<Freshness.SourceFreshness> Sources, DateTimeOffset Now)> FreshnessAsync(CancellationToken ct)
    {
        var box = FreshnessCaches.GetOrCreateValue(db);
        if (box.Value is { } hit && time.GetElapsedTime(hit.At) is var age && age < CacheFor && age >= TimeSpan.Zero) return (hit.Sources, hit.Now);
        Freshness.SyncStateData data;
        await using (var conn = await db.OpenConnectionAsync(ct))
            data = await Freshness.SyncStateReader.LoadAsync(conn, ct);
        var now = time.GetUtcNow();
        var sources = Freshness.SyncFreshness.Assess(Freshness.SyncSourceScope.From(options.Value), data, now);
        box.Value = new FreshnessEntry(time.GetTimestamp(), sources, now);
        return (sources, now);
    }

    private async Task<T?> ReadAsync<T>(string kind, CancellationToken ct) where T : class
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(string Body, bool Stale)>(new CommandDefinition("""
            SELECT m.body::text, m.computed_at < greatest(
                       coalesce((SELECT max(r.finished_at) FROM ops.sync_runs r WHERE r.status = 'succeeded'), '-infinity'),
                       coalesce((SELECT max(a.finished_at) FROM analysis.runs a), '-infinity'))
            FROM analysis.mi_snapshots m WHERE m.kind = @kind
            """, new { kind }, cancellationToken: ct));
        if (row.Body is null || row.Stale) return null;
        return JsonSerializer.Deserialize<T>(row.Body, Json);
    }
}
