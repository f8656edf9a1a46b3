
namespace Alignment.UnitTests.Analysis;

public sealed class DependencyAnalyzerTests
{
    private static IEnumerable<Finding> Of(AnalysisResult r, RuleId rule) => r.Findings.Where(f => f.Rule == rule);

    [Fact]
    public void Flags_late_blocker_when_another_teams_later_sprint_on_a_different_cadence_ends_after_the_dependent_sprint()
    {
        var b = new SnapshotBuilder().Team("pay", "jira", days: 14).Team("ledger", "ado", days: 7);
        // pay active sprint: 10–23 Mar; ledger sprint 8 (second future): 24–30 Mar.
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6)).Item("ado", "101", "ledger", b.Sprint("ledger", 8)).DependsOn("jira", "PAY-1", "ado", "101");
        var f = Assert.Single(Of(b.Run(), RuleId.DepLate));
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(["ledger"], f.RelatedTeams);
        Assert.Equal(new DateOnly(2025, 3, 30), Assert.IsType<BlockerTimingEvidence>(f.Evidence).BlockerEnds);
    }

    [Fact]
    public void Does_not_flag_a_blocker_that_ends_the_day_before_the_dependent_sprint_starts()
    {
        var b = new SnapshotBuilder().Team("pay", "jira", days: 14).Team("ledger", "ado", days: 7);
        // pay future sprint 7: 24 Mar – 6 Apr; ledger sprint 7 (first future): 17–23 Mar.
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 7)).Item("ado", "101", "ledger", b.Sprint("ledger", 7)).DependsOn("jira", "PAY-1", "ado", "101");
        Assert.Empty(Of(b.Run(), RuleId.DepLate));
    }

    [Fact]
    public void Flags_a_blocker_in_the_same_sprint_as_at_risk_info()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("risk", "jira");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6)).Item("jira", "RSK-1", "risk", b.Sprint("risk", 6)).DependsOn("jira", "PAY-1", "jira", "RSK-1");
        var f = Assert.Single(Of(b.Run(), RuleId.DepLate));
        Assert.Equal(Severity.Info, f.Severity);
    }

    [Fact]
    public void Flags_unscheduled_blocker_of_another_team_critical_when_the_dependent_is_in_the_active_sprint()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 6)).Item("ado", "101", "ledger").DependsOn("jira", "PAY-1", "ado", "101");
        var f = Assert.Single(Of(b.Run(), RuleId.DepUnscheduled));
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(["jira/PAY-1", "ado/101"], f.Items.Select(i => $"{i.Source}/{i.Key}"));
    }

    [Fact]
    public void Does_not_flag_unscheduled_blocker_when_it_is_done()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 7)).Item("ado", "101", "ledger", status: StatusCategory.Done).DependsOn("jira", "PAY-1", "ado", "101");
        Assert.Empty(Of(b.Run(), RuleId.DepUnscheduled));
    }

    [Fact]
    public void Flags_unscheduled_blocker_as_warning_when_the_dependent_is_in_a_future_sprint()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 7)).Item("ado", "101", "ledger").DependsOn("jira", "PAY-1", "ado", "101");
        Assert.Equal(Severity.Warning, Assert.Single(Of(b.Run(), RuleId.DepUnscheduled)).Severity);
    }

    [Fact]
    public void Flags_cycle_of_two_across_both_trackers()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        b.Item("jira", "PAY-1", "pay").Item("ado", "101", "ledger").DependsOn("jira", "PAY-1", "ado", "101").DependsOn("ado", "101", "jira", "PAY-1");
        var f = Assert.Single(Of(b.Run(), RuleId.DepCycle));
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(2, f.Items.Count);
    }

    [Fact]
    public void Flags_cycle_of_five_across_both_trackers_once_with_a_stable_fingerprint()
    {
        var b = new SnapshotBuilder().Team("a", "jira").Team("b", "ado").Team("c", "jira").Team("d", "ado").Team("e", "jira");
        var nodes = new[] { ("jira", "A-1", "a"), ("ado", "201", "b"), ("jira", "C-1", "c"), ("ado", "401", "d"), ("jira", "E-1", "e") };
        foreach (var (s, k, t) in nodes) b.Item(s, k, t);
        for (var i = 0; i < 5; i++) b.DependsOn(nodes[i].Item1, nodes[i].Item2, nodes[(i + 1) % 5].Item1, nodes[(i + 1) % 5].Item2);
        var first = Assert.Single(Of(b.Run(), RuleId.DepCycle));
        Assert.Equal(5, first.Items.Count);
        Assert.Equal(first.Fingerprint, Assert.Single(Of(b.Run(), RuleId.DepCycle)).Fingerprint);
    }

    [Fact]
    public void Does_not_flag_a_chain_without_a_cycle_or_a_cycle_through_a_done_item()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        b.Item("jira", "PAY-1", "pay").Item("ado", "101", "ledger", status: StatusCategory.Done).DependsOn("jira", "PAY-1", "ado", "101").DependsOn("ado", "101", "jira", "PAY-1");
        Assert.Empty(Of(b.Run(), RuleId.DepCycle));
    }

    [Fact]
    public void Flags_rank_when_a_blocker_of_planned_work_sits_in_the_lower_half_of_its_backlog()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        for (var i = 0; i < 4; i++) b.Item("ado", $"10{i}", "ledger", rank: $"r{i}");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 7)).DependsOn("jira", "PAY-1", "ado", "103");
        Assert.Single(Of(b.Run(), RuleId.DepRank));
    }

    [Fact]
    public void Does_not_flag_rank_when_the_blocker_is_in_the_upper_half()
    {
        var b = new SnapshotBuilder().Team("pay", "jira").Team("ledger", "ado");
        for (var i = 0; i < 4; i++) b.Item("ado", $"10{i}", "ledger", rank: $"r{i}");
        b.Item("jira", "PAY-1", "pay", b.Sprint("pay", 7)).DependsOn("jira", "PAY-1", "ado", "101");
        Assert.Empty(Of(b.Run(), RuleId.DepRank));
    }
}
