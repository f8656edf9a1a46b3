using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Queries;

/// <summary>An open quarantined item: the item the sync could not convert, where in the payload, why, and how often it was re-read.</summary>
public sealed record QuarantinedItemDto(string? Key, string? ExternalId, string? JsonPath, string Error, string Request, int Attempts,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>The sync state of one team of a source (or of the source-wide part).</summary>
public sealed record TeamSyncDto(
    string Team, string? Name, string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, string? Error,
    int QuarantinedItems, bool Stale, string? Reason, long? LastRunId, IReadOnlyList<QuarantinedItemDto> Quarantined);

/// <summary>A configured source: its schedule, the aggregates over its teams, and each team.</summary>
public sealed record SourceSyncDto(
    string Id, string Kind, string Cron, double? IntervalMinutes,
    string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, int QuarantinedItems, bool Stale,
    IReadOnlyList<TeamSyncDto> Teams, TeamSyncDto? SourceWide);

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
        var sources = SyncFreshness.Assess(SyncSourceScope.From(options.Value), data, now).Select(s => new SourceSyncDto(
            s.Source, s.Kind, s.Cron, s.Interval?.TotalMinutes, s.Status, s.LastSuccess, s.LastAttempt, s.QuarantinedItems, s.Stale,
            s.Teams.Select(Dto).ToList(), s.SourceWide is null ? null : Dto(s.SourceWide))).ToList();
        return new SourcesDto(now, SyncFreshness.Definition, sources);
    }
}
