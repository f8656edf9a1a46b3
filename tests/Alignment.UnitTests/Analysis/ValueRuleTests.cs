using Alignment.Domain.Analysis.Prioritisation;

namespace Alignment.UnitTests.Analysis;

/// <summary>
/// WSJF (docs/figures.md) and the fire and boundary cases of VALUE-MISSING and PRIO-INVERSION (docs/rules.md) with the default thresholds
/// (top 20, ratio 1.5), and DEP-RANK's value waiting on a blocker.
/// </summary>
public sealed class ValueRuleTests
{
    private static IEnumerable<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule);
    private static ItemValue V(double? bv, double? tc = null, double? rr = null, double? size = null) => new(bv, tc, rr, size, null);

    /// <summary>Team pay's epics E1 (rank a) and E2 (rank b), each with job size 10 from the field.</summary>
    private static AnalysisResult TwoEpics(double top, double below, AnalysisOptions? o = null) => new SnapshotBuilder().Team("pay", "jira")
        .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: V(top, size: 10))
        .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "b", value: V(below, size: 10))
        .Run(o);

    [Fact]
    public void Wsjf_sums_the_inputs_present_and_divides_by_the_job_size_field()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Item("jira", "E1", "pay", type: WorkItemType.Epic, value: V(8, 5, null, 4));
        var x = new SnapshotIndex(b.Build(), new AnalysisOptions());
        var f = x.Value.Wsjf(x.Items[("jira", "E1")]);
        Assert.Equal(13, f.CostOfDelay);
        Assert.Equal(4, f.JobSize);
        Assert.Equal(JobSizeFrom.Field, f.JobSizeFrom);
        Assert.Equal(3.25, f.Wsjf);
    }

    [Fact]
    public void Job_size_defaults_to_the_remaining_points_of_open_descendants_and_is_unknown_at_zero()
    {
        var b = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, value: V(6))
            .Item("jira", "F1", "pay", type: WorkItemType.Feature, parent: "E1", points: null)
            .Item("jira", "S1", "pay", parent: "F1", points: 2)
            .Item("jira", "S2", "pay", parent: "F1", points: 5, status: StatusCategory.Done)
            .Item("jira", "S3", "pay", parent: "E1", points: 1)
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, value: V(6))
            .Item("jira", "S4", "pay", parent: "E2", points: 3, status: StatusCategory.Done);
        var x = new SnapshotIndex(b.Build(), new AnalysisOptions());
        var e1 = x.Value.Wsjf(x.Items[("jira", "E1")]);
        Assert.Equal(3, e1.JobSize); // S1 + S3; S2 is done
        Assert.Equal(JobSizeFrom.RemainingPoints, e1.JobSizeFrom);
        Assert.Equal(2, e1.Wsjf);
        var e2 = x.Value.Wsjf(x.Items[("jira", "E2")]);
        Assert.Null(e2.JobSize);
        Assert.Null(e2.Wsjf);
        Assert.Equal(6, e2.CostOfDelay);
    }

    [Fact]
    public void Flags_an_inversion_when_the_lower_ranked_epic_has_1_5_times_the_wsjf()
    {
        var f = Assert.Single(Of(TwoEpics(top: 10, below: 15), RuleId.PrioInversion));
        Assert.Equal(Severity.Warning, f.Severity);
        Assert.Equal(["E2", "E1"], f.Items.Select(i => i.Key));
        var e = Assert.IsType<PrioInversionEvidence>(f.Evidence);
        Assert.Equal(1.5, e.Ratio);
        Assert.Equal(1, e.RankedHigher.Position);
        Assert.Equal(2, e.RankedLower.Position);
        Assert.Equal(1.5, e.RankedLower.Value.Wsjf);
        Assert.Equal(15, e.RankedLower.Value.BusinessValue);
        Assert.Equal(0.5, e.ValueAtStake);
        Assert.Equal("move E2 from position 2 to position 1, above E1", e.Move);
        Assert.Equal("team", e.Backlog.Kind);
    }

    [Fact]
    public void Does_not_flag_an_inversion_just_below_the_ratio() =>
        Assert.Empty(Of(TwoEpics(top: 10, below: 14.9), RuleId.PrioInversion));

    [Fact]
    public void The_ratio_is_configurable() =>
        Assert.Single(Of(TwoEpics(top: 10, below: 12, new AnalysisOptions { InversionRatio = 1.2 }), RuleId.PrioInversion));

    [Fact]
    public void Reports_one_inversion_per_lower_ranked_item_against_the_highest_ranked_item_it_beats()
    {
        var r = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: V(20, size: 10))
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "b", value: V(4, size: 10))
            .Item("jira", "E3", "pay", type: WorkItemType.Epic, rank: "c", value: V(3, size: 10))
            .Item("jira", "E4", "pay", type: WorkItemType.Epic, rank: "d", value: V(9, size: 10))
            .Run();
        var f = Assert.Single(Of(r, RuleId.PrioInversion));
        Assert.Equal(["E4", "E2"], f.Items.Select(i => i.Key));
    }

    [Fact]
    public void Epics_and_features_are_separate_backlogs_and_items_without_wsjf_are_not_compared()
    {
        var r = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: V(2, size: 10))
            .Item("jira", "F1", "pay", type: WorkItemType.Feature, rank: "b", value: V(20, size: 10))
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "c", value: V(20))
            .Run();
        Assert.Empty(Of(r, RuleId.PrioInversion)); // E2 has no job size (no field, no descendants)
    }

    [Fact]
    public void Flags_an_inversion_across_a_product_owners_two_teams_of_one_source()
    {
        var r = new SnapshotBuilder().Team("pay", "jira", owner: "ann@example.com").Team("led", "jira", owner: "ann@example.com")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: V(2, size: 10))
            .Item("jira", "E2", "led", type: WorkItemType.Epic, rank: "b", value: V(8, size: 10))
            .Run();
        var f = Assert.Single(Of(r, RuleId.PrioInversion));
        Assert.Equal("led", f.Team);
        Assert.Equal(["pay"], f.RelatedTeams);
        Assert.Equal("productOwner", Assert.IsType<PrioInversionEvidence>(f.Evidence).Backlog.Kind);
    }

    [Fact]
    public void Flags_value_missing_for_top_items_without_inputs_when_the_source_uses_value_fields()
    {
        var b = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: V(5, size: 5))
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "b")
            .Item("jira", "E3", "pay", type: WorkItemType.Epic, rank: "c", value: new ItemValue(null, null, null, 3, null));
        var f = Assert.Single(Of(b.Run(), RuleId.ValueMissing));
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Equal(["E2", "E3"], f.Items.Select(i => i.Key));
        Assert.Equal([2, 3], Assert.IsType<ValueMissingEvidence>(f.Evidence).Items.Select(i => i.Position));
    }

    [Fact]
    public void Value_missing_looks_only_at_the_top_n()
    {
        var b = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a", value: V(5, size: 5))
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "b");
        Assert.Empty(Of(b.Run(new AnalysisOptions { ValueTopN = 1 }), RuleId.ValueMissing));
        Assert.Single(Of(b.Run(new AnalysisOptions { ValueTopN = 2 }), RuleId.ValueMissing));
    }

    [Fact]
    public void No_value_findings_without_value_data()
    {
        var r = new SnapshotBuilder().Team("pay", "jira")
            .Item("jira", "E1", "pay", type: WorkItemType.Epic, rank: "a")
            .Item("jira", "E2", "pay", type: WorkItemType.Epic, rank: "b")
            .Run();
        Assert.Empty(Of(r, RuleId.ValueMissing));
        Assert.Empty(Of(r, RuleId.PrioInversion));
    }

    [Fact]
    public void Dep_rank_carries_the_wsjf_of_the_blocked_epic_only_with_value_data()
    {
        SnapshotBuilder Org(ItemValue? value)
        {
            var b = new SnapshotBuilder().Team("pay", "jira").Team("led", "ado")
                .Item("ado", "EPIC", "led", type: WorkItemType.Epic, value: value)
                .Item("ado", "D1", "led", "led-6", parent: "EPIC", points: 4)
                .DependsOn("ado", "D1", "jira", "PAY-4");
            for (var k = 1; k <= 4; k++) b.Item("jira", $"PAY-{k}", "pay", rank: $"r{k}");
            return b;
        }
        var plain = Assert.Single(Of(Org(null).Run(), RuleId.DepRank));
        Assert.Null(Assert.IsType<BlockerRankEvidence>(plain.Evidence).ValueWaiting);
        var valued = Assert.Single(Of(Org(V(8, 4)).Run(), RuleId.DepRank));
        var waiting = Assert.IsType<BlockerRankEvidence>(valued.Evidence).ValueWaiting!;
        Assert.Equal(3, waiting.HighestWsjf); // (8 + 4) ÷ 4 remaining points
        Assert.Equal("EPIC", Assert.Single(waiting.Epics).Key);
    }
}
