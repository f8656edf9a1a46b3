using static Alignment.UnitTests.Advice.AdviceFindings;

namespace Alignment.UnitTests.Advice;

/// <summary>Week over week in the digest (<see cref="WeekOverWeek"/>): new, resolved and still open per section, the summary, the team lines.</summary>
public class WeekOverWeekTests
{
    private static readonly ComposeSettings En = new("en", 5, null);
    private static readonly string NextSprint = Today.AddDays(5).ToString("yyyy-MM-dd");

    private static AdviceBaseline Baseline(IEnumerable<AdviceFinding> openThen, IEnumerable<AdviceFinding>? leftSince = null,
        IReadOnlyList<AdviceFinding>? resolved = null) =>
        new("2026-W47", DateTimeOffset.Parse("2026-11-19T06:00:00Z"), openThen.Select(f => f.Id).ToHashSet(),
            (leftSince ?? []).Select(f => f.Id).ToHashSet(), resolved ?? []);

    [Fact]
    public void Names_the_lines_opened_reopened_resolved_and_kept_since_the_previous_digest()
    {
        var kept = Unestimated("PAY-1", "pay", "Pay sprint 8", NextSprint);
        var opened = Unestimated("PAY-2", "pay", "Pay sprint 8", NextSprint);
        var reopened = Unestimated("PAY-3", "pay", "Pay sprint 8", NextSprint);
        var resolved = Unestimated("PAY-4", "pay", "Pay sprint 8", NextSprint);
        var fleeting = Unestimated("PAY-5", "pay", "Pay sprint 8", NextSprint); // opened and resolved between the digests: never shown
        var input = Input("pay", [kept, opened, reopened]) with
        {
            Baseline = Baseline([kept, reopened, resolved], leftSince: [reopened, resolved, fleeting], resolved: [resolved, fleeting]),
        };

        var digest = DigestComposer.Compose(input, En, "2026-W48", Today);

        var changes = Assert.Single(digest.Sections, s => s.Id == DigestComposer.Hygiene).Changes!;
        Assert.Equal((2, 1, 1), (changes.NewCount, changes.ResolvedCount, changes.StillOpenCount));
        Assert.Equal(["New", "Resolved", "Still open"], changes.Groups.Select(g => g.Label));
        Assert.Equal(["PAY-2", "PAY-3"], changes.Groups[0].Items.Select(i => i.Key));
        Assert.Equal(["PAY-4"], changes.Groups[1].Items.Select(i => i.Key));
        Assert.Equal(["PAY-1"], changes.Groups[2].Items.Select(i => i.Key));
        Assert.Equal("Since week 47: 2 new, 1 resolved, 1 still open.", changes.Summary);
        Assert.Equal("Since your last digest (week 47): 2 new, 1 resolved, 1 still open.", digest.Since);
        // Sections with nothing now and nothing resolved stay hidden; the others say nothing changed in them.
        Assert.False(Assert.Single(digest.Sections, s => s.Id == DigestComposer.Epics).Visible);
    }

    [Fact]
    public void Shows_a_section_whose_every_line_was_resolved_and_lists_the_resolved_titles()
    {
        var blocker = Unscheduled("PAY-7", "pay", "LED-3", "ledger", NextSprint, blockerTitle: "<b>Ledger feed</b>");
        var input = Input("pay", []) with { Baseline = Baseline([blocker], leftSince: [blocker], resolved: [blocker]) };

        var digest = DigestComposer.Compose(input, En, "2026-W48", Today);
        var unblock = Assert.Single(digest.Sections, s => s.Id == DigestComposer.Unblock);
        Assert.True(unblock.Visible);
        Assert.Equal(0, unblock.Total);
        Assert.True(digest.IsEmpty); // nothing to act on: sent only with Advice:SendEmptyDigest, as before

        var m = AdviceRenderer.Render(digest);
        Assert.Contains("Resolved:</span> <a href=\"https://jira.example.com/browse/PAY-7\"", m.Html);
        Assert.Contains("(&lt;b&gt;Ledger feed&lt;/b&gt;)", m.Html);
        Assert.DoesNotContain("<b>Ledger feed", m.Html);
        Assert.Contains("Resolved: PAY-7 (<b>Ledger feed</b>)", m.Text);
    }

