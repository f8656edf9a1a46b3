using Dapper;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>All four MI documents, computed at one moment.</summary>
public sealed record MiSnapshot(MiOverview Overview, MiTeams Teams, MiEpics Epics, MiDependencies Dependencies);

/// <summary>
/// Reads the store (teams, sprint figures, active sprints, capacities, epics, dependencies, findings) and computes the MI
/// (docs/figures.md). Reading is SQL; <see cref="Build"/> is pure.
/// </summary>
public static partial class MiBuilder
{
    public static async Task<MiSnapshot> ComputeAsync(NpgsqlConnection conn, DateTimeOffset now, MiWindows windows,
        CancellationToken ct, IReadOnlyList<SyncSourceScope>? syncSources = null)
    {
        var input = await LoadAsync(conn, ct);
        if (syncSources is not null) input.SyncSources = syncSources;
        return Build(input, now, windows);
    }

    // ---- reading ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// The rows of the MI; with <paramref name="fromAnalysis"/> (the analysis that just committed) its epics, epic items, dependencies and
    /// forecasts are taken from there and only the rest is read.
    /// </summary>
    /// <summary>The sprint figures with their sprints, of every team or of <c>@team</c>, oldest first per team (MI and its history).</summary>
    internal const string FiguresSql = """
        SELECT f.team_id, f.source_id, f.sprint_id, s.name, s.state AS state_name, s.start_at, s.end_at, f.basis,
               f.committed_points, f.completed_points, f.say_do,
               coalesce(f.capacity_days, (SELECT sum(c.available_days) FROM core.capacities c
                    WHERE c.team_id = f.team_id AND c.source_id = f.source_id AND c.sprint_id = f.sprint_id)) AS capacity_days,
               f.carried_over_points
        FROM analysis.sprint_figures f
        JOIN core.sprints s ON s.source_id = f.source_id AND s.external_id = f.sprint_id
        WHERE @team::text IS NULL OR f.team_id = @team
        ORDER BY f.team_id, s.start_at NULLS FIRST, s.end_at NULLS FIRST, s.name
        """;

    public static async Task<MiInput> LoadAsync(NpgsqlConnection conn, CancellationToken ct, AnalysisRows? fromAnalysis = null)
    {
        var input = new MiInput();
        input.Teams.AddRange(await conn.QueryAsync<TeamRow>(new CommandDefinition("""
            SELECT t.id, t.name, t.source_id, s.kind AS source_kind
            FROM core.teams t JOIN core.sources s ON s.id = t.source_id
            WHERE t.configured ORDER BY t.name, t.id
            """, cancellationToken: ct)));

        input.FiguresAvailable = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('analysis.sprint_figures') IS NOT NULL", cancellationToken: ct));
        if (input.FiguresAvailable)
            input.Figures.AddRange(await conn.QueryAsync<FigureRow>(new CommandDefinition(FiguresSql, new { team = (string?)null }, cancellationToken: ct)));

        // The active sprint of each team (the latest-starting one when a board runs several), with the team's own planned points.
        input.Active.AddRange(await conn.QueryAsync<ActiveRow>(new CommandDefinition("""
            SELECT DISTINCT ON (ts.team_id) ts.team_id, s.source_id, s.external_id AS sprint_id, s.name, s.start_at, s.end_at,
                   coalesce((SELECT sum(w.story_points) FROM core.sprint_items si JOIN core.work_items w
                               ON w.source_id = si.source_id AND w.external_id = si.item_external_id
                             WHERE si.source_id = s.source_id AND si.sprint_id = s.external_id AND w.team_id = ts.team_id
                               AND NOT w.deleted AND w.status_category <> 'removed'), 0) AS points,
                   (SELECT count(*) FROM core.sprint_items si JOIN core.work_items w
                       ON w.source_id = si.source_id AND w.external_id = si.item_external_id
                    WHERE si.source_id = s.source_id AND si.sprint_id = s.external_id AND w.team_id = ts.team_id
                      AND NOT w.deleted AND w.status_category <> 'removed') AS items
            FROM core.team_sprints ts JOIN core.sprints s ON s.source_id = ts.source_id AND s.external_id = ts.sprint_id
            WHERE s.state = 'active'
            ORDER BY ts.team_id, s.start_at DESC NULLS LAST, s.external_id
            """, cancellationToken: ct)));

        input.Capacities.AddRange(await conn.QueryAsync<CapacityRow>(new CommandDefinition("""
            SELECT team_id, source_id, sprint_id, sum(available_days) AS days FROM core.capacities GROUP BY team_id, source_id, sprint_id
            """, cancellationToken: ct)));

        if (fromAnalysis is null) await LoadEpicsAndDependenciesAsync(conn, input, ct);
        else
        {
            input.Epics.AddRange(fromAnalysis.Epics);
            input.EpicItems.AddRange(fromAnalysis.EpicItems);
            input.Dependencies.AddRange(fromAnalysis.Dependencies);
        }

        (input.Findings, input.FindingsReason) = await LoadFindingsAsync(conn, ct);
        input.SyncState = await SyncStateReader.LoadAsync(conn, ct);

        if (fromAnalysis is not null)
        {
            input.ForecastsAvailable = true;
            foreach (var (key, f) in fromAnalysis.Forecasts) input.Forecasts[key] = f;
        }
        else await LoadForecastsAsync(conn, input, ct);
        return input;
    }

