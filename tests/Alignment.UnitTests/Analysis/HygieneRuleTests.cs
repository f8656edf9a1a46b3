
namespace Alignment.UnitTests.Analysis;

/// <summary>Fire and boundary cases of HYGIENE (docs/rules.md): unestimated stories above 30 %, items without a team, sprint field unused.</summary>
public sealed class HygieneRuleTests
{
    private static IEnumerable<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule);
    private static string[] Keys(Finding f) => f.Items.Select(i => $"{i.Source}/{i.Key}").ToArray();

    /// <summary>
    /// Ten stories of team pay: PAY-0 done, PAY-1 in the active sprint (so the done status and the sprint field are used),
    /// the last <paramref name="unestimated"/> without an estimate; <paramref name="inSprint"/> false leaves every story out of sprints.
    /// </summary>
    private static AnalysisResult TenStories(int unestimated, bool inSprint = true)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        for (var k = 0; k < 10; k++)
            b.Item("jira", $"PAY-{k}", "pay", sprint: inSprint && k == 1 ? b.Sprint("pay", 6) : null,
                status: k == 0 ? StatusCategory.Done : StatusCategory.Todo, points: k >= 10 - unestimated ? null : 3);
        return b.Run();
    }

    [Fact]
    public void Flags_hygiene_when_40_percent_of_a_teams_stories_have_no_estimate()
    {
        var f = Assert.Single(Of(TenStories(unestimated: 4), RuleId.Hygiene));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Empty(f.Items);
        var card = Assert.IsType<HygieneEvidence>(f.Evidence).Scorecard;
        Assert.Equal(0.4, card.UnestimatedShare);
        Assert.Contains("estimate", Assert.Single(card.Problems));
    }

    [Fact]
    public void Does_not_flag_hygiene_when_exactly_30_percent_of_the_stories_have_no_estimate() =>
        Assert.Empty(Of(TenStories(unestimated: 3), RuleId.Hygiene));

    [Fact]
    public void Flags_hygiene_when_ten_work_items_of_a_team_have_no_sprint()
    {
        var f = Assert.Single(Of(TenStories(unestimated: 0, inSprint: false), RuleId.Hygiene));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Empty(f.Items);
        var card = Assert.IsType<HygieneEvidence>(f.Evidence).Scorecard;
        Assert.Equal(0.0, card.SprintFieldUse);
        Assert.Contains("sprint", Assert.Single(card.Problems));
    }

    [Fact]
    public void Does_not_flag_hygiene_when_one_of_ten_work_items_has_a_sprint() =>
        Assert.Empty(Of(TenStories(unestimated: 0, inSprint: true), RuleId.Hygiene));

    private static AnalysisResult WithTeamlessItem(StatusCategory status) =>
        new SnapshotBuilder().Team("pay", "jira").Item("jira", "PAY-1", "pay").Item("jira", "X-1", null, status: status).Run();

    [Fact]
    public void Flags_hygiene_when_an_open_item_of_a_source_belongs_to_no_team()
    {
        var f = Assert.Single(Of(WithTeamlessItem(StatusCategory.Todo), RuleId.Hygiene));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Null(f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Equal(["jira/X-1"], Keys(f));
        Assert.Equal(1, Assert.IsType<TeamlessItemsEvidence>(f.Evidence).Count);
        Assert.Equal("source:jira", f.Subject);
    }

    [Fact]
    public void Does_not_flag_hygiene_when_the_only_item_without_a_team_is_removed() =>
        Assert.Empty(Of(WithTeamlessItem(StatusCategory.Removed), RuleId.Hygiene));

    [Fact]
    public void Flags_unused_sprint_field_even_when_an_epic_has_a_sprint()
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        b.Item("jira", "EPIC-1", "pay", b.Sprint("pay", 6), type: WorkItemType.Epic);
        for (var k = 0; k < 10; k++) b.Item("jira", $"PAY-{k}", "pay", parent: "EPIC-1", status: k == 0 ? StatusCategory.Done : StatusCategory.Todo);
        var r = b.Run();
        Assert.Equal(0.0, r.Hygiene["pay"].SprintFieldUse);
        Assert.Contains("sprint field is unused", Assert.Single(Of(r, RuleId.Hygiene)).Title + string.Join(" ", r.Hygiene["pay"].Problems));
    }
}
