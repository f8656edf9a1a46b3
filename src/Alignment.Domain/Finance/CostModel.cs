namespace Alignment.Domain.Finance;

/// <summary>
/// The cost model (docs/figures.md, "Cost"). Pure: the snapshot, the forecasts, the configured rates and budgets, and the items completed
/// in each team's closed sprints in; sprint costs, cost per point and epic costs out. A figure that cannot be computed is null with a
/// reason; nothing is invented (no capacity, no rate, no forecast: unknown).
/// </summary>
public static class CostModel
{
    public static FinanceResult Compute(SnapshotIndex x, IReadOnlyDictionary<(string Source, string Key), EpicForecast> forecasts, FinanceInput input,
        IReadOnlyList<ItemCompletion> completions)
    {
        var sprints = new List<SprintCost>();
        foreach (var t in x.Snapshot.Teams.OrderBy(t => t.Id, StringComparer.Ordinal))
            foreach (var s in x.ClosedSprints[t.Id]) sprints.Add(PriceSprint(x, input, t.Id, s));
        var sprintByKey = new Dictionary<(string, string, string), SprintCost>();
        foreach (var s in sprints) sprintByKey[(s.Team, s.Source, s.SprintId)] = s;
        var now = x.Snapshot.Teams.OrderBy(t => t.Id, StringComparer.Ordinal).Select(t => CostNow(x, input, t.Id)).ToList();
        var nowByTeam = now.ToDictionary(t => t.Team, StringComparer.Ordinal);

        var byExternal = new Dictionary<(string, string), SnapshotItem>(x.Snapshot.Items.Count);
        foreach (var i in x.Snapshot.Items) byExternal[(i.Source, i.ExternalId)] = i;
        var done = new Dictionary<SnapshotItem, List<(ItemCompletion C, SnapshotItem Item)>>(ReferenceEqualityComparer.Instance);
        foreach (var c in completions)
        {
            // Only the team's closed sprints count (an active sprint's "completed so far" is not spent yet).
            if (!sprintByKey.ContainsKey((c.Team, c.Source, c.SprintId)) || !byExternal.TryGetValue((c.Source, c.ItemExternalId), out var item)) continue;
            if (NearestEpic(x, item) is not { } epic) continue;
            if (!done.TryGetValue(epic, out var list)) done[epic] = list = [];
            list.Add((c, item));
        }

        var epics = new List<EpicCost>();
        foreach (var epic in x.Snapshot.Items.Where(i => i.Type == WorkItemType.Epic && !i.IsRemoved)
                     .OrderBy(i => i.Source, StringComparer.Ordinal).ThenBy(i => i.Key, StringComparer.Ordinal))
        {
            var budget = input.Budgets.GetValueOrDefault((epic.Source, epic.Key));
            var contributions = done.GetValueOrDefault(epic) ?? [];
            if (contributions.Count == 0 && budget is null && !epic.IsOpen) continue;
            epics.Add(EpicCostOf(x, epic, forecasts.GetValueOrDefault((epic.Source, epic.Key)), contributions, sprintByKey, nowByTeam, budget));
        }
        return new FinanceResult(input.Currency, x.Today, sprints, epics, now);
    }

