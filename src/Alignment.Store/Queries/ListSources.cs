using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;
using Alignment.Store.Hooks;

namespace Alignment.Store.Queries;

/// <summary>An open quarantined item: the item the sync could not convert, where in the payload, why, and how often it was re-read.</summary>
public sealed record QuarantinedItemDto(string? Key, string? ExternalId, string? JsonPath, string Error, string Request, int Attempts,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>The sync state of one team of a source (or of the source-wide part).</summary>
public sealed record TeamSyncDto(
    string Team, string? Name, string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, string? Error,
    int QuarantinedItems, bool Stale, string? Reason, long? LastRunId, IReadOnlyList<QuarantinedItemDto> Quarantined);

/// <summary>
/// A configured source: its schedule, the aggregates over its teams, and each team; with webhooks, the last delivery received and whether hooks
/// are healthy (a delivery within <c>Hooks:HealthyWindow</c>; null when the source has no webhooks configured), and <see cref="Hooks"/>.
/// </summary>
public sealed record SourceSyncDto(
    string Id, string Kind, string Cron, double? IntervalMinutes,
    string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, int QuarantinedItems, bool Stale,
    IReadOnlyList<TeamSyncDto> Teams, TeamSyncDto? SourceWide,
    DateTimeOffset? LastDelivery = null, bool? HooksHealthy = null, HookStatusDto? Hooks = null);

/// <summary>A source's webhooks (docs/webhooks.md): configured or not, deliveries received, processed, waiting and given up.</summary>
public sealed record HookStatusDto(bool Configured, DateTimeOffset? LastDelivery, DateTimeOffset? LastProcessed, int Pending, int Failed,
    double HealthyWindowMinutes, bool Healthy);

public sealed record SourcesDto(DateTimeOffset CheckedAt, string Definition, IReadOnlyList<SourceSyncDto> Sources);

/// <summary>Per configured source and team: last successful sync, last attempt, status, quarantined items and whether the data is stale.</summary>
public sealed record ListSourcesQuery : IQuery<SourcesDto>;

internal sealed class ListSourcesHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options, TimeProvider time)
    : IQueryHandler<ListSourcesQuery, SourcesDto>
{
    /// <summary>Quarantined items listed per source and team (the count is always complete).</summary>
    public const int QuarantineListed = 50;

    public async ValueTask<SourcesDto> Handle(ListSourcesQuery q, CancellationToken ct)
    {
        SyncStateData data;
        IReadOnlyList<QuarantinedItem> items;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            data = await SyncStateReader.LoadAsync(conn, ct);
            items = await SyncStateReader.QuarantinedAsync(conn, QuarantineListed, ct);
        }
        var now = time.GetUtcNow();
        var names = options.Value.Teams.ToDictionary(t => t.Id, t => t.Name);
        var byPart = items.ToLookup(i => (i.Source, i.Team));
        TeamSyncDto Dto(PartFreshness p) => new(p.Team, p.IsSourceWide ? null : names.GetValueOrDefault(p.Team), p.Status, p.LastSuccess,
            p.LastAttempt, p.Error, p.QuarantinedItems, p.Stale, p.Reason, p.RunId,
            byPart[(p.Source, p.Team)].Select(i => new QuarantinedItemDto(i.Key, i.ExternalId, i.JsonPath, i.Error, i.Request, i.Attempts,
                i.FirstSeen, i.LastSeen)).ToList());
        var hooks = (await new HookDeliveryStore(db).StateAsync(ct)).ToDictionary(h => h.SourceId, StringComparer.Ordinal);
        HookStatusDto? Hooks(string sourceId)
        {
            var configured = options.Value.Source(sourceId)?.Hooks;
            var state = hooks.GetValueOrDefault(sourceId);
            if (configured is null || (!configured.Enabled && state is null)) return null;
            var healthy = configured.Enabled && state?.LastDelivery is { } last && now - last <= configured.HealthyWindow;
            return new HookStatusDto(configured.Enabled, state?.LastDelivery, state?.LastProcessed, state?.Pending ?? 0, state?.Failed ?? 0,
                configured.HealthyWindow.TotalMinutes, healthy);
        }
        var sources = SyncFreshness.Assess(SyncSourceScope.From(options.Value), data, now).Select(s =>
        {
            var h = Hooks(s.Source);
            return new SourceSyncDto(s.Source, s.Kind, s.Cron, s.Interval?.TotalMinutes, s.Status, s.LastSuccess, s.LastAttempt,
                s.QuarantinedItems, s.Stale, s.Teams.Select(Dto).ToList(), s.SourceWide is null ? null : Dto(s.SourceWide),
                h?.LastDelivery, h is { Configured: true } ? h.Healthy : null, h);
        }).ToList();
        return new SourcesDto(now, SyncFreshness.Definition, sources);
    }
}