    /// <summary>The epics, the items below them and the open cross-team dependencies, read from the store.</summary>
    private static async Task LoadEpicsAndDependenciesAsync(NpgsqlConnection conn, MiInput input, CancellationToken ct)
    {
        input.Epics.AddRange(await conn.QueryAsync<EpicRow>(new CommandDefinition("""
            SELECT source_id, key, title, url, status_category AS status_category_name, team_id, due_date::timestamp AS due_date
            FROM core.work_items WHERE type = 'epic' AND NOT deleted AND status_category <> 'removed'
            ORDER BY source_id, key
            """, cancellationToken: ct)));

        input.EpicItems.AddRange(await conn.QueryAsync<EpicItemRow>(new CommandDefinition("""
            WITH RECURSIVE d AS (
                SELECT e.source_id, e.key AS epic_key, w.key, w.type, w.team_id, w.status_category, w.story_points, 1 AS depth
                FROM core.work_items e
                JOIN core.work_items w ON w.source_id = e.source_id AND w.parent_key = e.key AND NOT w.deleted
                WHERE e.type = 'epic' AND NOT e.deleted AND w.type <> 'epic'
                UNION ALL
                SELECT d.source_id, d.epic_key, w.key, w.type, w.team_id, w.status_category, w.story_points, d.depth + 1
                FROM d JOIN core.work_items w ON w.source_id = d.source_id AND w.parent_key = d.key AND NOT w.deleted
                WHERE d.depth < 4 AND w.type <> 'epic'
            )
            SELECT DISTINCT source_id, epic_key, key, team_id, status_category AS status_category_name, story_points
            FROM d WHERE type NOT IN ('epic', 'feature') AND status_category <> 'removed'
            """, cancellationToken: ct)));

        input.Dependencies.AddRange(await conn.QueryAsync<DependencyRow>(new CommandDefinition("""
            SELECT DISTINCT f.team_id AS from_team, t.team_id AS to_team, f.source_id AS from_source, f.key AS from_key,
                   t.source_id AS to_source, t.key AS to_key, t.story_points AS to_points,
                   fs.state AS from_sprint_state_name, fs.start_at AS from_sprint_start, tsp.state AS to_sprint_state_name, tsp.end_at AS to_sprint_end
            FROM core.links l
            JOIN core.work_items f ON f.source_id = l.from_source_id AND f.key = l.from_key AND NOT f.deleted
            JOIN core.work_items t ON t.source_id = l.to_source_id AND t.key = l.to_key AND NOT t.deleted
            LEFT JOIN core.sprints fs ON fs.source_id = f.source_id AND fs.external_id = f.sprint_id
            LEFT JOIN core.sprints tsp ON tsp.source_id = t.source_id AND tsp.external_id = t.sprint_id
            WHERE l.kind = 'dependency' AND f.team_id IS NOT NULL AND t.team_id IS NOT NULL AND f.team_id <> t.team_id
              AND f.status_category NOT IN ('done', 'removed') AND t.status_category NOT IN ('done', 'removed')
            """, cancellationToken: ct)));
    }

