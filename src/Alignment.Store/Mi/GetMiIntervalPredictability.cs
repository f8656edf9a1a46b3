using System.Globalization;
using Mediator;

namespace Alignment.Store.Mi;

/// <summary>
/// The planning-interval predictability section of the monthly report (README, "Monthly management report") for the intervals that overlap
/// <see cref="First"/>..<see cref="Last"/>: read from the intervals document the analysis keeps (<c>GET /api/mi/intervals</c>, docs/figures.md
/// "Planning intervals"), the organisation's predictability by points with count, value and slips in the detail. The one place the report
/// reads planning intervals.
/// </summary>
public sealed record GetMiIntervalPredictabilityQuery(DateOnly First, DateOnly Last) : IQuery<MiIntervalPredictability>;

internal sealed class GetMiIntervalPredictabilityHandler(MiSnapshots snapshots, Microsoft.Extensions.Options.IOptions<AlignmentOptions> options)
    : IQueryHandler<GetMiIntervalPredictabilityQuery, MiIntervalPredictability>
{
    public async ValueTask<MiIntervalPredictability> Handle(GetMiIntervalPredictabilityQuery query, CancellationToken ct)
    {
        if (!options.Value.HasPlanningIntervals) return new MiIntervalPredictability(false, MiIntervalPredictability.NoneConfigured, []);
        var doc = await snapshots.GetIntervalsAsync(ct);
        if (doc.Intervals.Count == 0) return new MiIntervalPredictability(true, doc.Reason ?? "No analysis has recorded the planning intervals yet.", []);
        var rows = doc.Intervals.Where(i => i.Start <= query.Last && i.End >= query.First).OrderBy(i => i.Start)
            .Select(i => new MiIntervalRow(i.Id, i.Start, i.End, i.Organisation.PredictabilityPoints.Value, Detail(i))).ToList();
        return new MiIntervalPredictability(true,
            rows.Count == 0 ? "No planning interval overlaps these months." : IntervalDefinitions.PredictabilityPoints, rows);
    }

    /// <summary>What the row's one number does not say: the phase, count and value predictability, and the slips by reason.</summary>
    public static string Detail(MiInterval i)
    {
        var f = i.Organisation;
        var parts = new List<string> { i.Phase == IntervalPhase.Finished ? "finished" : i.Phase == IntervalPhase.Running ? "running (delivered so far)" : "not started" };
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{f.DeliveredCount} of {f.PlannedCount} epics and features delivered"));
        if (f.PredictabilityValue.Value is { } v) parts.Add(string.Create(CultureInfo.InvariantCulture, $"by value {v:P0}"));
        var slips = f.SlipReasons.Where(r => r.Value > 0).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Value} {r.Key.Name()}")).ToList();
        if (slips.Count > 0) parts.Add("slipped: " + string.Join(", ", slips));
        return string.Join("; ", parts);
    }
}

/// <summary>
/// <see cref="ITeamPredictability"/> from the intervals document: a team's predictability by points in its last finished interval that ended
/// by the day asked for, and in the finished one before it.
/// </summary>
public sealed class IntervalTeamPredictability(MiSnapshots snapshots) : ITeamPredictability
{
    public async Task<IReadOnlyDictionary<string, PredictabilityTrend>> ForTeamsAsync(IReadOnlyCollection<string> teams, DateOnly today, CancellationToken ct)
    {
        var doc = await snapshots.GetIntervalsAsync(ct);
        var result = new Dictionary<string, PredictabilityTrend>(StringComparer.Ordinal);
        foreach (var team in teams)
        {
            var finished = doc.Intervals
                .Select(i => (i.Id, i.End, Team: i.Teams.FirstOrDefault(t => t.Team == team)))
                .Where(x => x.Team is { Phase: IntervalPhase.Finished } t && (t.LastDay ?? x.End) <= today && t.Figures.PredictabilityPoints.Value is not null)
                .OrderBy(x => x.Team!.LastDay ?? x.End).ToList();
            if (finished.Count == 0) continue;
            var last = finished[^1];
            var before = finished.Count > 1 ? finished[^2] : default;
            result[team] = new PredictabilityTrend(last.Id, last.Team!.Figures.PredictabilityPoints.Value!.Value,
                before.Team is null ? null : before.Id, before.Team?.Figures.PredictabilityPoints.Value);
        }
        return result;
    }
}
