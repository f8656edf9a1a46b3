using System.Globalization;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>
/// Team costs, epic budgets and planted budget overruns (<see cref="SimulatorOptions.Finance"/>): Jira teams cost a fixed amount per sprint
/// (the first Jira team's rate rises 25 % three sprints before now: one rate change), Azure DevOps teams a rate per person-day (their
/// iterations have capacity). A planted overrun is an open epic whose budget is a quarter of its rough cost (points × the team's rate ÷ its
/// velocity); the other budgeted epics get five times that plus 10,000, far above any forecast. Decided once, at generation.
/// </summary>
public sealed partial class SimulatedOrganisation
{
    internal sealed record TeamCost(DateOnly From, bool PerSprint, double Amount);
    internal sealed record EpicBudget(Item Epic, double Amount, bool Planted);

    internal Dictionary<Team, List<TeamCost>> Costs { get; } = [];
    internal List<EpicBudget> Budgets { get; } = [];

    /// <summary>Children by parent (Jira items do not fill <see cref="Item.Children"/>).</summary>
    private ILookup<Item, Item>? _kids;

    private void PlanFinance()
    {
        _kids = Items.Where(i => i.Parent is not null).ToLookup(i => i.Parent!);
        var from = Teams.Min(t => t.Sprints[0].StartDay).AddDays(-1);
        foreach (var t in Teams)
        {
            var list = new List<TeamCost>();
            if (t.Tracker == Tracker.Jira) list.Add(new TeamCost(from, true, 30000 + 2000 * t.Ordinal));
            else list.Add(new TeamCost(from, false, 700 + 50 * t.Ordinal));
            Costs[t] = list;
        }
        if (Teams.FirstOrDefault(t => t.Tracker == Tracker.Jira) is { } first
            && first.Sprints.Where(s => s.State == SprintState.Closed).TakeLast(3).FirstOrDefault() is { } change)
            Costs[first].Add(new TeamCost(change.StartDay, true, Costs[first][0].Amount * 1.25));

        foreach (var tracker in new[] { Tracker.Jira, Tracker.Ado })
        {
            var candidates = Items.Where(i => i.Tracker == tracker && i.Type == ItemType.Epic && IsOpen(i))
                .Select(e => (Epic: e, Cost: RoughCost(e), Open: Descendants(e).Any(d => IsOpen(d) && d.Points > 0)))
                .Where(c => c.Cost > 0 && c.Open).Take(3).ToList();
            for (var k = 0; k < candidates.Count; k++)
            {
                var (epic, cost, _) = candidates[k];
                Budgets.Add(k == 0
                    ? new EpicBudget(epic, Math.Max(100, Math.Round(cost * 0.25 / 100) * 100), Planted: true)
                    : new EpicBudget(epic, Math.Round((cost * 5 + 10000) / 1000) * 1000, Planted: false));
            }
        }
    }

    private IEnumerable<Item> Descendants(Item root)
    {
        foreach (var c in _kids![root])
        {
            if (c.Type == ItemType.Epic) continue;
            yield return c;
            foreach (var d in Descendants(c)) yield return d;
        }
    }

    /// <summary>Σ points of the epic's stories and bugs × their team's rough cost per point (rate per sprint ÷ velocity).</summary>
    private double RoughCost(Item epic) =>
        Descendants(epic).Where(d => d.Type is ItemType.Story or ItemType.Bug && d.Points > 0).Sum(d => d.Points * RoughCostPerPoint(d.Team));

    private double RoughCostPerPoint(Team t)
    {
        var rate = Costs[t][^1];
        var perSprint = rate.PerSprint ? rate.Amount : rate.Amount * t.Members.Count * t.SprintDays * 5 / 7.0;
        return t.Velocity > 0 ? perSprint / t.Velocity : 0;
    }

    private void WriteTeamCosts(Utf8JsonWriter w, Team t)
    {
        if (!Costs.TryGetValue(t, out var list)) return;
        w.WriteStartArray("Costs");
        foreach (var c in list)
        {
            w.WriteStartObject();
            w.WriteString("From", c.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber(c.PerSprint ? "PerSprint" : "PerPersonDay", c.Amount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteFinanceConfig(Utf8JsonWriter w)
    {
        if (!Options.Finance) return;
        w.WriteStartObject("Finance");
        w.WriteString("Currency", "EUR");
        w.WriteStartArray("Budgets");
        foreach (var b in Budgets)
        {
            w.WriteStartObject();
            w.WriteString("Source", b.Epic.Tracker == Tracker.Jira ? "jira" : "ado");
            w.WriteString("Epic", b.Epic.Key);
            w.WriteNumber("Amount", b.Amount);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The truth's <c>budgets</c>: every configured budget, planted (an overrun to find) or not (none may be found).</summary>
    private void WriteTruthBudgets(Utf8JsonWriter w)
    {
        if (!Options.Finance) return;
        w.WriteStartArray("budgets");
        foreach (var b in Budgets)
        {
            w.WriteStartObject();
            w.WriteString("tracker", TrackerName(b.Epic.Tracker));
            w.WriteString("key", b.Epic.Key);
            w.WriteNumber("amount", b.Amount);
            w.WriteNumber("roughCost", Math.Round(RoughCost(b.Epic), 2));
            w.WriteBoolean("plantedOverrun", b.Planted);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteBudgetProblems(Utf8JsonWriter w)
    {
        foreach (var b in Budgets.Where(b => b.Planted))
            WriteProblem(w, "budgetOverrun", [b.Epic.Team], [b.Epic], string.Create(CultureInfo.InvariantCulture,
                $"{b.Epic.Key}: budget {b.Amount:0} EUR is a quarter of its rough cost {RoughCost(b.Epic):0} EUR"));
    }
}