    /// <summary>The stored forecasts (<c>analysis.epic_forecasts</c>), when the analysis has created the table.</summary>
    private static async Task LoadForecastsAsync(NpgsqlConnection conn, MiInput input, CancellationToken ct)
    {
        input.ForecastsAvailable = await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT to_regclass('analysis.epic_forecasts') IS NOT NULL", cancellationToken: ct));
        if (input.ForecastsAvailable)
            foreach (var f in await conn.QueryAsync<(string SourceId, string EpicKey, string? P50, string? P85, string? Reason)>(new CommandDefinition("""
                         SELECT source_id, epic_key, coalesce(forecast->>'p50', forecast->>'P50'), coalesce(forecast->>'p85', forecast->>'P85'),
                                (SELECT string_agg(r, '; ') FROM jsonb_array_elements_text(coalesce(forecast->'reasons', forecast->'Reasons', '[]')) r)
                         FROM analysis.epic_forecasts
                         """, cancellationToken: ct)))
                input.Forecasts[(f.SourceId, f.EpicKey)] = new MiEpicForecast(
                    DateOnly.TryParse(f.P50, System.Globalization.CultureInfo.InvariantCulture, out var p50) ? p50 : null,
                    DateOnly.TryParse(f.P85, System.Globalization.CultureInfo.InvariantCulture, out var p85) ? p85 : null, f.Reason);
    }

