using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

// The four MI reads: each is one row of analysis.mi_snapshots (docs/figures.md). Kept together because they differ only in the kind.

/// <summary>Organisation totals.</summary>
public sealed record GetMiOverviewQuery : IQuery<MiOverview>;

/// <summary>Per-team MI.</summary>
public sealed record GetMiTeamsQuery : IQuery<MiTeams>;

/// <summary>Per-epic MI across teams and trackers.</summary>
public sealed record GetMiEpicsQuery : IQuery<MiEpics>;

/// <summary>The dependency graph between teams.</summary>
public sealed record GetMiDependenciesQuery : IQuery<MiDependencies>;

internal sealed class GetMiHandler(MiSnapshots snapshots)
    : IQueryHandler<GetMiOverviewQuery, MiOverview>, IQueryHandler<GetMiTeamsQuery, MiTeams>,
      IQueryHandler<GetMiEpicsQuery, MiEpics>, IQueryHandler<GetMiDependenciesQuery, MiDependencies>
{

    public async ValueTask<MiOverview> Handle(GetMiOverviewQuery q, CancellationToken ct)
    {
        var overview = await snapshots.GetAsync<MiOverview>(MiSnapshots.Overview, ct);
        var (sources, now) = await snapshots.FreshnessAsync(ct);
        return overview with { DataFreshness = MiBuilder.DataFreshness(sources, now) };
    }

    public async ValueTask<MiTeams> Handle(GetMiTeamsQuery q, CancellationToken ct) => await snapshots.GetAsync<MiTeams>(MiSnapshots.Teams, ct);
    public async ValueTask<MiEpics> Handle(GetMiEpicsQuery q, CancellationToken ct) => await snapshots.GetAsync<MiEpics>(MiSnapshots.Epics, ct);
    public async ValueTask<MiDependencies> Handle(GetMiDependenciesQuery q, CancellationToken ct) =>
        await snapshots.GetAsync<MiDependencies>(MiSnapshots.Dependencies, ct);
}
