using System.Globalization;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>The WSJF inputs and budget of an epic or feature, as its tracker's value fields hold them (<see cref="SimulatorOptions.Value"/>).</summary>
internal sealed class SimValue
{
    public double BusinessValue, TimeCriticality, RiskReduction, JobSize;
    public double? Budget;
    /// <summary>Planted out of order: its WSJF is three times the highest any unplanted item has (a PRIO-INVERSION where anything is ranked above it).</summary>
    public bool Planted;
    public double Wsjf => (BusinessValue + TimeCriticality + RiskReduction) / JobSize;
}

/// <summary>
/// Value fields (issue 15). Every epic (Jira, Azure DevOps) and feature (Azure DevOps; Jira features are stories) gets business value,
/// time criticality, risk reduction and a job size whose WSJF falls with the item's rank (20 ÷ (1 + rank/50)), so a backlog ordered by rank
/// is ordered by value, also across teams; every seventh gets none (VALUE-MISSING where it is in a top 20); in each team's backlog of a level
/// the 4th and 13th valued items are planted out of order with a WSJF of 60. Nothing here runs without <see cref="SimulatorOptions.Value"/>.
/// </summary>
public sealed partial class SimulatedOrganisation
{
    /// <summary>The top N of a backlog that VALUE-MISSING looks at (Alignment's default <c>Analysis:ValueTopN</c>).</summary>
    internal const int ValueTopN = 20;
    private static readonly double[] JobSizes = [2, 3, 5, 8, 13];

    internal static bool CarriesValue(Item it) => it.Type == ItemType.Epic || (it.Type == ItemType.Feature && it.Tracker == Tracker.Ado);

    private void AssignValues()
    {
        if (!Options.Value) return;
        foreach (var level in Teams.SelectMany(t => t.Items.Where(CarriesValue)).GroupBy(i => (i.Team, i.Type)))
        {
            var valued = 0;
            foreach (var it in level.OrderBy(i => i.Rank))
            {
                if (it.Index % 7 == 3) continue;
                var planted = valued is 3 or 12;
                valued++;
                var w = planted ? 60 : 20 / (1 + it.Rank / 50.0);
                var size = JobSizes[it.Index % JobSizes.Length];
                var cod = w * size;
                var bv = Math.Floor(cod * 0.5);
                var rr = Math.Floor(cod * 0.2);
                it.Value = new SimValue
                {
                    BusinessValue = bv, RiskReduction = rr, TimeCriticality = Math.Round(cod - bv - rr, 2), JobSize = size, Planted = planted,
                    // With SimulatorOptions.Finance the budgets (and the planted overruns) are the configuration's; the tracker
                    // field stays empty, so that no budget of arbitrary size makes an overrun nobody planted.
                    Budget = it.Type == ItemType.Epic && !Options.Finance ? 50_000 + (it.Index * 7919 % 45) * 10_000 : null,
                };
            }
        }
    }

    /// <summary>Open items of one team and level in rank order (the order of a backlog in Alignment: rank, then key).</summary>
    private static List<Item> Backlog(Team t, ItemType level) =>
        [.. t.Items.Where(i => i.Type == level && CarriesValue(i) && IsOpen(i)).OrderBy(i => i.Rank).ThenBy(i => i.Key, StringComparer.Ordinal)];

    /// <summary>
    /// <c>value</c> in <c>/_sim/truth</c>: the planted inversions as they stand now (open, with a valued open item ranked above them in
    /// their team's backlog) and, per team and level, the open items in the top <see cref="ValueTopN"/> without value inputs.
    /// </summary>
    internal void WriteValueTruth(Utf8JsonWriter w)
    {
        w.WriteStartObject("value");
        w.WriteNumber("topN", ValueTopN);
        w.WriteStartArray("inversions");
        foreach (var t in Teams)
            foreach (var level in new[] { ItemType.Epic, ItemType.Feature })
            {
                var backlog = Backlog(t, level);
                for (var k = 0; k < backlog.Count; k++)
                    if (backlog[k].Value is { Planted: true } && backlog.Take(k).Any(a => a.Value is not null)) WriteValueRef(w, backlog[k]);
            }
        w.WriteEndArray();
        w.WriteStartArray("valueMissing");
        foreach (var t in Teams)
            foreach (var level in new[] { ItemType.Epic, ItemType.Feature })
            {
                var missing = Backlog(t, level).Take(ValueTopN).Where(i => i.Value is null).ToList();
                if (missing.Count == 0) continue;
                w.WriteStartObject();
                w.WriteString("team", t.Id);
                w.WriteString("level", Statuses.TruthType(level));
                w.WriteStartArray("keys");
                foreach (var i in missing) w.WriteStringValue(i.Key);
                w.WriteEndArray();
                w.WriteEndObject();
            }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteValueRef(Utf8JsonWriter w, Item it)
    {
        w.WriteStartObject();
        w.WriteString("team", it.Team.Id);
        w.WriteString("tracker", TrackerName(it.Tracker));
        w.WriteString("key", it.Key);
        w.WriteString("type", Statuses.TruthType(it.Type));
        w.WriteNumber("wsjf", Math.Round(it.Value!.Wsjf, 2));
        w.WriteEndObject();
    }

    /// <summary>A value input as the tracker holds it: a number; Jira's time criticality is a select list whose option value is the number.</summary>
    internal static string ValueText(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
