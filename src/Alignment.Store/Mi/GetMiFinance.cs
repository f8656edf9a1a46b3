using System.Text.Json;
using Dapper;
using Mediator;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Store.Mi;

/// <summary>
/// The finance MI (docs/figures.md, "Cost") as <paramref name="Viewer"/> may see it: admin, PMO and management everything; a product owner
/// the budget status of their teams' epics only (<see cref="MiFinanceBuilder.Restrict"/>).
/// </summary>
public sealed record GetMiFinanceQuery(Viewer Viewer) : IQuery<MiFinance>;

/// <summary>A team's priced sprints (rate, capacity, cost, completed points, cost per point); null when the team is unknown.</summary>
public sealed record ExplainMiFinanceTeamQuery(string Team) : IQuery<MiExplanation?>;

/// <summary>An epic's cost: the sprints and items behind its cost to date, and each team's remaining cost; null when the epic is not listed.</summary>
public sealed record ExplainMiFinanceEpicQuery(string Source, string Key) : IQuery<MiExplanation?>;

internal sealed class GetMiFinanceHandler(NpgsqlDataSource db, IOptions<AlignmentOptions> options, TimeProvider time)
    : IQueryHandler<GetMiFinanceQuery, MiFinance>, IQueryHandler<ExplainMiFinanceTeamQuery, MiExplanation?>, IQueryHandler<ExplainMiFinanceEpicQuery, MiExplanation?>
{
    public async ValueTask<MiFinance> Handle(GetMiFinanceQuery q, CancellationToken ct)
    {
        var doc = await ReadAsync(ct);
        if (q.Viewer.TeamScope is not { } email) return doc;
        var mine = options.Value.Teams
            .Where(t => email != "" && t.ProductOwner?.Email is { Length: > 0 } e && string.Equals(e, email, StringComparison.OrdinalIgnoreCase))
            .Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        return MiFinanceBuilder.Restrict(doc, mine);
    }

    public async ValueTask<MiExplanation?> Handle(ExplainMiFinanceTeamQuery q, CancellationToken ct)
    {
        var doc = await ReadAsync(ct);
        if (doc.Teams.FirstOrDefault(t => t.Team == q.Team) is not { } team) return null;
        return new MiExplanation("sprintCost", doc.Definition.SprintCost + " " + doc.Definition.CostPerPoint,
            new { doc.Currency, team.Rates, team.CostPerSprintNow, team.CostPerPointTrend }, team.CostPerSprintNowReason,
            team.Sprints.Select(s => ExplainMiFigureHandler.Row(("sprint", s.Sprint), ("name", s.Name), ("firstDay", s.FirstDay), ("lastDay", s.LastDay),
                ("basis", s.Basis), ("rate", s.Rate), ("capacityDays", s.CapacityDays), ("cost", s.Cost), ("completedPoints", s.CompletedPoints),
                ("costPerPoint", s.CostPerPoint), ("reason", s.Reason))).ToList());
    }

    public async ValueTask<MiExplanation?> Handle(ExplainMiFinanceEpicQuery q, CancellationToken ct)
    {
        var doc = await ReadAsync(ct);
        if (doc.Epics.FirstOrDefault(e => e.Source == q.Source && e.Key == q.Key) is not { } epic) return null;
        var rows = (epic.Sprints ?? []).SelectMany(s => s.Items.Select(item => ExplainMiFigureHandler.Row(("team", s.Team), ("sprint", s.Sprint), ("name", s.Name),
                ("lastDay", s.LastDay), ("sprintPoints", s.Points), ("costPerPoint", s.CostPerPoint), ("sprintCost", s.Cost), ("item", item))))
            .Concat((epic.ByTeam ?? []).Where(t => t.RemainingPoints > 0).Select(t => ExplainMiFigureHandler.Row(("team", t.Team), ("remainingPoints", t.RemainingPoints),
                ("costPerSprint", t.CostPerSprint), ("sprintsToP50", t.SprintsToP50), ("sprintsToP85", t.SprintsToP85),
                ("remainingCostP50", t.RemainingCostP50), ("remainingCostP85", t.RemainingCostP85), ("reason", t.Reason))))
            .ToList();
        return new MiExplanation("epicCost", doc.Definition.CostToDate + " " + doc.Definition.CostAtCompletion + " " + doc.Definition.BudgetStatus,
            new { doc.Currency, epic.Budget, epic.CostToDate, epic.AtCompletionP50, epic.AtCompletionP85, epic.BudgetStatus }, epic.Reason, rows);
    }

    /// <summary>The stored document; before any analysis with finance configured, an empty one saying why.</summary>
    private async Task<MiFinance> ReadAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var body = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT body::text FROM analysis.mi_snapshots WHERE kind = @Kind", new { MiFinanceBuilder.Kind }, cancellationToken: ct));
        if (body is not null) return JsonSerializer.Deserialize<MiFinance>(body, MiSnapshots.Json)!;
        var o = options.Value;
        var configured = FinanceInput.From(o).Configured;
        return MiFinanceBuilder.Empty(time.GetUtcNow(), o.Finance.Currency) with
        {
            Reason = configured ? "no analysis has run since team costs or budgets were configured" : MiFinanceBuilder.NotConfigured,
        };
    }
}
