namespace Alignment.UnitTests.Intervals;

/// <summary>
/// The plan and the outcome of a team's planning interval (docs/figures.md, "Planning intervals"), replayed from item history: which items
/// are planned, which are delivered, which are unplanned work, the epic or feature each counts under, and why each slipped item slipped.
/// </summary>
public sealed class IntervalCalculatorTests
{
    private static readonly DateTimeOffset PlanAt = new(2025, 3, 3, 8, 0, 0, TimeSpan.Zero);  // start of S1, the first sprint of the interval
    private static readonly DateTimeOffset EndAt = new(2025, 4, 11, 17, 0, 0, TimeSpan.Zero); // finish of S3, the last one
    private static readonly string[] Sprints = ["S1", "S2", "S3"];

    private static DateTimeOffset Day(int month, int day) => new(2025, month, day, 12, 0, 0, TimeSpan.Zero);

    private static int _event;
    private static ItemEvent Ev(string id, DateTimeOffset at, ItemEventKind kind, string? from, string? to) => new()
    {
        SourceId = "jira", ItemExternalId = id, EventId = $"e{++_event}", At = at, Kind = kind, From = from, To = to,
    };

    private static ItemEvent Done(string id, DateTimeOffset at) => Ev(id, at, ItemEventKind.StatusChanged, StatusCategory.Todo.Name(), StatusCategory.Done.Name());
    private static ItemEvent Into(string id, DateTimeOffset at, string sprint) => Ev(id, at, ItemEventKind.SprintAdded, null, sprint);
    private static ItemEvent OutOf(string id, DateTimeOffset at, string sprint) => Ev(id, at, ItemEventKind.SprintRemoved, sprint, null);

    /// <summary>An item of the team (its key is its external id) with its current state and history.</summary>
    private static IntervalItem Item(string key, double? points, StatusCategory status, string[] sprints, WorkItemType type = WorkItemType.Story,
        string team = "pay", DateTimeOffset? created = null, params ItemEvent[] events) =>
        new("jira", type, new ItemReplay(new ItemHistory
        {
            ExternalId = key, Key = key, TeamId = team, CreatedAt = created ?? Day(2, 1), Points = points, Status = status, SprintIds = sprints,
            Events = events,
        }));

    /// <summary>The tracker's hierarchy: E1 ← F1 (feature), E2, E3; stories point at them by key.</summary>
    private static readonly Dictionary<(string, string), SnapshotItem> Hierarchy = new[]
    {
        Snap("E1", WorkItemType.Epic, null, 40), Snap("F1", WorkItemType.Feature, "E1", 20), Snap("E2", WorkItemType.Epic, null, null),
        Snap("E3", WorkItemType.Epic, null, 8),
        Snap("A", WorkItemType.Story, "F1"), Snap("B", WorkItemType.Story, "F1"), Snap("C", WorkItemType.Story, "E1"), Snap("H", WorkItemType.Story, "E2"),
        Snap("M", WorkItemType.Story, "E2"), Snap("N", WorkItemType.Story, "E3"), Snap("G", WorkItemType.Story, null), Snap("P", WorkItemType.Bug, null),
        Snap("Q", WorkItemType.Story, null),
    }.ToDictionary(i => (i.Source, i.Key));

    private static SnapshotItem Snap(string key, WorkItemType type, string? parent, double? value = null) =>
        new("jira", key, key, "https://jira.example/" + key, type, "title " + key, StatusCategory.Todo, 1, "pay", null, [], parent, null, Day(1, 1), Day(1, 1),
            null, null, value is null ? null : new ItemValue(value, null, null, null, null));

    private static PlanUnit UnitOf(IntervalItem it) => IntervalCalculator.UnitOf(it.Source, it.History.Key, it.Type, Hierarchy);

