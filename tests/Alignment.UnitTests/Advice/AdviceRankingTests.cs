using static Alignment.Domain.Model.DomainNames;
using static Alignment.UnitTests.Advice.AdviceFindings;

namespace Alignment.UnitTests.Advice;

public class AdviceRankingTests
{
    private static readonly ComposeSettings En = new("en", 5, "https://alignment.example.com");

    [Fact]
    public void Ranks_a_blocker_waited_on_by_two_teams_next_sprint_above_an_unestimated_story()
    {
        var nextSprint = Today.AddDays(5).ToString("yyyy-MM-dd");
        var blocker = AdviceRanking.Impact(new ImpactFacts(Severity.Warning, TeamsWaiting: 2, ItemsWaiting: 2, NeededBy: Today.AddDays(5)), Today);
        var unestimated = AdviceRanking.Impact(new ImpactFacts(Severity.Warning, NeededBy: Today.AddDays(5)), Today);
        Assert.True(blocker > unestimated, $"{blocker} <= {unestimated}");

        // The same through the composer: the line for PAY-1 (Ledger and Risk wait) outranks the unestimated PAY-9.
        var findings = new[]
        {
            Unestimated("PAY-9", "pay", "Pay sprint 8", nextSprint),
            Unscheduled("PAY-1", "pay", "LED-3", "ledger", nextSprint),
            Unscheduled("PAY-1", "pay", "RSK-4", "risk", nextSprint),
        };
        var digest = DigestComposer.Compose(Input("pay", findings), En, "2026-W48", Today);
        var unblock = Assert.Single(digest.Sections, s => s.Id == DigestComposer.Unblock);
        var line = Assert.Single(unblock.Lines);
        Assert.Equal("PAY-1", line.Subject.Key);
        Assert.Equal(2, line.FindingIds.Count);
        Assert.Contains("Ledger and Risk wait for it", line.Why);
        Assert.Equal(["LED-3", "RSK-4"], line.Related.Select(r => r.Key));
        var hygiene = Assert.Single(digest.Sections, s => s.Id == DigestComposer.Hygiene).Lines.Single();
        Assert.True(line.Impact > hygiene.Impact, $"{line.Impact} <= {hygiene.Impact}");
    }

    [Fact]
    public void Ranks_hygiene_unestimated_then_stale_then_orphans()
    {
        var findings = new[]
        {
            Make(RuleId.DriftOrphan, Severity.Info, "pay", new { item = Item("PAY-1", "pay") }),
            Make(RuleId.DriftStale, Severity.Info, "pay", new { item = Item("PAY-2", "pay"), days = 20, updatedAt = "2026-11-06T10:00:00Z" }),
            Make(RuleId.DriftUnestimated, Severity.Warning, "pay", new { item = Item("PAY-3", "pay"), where = "rank 2 of the backlog", topN = 20 }),
        };
        var digest = DigestComposer.Compose(Input("pay", findings), En, "2026-W48", Today);
        Assert.Equal(["PAY-3", "PAY-2", "PAY-1"], digest.Sections.Single(s => s.Id == DigestComposer.Hygiene).Lines.Select(l => l.Subject.Key));
    }

    [Fact]
    public void Ranks_sooner_needed_work_higher()
    {
        var soon = AdviceRanking.Impact(new ImpactFacts(Severity.Warning, 1, 1, Today.AddDays(3)), Today);
        var later = AdviceRanking.Impact(new ImpactFacts(Severity.Warning, 1, 1, Today.AddDays(40)), Today);
        Assert.True(soon > later);
    }

    [Fact]
    public void Moves_out_the_lowest_ranked_items_until_the_sprint_is_under_the_threshold()
    {
        var items = new List<SprintItem>
        {
            new("jira", "PAY-1", "Top", "https://x/PAY-1", "0|a", 5, false),
            new("jira", "PAY-2", "Second", "https://x/PAY-2", "0|b", 8, false),
            new("jira", "PAY-3", "Third", "https://x/PAY-3", "0|c", 5, false),
            new("jira", "PAY-4", "Needed by Ledger", "https://x/PAY-4", "0|d", 8, true),
            new("jira", "PAY-5", "Lowest", "https://x/PAY-5", "0|e", 3, false),
            new("jira", "PAY-6", "Unestimated", "https://x/PAY-6", "0|f", null, false),
        };
        // Committed 29 against 20 expected: moving PAY-5 (3) leaves 26, PAY-3 (5) leaves 21, PAY-2 (8) leaves 13 ≤ 20.
        var plan = MoveOutPlanner.Plan(items, committed: 29, target: 20);
        Assert.Equal(["PAY-5", "PAY-3", "PAY-2"], plan.Items.Select(i => i.Key));
        Assert.True(plan.ReachesTarget);
        Assert.True(plan.Remaining <= 20);
        Assert.Equal(16, plan.PointsMoved);
        Assert.DoesNotContain(plan.Items, i => i.BlocksOtherTeams);
    }

