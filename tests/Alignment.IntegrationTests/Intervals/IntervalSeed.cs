using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Intervals;

/// <summary>
/// A hand-built intervals document for the dashboard tests on the hand-built store (<c>MiStore</c>): a finished interval with slips of
/// every reason and a running one with a team at risk, and the configuration that names them.
/// </summary>
public static class IntervalSeed
{
    public const string Finished = "2026-Q3", Running = "2026-Q4";

    /// <summary><paramref name="config"/> (an anonymous configuration object) with the two intervals configured.</summary>
    public static JsonObject WithIntervals(object config)
    {
        var json = JsonSerializer.SerializeToNode(config)!.AsObject();
        json["PlanningIntervals"] = JsonNode.Parse("""
            [ { "Id": "2026-Q3", "Start": "2026-07-06", "End": "2026-10-04" }, { "Id": "2026-Q4", "Start": "2026-10-05", "End": "2026-12-27" } ]
            """);
        return json;
    }

    public static async Task WriteAsync(TestDatabase db, DateTimeOffset now)
    {
        PlannedItem P(string key, string unit, double points, double? value = null) => new("jira", key, key, unit, WorkItemType.Epic, value, points);
        var done = new[] { P("PAY-11", "PAY-1", 5, 20), P("PAY-12", "PAY-1", 3, 20), P("PAY-21", "PAY-2", 8, 13) }
            .Select(p => new Delivery("payments", p, p.Key != "PAY-21")).ToList();
        var slips = new List<MiSlip>
        {
            new("jira", "PAY-2", "Epic <b>two</b>", "https://jira.example/browse/PAY-2", WorkItemType.Epic, 8, 0, [SlipReason.BlockedByTeam, SlipReason.CarriedOver],
                [new MiSlipItem("jira", "PAY-21", "Story with a <script>", "https://jira.example/browse/PAY-21", 8, [SlipReason.BlockedByTeam, SlipReason.CarriedOver], ["ado/4711"])]),
        };
        var ledger = new List<Delivery> { new("ledger", new PlannedItem("ado", "4711", "4711", "4700", WorkItemType.Feature, null, 5), false) };
        var ledgerSlips = new List<MiSlip>
        {
            new("ado", "4700", "Feature", null, WorkItemType.Feature, 5, 0, [SlipReason.UnplannedWork],
                [new MiSlipItem("ado", "4711", "Item", null, 5, [SlipReason.UnplannedWork], [])]),
        };
        MiIntervalFigures F(List<Delivery> d, IntervalPhase phase, string? team, IReadOnlyList<MiSlip> s, ScopeChange? scope) =>
            IntervalFigures.Of(d, 16, scope, IntervalFigures.CountReasons(s), IntervalAnalyzer.ExplainUrl(phase == IntervalPhase.Finished ? Finished : Running, team), phase);
        var q3 = new MiInterval(Finished, new DateOnly(2026, 7, 6), new DateOnly(2026, 10, 4), IntervalPhase.Finished,
            F([.. done, .. ledger], IntervalPhase.Finished, null, [.. slips, .. ledgerSlips], new ScopeChange(13, 3, 2, 1)),
            [
                new MiIntervalTeam("ledger", "Ledger", IntervalPhase.Finished, "reconstructed", now.AddDays(-120), now.AddDays(-30), new DateOnly(2026, 10, 9),
                    ["Sprint 40", "Sprint 41"], F(ledger, IntervalPhase.Finished, "ledger", ledgerSlips, new ScopeChange(8, 2, 0, 0)), ledgerSlips, null),
                new MiIntervalTeam("payments", "Payments", IntervalPhase.Finished, "observed", now.AddDays(-120), now.AddDays(-30), new DateOnly(2026, 10, 2),
                    ["PAY Sprint 7", "PAY Sprint 8"], F(done, IntervalPhase.Finished, "payments", slips, new ScopeChange(5, 1, 2, 1)), slips, null),
            ]);
        var running = done.Select(d => d with { Done = d.Item.Key == "PAY-11" }).ToList();
        var q4 = new MiInterval(Running, new DateOnly(2026, 10, 5), new DateOnly(2026, 12, 27), IntervalPhase.Running,
            F(running, IntervalPhase.Running, null, [], null),
            [
                new MiIntervalTeam("ledger", "Ledger", IntervalPhase.NotStarted, null, null, null, null, [], F([], IntervalPhase.NotStarted, "ledger", [], null), [], null),
                new MiIntervalTeam("payments", "Payments", IntervalPhase.Running, "observed", now.AddDays(-20), null, new DateOnly(2026, 12, 25),
                    ["PAY Sprint 9"], F(running, IntervalPhase.Running, "payments", [], null), [],
                    new MiIntervalForecast(2, 11, 0, new DateOnly(2026, 12, 20), new DateOnly(2027, 1, 8), true, null)),
            ]);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await MiSnapshots.WriteIntervalsAsync(conn, tx, new MiIntervals(now, IntervalDefinitions.Document, [q3, q4]), default);
        await tx.CommitAsync();
    }
}