    /// <summary>A closed sprint's cost: the rate in force on its first day; per person-day × the sprint's available person-days.</summary>
    public static SprintCost PriceSprint(SnapshotIndex x, FinanceInput input, string team, SnapshotSprint s)
    {
        var fig = x.Figures.GetValueOrDefault((team, s.Source, s.Id));
        double? capacity = x.Capacity.TryGetValue((team, s.Source, s.Id), out var d) ? d : null;
        var rate = s.FirstDay is { } first ? input.RateOn(team, first) : null;
        double? cost = null;
        string? reason = null;
        if (s.FirstDay is null) reason = "the sprint has no start date, so no rate applies";
        else if (rate is null) reason = $"no rate in force on {s.FirstDay:yyyy-MM-dd} (Teams:N:Costs of {team})";
        else if (rate.Basis == RateBasis.PerSprint) cost = rate.Amount;
        else if (capacity is { } cap) cost = rate.Amount * cap;
        else reason = "the rate is per person-day and the sprint has no recorded capacity";
        double? perPoint = null;
        if (cost is not null)
        {
            if (fig is null) reason = "the sprint has no figures, so its completed points are unknown";
            else if (fig.Completed <= 0) reason = "no points were completed in the sprint";
            else perPoint = cost / fig.Completed;
        }
        return new SprintCost(team, s.Source, s.Id, s.Name, s.FirstDay, s.LastDay, rate?.Basis, rate?.Amount, rate?.From, capacity,
            Money.Round(cost), fig?.Completed, perPoint, reason);
    }

    /// <summary>The team's cost of one sprint today: the rate in force today; per person-day × its normal capacity (docs/figures.md).</summary>
    public static TeamCostNow CostNow(SnapshotIndex x, FinanceInput input, string team)
    {
        var rate = input.RateOn(team, x.Today);
        var normal = x.NormalCapacity.GetValueOrDefault(team);
        if (rate is null) return new TeamCostNow(team, null, null, null, normal, null, $"no rate in force today (Teams:N:Costs of {team})");
        if (rate.Basis == RateBasis.PerSprint) return new TeamCostNow(team, rate.Basis, rate.Amount, rate.From, normal, rate.Amount, null);
        return normal is { } cap
            ? new TeamCostNow(team, rate.Basis, rate.Amount, rate.From, cap, Money.Round(rate.Amount * cap), null)
            : new TeamCostNow(team, rate.Basis, rate.Amount, rate.From, null, null,
                "the rate is per person-day and none of the team's recent closed sprints has a recorded capacity");
    }

    /// <summary>The nearest epic above an item (story → feature → epic), walking at most eight parents; no cache, so threads may share it.</summary>
    public static SnapshotItem? NearestEpic(SnapshotIndex x, SnapshotItem item)
    {
        var cur = x.Parent(item);
        for (var depth = 0; cur is not null && depth < 8; depth++)
        {
            if (cur.Type == WorkItemType.Epic) return cur;
            cur = x.Parent(cur);
        }
        return null;
    }

    private static EpicCost EpicCostOf(SnapshotIndex x, SnapshotItem epic, EpicForecast? forecast, List<(ItemCompletion C, SnapshotItem Item)> contributions,
        Dictionary<(string, string, string), SprintCost> sprints, Dictionary<string, TeamCostNow> now, EpicBudget? budget)
    {
        var sprintCosts = contributions.GroupBy(c => (c.C.Team, c.C.Source, c.C.SprintId)).Select(g =>
            {
                var s = sprints[g.Key];
                var points = g.Sum(c => c.C.Points);
                return new EpicSprintCost(g.Key.Team, g.Key.Source, g.Key.SprintId, s.SprintName, s.LastDay, points, s.CostPerPoint,
                    s.CostPerPoint is { } cpp ? Money.Round(points * cpp) : null, g.Select(c => c.Item.Key).Order(StringComparer.Ordinal).ToList());
            })
            .OrderBy(s => s.LastDay ?? DateOnly.MinValue).ThenBy(s => s.Team, StringComparer.Ordinal).ThenBy(s => s.SprintId, StringComparer.Ordinal).ToList();
        var open = x.Descendants(epic).Where(i => i.IsOpen && i.IsBacklogWork && ReferenceEquals(NearestEpic(x, i), epic)).ToList();
        var teamIds = sprintCosts.Select(s => s.Team).Concat(open.Select(i => i.Team ?? "")).Distinct().Order(StringComparer.Ordinal).ToList();
        var teams = teamIds.Select(t => TeamShare(x, t, forecast, sprintCosts, open, now)).ToList();
        var toDate = Money.Round(teams.Sum(t => t.CostToDate));
        var unpriced = teams.Sum(t => t.UnpricedPoints);
        double? p50 = null, p85 = null;
        string? reason = null;
        if (epic.IsDone || forecast?.Status == ForecastStatus.Done || open.Count == 0) (p50, p85) = (toDate, toDate);
        else if (forecast is null) reason = "the epic has no forecast";
        else if (forecast.Status != ForecastStatus.Forecast) reason = "no forecast: " + string.Join("; ", forecast.Reasons);
        else if (teams.FirstOrDefault(t => t.RemainingPoints > 0 && t.RemainingCostP85 is null) is { } unknown) reason = unknown.Reason;
        else (p50, p85) = (Money.Round(toDate + teams.Sum(t => t.RemainingCostP50 ?? 0)), Money.Round(toDate + teams.Sum(t => t.RemainingCostP85 ?? 0)));
        if (reason is null && unpriced > 0)
            reason = $"{unpriced:0.#} completed point(s) fell in sprints without a cost per point and are not in the cost (a lower bound)";
        return new EpicCost(epic.Source, epic.Key, epic.Url, epic.Title, epic.Team, epic.StatusCategory, toDate, unpriced, p50, p85,
            forecast?.P50, forecast?.P85, budget, reason, teams, sprintCosts);
    }

