using System.Globalization;
using Mediator;

namespace Alignment.Store.Mi;

/// <summary>
/// The planning intervals' document (docs/figures.md, "Planning intervals"), optionally one interval and one team; null when the interval or
/// team asked for is not in it.
/// </summary>
public sealed record GetMiIntervalsQuery(string? Interval = null, string? Team = null) : IQuery<MiIntervals?>;

internal sealed class GetMiIntervalsHandler(MiSnapshots snapshots) : IQueryHandler<GetMiIntervalsQuery, MiIntervals?>
{
    public async ValueTask<MiIntervals?> Handle(GetMiIntervalsQuery q, CancellationToken ct)
    {
        var doc = await snapshots.GetIntervalsAsync(ct);
        var intervals = doc.Intervals;
        if (q.Interval is not null)
        {
            intervals = intervals.Where(i => i.Id == q.Interval).ToList();
            if (intervals.Count == 0) return null;
        }
        if (q.Team is not null)
        {
            intervals = intervals.Select(i => i with { Teams = i.Teams.Where(t => t.Team == q.Team).ToList() }).ToList();
            if (intervals.Any(i => i.Teams.Count == 0)) return null;
        }
        return doc with { Intervals = intervals };
    }
}

/// <summary>The CSV of <c>GET /api/mi/intervals?format=csv</c>: one row per interval and team, and one for the organisation (team empty).</summary>
public static class MiIntervalsCsv
{
    private static readonly string[] Header =
    [
        "interval", "start", "end", "team", "name", "phase", "basis", "plannedCount", "deliveredCount", "predictabilityCount", "plannedPoints",
        "deliveredPoints", "predictabilityPoints", "plannedValue", "deliveredValue", "predictabilityValue", "velocity", "scopeAddedPoints", "addedCount",
        "scopeRemovedPoints", "removedCount", "forecastP85", "atRisk", "slipped",
    ];

    public static string Write(MiIntervals doc) => MiCsv.Write(Header, doc.Intervals.SelectMany(i =>
        i.Teams.Select(t => Row(i, t.Team, t.Name, t.Phase, t.Basis, t.Figures, t.Forecast, t.Slipped))
            .Prepend(Row(i, "", "Organisation", i.Phase, null, i.Organisation, null, []))));

    private static object?[] Row(MiInterval i, string team, string name, IntervalPhase phase, string? basis, MiIntervalFigures f,
        MiIntervalForecast? forecast, IReadOnlyList<MiSlip> slipped) =>
    [
        i.Id, i.Start, i.End, team, name, phase.Name(), basis, f.PlannedCount, f.DeliveredCount, f.PredictabilityCount.Value, f.PlannedPoints,
        f.DeliveredPoints, f.PredictabilityPoints.Value, f.PlannedValue, f.DeliveredValue, f.PredictabilityValue.Value, f.Velocity.Value,
        f.ScopeAddedPoints.Value, f.AddedCount, f.ScopeRemovedPoints.Value, f.RemovedCount, forecast?.P85, forecast?.AtRisk,
        string.Join("; ", slipped.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{s.Key} ({string.Join(", ", s.Reasons.Select(r => r.Name()))})"))),
    ];
}
