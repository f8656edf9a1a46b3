using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Alignment.UnitTests.Analysis;

/// <summary>
/// Pins the exact JSON the store writes for findings of every rule and shape (the integration test on the simulated organisation
/// covers only the rules that organisation produces): every finding of a few hand-built snapshots, with its items and evidence as
/// <see cref="FindingStore.Serializer"/> writes them. The hash was taken before the evidence was typed and moved only
/// deliberately since: definition texts pointing to docs/, and the sample coefficient of variation (docs/figures.md).
/// </summary>
public sealed class EvidenceJsonPinTests
{
    private const string Pinned = "f363a3530e319ae1f30832f69fbe3951c3b9306a07a13455e9a34735b0de3e30";
    private static readonly DateTimeOffset Now = SnapshotBuilder.Now;

    private static IEnumerable<AnalysisResult> Scenarios()
    {
        // DEP-LATE critical and info, DEP-UNSCHEDULED, DEP-CYCLE, DEP-RANK.
        var b = new SnapshotBuilder().Team("pay", "jira", days: 14).Team("ledger", "ado", days: 7).Team("risk", "jira");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6)).Item("ado", "101", "ledger", b.Sprint("ledger", 8)).DependsOn("jira", "PAY-1", "ado", "101");
        b.Item("jira", "PAY-2", "pay", b.Sprint("pay", 7)).Item("ado", "102", "ledger").DependsOn("jira", "PAY-2", "ado", "102");
        b.Item("jira", "PAY-3", "pay", b.Sprint("pay", 6)).Item("jira", "RSK-1", "risk", b.Sprint("risk", 6)).DependsOn("jira", "PAY-3", "jira", "RSK-1");
        b.Item("jira", "PAY-4", "pay").Item("ado", "104", "ledger").DependsOn("jira", "PAY-4", "ado", "104").DependsOn("ado", "104", "jira", "PAY-4");
        for (var i = 0; i < 4; i++) b.Item("ado", $"20{i}", "ledger", rank: $"r{i}");
        b.Item("jira", "PAY-5", "pay", b.Sprint("pay", 7)).DependsOn("jira", "PAY-5", "ado", "203");
        yield return b.Run();

        // DEP-LATE warning (future dependent sprint), EPIC-MISALIGNED, DRIFT-EPIC-FORECAST, DRIFT-ORPHAN of a feature, DRIFT-HIERARCHY both ways.
        b = new SnapshotBuilder().Team("pay", "jira", days: 7).Team("risk", "jira");
        b.Item("jira", "PAY-9", "pay", b.Sprint("pay", 7)).Item("jira", "RSK-9", "risk", b.Sprint("risk", 8)).DependsOn("jira", "PAY-9", "jira", "RSK-9");
        b.Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic, due: new DateOnly(2025, 3, 20))
            .Item("jira", "PAY-1", "pay", b.Sprint("pay", 6), parent: "EPIC-1", points: 40)
            .Item("jira", "RSK-1", "risk", b.Sprint("risk", 8), parent: "EPIC-1", points: null);
        b.Item("jira", "FEAT-1", "pay", type: WorkItemType.Feature);
        b.Item("jira", "EPIC-2", "pay", type: WorkItemType.Epic, status: StatusCategory.Done).Item("jira", "PAY-2", "pay", parent: "EPIC-2", status: StatusCategory.InProgress, updated: Now.AddDays(-30));
        b.Item("jira", "EPIC-3", "risk", type: WorkItemType.Epic).Item("jira", "RSK-3", "risk", parent: "EPIC-3", status: StatusCategory.Done);
        yield return b.Run();

        // CAP-DIP, CAP-OVERCOMMIT, CAP-VOLATILE, CAP-SAYDO, DRIFT-READINESS, DRIFT-SPRINT-SCOPE.
        b = new SnapshotBuilder().Team("pay", "jira", velocity: [5, 30, 10, 35, 8, 25]).Team("ops", "ado").Team("slow", "jira", velocity: [13]);
        b.Capacity("ops", "ado", b.Sprint("ops", 7), 6);
        for (var k = 1; k <= 4; k++) b.Item("ado", $"30{k}", "ops", b.Sprint("ops", 7), points: 5);
        for (var k = 1; k <= 6; k++) b.Item("jira", $"PAY-{k}", "pay", b.Sprint("pay", 6), points: 8);
        b.Figure(new SprintFigure("ops", "ado", b.Sprint("ops", 6), "observed", 20, 4, 9, 1, 0.2, 10));
        yield return b.Run();

        // CAP-DEPENDENCY-LOAD, DRIFT-EPIC-SCOPE, DRIFT-CARRYOVER, DRIFT-UNESTIMATED.
        b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6)).Item("jira", "PAY-2", "pay", b.Sprint("pay", 7))
            .Item("ado", "101", "ledger", points: 6).Item("ado", "102", "ledger", points: 5)
            .DependsOn("jira", "PAY-1", "ado", "101").DependsOn("jira", "PAY-2", "ado", "102");
        b.Item("jira", "EPIC-5", "pay", type: WorkItemType.Epic)
            .Item("jira", "PAY-51", "pay", parent: "EPIC-5", points: 5, created: Now.AddDays(-40), firstPlanned: Now.AddDays(-30))
            .Item("jira", "PAY-52", "pay", parent: "EPIC-5", points: 8, created: Now.AddDays(-10))
            .Estimate("jira", "PAY-51", Now.AddDays(-20), 3, 5);
        b.Item("jira", "PAY-7", "pay", b.Sprint("pay", 6), sprintIds: [b.Sprint("pay", 3), b.Sprint("pay", 4), b.Sprint("pay", 5), b.Sprint("pay", 6)]);
        b.Item("jira", "PAY-8", "pay", b.Sprint("pay", 7), points: null, parent: "EPIC-5");
        yield return b.Run();

        foreach (var r in MoreScenarios()) yield return r;
    }

    private static IEnumerable<AnalysisResult> MoreScenarios()
    {
        // HYGIENE of a team and of items without a team.
        var b = new SnapshotBuilder();
        b = b.Team("pay", "jira");
        for (var k = 0; k < 10; k++) b.Item("jira", $"PAY-{k}", "pay", status: k == 0 ? StatusCategory.Done : StatusCategory.Todo, points: k >= 6 ? null : 3);
        b.Item("jira", "X-1", null).Item("ado", "9", null, status: StatusCategory.InProgress);
        yield return b.Run();

        // SYNC-STALE: a failed team, a never-synced source-wide part.
        var stale = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "jira").Build() with
        {
            Sync = new SnapshotSync(
                [new SyncSourceScope("jira", "jira", "*/15 * * * *", ["pay", "ledger"]), new SyncSourceScope("ado", "azureDevOps", "0 * * * *", [])],
                new SyncStateData(
                    [new SyncStateRow("jira", "pay", Now.AddMinutes(-5), Now.AddHours(-30), "failed", "401 Unauthorized", 42),
                     new SyncStateRow("jira", "ledger", Now.AddMinutes(-5), Now.AddMinutes(-10), "succeeded", null, 42)],
                    new Dictionary<(string, string), int> { [("jira", "pay")] = 2 }, new Dictionary<(string, string), DateTimeOffset>())),
        };
        yield return Analyzer.Run(stale, new AnalysisOptions());
    }

    /// <summary>
    /// BUDGET-OVERRUN, critical (P50 over) and warning (only P85 over): pinned apart (<see cref="PinnedFinance"/>, its BUDGET-OVERRUN findings
    /// only), so <see cref="Pinned"/> still covers exactly the findings it covered before the rule existed.
    /// </summary>
    private static IEnumerable<AnalysisResult> FinanceScenarios()
    {
        var b = new SnapshotBuilder().Team("pay", "jira", velocity: [10, 30]);
        b.Item("jira", "PAY-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress).Item("jira", "PAY-2", "pay", parent: "PAY-1", points: 30)
            .Item("jira", "PAY-3", "pay", parent: "PAY-1", points: 2, status: StatusCategory.Done)
            .Item("jira", "PAY-4", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress).Item("jira", "PAY-5", "pay", parent: "PAY-4", points: 25);
        var finance = new FinanceInput("EUR", new Dictionary<string, IReadOnlyList<TeamRate>> { ["pay"] = [new(new DateOnly(2024, 1, 1), RateBasis.PerSprint, 40000)] },
            FinanceInput.BudgetsOf([new EpicBudget("jira", "PAY-1", 20000, BudgetOrigin.Configuration), new EpicBudget("jira", "PAY-4", 100000, BudgetOrigin.Configuration)], []));
        yield return Analyzer.Run(b.Build() with { Finance = finance, Completions = [new ItemCompletion("pay", "jira", "pay-5", "PAY-3", 2)] }, new AnalysisOptions());
    }

    /// <summary>INTERVAL-AT-RISK: 61 planned points open against three sprints of 20 (pinned apart, <see cref="PinnedInterval"/>).</summary>
    private static IEnumerable<AnalysisResult> IntervalScenarios()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Item("jira", "PAY-1", "pay", type: WorkItemType.Epic);
        foreach (var (key, points) in new[] { ("PAY-2", 20.0), ("PAY-3", 21.0), ("PAY-4", 20.0) }) b.Item("jira", key, "pay", b.Sprint("pay", 6), points: points, parent: "PAY-1");
        var iv = new PlanningInterval("2025-PI1", new DateOnly(2025, 3, 10), new DateOnly(2025, 4, 20));
        var at = SnapshotBuilder.At(iv.Start);
        var plan = new TeamPlan(iv.Id, "pay", "jira", at, ["pay-6", "pay-7", "pay-8"], "observed", at,
            [.. new[] { ("PAY-2", 20.0), ("PAY-3", 21.0), ("PAY-4", 20.0) }.Select(p => new PlannedItem("jira", p.Item1, p.Item1, "PAY-1", WorkItemType.Epic, null, p.Item2))]);
        yield return Analyzer.Run(b.Build() with { Intervals = new IntervalInput([iv], [plan], []) }, new AnalysisOptions());
    }

    private const string PinnedInterval = "d81cb8f6d719cb3f5657b0c5158b3476b3e3ab89dc91dfbdea6f3bab1805c6c7";

    private const string PinnedFinance = "abf0fe29af0ef0e8c43ac07e4fe282300c50da45b3fffc6302b8a7677fc59d1e";

    /// <summary>
    /// The value rules (VALUE-MISSING, PRIO-INVERSION) and DEP-RANK with the value waiting on its blocker, pinned apart so that the
    /// scenarios above, which carry no value data, keep their hash from before the value rules existed.
    /// </summary>
    private static IEnumerable<AnalysisResult> ValueScenarios()
    {
        var b = new SnapshotBuilder().Team("pay", "jira", owner: "ann@example.com").Team("ledger", "ado", owner: "ann@example.com");
        b.Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: new ItemValue(3, 2, null, 10, 5000))
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "b")
            .Item("jira", "E3", "pay", type: WorkItemType.Epic, rank: "c", value: new ItemValue(13, 8, 5, null, null))
            .Item("jira", "S31", "pay", parent: "E3", points: 5);
        b.Item("ado", "E9", "ledger", type: WorkItemType.Epic, value: new ItemValue(20, 0, 0, 2, null))
            .Item("ado", "D1", "ledger", b.Sprint("ledger", 6), parent: "E9").DependsOn("ado", "D1", "jira", "PAY-4");
        for (var k = 1; k <= 4; k++) b.Item("jira", $"PAY-{k}", "pay", rank: $"r{k}");
        yield return b.Run();
    }

    private const string PinnedValue = "f6bd6af0207faac5dc9ea593d1504c378efe2f0fb5f7c676a26f56cc358bfc25";

    [Fact]
    public void Every_rules_stored_json_is_byte_identical_to_the_pinned_one()
    {
        var lines = Lines(Scenarios());
        var valueLines = Lines(ValueScenarios());
        var finance = Lines(FinanceScenarios()).Where(l => l.Split('\u001f')[1] == RuleId.BudgetOverrun.Name()).ToList();
        var interval = Lines(IntervalScenarios()).Where(l => l.Split('\u001f')[1] == RuleId.IntervalAtRisk.Name()).ToList();
        if (Environment.GetEnvironmentVariable("ALIGNMENT_IDENTITY_DUMP") is { Length: > 0 } dir)
        {
            File.WriteAllLines(Path.Combine(dir, "unit-evidence.txt"), lines.Concat(finance));
            File.WriteAllLines(Path.Combine(dir, "unit-evidence-value.txt"), valueLines);
        }
        var rules = lines.Concat(valueLines).Concat(finance).Concat(interval).Select(l => l.Split('\u001f')[1]).ToHashSet();
        Assert.Equal(Enum.GetValues<RuleId>().Select(r => r.Name()).Order(), rules.Order());
        var actual = Hash(lines);
        Assert.True(actual == Pinned, $"the stored JSON of the findings moved: hash {actual}, pinned {Pinned}");
        var value = Hash(valueLines);
        Assert.True(value == PinnedValue, $"the stored JSON of the value findings moved: hash {value}, pinned {PinnedValue}");
        Assert.Equal([Severity.Critical.Name(), Severity.Warning.Name()], finance.Select(l => l.Split('\u001f')[2]).Order());
        var later = Hash(finance);
        Assert.True(later == PinnedFinance, $"the stored JSON of the BUDGET-OVERRUN findings moved: hash {later}, pinned {PinnedFinance}");
        Assert.Single(interval);
        var intervalHash = Hash(interval);
        Assert.True(intervalHash == PinnedInterval, $"the stored JSON of the INTERVAL-AT-RISK findings moved: hash {intervalHash}, pinned {PinnedInterval}");
    }

    private static List<string> Lines(IEnumerable<AnalysisResult> scenarios)
    {
        var json = new FindingStore.Serializer();
        return scenarios.SelectMany((r, n) => r.Findings.Select(f => string.Join("\u001f", n, f.Rule.Name(), f.Severity.Name(), f.Team,
            string.Join(",", f.RelatedTeams), json.Items(f), f.Title, json.Evidence(f), f.Action, f.Score.ToString("R", CultureInfo.InvariantCulture),
            f.Subject, f.Fingerprint))).ToList();
    }

    private static string Hash(IEnumerable<string> lines)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var l in lines) sha.AppendData(Encoding.UTF8.GetBytes(l + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
