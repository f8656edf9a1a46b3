namespace Alignment.Domain.Mi;

/// <summary>
/// The MI history's <c>predictability</c> (docs/figures.md, "History" and "Planning intervals"): each finished planning interval's points
/// predictability, per team and for the organisation, on the day the interval ended for it (a team: the day its last sprint of the interval
/// finished; the organisation: the latest of its teams' days). Written once; <c>observed</c> when the team's plan was observed, else
/// <c>backfilled</c> (its plan was reconstructed after the fact).
/// </summary>
public static class IntervalHistory
{
    public const string Definition =
        "Predictability by points (planned points of the planned items done at the end ÷ all planned points) of each finished planning " +
        "interval, on the day it ended for the team (organisation: the day it ended for its last team) — docs/figures.md, \"Planning intervals\".";

    public const string Note =
        "One point per finished planning interval, on the day it ended; back-filled when the interval's plan was reconstructed after the fact.";

    public static List<MiHistoryPoint> Points(MiIntervals doc)
    {
        var points = new List<MiHistoryPoint>();
        foreach (var iv in doc.Intervals)
        {
            var finished = iv.Teams.Where(t => t.Phase == IntervalPhase.Finished && t.EndAt is not null).ToList();
            foreach (var t in finished)
                points.Add(new("predictability", t.Team, Day(t.EndAt!.Value), t.Figures.PredictabilityPoints.Value,
                    t.Basis == "observed" ? MiHistory.Observed : MiHistory.Backfilled));
            if (iv.Phase == IntervalPhase.Finished && finished.Count > 0)
                points.Add(new("predictability", "", finished.Max(t => Day(t.EndAt!.Value)), iv.Organisation.PredictabilityPoints.Value,
                    finished.All(t => t.Basis == "observed") ? MiHistory.Observed : MiHistory.Backfilled));
        }
        return points;
    }

    /// <summary>The explain rows of a day's point: the intervals that ended that day for the team (or the organisation).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows(MiIntervals doc, string? team, DateOnly day) =>
        Points(doc).Where(p => p.Team == (team ?? "") && p.Day == day).Join(doc.Intervals.SelectMany(iv => Ends(iv, team)), p => p.Day, e => e.Day,
            (p, e) => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["interval"] = e.Interval.Id, ["start"] = e.Interval.Start, ["end"] = e.Interval.End, ["plannedPoints"] = e.Figures.PlannedPoints,
                ["deliveredPoints"] = e.Figures.DeliveredPoints, ["value"] = e.Figures.PredictabilityPoints.Value, ["basis"] = p.Basis,
                ["explain"] = e.Figures.PredictabilityPoints.Explain,
            }).ToList();

    private static IEnumerable<(MiInterval Interval, DateOnly Day, MiIntervalFigures Figures)> Ends(MiInterval iv, string? team)
    {
        var finished = iv.Teams.Where(t => t.Phase == IntervalPhase.Finished && t.EndAt is not null).ToList();
        if (team is null)
        {
            if (iv.Phase == IntervalPhase.Finished && finished.Count > 0) yield return (iv, finished.Max(t => Day(t.EndAt!.Value)), iv.Organisation);
        }
        else if (finished.FirstOrDefault(t => t.Team == team) is { } t) yield return (iv, Day(t.EndAt!.Value), t.Figures);
    }

    private static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);
}