    private static List<IntervalItem> Scenario() =>
    [
        Item("A", 2, StatusCategory.Done, ["S1"], events: Done("A", Day(3, 10))),                                              // planned, done
        Item("B", 3, StatusCategory.Todo, ["S2", "S3"], events: [Into("B", Day(2, 27), "S2"), Into("B", Day(3, 28), "S3")]),   // planned, carried over
        Item("C", 5, StatusCategory.Todo, [], events: OutOf("C", Day(3, 5), "S1"), created: Day(2, 2)),                        // planned, blocked by led's D
        Item("H", 1, StatusCategory.Todo, [], events: [Into("H", Day(2, 20), "S1"), OutOf("H", Day(3, 4), "S1")]),              // planned, dropped: unplanned work
        Item("M", 2, StatusCategory.Removed, ["S1"], events: Ev("M", Day(3, 20), ItemEventKind.StatusChanged, StatusCategory.Todo.Name(), StatusCategory.Removed.Name())),
        Item("N", 8, StatusCategory.Done, ["S1"], events: [Ev("N", Day(3, 4), ItemEventKind.EstimateChanged, "3", "8"), Done("N", Day(4, 1))]), // planned at 3 points
        Item("G", 5, StatusCategory.Done, ["S2"], events: [Into("G", Day(3, 18), "S2"), Done("G", Day(3, 25))]),               // unplanned, done
        Item("P", 1, StatusCategory.Todo, ["S2"], type: WorkItemType.Bug, created: Day(3, 5)),                                   // unplanned from its creation
        Item("Q", 2, StatusCategory.Done, ["S1"], events: Done("Q", Day(2, 28))),                                              // done before the plan
        Item("K", 3, StatusCategory.Todo, ["S1"], type: WorkItemType.Task),                                                      // a task: not backlog work
        Item("L", 3, StatusCategory.Todo, ["S1"], team: "led"),                                                                  // another team's item
        Item("D", 5, StatusCategory.Todo, [], team: "led"),                                                                      // C's blocker, not done
    ];

    private static TeamPlan PlanOf(List<IntervalItem> items) =>
        new("PI-1", "pay", "jira", PlanAt, Sprints, "observed", PlanAt, IntervalCalculator.Plan("pay", Sprints, PlanAt, items, UnitOf));

    private static List<OutcomeItem> OutcomeOf(List<IntervalItem> items) =>
        IntervalCalculator.Outcome(PlanOf(items), Sprints, EndAt, items,
            it => it.History.Key == "C" ? items.Where(b => b.History.Key == "D") : [], UnitOf);

    [Fact]
    public void Planned_is_the_teams_open_backlog_work_in_its_sprints_of_the_interval_at_the_plan_moment()
    {
        var plan = PlanOf(Scenario());
        Assert.Equal(["A", "B", "C", "H", "M", "N"], plan.Items.Select(i => i.Key));
        Assert.Equal(3, plan.Items.Single(i => i.Key == "N").Points); // the estimate at the plan moment, not the later 8
        Assert.Equal(["F1", "F1", "E1", "E2", "E2", "E3"], plan.Items.Select(i => i.UnitKey));
        Assert.Equal(WorkItemType.Feature, plan.Items[0].UnitType);
        Assert.Equal(20, plan.Items[0].UnitValue);
        Assert.Null(plan.Items.Single(i => i.Key == "H").UnitValue);
    }

    [Fact]
    public void Each_slipped_item_has_its_reason_and_unplanned_work_is_what_entered_after_the_plan()
    {
        var outcome = OutcomeOf(Scenario()).ToDictionary(o => o.Key);
        Assert.True(outcome["A"].Done);
        Assert.True(outcome["N"].Done);
        Assert.Equal([SlipReason.CarriedOver], outcome["B"].Reasons);
        Assert.Equal([SlipReason.BlockedByTeam], outcome["C"].Reasons);
        Assert.Equal(["jira/D"], outcome["C"].Blockers);
        Assert.Equal([SlipReason.UnplannedWork], outcome["H"].Reasons);
        Assert.Equal([SlipReason.Removed], outcome["M"].Reasons);
        Assert.True(outcome["M"].Removed);
        Assert.Equal(["G", "P"], outcome.Values.Where(o => !o.Planned).Select(o => o.Key).Order());
        Assert.True(outcome["G"].Done);
        Assert.DoesNotContain("Q", outcome.Keys);
    }

