using System.Text.Json;
using static Alignment.Domain.Model.DomainNames;

namespace Alignment.UnitTests.Advice;

/// <summary>Hand-built findings with the evidence shapes the analyzers write (docs/rules.md).</summary>
internal static class AdviceFindings
{
    public static readonly DateOnly Today = new(2026, 11, 26);
    private static long _id = 100;

    public static object Item(string key, string team, string? sprintName = null, string? firstDay = null, string title = "Title", double? points = null, string type = "story") => new
    {
        source = "jira", key, url = $"https://jira.example.com/browse/{key}", title, type, team, statusCategory = "todo", storyPoints = points,
        sprint = sprintName is null ? null : new { source = "jira", id = sprintName, name = sprintName, state = "future", firstDay, lastDay = (string?)null },
    };

    public static AdviceFinding Make(RuleId rule, Severity severity, string? team, object evidence, params string[] related) =>
        new(++_id, rule, severity, team, related, [], rule.Name(), "action", 50, JsonSerializer.SerializeToElement(evidence), DateTimeOffset.Parse("2026-11-25T00:00:00Z"));

    public static AdviceFinding Unscheduled(string blockerKey, string blockerTeam, string depKey, string depTeam, string depSprintStarts, Severity severity = Severity.Warning, string blockerTitle = "Blocker") =>
        Make(RuleId.DepUnscheduled, severity, depTeam, new { dependent = Item(depKey, depTeam, "S-" + depTeam, depSprintStarts), blocker = Item(blockerKey, blockerTeam, title: blockerTitle) }, blockerTeam);

    public static AdviceFinding Unestimated(string key, string team, string sprint, string firstDay) =>
        Make(RuleId.DriftUnestimated, Severity.Warning, team, new { item = Item(key, team, sprint, firstDay), where = "planned in " + sprint, topN = 20 });

    public static AdviceInput Input(string teamId, IReadOnlyList<AdviceFinding> findings, IReadOnlyDictionary<SprintKey, IReadOnlyList<SprintItem>>? sprintItems = null) =>
        new(new ProductOwner("ann@example.com", "Ann de Vries", [new AdviceTeam(teamId, "Payments")]), findings,
            sprintItems ?? new Dictionary<SprintKey, IReadOnlyList<SprintItem>>(),
            new Dictionary<string, string> { ["pay"] = "Payments", ["ledger"] = "Ledger", ["risk"] = "Risk" });
}
