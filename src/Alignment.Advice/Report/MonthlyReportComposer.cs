using System.Globalization;
using Mediator;

namespace Alignment.Advice.Report;

/// <summary>
/// Builds the monthly management report (README, "Monthly management report") from the queries the MI API answers with, so the report,
/// <c>GET /api/mi/history</c> and the dashboard's trend panel show the same numbers: each key figure's month-end value is the last point
/// <see cref="GetMiHistoryQuery"/> gives for the organisation in that month (<c>analysis.mi_history</c>); the top risks are the findings
/// <see cref="ExplainMiHistoryQuery"/> finds open at the end of that day; the late epics come from the MI epics document; the
/// planning-interval predictability from <see cref="GetMiIntervalPredictabilityQuery"/>.
/// </summary>
public static class MonthlyReportComposer
{
    public const string EpicsNotKept =
        "Late epics are listed for the current and the last complete month only (the MI keeps the epic list of today); the month-end count is under the key figures.";

    public static async Task<MiReport> ComposeAsync(IMediator mediator, MiReportOptions options, ReportMonth month, DateTimeOffset now,
        CancellationToken ct)
    {
        var months = Enumerable.Range(0, options.Months).Select(i => month.AddMonths(i - options.Months + 1)).ToList();
        var figures = new List<MiReportFigure>();
        foreach (var spec in MiReportFigures.All)
        {
            var series = await mediator.Send(new GetMiHistoryQuery(spec.Figure, null, months[0].First, month.Last, "day"), ct)
                ?? throw new InvalidOperationException("the organisation's history is always there");
            figures.Add(Figure(spec, series, months));
        }
        var asOf = figures.First(f => f.Figure == "openFindings").Value.Day ?? month.Last;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var names = (await mediator.Send(new GetMiTeamsQuery(), ct)).Teams.ToDictionary(t => t.Id, t => t.Name, StringComparer.Ordinal);
        var risks = await RisksAsync(mediator, options.TopRisks, asOf, names, ct);
        var (epicsAsOf, epics, note) = await LateEpicsAsync(mediator, options.TopRisks, month, ReportMonth.Current(now, zone), names, ct);
        var intervals = await mediator.Send(new GetMiIntervalPredictabilityQuery(month.First, month.Last), ct);
        return new MiReport(month.ToString(), month.First, month.Last, now, months.ConvertAll(m => m.ToString()), figures,
            new MiReportRisks(asOf, risks, epicsAsOf, epics, note), intervals);
    }

    /// <summary>A figure's month-end values: per month the last stored day's point (the history answers oldest first).</summary>
    private static MiReportFigure Figure(MiReportFigures.Spec spec, MiHistorySeries series, List<ReportMonth> months)
    {
        var last = new Dictionary<ReportMonth, MiHistoryValue>();
        foreach (var p in series.Points) last[ReportMonth.Of(p.At)] = p;
        var trend = months.ConvertAll(m => last.TryGetValue(m, out var p)
            ? new MiReportValue(m.ToString(), p.Value, p.At, p.Basis)
            : new MiReportValue(m.ToString(), null, null, null));
        var (value, previous) = (trend[^1], trend[^2]);
        double? change = value.Value is { } a && previous.Value is { } b ? a - b : null;
        var history = string.Create(CultureInfo.InvariantCulture,
            $"/api/mi/history?figure={spec.Figure}&from={months[0].First:yyyy-MM-dd}&to={months[^1].Last:yyyy-MM-dd}");
        return new MiReportFigure(spec.Figure, spec.Label, series.Definition, spec.Unit, value, previous, change, trend, history);
    }

    /// <summary>
    /// The findings open or acknowledged at the end of <paramref name="day"/>: the critical ones first (asked for on their own, so a long
    /// list of others never pushes them out), then the rest by severity; each by score, highest first.
    /// </summary>
    private static async Task<List<MiReportRisk>> RisksAsync(IMediator mediator, int top, DateOnly day, Dictionary<string, string> names,
        CancellationToken ct)
    {
        var critical = await mediator.Send(new ExplainMiHistoryQuery("openCriticalFindings", null, day), ct);
        var risks = Ranked(critical!.Rows, names);
        if (risks.Count < top)
        {
            var all = await mediator.Send(new ExplainMiHistoryQuery("openFindings", null, day), ct);
            var seen = risks.Select(r => r.Finding).ToHashSet();
            risks.AddRange(Ranked(all!.Rows, names).Where(r => !seen.Contains(r.Finding)));
        }
        return risks.Take(top).ToList();
    }

    private static List<MiReportRisk> Ranked(IEnumerable<IReadOnlyDictionary<string, object?>> rows, Dictionary<string, string> names) =>
        rows.Select(r => new MiReportRisk(Convert.ToInt64(r["id"], CultureInfo.InvariantCulture), (string)r["rule"]!, (string)r["severity"]!,
                TeamName(r["team"] as string, names), (string)r["title"]!, Convert.ToDouble(r["score"], CultureInfo.InvariantCulture)))
            .OrderByDescending(r => DomainNames.Parse<Severity>(r.Severity)).ThenByDescending(r => r.Score).ThenBy(r => r.Finding)
            .ToList();

    /// <summary>The MI's late epics (latest target passed first) when the report is of the current or the last complete month.</summary>
    private static async Task<(DateOnly?, List<MiReportEpic>, string?)> LateEpicsAsync(IMediator mediator, int top, ReportMonth month,
        ReportMonth current, Dictionary<string, string> names, CancellationToken ct)
    {
        if (month != current && month != current.AddMonths(-1)) return (null, [], EpicsNotKept);
        var epics = await mediator.Send(new GetMiEpicsQuery(), ct);
        var late = epics.Epics.Where(e => e.Status == EpicStatus.Late)
            .OrderBy(e => e.Target ?? DateOnly.MaxValue).ThenBy(e => e.Source, StringComparer.Ordinal).ThenBy(e => e.Key, StringComparer.Ordinal)
            .Take(top)
            .Select(e => new MiReportEpic(e.Source, e.Key, e.Title, DigestComposer.SafeUrl(e.Url), TeamName(e.Team, names), e.Target, e.ForecastP50.Value, e.StatusReason))
            .ToList();
        return (DateOnly.FromDateTime(epics.ComputedAt.UtcDateTime), late, null);
    }

    /// <summary>A team's configured name (its id when it is no longer configured).</summary>
    private static string? TeamName(string? id, Dictionary<string, string> names) => id is null ? null : names.GetValueOrDefault(id, id);
}