    [Fact]
    public void The_worked_example_of_the_figures_page()
    {
        var items = Scenario();
        var plan = PlanOf(items);
        var outcome = new TeamOutcome("PI-1", "pay", EndAt, Sprints, 30, EndAt, OutcomeOf(items));
        var done = outcome.Items.Where(o => o.Planned && o.Done).Select(o => o.Key).ToHashSet();
        var f = IntervalFigures.Of(plan.Items.Select(p => new Delivery("pay", p, done.Contains(p.Key))).ToList(), outcome.VelocityPoints,
            ScopeChange.Of(plan, outcome), new Dictionary<SlipReason, int>(), "/x", IntervalPhase.Finished);
        Assert.Equal((4, 1, 16.0, 5.0), (f.PlannedCount, f.DeliveredCount, f.PlannedPoints, f.DeliveredPoints));
        Assert.Equal((0.25, 0.3125), (f.PredictabilityCount.Value!.Value, f.PredictabilityPoints.Value!.Value));
        Assert.Equal(8.0 / 68, f.PredictabilityValue.Value!.Value, 9);
        Assert.Equal((6.0, 2, 2.0, 1), (f.ScopeAddedPoints.Value!.Value, f.AddedCount!.Value, f.ScopeRemovedPoints.Value!.Value, f.RemovedCount!.Value));
    }

    [Fact]
    public void Without_unplanned_work_a_dropped_item_is_unexplained_and_a_done_blocker_blocks_nothing()
    {
        var items = Scenario().Where(i => i.History.Key is not ("G" or "P")).ToList();
        items[items.FindIndex(i => i.History.Key == "D")] = Item("D", 5, StatusCategory.Done, [], team: "led", events: Done("D", Day(4, 10)));
        var outcome = OutcomeOf(items).ToDictionary(o => o.Key);
        Assert.Equal([SlipReason.Unexplained], outcome["H"].Reasons);
        Assert.Equal([SlipReason.Unexplained], outcome["C"].Reasons);
        Assert.Empty(outcome["C"].Blockers);
    }

    [Fact]
    public void A_change_at_the_plan_moment_counts_and_one_at_the_end_does_not()
    {
        var items = new List<IntervalItem>
        {
            Item("X", 2, StatusCategory.Done, ["S1"], events: [Into("X", PlanAt, "S1"), Done("X", EndAt)]),
            Item("Y", 2, StatusCategory.Todo, ["S1"], events: Into("Y", PlanAt.AddTicks(1), "S1")),
        };
        var plan = new TeamPlan("PI-1", "pay", "jira", PlanAt, Sprints, "observed", PlanAt, IntervalCalculator.Plan("pay", Sprints, PlanAt, items, UnitOf));
        Assert.Equal(["X"], plan.Items.Select(i => i.Key));
        var outcome = IntervalCalculator.Outcome(plan, Sprints, EndAt, items, _ => [], UnitOf);
        Assert.False(outcome.Single(o => o.Key == "X").Done);
        Assert.Equal(["Y"], outcome.Where(o => !o.Planned).Select(o => o.Key));
        Assert.Equal([SlipReason.UnplannedWork], outcome.Single(o => o.Key == "X").Reasons);
    }

    [Fact]
    public void An_item_without_an_epic_or_feature_is_its_own_unit()
    {
        var unit = IntervalCalculator.UnitOf("jira", "G", WorkItemType.Story, Hierarchy);
        Assert.Equal(new PlanUnit("G", WorkItemType.Story, null), unit);
        Assert.Equal("F1", IntervalCalculator.UnitOf("jira", "A", WorkItemType.Story, Hierarchy).Key);
    }

    [Fact]
    public void A_sprint_belongs_to_the_interval_whose_days_hold_its_first_day()
    {
        var iv = new PlanningInterval("PI-1", new DateOnly(2025, 3, 3), new DateOnly(2025, 4, 13));
        Assert.True(iv.Holds(new DateTimeOffset(2025, 4, 13, 23, 0, 0, TimeSpan.Zero)));
        Assert.False(iv.Holds(new DateTimeOffset(2025, 4, 14, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(iv.Holds(new DateTimeOffset(2025, 3, 2, 23, 59, 0, TimeSpan.Zero)));
        Assert.False(iv.Holds(null));
    }
}
