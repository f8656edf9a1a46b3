
namespace Alignment.UnitTests.Analysis;

/// <summary>
/// Fire and boundary cases of EPIC-MISALIGNED and the DRIFT-* rules (docs/rules.md) with the default thresholds.
/// Sprint calendar of a 14-day team: S6 active 10–23 Mar 2025, S7 24 Mar – 6 Apr, S8 7–20 Apr; now is 12 Mar 2025.
/// </summary>
public sealed class DriftRuleTests
{
    private static IEnumerable<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule);
    private static string[] Keys(Finding f) => f.Items.Select(i => $"{i.Source}/{i.Key}").ToArray();
    private static readonly DateTimeOffset Now = SnapshotBuilder.Now;

    // EPIC-MISALIGNED: stories of one epic over several teams planned more than one sprint length apart.

    private static SnapshotBuilder EpicOverTwoTeams(int riskSprint)
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("risk", "jira");
        return b.Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic)
            .Item("jira", "PAY-1", "pay", b.Sprint("pay", 6), parent: "EPIC-1")
            .Item("jira", "RSK-1", "risk", b.Sprint("risk", riskSprint), parent: "EPIC-1");
    }

    [Fact]
    public void Flags_epic_misaligned_when_two_teams_parts_start_28_days_apart_with_14_day_sprints()
    {
        var f = Assert.Single(Of(EpicOverTwoTeams(riskSprint: 8).Run(), RuleId.EpicMisaligned));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Equal(["pay", "risk"], f.RelatedTeams);
        Assert.Equal(["jira/EPIC-1", "jira/PAY-1", "jira/RSK-1"], Keys(f));
        Assert.Equal(28, Assert.IsType<EpicMisalignedEvidence>(f.Evidence).GapDays);
    }

    [Fact]
    public void Does_not_flag_epic_misaligned_when_the_parts_start_exactly_one_sprint_length_apart() =>
        Assert.Empty(Of(EpicOverTwoTeams(riskSprint: 7).Run(), RuleId.EpicMisaligned));

    // DRIFT-CARRYOVER: an open story carried over two or more sprints.

    private static AnalysisResult CarriedThrough(params int[] sprints)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        return b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6), sprintIds: sprints.Select(k => b.Sprint("pay", k)).ToArray()).Run();
    }

    [Fact]
    public void Flags_carryover_when_an_open_story_was_in_two_closed_sprints()
    {
        var f = Assert.Single(Of(CarriedThrough(4, 5, 6), RuleId.DriftCarryOver));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Equal(["jira/PAY-1"], Keys(f));
        Assert.Equal(2, Assert.IsType<CarryOverEvidence>(f.Evidence).ClosedSprints.Count);
    }

    [Fact]
    public void Does_not_flag_carryover_when_an_open_story_was_in_one_closed_sprint() =>
        Assert.Empty(Of(CarriedThrough(5, 6), RuleId.DriftCarryOver));

    // DRIFT-STALE: in progress with no update for 10 days.

    private static AnalysisResult InProgressSince(DateTimeOffset updated) =>
        new SnapshotBuilder().Team("pay", "jira").Item("jira", "PAY-1", "pay", status: StatusCategory.InProgress, updated: updated).Run();

    [Fact]
    public void Flags_stale_when_an_item_in_progress_has_no_update_for_11_days()
    {
        var f = Assert.Single(Of(InProgressSince(Now.AddDays(-11)), RuleId.DriftStale));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Equal(["jira/PAY-1"], Keys(f));
        Assert.Equal(11, Assert.IsType<StaleItemEvidence>(f.Evidence).Days);
    }

    [Fact]
    public void Does_not_flag_stale_when_the_last_update_is_an_hour_short_of_10_days() =>
        Assert.Empty(Of(InProgressSince(Now.AddDays(-10).AddHours(1)), RuleId.DriftStale));

    // DRIFT-UNESTIMATED: a story in the next sprint, or in the top 20 of the ranked backlog, without an estimate.

    private static AnalysisResult UnestimatedAtRank(int rank)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        for (var k = 1; k <= 25; k++) b.Item("jira", $"PAY-{k:00}", "pay", rank: $"r{k:00}", points: k == rank ? null : 3);
        return b.Run();
    }

    [Fact]
    public void Flags_unestimated_when_a_story_at_rank_20_of_the_backlog_has_no_estimate()
    {
        var f = Assert.Single(Of(UnestimatedAtRank(20), RuleId.DriftUnestimated));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Equal(["jira/PAY-20"], Keys(f));
        Assert.Equal("rank 20 of the backlog", Assert.IsType<UnestimatedEvidence>(f.Evidence).Where);
    }

    [Fact]
    public void Does_not_flag_unestimated_when_the_story_is_at_rank_21_of_the_backlog() =>
        Assert.Empty(Of(UnestimatedAtRank(21), RuleId.DriftUnestimated));

    [Fact]
    public void Flags_unestimated_when_a_story_planned_in_the_next_sprint_has_no_estimate()
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        var f = Assert.Single(Of(b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 7), points: null).Run(), RuleId.DriftUnestimated));
        Assert.Equal(["jira/PAY-1"], Keys(f));
        Assert.Equal("planned in pay S7", Assert.IsType<UnestimatedEvidence>(f.Evidence).Where);
    }

    // DRIFT-ORPHAN: a story or feature without a parent epic/feature.

    [Fact]
    public void Flags_orphan_when_a_storys_parent_is_not_synced()
    {
        var f = Assert.Single(Of(new SnapshotBuilder().Team("pay", "jira").Item("jira", "PAY-1", "pay", parent: "EPIC-9").Run(), RuleId.DriftOrphan));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Equal(["jira/PAY-1"], Keys(f));
        Assert.Equal("EPIC-9", Assert.IsType<OrphanEvidence>(f.Evidence).ParentKey);
    }

    [Fact]
    public void Does_not_flag_orphan_when_the_story_has_a_synced_parent_epic() =>
        Assert.Empty(Of(new SnapshotBuilder().Team("pay", "jira").Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic)
            .Item("jira", "PAY-1", "pay", parent: "EPIC-1").Run(), RuleId.DriftOrphan));

    // DRIFT-EPIC-SCOPE: an epic's total estimate grew more than 20 % since it was first planned.

    /// <summary>Two 5-point stories existed when the first entered a sprint 30 days ago; a story of <paramref name="addedPoints"/> came later.</summary>
    private static SnapshotBuilder EpicWithAddedStory(double addedPoints) =>
        new SnapshotBuilder().Team("pay", "jira").Team("risk", "jira")
            .Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic)
            .Item("jira", "PAY-1", "pay", points: 5, parent: "EPIC-1", firstPlanned: Now.AddDays(-30))
            .Item("jira", "PAY-2", "pay", points: 5, parent: "EPIC-1")
            .Item("jira", "RSK-1", "risk", points: addedPoints, parent: "EPIC-1", created: Now.AddDays(-5));

    [Fact]
    public void Flags_epic_scope_when_a_story_added_after_planning_grows_the_estimate_by_30_percent()
    {
        var f = Assert.Single(Of(EpicWithAddedStory(3).Run(), RuleId.DriftEpicScope));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Equal(["risk"], f.RelatedTeams);
        Assert.Equal(["jira/EPIC-1"], Keys(f));
        Assert.Equal(10.0, Assert.IsType<EpicScopeEvidence>(f.Evidence).BaselinePoints);
        Assert.Equal(0.3, Assert.IsType<EpicScopeEvidence>(f.Evidence).Growth);
    }

    [Fact]
    public void Does_not_flag_epic_scope_when_the_estimate_grew_exactly_20_percent() =>
        Assert.Empty(Of(EpicWithAddedStory(2).Run(), RuleId.DriftEpicScope));

    [Fact]
    public void Flags_epic_scope_when_a_story_is_re_estimated_upwards_after_planning()
    {
        var b = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic)
            .Item("jira", "PAY-1", "pay", points: 8, parent: "EPIC-1", firstPlanned: Now.AddDays(-30))
            .Item("jira", "PAY-2", "pay", points: 5, parent: "EPIC-1")
            .Estimate("jira", "PAY-1", Now.AddDays(-40), null, 5)
            .Estimate("jira", "PAY-1", Now.AddDays(-10), 5, 8);
        var f = Assert.Single(Of(b.Run(), RuleId.DriftEpicScope));
        Assert.Equal(10.0, Assert.IsType<EpicScopeEvidence>(f.Evidence).BaselinePoints);
        Assert.Equal(13.0, Assert.IsType<EpicScopeEvidence>(f.Evidence).CurrentPoints);
    }

    /// <summary>Two 5-point stories at planning; later PAY-2 is removed and PAY-3 (5 points) takes its place: the total stays 10.</summary>
    private static SnapshotBuilder EpicWithReplacedStory() =>
        new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic)
            .Item("jira", "PAY-1", "pay", points: 5, parent: "EPIC-1", firstPlanned: Now.AddDays(-30))
            .Item("jira", "PAY-2", "pay", points: 5, parent: "EPIC-1", status: StatusCategory.Removed, updated: Now.AddDays(-10))
            .Item("jira", "PAY-3", "pay", points: 5, parent: "EPIC-1", created: Now.AddDays(-5));

    [Fact]
    public void Does_not_flag_epic_scope_when_a_removed_story_is_replaced_by_one_of_equal_size() =>
        Assert.Empty(Of(EpicWithReplacedStory().Run(), RuleId.DriftEpicScope));

    // DRIFT-SPRINT-SCOPE: estimates added to the active sprint after its start exceed 20 % of the commitment.

    private static AnalysisResult ActiveSprintWithAdded(double added)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        return b.Figure(new SprintFigure("pay", "jira", b.Sprint("pay", 6), "observed", 20, 0, added, 0, null, null)).Run();
    }

    [Fact]
    public void Flags_sprint_scope_when_25_percent_of_the_commitment_was_added_after_the_start()
    {
        var f = Assert.Single(Of(ActiveSprintWithAdded(5), RuleId.DriftSprintScope));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Empty(f.Items);
        Assert.Equal(0.25, Assert.IsType<SprintScopeEvidence>(f.Evidence).Share);
    }

    [Fact]
    public void Does_not_flag_sprint_scope_when_exactly_20_percent_was_added() =>
        Assert.Empty(Of(ActiveSprintWithAdded(4), RuleId.DriftSprintScope));

    // DRIFT-HIERARCHY, parent done while children are open.

    private static AnalysisResult DoneEpicWith(StatusCategory payChild, StatusCategory riskChild) =>
        new SnapshotBuilder().Team("pay", "jira").Team("risk", "jira")
            .Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic, status: StatusCategory.Done)
            .Item("jira", "PAY-1", "pay", parent: "EPIC-1", status: payChild)
            .Item("jira", "PAY-2", "pay", parent: "EPIC-1", status: StatusCategory.Done)
            .Item("jira", "RSK-1", "risk", parent: "EPIC-1", status: riskChild).Run();

    [Fact]
    public void Flags_hierarchy_when_a_parent_is_done_while_two_children_are_open()
    {
        var f = Assert.Single(Of(DoneEpicWith(StatusCategory.InProgress, StatusCategory.Todo), RuleId.DriftHierarchy));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Equal(["risk"], f.RelatedTeams);
        Assert.Equal(["jira/EPIC-1", "jira/PAY-1", "jira/RSK-1"], Keys(f));
        Assert.Equal(2, Assert.IsType<OpenChildrenEvidence>(f.Evidence).OpenCount);
    }

    [Fact]
    public void Does_not_flag_hierarchy_when_a_done_parents_children_are_done_or_removed() =>
        Assert.Empty(Of(DoneEpicWith(StatusCategory.Done, StatusCategory.Removed), RuleId.DriftHierarchy));

    // DRIFT-HIERARCHY, all children done while the parent is open.

    private static AnalysisResult OpenEpicWith(StatusCategory lastChild) =>
        new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "EPIC-1", "pay", type: WorkItemType.Epic, status: StatusCategory.InProgress)
            .Item("jira", "PAY-1", "pay", parent: "EPIC-1", status: StatusCategory.Done)
            .Item("jira", "PAY-2", "pay", parent: "EPIC-1", status: StatusCategory.Done)
            .Item("jira", "PAY-3", "pay", parent: "EPIC-1", status: lastChild).Run();

    [Fact]
    public void Flags_hierarchy_when_all_children_are_done_while_the_parent_is_open()
    {
        var f = Assert.Single(Of(OpenEpicWith(StatusCategory.Done), RuleId.DriftHierarchy));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Equal(["jira/EPIC-1"], Keys(f));
        Assert.Equal(3, Assert.IsType<DoneChildrenEvidence>(f.Evidence).Children);
    }

    [Fact]
    public void Does_not_flag_hierarchy_when_one_child_of_an_open_parent_is_still_in_progress() =>
        Assert.Empty(Of(OpenEpicWith(StatusCategory.InProgress), RuleId.DriftHierarchy));

    // DRIFT-READINESS: estimated backlog below one sprint of P50 velocity (starving, warning) or above six (bloat, info).
    // The builder's team completes 20 points in each closed sprint, so P50 = 20.

    private static AnalysisResult BacklogOf(params double[] points)
    {
        var b = new SnapshotBuilder().Team("pay", "jira");
        for (var k = 0; k < points.Length; k++) b.Item("jira", $"PAY-{k:00}", "pay", points: points[k]);
        return b.Run();
    }

    [Fact]
    public void Flags_readiness_starving_warning_when_the_estimated_backlog_is_19_points_against_p50_20()
    {
        var f = Assert.Single(Of(BacklogOf(5, 5, 5, 4), RuleId.DriftReadiness));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Empty(f.Items);
        Assert.Equal(19.0, Assert.IsType<ReadinessEvidence>(f.Evidence).ReadyPoints);
        Assert.Equal(0.95, Assert.IsType<ReadinessEvidence>(f.Evidence).Sprints);
    }

    [Fact]
    public void Does_not_flag_readiness_when_the_estimated_backlog_is_exactly_one_sprint() =>
        Assert.Empty(Of(BacklogOf(5, 5, 5, 5), RuleId.DriftReadiness));

    [Fact]
    public void Flags_readiness_bloat_info_when_the_estimated_backlog_is_121_points_against_p50_20()
    {
        var f = Assert.Single(Of(BacklogOf([.. Enumerable.Repeat(10.0, 12), 1]), RuleId.DriftReadiness));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal("pay", f.Team);
        Assert.Empty(f.RelatedTeams);
        Assert.Empty(f.Items);
        Assert.Equal(121.0, Assert.IsType<ReadinessEvidence>(f.Evidence).ReadyPoints);
        Assert.Equal(6.05, Assert.IsType<ReadinessEvidence>(f.Evidence).Sprints);
    }

    [Fact]
    public void Does_not_flag_readiness_when_the_estimated_backlog_is_exactly_six_sprints() =>
        Assert.Empty(Of(BacklogOf([.. Enumerable.Repeat(10.0, 12)]), RuleId.DriftReadiness));
}