    /// <summary>
    /// One team's share: cost to date from its sprints; its own open points priced as the team's time from today to its part's P50 / P85 day
    /// (days ÷ sprint length × cost per sprint today), times the share of the part's remaining points that are the epic's own.
    /// </summary>
    private static EpicTeamCost TeamShare(SnapshotIndex x, string team, EpicForecast? forecast, List<EpicSprintCost> sprintCosts,
        List<SnapshotItem> open, Dictionary<string, TeamCostNow> now)
    {
        var mine = sprintCosts.Where(s => s.Team == team).ToList();
        var toDate = mine.Sum(s => s.Cost ?? 0);
        var unpriced = mine.Where(s => s.Cost is null).Sum(s => s.Points);
        var own = open.Where(i => (i.Team ?? "") == team).ToList();
        var part = forecast?.Parts.FirstOrDefault(p => (p.Team ?? "") == team);
        var remaining = own.Sum(i => i.Points ?? 0) + own.Count(i => i.Points is null) * (part?.AssumedPointsPerUnestimated ?? 0);
        var costNow = now.GetValueOrDefault(team);
        if (own.Count == 0) return new EpicTeamCost(team, toDate, mine.Sum(s => s.Points), unpriced, 0, costNow?.CostPerSprint, null, null, 0, 0, null);
        string? reason = null;
        if (team == "") reason = $"{own.Count} open item(s) belong to no configured team";
        else if (forecast?.Status != ForecastStatus.Forecast) reason = "the epic has no forecast";
        else if (part is not { P50: not null, P85: not null }) reason = part?.NoForecastReason ?? $"the forecast has no part for {team}";
        else if (costNow?.CostPerSprint is null) reason = costNow?.Reason ?? $"{team} is not a configured team";
        if (reason is not null)
            return new EpicTeamCost(team, toDate, mine.Sum(s => s.Points), unpriced, remaining, costNow?.CostPerSprint, null, null, null, null, reason);
        var share = part!.RemainingPoints > 0 ? Math.Min(1, remaining / part.RemainingPoints) : 1;
        double Sprints(DateOnly d) => Math.Max(0, d.DayNumber - x.Today.DayNumber + 1) / Math.Max(1, part.SprintLengthDays);
        var (s50, s85) = (Sprints(part.P50!.Value), Sprints(part.P85!.Value));
        var perSprint = costNow!.CostPerSprint!.Value;
        return new EpicTeamCost(team, toDate, mine.Sum(s => s.Points), unpriced, remaining, perSprint, Math.Round(s50, 3), Math.Round(s85, 3),
            Money.Round(s50 * share * perSprint), Money.Round(s85 * share * perSprint), null);
    }
}