    [Fact]
    public void Says_a_first_digest_is_the_first_and_lists_no_changes()
    {
        var digest = DigestComposer.Compose(Input("pay", [Unestimated("PAY-1", "pay", "Pay sprint 8", NextSprint)]), En, "2026-W48", Today);
        Assert.Equal("This is your first digest: everything in it is new.", digest.Since);
        Assert.All(digest.Sections, s => Assert.Null(s.Changes));
        Assert.Contains("This is your first digest: everything in it is new.", AdviceRenderer.Render(digest).Text);
        var nl = DigestComposer.Compose(Input("pay", []), new ComposeSettings("nl", 5, null), "2026-W48", Today);
        Assert.Equal("Dit is je eerste advies: alles erin is nieuw.", nl.Since);
    }

    [Fact]
    public void Lists_at_most_the_cap_of_items_per_group_with_the_rest_counted()
    {
        var findings = Enumerable.Range(1, WeekOverWeek.ListCap + 3).Select(i => Unestimated($"PAY-{i:00}", "pay", "Pay sprint 8", NextSprint)).ToList();
        var digest = DigestComposer.Compose(Input("pay", findings) with { Baseline = Baseline([]) }, En, "2026-W48", Today);
        var group = Assert.Single(Assert.Single(digest.Sections, s => s.Id == DigestComposer.Hygiene).Changes!.Groups);
        Assert.Equal(WeekOverWeek.ListCap, group.Items.Count);
        Assert.Equal("and 3 more", group.MoreText);
    }

    private static MiHistoryDays.Point Week(string monday, double? value) => new(DateOnly.Parse(monday), DateOnly.Parse(monday).AddDays(4), value, "observed");

    [Fact]
    public void Takes_say_do_now_from_the_latest_week_and_before_from_the_latest_week_at_least_four_weeks_earlier()
    {
        var (now, before) = WeekOverWeek.SayDoTrend([
            Week("2026-10-19", 0.60), Week("2026-10-26", 0.71), Week("2026-11-02", null), Week("2026-11-09", 0.74), Week("2026-11-23", 0.78)]);
        Assert.Equal(new TrendPoint(new DateOnly(2026, 11, 23), 0.78), now);
        Assert.Equal(new TrendPoint(new DateOnly(2026, 10, 26), 0.71), before); // 2026-11-02 is null; 2026-11-09 is only two weeks before

        Assert.Equal((null, null), WeekOverWeek.SayDoTrend([Week("2026-11-16", 0.7), Week("2026-11-23", null)]));
        Assert.Null(WeekOverWeek.SayDoTrend([Week("2026-11-23", 0.7)]).Before);
    }

    [Fact]
    public void Writes_one_line_per_team_with_the_trend_in_both_languages()
    {
        var monday = new DateOnly(2026, 11, 23);
        TeamTrend[] trends =
        [
            new("pay", "Payments", new(monday, 0.78), new(monday.AddDays(-28), 0.71), null),
            new("ledger", "Ledger", new(monday, 0.5), new(monday.AddDays(-35), 0.504), new PredictabilityTrend("2026-Q3", 0.85, "2026-Q2", 0.9)),
            new("risk", "Risk", new(monday, 0.9), null, new PredictabilityTrend("2026-Q3", 0.8, null, null)),
            new("new", "New team", null, null, null),
        ];
        Assert.Equal([
            "Payments: say/do 78 % (4 weeks ago 71 %, ↑)",
            "Ledger: say/do 50 % (5 weeks ago 50 %, →); predictability 85 % in 2026-Q3 (2026-Q2 90 %, ↓)",
            "Risk: say/do 90 %; predictability 80 % in 2026-Q3",
            "New team: say/do not known yet (no closed sprints with figures)",
        ], WeekOverWeek.TeamLines(trends, AdviceText.English));
        Assert.Equal("Payments: say/do 78 % (4 weken geleden 71 %, ↑)", WeekOverWeek.TeamLines(trends[..1], AdviceText.Dutch)[0]);
    }

    [Fact]
    public void Renders_the_team_lines_in_html_and_text()
    {
        var input = Input("pay", []) with { Trends = [new("pay", "<i>Payments</i>", new(Today, 0.78), new(Today.AddDays(-28), 0.71), null)] };
        var m = AdviceRenderer.Render(DigestComposer.Compose(input, En, "2026-W48", Today));
        Assert.Contains("Your teams", m.Html);
        Assert.Contains("&lt;i&gt;Payments&lt;/i&gt;: say/do 78 % (4 weeks ago 71 %, &#x2191;)", m.Html);
        Assert.Contains("* <i>Payments</i>: say/do 78 % (4 weeks ago 71 %, ↑)", m.Text);
    }
}