    /// <summary>Open findings (team, rule, severity) from <c>analysis.findings</c> when the analysis has created it.</summary>
    private static async Task<(List<FindingRow>?, string?)> LoadFindingsAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var columns = (await conn.QueryAsync<string>(new CommandDefinition("""
            SELECT column_name FROM information_schema.columns WHERE table_schema = 'analysis' AND table_name = 'findings'
            """, cancellationToken: ct))).ToHashSet();
        if (columns.Count == 0) return (null, "findings are not available yet: the analysis has not created analysis.findings");
        var team = columns.Contains("team_id") ? "team_id" : columns.Contains("team") ? "team" : null;
        if (team is null || !columns.Contains("rule") || !columns.Contains("severity") || !columns.Contains("status"))
            return (null, "analysis.findings lacks one of the columns team/team_id, rule, severity, status");
        // Identifiers come from the fixed list above, never from input.
        var rows = await conn.QueryAsync<FindingRow>(new CommandDefinition(
            $"SELECT {team}::text AS team, rule AS rule_name, severity AS severity_name FROM analysis.findings WHERE status IN ('open', 'acknowledged')", cancellationToken: ct));
        return (rows.ToList(), null);
    }

    // ---- computing -------------------------------------------------------------------------------------------------

    public static MiSnapshot Build(MiInput input, DateTimeOffset now, MiWindows windows)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var teams = input.Teams.Select(t => BuildTeam(input, t, windows)).ToList();
        var epics = BuildEpics(input, today);
        var deps = BuildDependencies(input, now);
        var overview = BuildOverview(input, teams, epics, deps, now, windows)
            with { DataFreshness = DataFreshness(SyncFreshness.Assess(input.SyncSources, input.SyncState, now), now) };
        return new MiSnapshot(overview, new MiTeams(now, teams), new MiEpics(now, epics), deps);
    }

    private static string TeamExplain(string team, string figure) => $"/api/mi/teams/{Uri.EscapeDataString(team)}/explain?figure={figure}";
    private static string OrgExplain(string figure) => $"/api/mi/explain?figure={figure}";

    private static MiTeam BuildTeam(MiInput input, TeamRow t, MiWindows windows)
    {
        var closed = input.Figures.Where(f => f.TeamId == t.Id && f.State == SprintState.Closed).ToList();
        var velocityWindow = closed.TakeLast(windows.VelocitySprints).ToList();
        var sayDoWindow = closed.TakeLast(windows.SayDoSprints).ToList();
        // One computation with the history's back-fill (TeamSprintFigures.AsOf): the figures as of the last closed sprint.
        var history = closed.ConvertAll(f => f.History);
        var asOf = history.Count == 0 ? null : TeamSprintFigures.AsOf(history, history.Count - 1, windows);
        var trendSprints = Math.Min(history.Count, windows.VelocitySprints);
        string noFigures = input.FiguresAvailable
            ? "no closed sprint with figures for this team yet"
            : "sprint figures are not available yet (analysis.sprint_figures)";

        var active = input.Active.FirstOrDefault(a => a.TeamId == t.Id);
        var activeFigure = active is null ? null
            : input.Figures.FirstOrDefault(f => f.TeamId == t.Id && f.SourceId == active.SourceId && f.SprintId == active.SprintId);
        // core.capacities (Azure DevOps); else the active sprint's figures, which carry a Jira team's configured capacity.
        double? activeDays = active is null ? null
            : input.Capacities.FirstOrDefault(c => c.TeamId == t.Id && c.SourceId == active.SourceId && c.SprintId == active.SprintId)?.Days
              ?? activeFigure?.CapacityDays;
        double? capacityPoints = active is null ? null
            : TeamSprintFigures.CapacityFrom(TeamSprintFigures.Window(history, history.Count - 1, windows.VelocitySprints), activeDays);
        string capacityReason = active is null ? "the team has no active sprint" : noFigures;
        double? capacityUse = capacityPoints is > 0 && active is not null ? active.Points / capacityPoints : null;

        var findings = input.Findings?.Where(f => f.Team == t.Id).ToList();
        var sprints = new List<MiSprint>();
        foreach (var f in closed)
        {
            var used = new List<string>();
            if (velocityWindow.Contains(f)) { used.Add("velocityP50"); used.Add("velocityTrend"); }
            if (sayDoWindow.Contains(f)) used.Add("sayDo");
            sprints.Add(new MiSprint(f.SprintId, f.Name, f.State, Utc(f.StartAt), Utc(f.EndAt), f.Basis, f.CommittedPoints, f.CompletedPoints,
                f.SayDo, f.CapacityDays, used));
        }
        if (active is not null)
        {
            sprints.Add(new MiSprint(active.SprintId, active.Name, SprintState.Active, Utc(active.StartAt), Utc(active.EndAt), activeFigure?.Basis ?? "current",
                activeFigure?.CommittedPoints ?? active.Points, activeFigure?.CompletedPoints ?? 0, activeFigure?.SayDo, activeDays, ["committedPoints", "capacityUse"]));
        }

        return new MiTeam(t.Id, t.Name, t.SourceId, t.SourceKind, active?.Name,
            MiFigure.Of(asOf?.VelocityP50, MiDefinitions.VelocityP50, TeamExplain(t.Id, "velocityP50"), noFigures),
            MiFigure.Of(asOf?.VelocityTrend, MiDefinitions.VelocityTrend, TeamExplain(t.Id, "velocityTrend"),
                trendSprints < 2 ? "a trend needs at least two closed sprints with figures" : noFigures),
            MiFigure.Of(asOf?.SayDo, MiDefinitions.SayDo(windows.SayDoSprints), TeamExplain(t.Id, "sayDo"),
                sayDoWindow.Count > 0 ? "nothing was committed in the last closed sprints" : noFigures),
            MiFigure.Of(active?.Points, MiDefinitions.CommittedPoints, TeamExplain(t.Id, "committedPoints"), "the team has no active sprint"),
            MiFigure.Of(activeDays, MiDefinitions.CapacityDays, TeamExplain(t.Id, "capacityDays"),
                active is null ? "the team has no active sprint" : "no capacity is recorded for the active sprint"),
            MiFigure.Of(capacityPoints, MiDefinitions.CapacityPoints, TeamExplain(t.Id, "capacityPoints"), capacityReason),
            MiFigure.Of(capacityUse, MiDefinitions.CapacityUse, TeamExplain(t.Id, "capacityUse"),
                capacityPoints is null ? capacityReason : "the capacity in points is zero"),
            MiFigure.Of(findings?.Count, MiDefinitions.OpenFindings, TeamExplain(t.Id, "openFindings"), input.FindingsReason ?? ""),
            findings is null ? null : BySeverity(findings),
            sprints);
    }

    private static Dictionary<Severity, int> BySeverity(IEnumerable<FindingRow> rows)
    {
        var d = new Dictionary<Severity, int> { [Severity.Critical] = 0, [Severity.Warning] = 0, [Severity.Info] = 0 };
        foreach (var r in rows) d[r.Severity] = d.GetValueOrDefault(r.Severity) + 1;
        return d;
    }

    private static List<MiEpic> BuildEpics(MiInput input, DateOnly today)
    {
        var items = input.EpicItems.ToLookup(i => (i.SourceId, i.EpicKey));
        var list = new List<MiEpic>();
        foreach (var e in input.Epics)
        {
            var children = items[(e.SourceId, e.Key)].ToList();
            var parts = children.GroupBy(c => c.TeamId ?? "(no team)").OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new MiEpicPart(g.Key, g.Where(c => c.StatusCategory == StatusCategory.Done).Sum(c => c.StoryPoints ?? 0),
                    g.Sum(c => c.StoryPoints ?? 0), g.Count(), g.Count(c => c.StatusCategory == StatusCategory.Done))).ToList();
            DateOnly? target = e.DueDate is { } d ? DateOnly.FromDateTime(d) : null;
            var explain = $"/api/mi/epics/{Uri.EscapeDataString(e.SourceId)}/{Uri.EscapeDataString(e.Key)}/explain";
            input.Forecasts.TryGetValue((e.SourceId, e.Key), out var stored);
            var forecast = stored is { P50: { } f50, P85: { } f85 } ? (P50: f50, P85: f85) : ((DateOnly P50, DateOnly P85)?)null;
            string noForecast = stored is null
                ? input.ForecastsAvailable ? "no forecast yet: the analysis has not forecast this epic (run the analysis)" : "epic forecasts are not available yet"
                : "no forecast: " + (string.IsNullOrWhiteSpace(stored.Reason) ? "the analysis could not forecast this epic" : stored.Reason);
            var (status, reason) = (e.StatusCategory, target, forecast) switch
            {
                (StatusCategory.Done, _, _) => (EpicStatus.Done, "the epic is done"),
                (_, null, _) => (EpicStatus.NoTarget, "the epic has no target (due) date"),
                (_, { } t, { } f) when f.P85 <= t => (EpicStatus.OnTrack, $"P85 {f.P85:yyyy-MM-dd} is on or before the target {t:yyyy-MM-dd}"),
                (_, { } t, { } f) when f.P50 <= t => (EpicStatus.AtRisk, $"P50 {f.P50:yyyy-MM-dd} meets the target {t:yyyy-MM-dd}, P85 {f.P85:yyyy-MM-dd} does not"),
                (_, { } t, { } f) => (EpicStatus.Late, $"P50 {f.P50:yyyy-MM-dd} is after the target {t:yyyy-MM-dd}"),
                (_, { } t, null) when t < today => (EpicStatus.Late, $"the target {t:yyyy-MM-dd} has passed and the epic is not done"),
                _ => (EpicStatus.Unknown, noForecast),
            };
            list.Add(new MiEpic(e.SourceId, e.Key, e.Title, e.Url, e.StatusCategory, e.TeamId, target,
                parts.Sum(p => p.DonePoints), parts.Sum(p => p.TotalPoints), children.Count, children.Count(c => c.StoryPoints is null),
                parts,
                new MiDateFigure(forecast?.P50, MiDefinitions.ForecastP50, explain, forecast is null ? noForecast : null),
                new MiDateFigure(forecast?.P85, MiDefinitions.ForecastP85, explain, forecast is null ? noForecast : null),
                status, reason, explain));
        }
        return list;
    }

    /// <summary>DEP-UNSCHEDULED or DEP-LATE condition on one open cross-team dependency (calendar days, UTC).</summary>
    public static bool IsAtRisk(DependencyRow d)
    {
        bool dependentPlanned = d.FromSprintState is SprintState.Active or SprintState.Future;
        if (!dependentPlanned) return false;
        bool blockerPlanned = d.ToSprintState is SprintState.Active or SprintState.Future;
        if (!blockerPlanned) return true;
        if (d.ToSprintEnd is not { } blockerEnd || d.FromSprintStart is not { } dependentStart) return false;
        var blockerLastDay = DateOnly.FromDateTime(blockerEnd.AddTicks(-1));
        return blockerLastDay >= DateOnly.FromDateTime(dependentStart);
    }

    private static MiDependencies BuildDependencies(MiInput input, DateTimeOffset now)
    {
        var names = input.Teams.ToDictionary(t => t.Id);
        var edges = input.Dependencies.GroupBy(d => (d.FromTeam, d.ToTeam)).OrderBy(g => g.Key.FromTeam, StringComparer.Ordinal)
            .ThenBy(g => g.Key.ToTeam, StringComparer.Ordinal)
            .Select(g =>
            {
                int atRisk = g.Count(IsAtRisk);
                return new MiEdge(g.Key.FromTeam, g.Key.ToTeam, g.Count(), g.Sum(d => d.ToPoints ?? 0), atRisk, atRisk > 0,
                    $"/api/mi/dependencies/explain?from={Uri.EscapeDataString(g.Key.FromTeam)}&to={Uri.EscapeDataString(g.Key.ToTeam)}");
            }).ToList();
        var nodeIds = input.Teams.Select(t => t.Id).Concat(edges.SelectMany(e => new[] { e.From, e.To })).Distinct().ToList();
        var nodes = nodeIds.Select(id => new MiNode(id, names.TryGetValue(id, out var t) ? t.Name : id, names.TryGetValue(id, out var s) ? s.SourceId : "",
            edges.Where(e => e.From == id).Sum(e => e.Dependencies), edges.Where(e => e.To == id).Sum(e => e.Dependencies),
            edges.Where(e => e.From == id || e.To == id).Sum(e => e.AtRisk))).ToList();
        return new MiDependencies(now, MiDefinitions.Dependencies + " At risk: " + MiDefinitions.AtRisk, nodes, edges);
    }

    private static MiOverview BuildOverview(MiInput input, List<MiTeam> teams, List<MiEpic> epics, MiDependencies deps, DateTimeOffset now,
        MiWindows windows)
    {
        var withActive = teams.Where(t => t.CommittedPoints.Value is not null).ToList();
        var withCapacity = withActive.Where(t => t.CapacityPoints.Value is not null).ToList();
        double? committed = withActive.Count == 0 ? null : withActive.Sum(t => t.CommittedPoints.Value!.Value);
        double? capacityPoints = withCapacity.Count == 0 ? null : withCapacity.Sum(t => t.CapacityPoints.Value!.Value);
        double? ratio = capacityPoints is > 0 ? withCapacity.Sum(t => t.CommittedPoints.Value!.Value) / capacityPoints : null;
        var days = withActive.Where(t => t.CapacityDays.Value is not null).ToList();

        double sayCommitted = 0, sayCompleted = 0;
        foreach (var t in teams)
            foreach (var s in t.Sprints.Where(s => s.UsedFor.Contains("sayDo"))) { sayCommitted += s.Committed; sayCompleted += s.Completed; }

        var series = new List<MiVelocityPoint>();
        var closedPerTeam = teams.Select(t => t.Sprints.Where(s => s.State == SprintState.Closed).ToList()).ToList();
        int maxN = closedPerTeam.Count == 0 ? 0 : Math.Min(windows.VelocitySprints, closedPerTeam.Max(c => c.Count));
        for (int k = maxN - 1; k >= 0; k--)
        {
            var slot = closedPerTeam.Where(c => c.Count > k).Select(c => c[c.Count - 1 - k]).ToList();
            series.Add(new MiVelocityPoint(-k, slot.Sum(s => s.Committed), slot.Sum(s => s.Completed), slot.Count));
        }
        var trends = teams.Where(t => t.VelocityTrend.Value is not null).ToList();

        MiFindingCounts findings = input.Findings is null
            ? new MiFindingCounts(null, null, null, MiDefinitions.OrgFindings, OrgExplain("openFindings"), input.FindingsReason)
            : new MiFindingCounts(input.Findings.Count, BySeverity(input.Findings),
                input.Findings.GroupBy(f => f.Rule).OrderBy(g => g.Key.Name(), StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<Severity, int>)BySeverity(g)),
                MiDefinitions.OrgFindings, OrgExplain("openFindings"), null);

        string noFigures = input.FiguresAvailable ? "no team has closed sprints with figures yet" : "sprint figures are not available yet";
        return new MiOverview(now, teams.Count,
            input.Active.Select(a => (a.SourceId, a.SprintId)).Distinct().Count(),
            MiFigure.Of(committed, MiDefinitions.OrgCommitted, OrgExplain("committedPoints"), "no team has an active sprint"),
            MiFigure.Of(capacityPoints, MiDefinitions.OrgCapacityPoints, OrgExplain("capacityPoints"),
                withActive.Count == 0 ? "no team has an active sprint" : noFigures),
            MiFigure.Of(ratio, MiDefinitions.OrgCommitmentVsCapacity, OrgExplain("commitmentVsCapacity"),
                withActive.Count == 0 ? "no team has an active sprint" : noFigures),
            MiFigure.Of(days.Count == 0 ? null : days.Sum(t => t.CapacityDays.Value!.Value), MiDefinitions.OrgCapacityDays,
                OrgExplain("capacityDays"), "no capacity is recorded for the active sprints"),
            MiFigure.Of(sayCommitted > 0 ? sayCompleted / sayCommitted : null, MiDefinitions.OrgSayDo(windows.SayDoSprints), OrgExplain("sayDo"), noFigures),
            MiFigure.Of(trends.Count == 0 ? null : trends.Sum(t => t.VelocityTrend.Value!.Value), MiDefinitions.OrgVelocityTrend,
                OrgExplain("velocityTrend"), "no team has two closed sprints with figures yet"),
            series,
            findings,
            new MiFigure(deps.Edges.Sum(e => e.Dependencies), MiDefinitions.Dependencies, OrgExplain("openDependencies")),
            new MiFigure(deps.Edges.Sum(e => e.AtRisk), MiDefinitions.AtRisk, OrgExplain("dependenciesAtRisk")),
            new MiEpicCounts(epics.Count(e => e.Status == EpicStatus.OnTrack), epics.Count(e => e.Status == EpicStatus.AtRisk),
                epics.Count(e => e.Status == EpicStatus.Late), epics.Count(e => e.Status == EpicStatus.Done),
                epics.Count(e => e.Status == EpicStatus.NoTarget), epics.Count(e => e.Status == EpicStatus.Unknown),
                MiDefinitions.Epics, OrgExplain("epics")));
    }

    /// <summary>The overview's <c>dataFreshness</c> from the assessed sources (<see cref="SyncFreshness.Assess"/>).</summary>
    public static MiDataFreshness DataFreshness(IReadOnlyList<SourceFreshness> sources, DateTimeOffset now) =>
        new(now, sources.Count(s => s.Stale), sources.Sum(s => s.Teams.Count(t => t.Stale)),
            sources.Select(s => new MiSourceFreshness(s.Source, s.Kind, s.Status, s.LastSuccess, s.LastAttempt, s.Stale, s.QuarantinedItems,
                s.Teams.Where(t => t.Stale).Select(t => t.Team).ToList(),
                s.Stale ? string.Join("; ", s.Parts.Where(p => p.Stale).Select(p => $"{(p.IsSourceWide ? "source-wide" : p.Team)}: {p.Reason}")) : null)).ToList(),
            MiDefinitions.DataFreshness, OrgExplain("dataFreshness"));

    private static DateTimeOffset? Utc(DateTime? d) => d is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}
