using System.Globalization;

namespace Alignment.UnitTests.Sprints;

/// <summary>
/// Hand-computed sprint figures. Histories are built the way the converters write them: Jira Sprint changelog id lists
/// become SprintAdded/SprintRemoved per id (a carried-over issue keeps the closed sprint in its field), Jira's first
/// estimate is an EstimateChanged from null, Azure DevOps IterationPath revisions become a removal plus an addition at
/// the same instant, and Azure DevOps inclusive finish dates are already the next midnight in <c>End</c>.
/// </summary>
public sealed class SprintCalculatorTests
{
    private static readonly DateTimeOffset Day0 = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero); // a Monday

    private static DateTimeOffset D(double days) => Day0.AddDays(days);

    // S1: days 0..14, S2: 14..28, S3: 28..42 (closed at their planned ends unless a test says otherwise).
    private static SprintWindow S1 => new("1", "Sprint 1", SprintState.Closed, D(0), D(14), D(14));
    private static SprintWindow S2 => new("2", "Sprint 2", SprintState.Closed, D(14), D(28), D(28));
    private static SprintWindow S3 => new("3", "Sprint 3", SprintState.Closed, D(28), D(42), D(42));

    private sealed class Item(string id)
    {
        private readonly List<ItemEvent> _events = [];
        private int _n;
        public double? Points { get; set; }
        public StatusCategory Status { get; set; } = StatusCategory.Todo;
        public DateTimeOffset Created { get; set; } = D(-30);
        public HashSet<string> Sprints { get; } = [];
        public DateTimeOffset? DeletedAt { get; set; }
        public string? Team { get; set; }

        private Item Ev(double day, ItemEventKind kind, string? from, string? to)
        {
            _events.Add(new ItemEvent { SourceId = "jira", ItemExternalId = id, EventId = (++_n).ToString(CultureInfo.InvariantCulture), At = D(day), Kind = kind, From = from, To = to });
            return this;
        }

        public Item Add(double day, string sprint) { Sprints.Add(sprint); return Ev(day, ItemEventKind.SprintAdded, null, sprint); }
        public Item Remove(double day, string sprint) { Sprints.Remove(sprint); return Ev(day, ItemEventKind.SprintRemoved, sprint, null); }
        /// <summary>Azure DevOps: one IterationPath revision is a removal and an addition at the same instant.</summary>
        public Item Move(double day, string from, string to) => Remove(day, from).Add(day, to);
        public Item Estimate(double day, double? from, double? to) { Points = to; return Ev(day, ItemEventKind.EstimateChanged, N(from), N(to)); }
        public Item State(double day, StatusCategory from, StatusCategory to) { Status = to; return Ev(day, ItemEventKind.StatusChanged, from.Name(), to.Name()); }
        public Item Done(double day) => State(day, Status, StatusCategory.Done);

        private static string? N(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);

        public ItemHistory History => new()
        {
            ExternalId = id, Key = "K-" + id, TeamId = Team, CreatedAt = Created, Points = Points, Status = Status,
            SprintIds = Sprints, DeletedAt = DeletedAt, Events = _events,
        };
    }

    private static Item New(string id, double? points = null) => new(id) { Points = points };

    private static IReadOnlyList<SprintResult> Run(IEnumerable<SprintWindow> sprints, params Item[] items) =>
        SprintCalculator.Calculate(sprints.ToList(), items.Select(i => i.History).ToList(), D(100));

    private static SprintFigures Figures(IReadOnlyList<SprintResult> r, string sprint) => r.Single(x => x.Figures.SprintId == sprint).Figures;

    private static SprintItemOutcome Outcome(IReadOnlyList<SprintResult> r, string sprint, string item) =>
        r.Single(x => x.Figures.SprintId == sprint).Outcomes.Single(o => o.ItemExternalId == item);

    [Fact]
    public void Committed_takes_the_estimate_at_the_start_and_completed_the_estimate_at_the_end()
    {
        var a = New("a", 3).Add(-1, "1").Estimate(2, 3, 5).Done(5);
        var f = Figures(Run([S1], a), "1");
        Assert.Equal((3.0, 1, 5.0, 1), (f.CommittedPoints, f.CommittedCount, f.CompletedPoints, f.CompletedCount));
        Assert.Equal(5.0 / 3.0, f.SayDo);
        Assert.Equal(FigureBasis.Reconstructed, f.Basis);
    }

    [Fact]
    public void An_estimate_first_set_after_the_start_is_excluded_from_committed_and_counted_at_completion()
    {
        var a = New("a").Add(-1, "1").Estimate(2, null, 8).Done(4);
        var b = New("b", 2).Add(-1, "1");
        var f = Figures(Run([S1], a, b), "1");
        Assert.Equal((2.0, 2), (f.CommittedPoints, f.CommittedCount));
        Assert.Equal((8.0, 1), (f.CompletedPoints, f.CompletedCount));
        Assert.Equal(1, f.UnestimatedCount);
        Assert.Equal(4.0, f.SayDo);
    }

    [Fact]
    public void An_item_added_mid_sprint_counts_as_added_and_as_completed_when_done()
    {
        var a = New("a", 5).Add(-1, "1");
        var b = New("b", 2).Add(3, "1").Done(6);
        var f = Figures(Run([S1], a, b), "1");
        Assert.Equal((5.0, 1), (f.CommittedPoints, f.CommittedCount));
        Assert.Equal((2.0, 1), (f.AddedPoints, f.AddedCount));
        Assert.Equal((2.0, 1), (f.CompletedPoints, f.CompletedCount));
        Assert.Equal((0.0, 0), (f.RemovedPoints, f.RemovedCount));
    }

    [Fact]
    public void A_remove_and_re_add_after_the_start_counts_as_added_and_not_as_removed()
    {
        var c = New("c", 3).Add(-1, "1").Remove(2, "1").Add(4, "1");
        var f = Figures(Run([S1], c), "1");
        Assert.Equal((1, 1, 0), (f.CommittedCount, f.AddedCount, f.RemovedCount));
        Assert.Equal((3.0, 3.0), (f.CommittedPoints, f.AddedPoints));
    }

    [Fact]
    public void An_item_that_left_after_the_start_and_never_came_back_counts_as_removed_with_its_estimate_at_the_end()
    {
        var d = New("d", 5).Add(-1, "1").Estimate(1, 5, 8).Remove(3, "1");
        var f = Figures(Run([S1], d), "1");
        Assert.Equal((5.0, 1), (f.CommittedPoints, f.CommittedCount));
        Assert.Equal((8.0, 1), (f.RemovedPoints, f.RemovedCount));
        Assert.Equal(0, f.CompletedCount);
    }

    [Fact]
    public void An_item_done_then_reopened_before_the_end_is_not_completed_and_is_carried_over()
    {
        var e = New("e", 3).Add(-1, "1").Done(3).State(5, StatusCategory.Done, StatusCategory.InProgress).Add(14, "2");
        var r = Run([S1, S2 with { State = SprintState.Active, CompletedAt = null }], e);
        var f = Figures(r, "1");
        Assert.Equal((0, 1, 3.0), (f.CompletedCount, f.CarriedOverCount, f.CarriedOverPoints));
        Assert.True(Outcome(r, "1", "e").CarriedOver);
    }

    [Fact]
    public void An_item_done_reopened_and_done_again_before_the_end_is_completed()
    {
        var e = New("e", 3).Add(-1, "1").Done(3).State(5, StatusCategory.Done, StatusCategory.InProgress).Done(9);
        Assert.Equal(1, Figures(Run([S1], e), "1").CompletedCount);
    }

    [Fact]
    public void An_item_moved_to_another_teams_sprint_counts_as_removed()
    {
        var m = New("m", 5).Add(-1, "1").Move(4, "1", "other-team-sprint").Done(8);
        var f = Figures(Run([S1], m), "1");
        Assert.Equal((1, 1, 0), (f.CommittedCount, f.RemovedCount, f.CompletedCount));
        Assert.Equal(5.0, f.RemovedPoints);
    }

    [Fact]
    public void An_item_deleted_mid_sprint_counts_as_removed()
    {
        var x = New("x", 3).Add(-1, "1");
        x.DeletedAt = D(6);
        var f = Figures(Run([S1], x), "1");
        Assert.Equal((1, 1, 0), (f.CommittedCount, f.RemovedCount, f.CompletedCount));
    }

    [Fact]
    public void An_item_deleted_after_the_sprint_keeps_its_outcome()
    {
        var x = New("x", 3).Add(-1, "1").Done(5);
        x.DeletedAt = D(20);
        var f = Figures(Run([S1], x), "1");
        Assert.Equal((1, 0, 1), (f.CommittedCount, f.RemovedCount, f.CompletedCount));
    }

    [Fact]
    public void A_sprint_closed_early_ends_at_its_completion()
    {
        var done = New("a", 3).Add(-1, "1").Done(11);
        var late = New("b", 2).Add(12, "1");
        var f = Figures(Run([S1 with { CompletedAt = D(10) }], done, late), "1");
        Assert.Equal((1, 0, 0), (f.CommittedCount, f.CompletedCount, f.AddedCount));
    }

    [Fact]
    public void A_sprint_closed_late_counts_what_was_done_before_its_completion()
    {
        var done = New("a", 3).Add(-1, "1").Done(15);
        var f = Figures(Run([S1 with { CompletedAt = D(16) }], done), "1");
        Assert.Equal((1, 3.0), (f.CompletedCount, f.CompletedPoints));
    }

    [Fact]
    public void A_sprint_without_estimates_reports_counts_flags_unestimated_and_says_do_by_count()
    {
        var a = New("a").Add(-1, "1").Done(3);
        var b = New("b").Add(-1, "1").Done(4);
        var c = New("c").Add(-1, "1");
        var f = Figures(Run([S1], a, b, c), "1");
        Assert.Equal((0.0, 3, 0.0, 2), (f.CommittedPoints, f.CommittedCount, f.CompletedPoints, f.CompletedCount));
        Assert.Equal(3, f.UnestimatedCount);
        Assert.Equal(2.0 / 3.0, f.SayDo);
    }

    [Fact]
    public void Say_do_is_null_when_nothing_was_committed()
    {
        var b = New("b", 2).Add(3, "1").Done(6);
        Assert.Null(Figures(Run([S1], b), "1").SayDo);
    }

    [Fact]
    public void An_item_in_a_sprint_without_a_sprint_event_has_been_in_it_since_its_creation()
    {
        var before = New("a", 3); // created before the start, straight into the sprint, no changelog entry
        before.Sprints.Add("1");
        var during = New("b", 2);
        during.Created = D(2);
        during.Sprints.Add("1");
        var r = Run([S1], before, during);
        Assert.True(Outcome(r, "1", "a").Committed);
        Assert.True(Outcome(r, "1", "b").Added);
        Assert.False(Outcome(r, "1", "b").Committed);
    }

    [Fact]
    public void An_item_created_into_the_sprint_and_later_removed_was_in_it_until_the_removal()
    {
        var a = New("a", 3);
        a.Created = D(-2);
        a.Remove(4, "1");
        var f = Figures(Run([S1], a), "1");
        Assert.Equal((1, 1), (f.CommittedCount, f.RemovedCount));
    }

    [Fact]
    public void An_item_added_exactly_at_the_start_is_committed_and_one_removed_exactly_at_the_end_is_in_at_the_end()
    {
        var a = New("a", 3).Add(0, "1").Done(5);
        var b = New("b", 2).Add(-1, "1").Remove(14, "1");
        var f = Figures(Run([S1], a, b), "1");
        Assert.Equal((2, 0, 0), (f.CommittedCount, f.AddedCount, f.RemovedCount));
        Assert.Equal(1, f.CompletedCount);
    }

    [Fact]
    public void Jira_carry_over_keeps_the_closed_sprint_and_counts_carried_over_twice()
    {
        // Jira: at completion the issue is added to the next sprint; the closed sprint stays in the field.
        var a = New("a", 5).Add(-1, "1").Add(14, "2").Add(28, "3").Done(30);
        var b = New("b", 1).Add(-1, "1").Done(2);
        var r = Run([S1, S2, S3], a, b);
        Assert.Equal((1, 5.0, 0), (Figures(r, "1").CarriedOverCount, Figures(r, "1").CarriedOverPoints, Figures(r, "1").CarriedOverTwiceCount));
        Assert.Equal((1, 1), (Figures(r, "2").CarriedOverCount, Figures(r, "2").CarriedOverTwiceCount));
        Assert.Equal((0, 1, 2), (Outcome(r, "1", "a").CarryCount, Outcome(r, "2", "a").CarryCount, Outcome(r, "3", "a").CarryCount));
        Assert.True(Outcome(r, "2", "a").Committed);
        Assert.True(Outcome(r, "3", "a").Completed);
        Assert.Equal((1, 0), (Figures(r, "3").CompletedCount, Figures(r, "3").CarriedOverCount));
    }

    [Fact]
    public void Azure_DevOps_inclusive_finish_dates_and_the_carry_over_move_at_the_next_start()
    {
        // Finish date Friday day 11 inclusive → End is the next midnight (day 12). The move into the next iteration
        // happens at its start (day 14): the item is in iteration 1 at its end, and committed to iteration 2.
        var i1 = new SprintWindow("g1", "Iteration 1", SprintState.Closed, D(0), D(12), D(12));
        var i2 = new SprintWindow("g2", "Iteration 2", SprintState.Closed, D(14), D(26), D(26));
        var lastMinute = New("a", 3).Add(-1, "g1").Done(11.99);
        var carried = New("b", 5).Add(-1, "g1").Move(14, "g1", "g2");
        var atMidnight = New("c", 2).Add(-1, "g1").Done(12);
        var r = Run([i1, i2], lastMinute, carried, atMidnight);
        var f1 = Figures(r, "g1");
        Assert.Equal((3, 1, 0), (f1.CommittedCount, f1.CompletedCount, f1.RemovedCount));
        Assert.Equal((1, 5.0), (f1.CarriedOverCount, f1.CarriedOverPoints));
        Assert.True(Outcome(r, "g2", "b").Committed);
        Assert.Equal(1, Outcome(r, "g2", "b").CarryCount);
        Assert.False(Outcome(r, "g1", "c").Completed);
    }

    [Fact]
    public void Changed_sprint_dates_are_measured_against_the_dates_now_in_the_store()
    {
        var a = New("a", 3).Add(2, "1");
        var original = Figures(Run([S1], a), "1");
        Assert.Equal((0, 1), (original.CommittedCount, original.AddedCount));
        var moved = Figures(Run([S1 with { Start = D(3), Name = "Renamed" }], a), "1"); // started later: a was in at the start
        Assert.Equal((1, 0), (moved.CommittedCount, moved.AddedCount));
    }

    [Fact]
    public void A_shared_sprint_counts_only_the_teams_own_items()
    {
        var mine = New("a", 3).Add(-1, "1");
        mine.Team = "payments";
        var theirs = New("b", 5).Add(-1, "1");
        theirs.Team = "ledger";
        var r = SprintCalculator.Calculate([S1 with { Shared = true }], [mine.History, theirs.History], D(100), teamId: "payments");
        Assert.Equal((1, 3.0), (r[0].Figures.CommittedCount, r[0].Figures.CommittedPoints));
    }

    [Fact]
    public void The_active_sprint_is_measured_so_far_and_future_sprints_have_no_figures()
    {
        var a = New("a", 3).Add(-1, "2").Done(16);
        var b = New("b", 2).Add(-1, "2").Remove(20, "2");
        var r = SprintCalculator.Calculate([S2 with { State = SprintState.Active, CompletedAt = null }, S3 with { State = SprintState.Future, CompletedAt = null }],
            [a.History, b.History], D(18));
        var f = Assert.Single(r).Figures;
        Assert.Equal((2, 1, 0), (f.CommittedCount, f.CompletedCount, f.RemovedCount));
    }

    [Fact]
    public void An_observed_start_snapshot_wins_over_the_replayed_history()
    {
        // The history later lost the addition of b (e.g. rewritten); the snapshot taken when the sprint started still has it.
        var a = New("a", 3).Add(-1, "1").Estimate(5, 3, 13);
        var b = New("b", 2).Add(3, "1");
        var observed = new Dictionary<string, ObservedSprint>
        {
            ["1"] = new(new Dictionary<string, ObservedItem>
            {
                ["a"] = new(true, 3, false, false, false, 3),
                ["b"] = new(true, 2, false, false, false, 2),
            }, null),
        };
        var r = SprintCalculator.Calculate([S1], [a.History, b.History], D(100), observed);
        var f = r[0].Figures;
        Assert.Equal(FigureBasis.Observed, f.Basis);
        Assert.Equal((2, 5.0), (f.CommittedCount, f.CommittedPoints));
    }

    [Fact]
    public void An_observed_end_snapshot_freezes_the_outcome_of_a_watched_sprint()
    {
        var a = New("a", 3).Add(-1, "1"); // history now says not done, but when the sprint closed it was done
        var observed = new Dictionary<string, ObservedSprint>
        {
            ["1"] = new(new Dictionary<string, ObservedItem> { ["a"] = new(true, 3, false, false, false, 3) },
                        new Dictionary<string, ObservedItem> { ["a"] = new(true, 3, false, false, true, 3) }),
        };
        var f = SprintCalculator.Calculate([S1], [a.History], D(100), observed)[0].Figures;
        Assert.Equal((1, 3.0, FigureBasis.Observed), (f.CompletedCount, f.CompletedPoints, f.Basis));
    }
}
