namespace Alignment.Domain.Intervals;

/// <summary>
/// The planning intervals' MI document and INTERVAL-AT-RISK (docs/rules.md), from the recorded plans and outcomes (<see cref="IntervalInput"/>)
/// and the snapshot: a finished team's figures come from its outcome; a running team's from its plan and the items' state now, with the Monte
/// Carlo forecast of its planned work still open. Pure; runs after the forecaster, whose team models it prices with.
/// </summary>
public static class IntervalAnalyzer
{
    public const string Definition =
        "during a planning interval, the team's planned work still open (docs/figures.md, \"Planning intervals\") is forecast by Monte Carlo over " +
        "the team's recent throughput (docs/figures.md, \"Forecasts\"); the finding fires when the P85 finish day is after the last day of the " +
        "team's last sprint of the interval (or beyond the forecast horizon)";

    internal static (MiIntervals Document, List<Finding> Findings) Analyze(SnapshotIndex x, IntervalInput input,
        IReadOnlyDictionary<string, EpicForecaster.TeamModel> models)
    {
        var plans = input.Plans.ToDictionary(p => (p.Interval, p.Team));
        var outcomes = input.Outcomes.ToDictionary(o => (o.Interval, o.Team));
        var intervals = new List<MiInterval>();
        var findings = new List<Finding>();
        foreach (var iv in input.Intervals)
        {
            var teams = new List<TeamResult>();
            foreach (var t in x.Snapshot.Teams.Where(t => iv.Includes(t.Id)).OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Id, StringComparer.Ordinal))
            {
                var r = Team(x, iv, t, plans.GetValueOrDefault((iv.Id, t.Id)), outcomes.GetValueOrDefault((iv.Id, t.Id)), models);
                teams.Add(r);
                if (r.Finding is not null) findings.Add(r.Finding);
            }
            intervals.Add(new MiInterval(iv.Id, iv.Start, iv.End, OrganisationPhase(x, iv, teams), Organisation(x, iv, teams),
                teams.Select(r => r.Team).ToList()));
        }
        var reason = input.Intervals.Count == 0 ? IntervalDefinitions.NoIntervals : null;
        return (new MiIntervals(x.Now, IntervalDefinitions.Document, intervals, reason), findings);
    }

    private sealed record TeamResult(MiIntervalTeam Team, IReadOnlyList<Delivery> Planned, ScopeChange? Scope, Finding? Finding);

    /// <summary>Where a team's (or, without one, the organisation's) interval figures are explained; each figure adds <c>&amp;figure=</c>.</summary>
    public static string ExplainUrl(string interval, string? team) =>
        $"/api/mi/intervals/explain?interval={Uri.EscapeDataString(interval)}" + (team is null ? "" : $"&team={Uri.EscapeDataString(team)}");

    private static TeamResult Team(SnapshotIndex x, PlanningInterval iv, SnapshotTeam t, TeamPlan? plan, TeamOutcome? outcome,
        IReadOnlyDictionary<string, EpicForecaster.TeamModel> models)
    {
        var sprints = iv.SprintsOf(t.Id, x.TeamSprints.GetValueOrDefault(t.Id) ?? [], s => s.Start, s => s.Id);
        var lastDay = sprints.Count == 0 ? null : sprints[^1].LastDay;
        var names = sprints.Select(s => s.Name).ToList();
        var explain = ExplainUrl(iv.Id, t.Id);
        if (plan is not null && outcome is not null)
        {
            var done = outcome.Items.Where(i => i.Planned && i.Done).Select(i => (i.Source, i.ExternalId)).ToHashSet();
            var planned = plan.Items.Select(p => new Delivery(t.Id, p, done.Contains((p.Source, p.ExternalId)))).ToList();
            var scope = ScopeChange.Of(plan, outcome);
            var slips = Slips(x, plan, outcome);
            var figures = IntervalFigures.Of(planned, outcome.VelocityPoints, scope, IntervalFigures.CountReasons(slips), explain, IntervalPhase.Finished);
            return new TeamResult(new MiIntervalTeam(t.Id, t.Name, IntervalPhase.Finished, plan.Basis, plan.PlanAt, outcome.EndAt, lastDay, names, figures,
                slips, null), planned, scope, null);
        }
        if (plan is not null)
        {
            var planned = plan.Items.Select(p => new Delivery(t.Id, p, x.Items.GetValueOrDefault((p.Source, p.Key))?.IsDone == true)).ToList();
            var withFigures = sprints.Select(s => x.Figures.GetValueOrDefault((t.Id, s.Source, s.Id))).OfType<SprintFigure>().ToList();
            double? velocity = withFigures.Count == 0 ? null : withFigures.Sum(f => f.Completed);
            var (forecast, finding) = Forecast(x, iv, t, plan, sprints, models);
            var figures = IntervalFigures.Of(planned, velocity, null, new Dictionary<SlipReason, int>(), explain, IntervalPhase.Running);
            return new TeamResult(new MiIntervalTeam(t.Id, t.Name, IntervalPhase.Running, plan.Basis, plan.PlanAt, null, lastDay, names, figures, [],
                forecast), planned, null, finding);
        }
        var empty = IntervalFigures.Of([], null, null, new Dictionary<SlipReason, int>(), explain, IntervalPhase.NotStarted);
        return new TeamResult(new MiIntervalTeam(t.Id, t.Name, IntervalPhase.NotStarted, null, null, null, lastDay, names, empty, [], null), [], null, null);
    }

    /// <summary>Finished when every team with a plan has its outcome and the interval's last day has passed; running once any team has a plan.</summary>
    private static IntervalPhase OrganisationPhase(SnapshotIndex x, PlanningInterval iv, List<TeamResult> teams)
    {
        var started = teams.Where(t => t.Team.Phase != IntervalPhase.NotStarted).ToList();
        if (started.Count == 0) return IntervalPhase.NotStarted;
        return started.All(t => t.Team.Phase == IntervalPhase.Finished) && x.Now >= iv.EndAt ? IntervalPhase.Finished : IntervalPhase.Running;
    }

    private static MiIntervalFigures Organisation(SnapshotIndex x, PlanningInterval iv, List<TeamResult> teams)
    {
        var phase = OrganisationPhase(x, iv, teams);
        var velocities = teams.Select(t => t.Team.Figures.Velocity.Value).OfType<double>().ToList();
        var scope = phase == IntervalPhase.Finished ? ScopeChange.Sum(teams.Select(t => t.Scope).OfType<ScopeChange>()) : null;
        var reasons = teams.SelectMany(t => t.Team.Figures.SlipReasons).GroupBy(kv => kv.Key).OrderBy(g => g.Key)
            .ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
        return IntervalFigures.Of(teams.SelectMany(t => t.Planned).ToList(), velocities.Count == 0 ? null : velocities.Sum(), scope, reasons,
            ExplainUrl(iv.Id, null), phase);
    }

    /// <summary>The planned units (epics, features) with a planned item not done at the end, each with those items and their reasons.</summary>
    private static List<MiSlip> Slips(SnapshotIndex x, TeamPlan plan, TeamOutcome outcome)
    {
        var result = new Dictionary<(string Source, string ExternalId), OutcomeItem>();
        foreach (var i in outcome.Items) if (i.Planned) result[(i.Source, i.ExternalId)] = i;
        var slips = new List<MiSlip>();
        foreach (var unit in plan.Items.GroupBy(p => (p.Source, p.UnitKey)).OrderBy(g => g.Key.Source, StringComparer.Ordinal).ThenBy(g => g.Key.UnitKey, StringComparer.Ordinal))
        {
            var undone = unit.Where(p => result.GetValueOrDefault((p.Source, p.ExternalId)) is not { Done: true }).ToList();
            if (undone.Count == 0) continue;
            var items = undone.Select(p =>
            {
                var o = result.GetValueOrDefault((p.Source, p.ExternalId));
                var item = x.Items.GetValueOrDefault((p.Source, p.Key));
                return new MiSlipItem(p.Source, p.Key, item?.Title ?? p.Key, item?.Url, p.Points, o?.Reasons ?? [SlipReason.Removed], o?.Blockers ?? []);
            }).ToList();
            var unitItem = x.Items.GetValueOrDefault((unit.Key.Source, unit.Key.UnitKey));
            var planned = unit.Sum(p => p.Points ?? 0);
            slips.Add(new MiSlip(unit.Key.Source, unit.Key.UnitKey, unitItem?.Title ?? unit.Key.UnitKey, unitItem?.Url, unit.First().UnitType, planned,
                planned - undone.Sum(p => p.Points ?? 0), items.SelectMany(i => i.Reasons).Distinct().Order().ToList(), items));
        }
        return slips;
    }

    /// <summary>
    /// The forecast of the team's planned work still open, priced on the team's model (the same draws as the epic forecasts), and the finding
    /// when its P85 day is after the last day of the team's last sprint of the interval.
    /// </summary>
    private static (MiIntervalForecast, Finding?) Forecast(SnapshotIndex x, PlanningInterval iv, SnapshotTeam t, TeamPlan plan,
        IReadOnlyList<SnapshotSprint> sprints, IReadOnlyDictionary<string, EpicForecaster.TeamModel> models)
    {
        var open = plan.Items.Select(p => x.Items.GetValueOrDefault((p.Source, p.Key))).OfType<SnapshotItem>().Where(i => i.IsOpen).ToList();
        var unestimated = open.Count(i => i.Points is null);
        var lastDay = sprints.Count == 0 ? null : sprints[^1].LastDay;
        if (!models.TryGetValue(t.Id, out var model) || model.NoForecastReason is { } why)
            return (new MiIntervalForecast(open.Count, open.Sum(i => i.Points ?? 0), unestimated, null, null, false,
                model?.NoForecastReason ?? $"{t.Name} has no forecast model"), null);
        var remaining = open.Sum(i => i.Points ?? 0) + unestimated * model.AssumedPoints;
        if (open.Count == 0 || lastDay is null)
            return (new MiIntervalForecast(open.Count, remaining, unestimated, null, null, false,
                open.Count == 0 ? "every planned item is done or removed" : "the team has no dated sprint in the interval"), null);
        var (k50, k85) = model.Price(remaining, new int[model.Trials]);
        int d50 = model.DayOf(k50), d85 = model.DayOf(k85);
        DateOnly? p50 = d50 == int.MaxValue ? null : DateOnly.FromDayNumber(d50), p85 = d85 == int.MaxValue ? null : DateOnly.FromDayNumber(d85);
        var atRisk = d85 > lastDay.Value.DayNumber;
        var forecast = new MiIntervalForecast(open.Count, remaining, unestimated, p50, p85, atRisk,
            p85 is null ? $"more than {model.Max} sprints at the team's recent throughput" : null);
        return (forecast, atRisk ? Finding(x, iv, t, plan, sprints, open, forecast, model.AssumedPoints, lastDay.Value) : null);
    }

    private static Finding Finding(SnapshotIndex x, PlanningInterval iv, SnapshotTeam t, TeamPlan plan, IReadOnlyList<SnapshotSprint> sprints,
        List<SnapshotItem> open, MiIntervalForecast f, double assumed, DateOnly lastDay)
    {
        var late = f.P85 is { } p85 ? p85.DayNumber - lastDay.DayNumber : 365;
        return new Finding
        {
            Rule = RuleId.IntervalAtRisk, Severity = Severity.Warning, Team = t.Id,
            Items = open.Select(ItemRef.Of).ToList(),
            Title = $"{t.Name}: the planned work of {iv.Id} is forecast to finish {(f.P85 is { } d ? $"on {Analysis.Evidence.D(d)}" : "beyond the forecast horizon")} "
                + $"at P85, after its last sprint of the interval ends on {Analysis.Evidence.D(lastDay)}",
            Evidence = new IntervalAtRiskEvidence(iv.Id, iv.Start, iv.End, t.Id, lastDay, sprints.Select(Analysis.Evidence.Sprint).ToList(),
                plan.Items.Count, Analysis.Evidence.Round(plan.Items.Sum(p => p.Points ?? 0)), f.OpenItems, Analysis.Evidence.Round(f.RemainingPoints),
                f.UnestimatedItems, Analysis.Evidence.Round(assumed), f.P50, f.P85, Analysis.Evidence.Velocity(x.Velocity[t.Id]),
                Analysis.Evidence.Items(x, open), Definition),
            Action = $"With {t.Name}'s product owner, decide which planned epics or features to move out of {iv.Id} ({f.OpenItems} planned items, "
                + $"{Analysis.Evidence.Round(f.RemainingPoints)} points still open), or shield the team from unplanned work until the interval ends.",
            Score = 50 + Math.Min(15, late / 7.0),
            Subject = $"{iv.Id}/{t.Id}",
        };
    }
}

/// <summary>INTERVAL-AT-RISK: the interval, the team's sprints of it, its plan, what is still open and the forecast of it.</summary>
public sealed record IntervalAtRiskEvidence(string Interval, DateOnly Start, DateOnly End, string Team, DateOnly LastDay,
    IReadOnlyList<SprintEvidence> Sprints, int PlannedItems, double PlannedPoints, int OpenItems, double RemainingPoints, int UnestimatedItems,
    double AssumedPointsPerUnestimated, DateOnly? P50, DateOnly? P85, VelocityEvidence Velocity, IReadOnlyList<ItemEvidence> Open,
    string Definition) : FindingEvidence;