    [Fact]
    public void Moves_nothing_out_of_a_sprint_already_under_the_threshold()
    {
        var plan = MoveOutPlanner.Plan([new("jira", "PAY-1", "t", "u", "a", 5, false)], committed: 5, target: 8);
        Assert.Empty(plan.Items);
        Assert.True(plan.ReachesTarget);
    }

    [Fact]
    public void Says_which_items_to_move_out_of_an_overcommitted_sprint()
    {
        var f = Make(RuleId.CapOvercommit, Severity.Critical, "pay", new
        {
            sprint = new { source = "jira", id = "42", name = "Pay sprint 8", state = "future", firstDay = "2026-11-30", lastDay = "2026-12-11" },
            committedPoints = 29.0, expectedPoints = 20.0, overBy = 0.45, velocity = new { p50 = 22.0 },
        });
        var items = new Dictionary<SprintKey, IReadOnlyList<SprintItem>>
        {
            [new SprintKey("pay", "jira", "42")] =
            [
                new("jira", "PAY-1", "Top", "https://jira.example.com/browse/PAY-1", "0|a", 13, false),
                new("jira", "PAY-2", "Low", "https://jira.example.com/browse/PAY-2", "0|y", 8, false),
                new("jira", "PAY-3", "Lowest", "https://jira.example.com/browse/PAY-3", "0|z", 8, false),
            ],
        };
        var digest = DigestComposer.Compose(Input("pay", [f], items), En, "2026-W48", Today);
        var line = Assert.Single(digest.Sections.Single(s => s.Id == DigestComposer.Protect).Lines);
        Assert.Equal(["PAY-3", "PAY-2"], line.Related.Select(r => r.Key));
        Assert.Contains("Move out PAY-3 and PAY-2 (16 points", line.Action);
        Assert.Contains("leaves 13 points", line.Action);
        Assert.Contains("29 points against 20 expected", line.Why);
    }

    [Fact]
    public void Caps_each_section_and_says_how_many_more()
    {
        var findings = Enumerable.Range(1, 8).Select(i => Unestimated($"PAY-{i}", "pay", "Pay sprint 8", "2026-11-30")).ToList();
        var digest = DigestComposer.Compose(Input("pay", findings), new ComposeSettings("en", 3, "https://alignment.example.com"), "2026-W48", Today);
        var hygiene = digest.Sections.Single(s => s.Id == DigestComposer.Hygiene);
        Assert.Equal(3, hygiene.Lines.Count);
        Assert.Equal(5, hygiene.More);
        Assert.Equal("and 5 more", hygiene.MoreText);
        Assert.Equal("https://alignment.example.com/api/findings?status=open&team=pay", hygiene.FullListUrl);
        Assert.Equal(8, hygiene.AllFindingIds.Count);
    }

    [Fact]
    public void Leaves_out_findings_of_other_teams_and_dependencies_where_the_team_only_waits()
    {
        var findings = new[]
        {
            Unscheduled("LED-1", "ledger", "PAY-3", "pay", "2026-11-30"), // Payments waits: Ledger's PO unblocks it
            Unestimated("LED-9", "ledger", "Ledger sprint 3", "2026-11-30"),
        };
        var digest = DigestComposer.Compose(Input("pay", findings), En, "2026-W48", Today);
        Assert.True(digest.IsEmpty);
    }

    [Fact]
    public void Explains_an_epic_at_risk_with_the_part_that_drives_it()
    {
        var f = Make(RuleId.DriftEpicForecast, Severity.Critical, "pay", new
        {
            epic = Item("PAY-100", "pay", title: "New checkout", type: "epic"), target = "2026-12-31", p50 = "2027-01-10", p85 = "2027-02-01", daysLate = 32,
            parts = new object[]
            {
                new { team = "pay", remainingPoints = 20.0, openItems = 4, unestimatedItems = 0, p85 = "2027-01-05" },
                new { team = "ledger", remainingPoints = 40.0, openItems = 9, unestimatedItems = 2, p85 = "2027-02-01" },
            },
            upstream = new[] { new { source = "jira", key = "LED-7", url = "https://jira.example.com/browse/LED-7" } },
        }, "ledger");
        var digest = DigestComposer.Compose(Input("pay", [f]), En, "2026-W48", Today);
        var line = Assert.Single(digest.Sections.Single(s => s.Id == DigestComposer.Epics).Lines);
        Assert.Contains("2027-02-01 is 32 days after the target 2026-12-31", line.Why);
        Assert.Contains("The last part is Ledger's: 40 points in 9 open items, 2 unestimated", line.Why);
        Assert.Contains("LED-7", line.Why);
        Assert.Equal("https://jira.example.com/browse/PAY-100", line.Subject.Url);
    }
}
