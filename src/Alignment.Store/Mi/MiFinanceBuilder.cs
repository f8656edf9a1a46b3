using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// The finance MI document (<c>GET /api/mi/finance</c>, docs/figures.md "Cost"), built from the cost model of the analysis
/// (<see cref="AnalysisResult.Finance"/>) and stored as the <c>finance</c> row of <c>analysis.mi_snapshots</c> in the analysis's
/// transaction. <see cref="Build"/> and <see cref="Restrict"/> are pure.
/// </summary>
public static class MiFinanceBuilder
{
    public const string Kind = "finance";
    public const string NotConfigured = "no team has costs (Teams:N:Costs) and no epic a budget (Finance:Budgets), so there are no cost figures";

    /// <summary>Items completed per team and closed sprint (<c>analysis.sprint_item_outcomes</c>), for the cost model.</summary>
    public static async Task<IReadOnlyList<ItemCompletion>> LoadCompletionsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        (await conn.QueryAsync<ItemCompletion>(new CommandDefinition("""
            SELECT o.team_id AS team, o.source_id AS source, o.sprint_id, o.item_external_id, o.points
            FROM analysis.sprint_item_outcomes o
            JOIN core.sprints s ON s.source_id = o.source_id AND s.external_id = o.sprint_id
            WHERE o.completed AND o.points > 0 AND s.state = 'closed'
            ORDER BY o.team_id, o.source_id, o.sprint_id, o.item_external_id
            """, cancellationToken: ct))).ToList();

    /// <summary>Replaces the stored finance document (or removes it when finance is not configured) in the analysis's transaction.</summary>
    public static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, MiFinance? doc, CancellationToken ct,
        Action<string, double>? phase = null)
    {
        if (doc is null)
        {
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM analysis.mi_snapshots WHERE kind = @Kind", new { Kind }, tx, cancellationToken: ct));
            return;
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var body = JsonSerializer.Serialize(doc, MiSnapshots.Json);
        phase?.Invoke("financeSerialize", clock.Elapsed.TotalMilliseconds);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.mi_snapshots (kind, computed_at, body) VALUES (@Kind, @at, @body::json)
            ON CONFLICT (kind) DO UPDATE SET computed_at = EXCLUDED.computed_at, body = EXCLUDED.body
            """, new { Kind, at = doc.ComputedAt.UtcDateTime, body }, tx, cancellationToken: ct));
    }

    public static MiFinance Empty(DateTimeOffset now, string currency) =>
        new(now, currency, false, NotConfigured, [], [], MiFinanceDefinitions.Default);

    public static MiFinance Build(FinanceResult f, AlignmentOptions o, DateTimeOffset now)
    {
        var teams = o.Teams.Select(t => Team(f, t)).ToList();
        var epics = f.Epics.Select(Epic).ToList();
        return new MiFinance(now, f.Currency, false, null, teams, epics, MiFinanceDefinitions.Default);
    }

    private static MiFinanceTeam Team(FinanceResult f, TeamOptions t)
    {
        var sprints = f.Sprints.Where(s => s.Team == t.Id).ToList();
        var now = f.Teams.FirstOrDefault(n => n.Team == t.Id);
        var rows = sprints.Select(s => new MiSprintCost(s.SprintId, s.SprintName, s.FirstDay, s.LastDay, s.Basis?.ToString(), s.Rate, s.CapacityDays, s.Cost,
            s.CompletedPoints, Money.Round(s.CostPerPoint), s.Reason)).ToList();
        var perPoint = sprints.Where(s => s.CostPerPoint is not null).Select(s => s.CostPerPoint!.Value).ToList();
        var rates = t.Costs.Where(c => c.FromDate is not null).OrderBy(c => c.FromDate)
            .Select(c => new MiTeamRate(c.FromDate!.Value, c.PerSprint is null ? nameof(RateBasis.PerPersonDay) : nameof(RateBasis.PerSprint), c.PerSprint ?? c.PerPersonDay ?? 0))
            .ToList();
        return new MiFinanceTeam(t.Id, t.Name, rates, now?.CostPerSprint, now?.Reason,
            Spend(sprints.Select(s => (s.LastDay, s.Cost)), Month), Spend(sprints.Select(s => (s.LastDay, s.Cost)), Quarter),
            rows, Money.Round(Stats.Trend(perPoint)), $"/api/mi/finance/teams/{Uri.EscapeDataString(t.Id)}/explain");
    }

    private static MiFinanceEpic Epic(EpicCost e)
    {
        var spent = e.SprintCosts.Select(s => (s.LastDay, s.Cost)).ToList();
        return new MiFinanceEpic(e.Source, e.Key, e.Title, e.Url, e.Team, e.Teams.Select(t => t.Team).Where(t => t != "").ToList(), e.StatusCategory,
            e.Budget?.Amount, e.Budget?.Origin.ToString(), e.CostToDate, e.UnpricedPoints, e.AtCompletionP50, e.AtCompletionP85, e.ForecastP50, e.ForecastP85,
            StatusOf(e), e.Reason, Spend(spent, Month), Spend(spent, Quarter),
            e.Teams.Select(t => new MiEpicTeamCost(t.Team == "" ? null : t.Team, t.CostToDate, t.DonePoints, t.UnpricedPoints, t.RemainingPoints, t.CostPerSprint,
                t.SprintsToP50, t.SprintsToP85, t.RemainingCostP50, t.RemainingCostP85, t.Reason)).ToList(),
            e.SprintCosts.Select(s => new MiEpicSprint(s.Team, s.Source, s.SprintId, s.SprintName, s.LastDay, s.Points, Money.Round(s.CostPerPoint), s.Cost, s.Items)).ToList(),
            $"/api/mi/finance/epics/{Uri.EscapeDataString(e.Source)}/{Uri.EscapeDataString(e.Key)}/explain");
    }

    public static BudgetStatus StatusOf(EpicCost e) =>
        e.Budget is not { } b ? BudgetStatus.NoBudget
        : BudgetAnalyzer.Overrun(e, b.Amount) switch
        {
            Severity.Critical => BudgetStatus.OverBudget,
            Severity.Warning => BudgetStatus.AtRisk,
            _ => e.AtCompletionP85 is null ? BudgetStatus.Unknown : BudgetStatus.WithinBudget,
        };

    public static string Month(DateOnly d) => d.ToString("yyyy-MM", CultureInfo.InvariantCulture);
    public static string Quarter(DateOnly d) => $"{d.Year}-Q{(d.Month - 1) / 3 + 1}";

    /// <summary>Σ of the priced costs per period of the last day; costs without a value count as unpriced sprints.</summary>
    private static List<MiSpend> Spend(IEnumerable<(DateOnly? LastDay, double? Cost)> costs, Func<DateOnly, string> period) =>
        costs.Where(c => c.LastDay is not null).GroupBy(c => period(c.LastDay!.Value)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new MiSpend(g.Key, Money.Round(g.Sum(c => c.Cost ?? 0)), g.Count(), g.Count(c => c.Cost is null))).ToList();

    /// <summary>
    /// The product-owner view: the epics of <paramref name="teams"/> (owned by one, or with work of one), with their budget status only;
    /// no team rates, sprint costs, cost per point or per-team breakdown.
    /// </summary>
    public static MiFinance Restrict(MiFinance doc, IReadOnlySet<string> teams) => doc with
    {
        Restricted = true,
        Teams = [],
        Epics = doc.Epics.Where(e => (e.Team is not null && teams.Contains(e.Team)) || e.Teams.Any(teams.Contains))
            .Select(e => e with { Months = null, Quarters = null, ByTeam = null, Sprints = null }).ToList(),
    };
}
