using Alignment.Jira;
using Alignment.Jira.Wire;

namespace Alignment.UnitTests.Intervals;

/// <summary>
/// Planning intervals read from the trackers (docs/figures.md, "Intervals from the trackers"): Azure DevOps iteration nodes, Jira fix versions,
/// how they combine with the configured intervals.
/// </summary>
public sealed class IntervalCatalogueTests
{
    private static readonly DateOnly D = new(2026, 10, 5);

    private static DateTimeOffset At(int day) => new(D.AddDays(day).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    [Theory]
    [InlineData(@"Finance\2026 Q4\Sprint 3", "2026 Q4")]
    [InlineData(@"Finance\Ledger\2026 Q4\Sprint 3", "2026 Q4")]
    [InlineData(@"Finance\Ledger\Sprint 3", "Ledger")]
    [InlineData(@"Finance\Sprint 3", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void The_interval_node_is_the_one_right_above_the_sprint(string? path, string? node) =>
        Assert.Equal(node, IntervalCatalogue.NodeOf(path));

    [Fact]
    public void Iteration_nodes_place_the_sprints_under_them_and_span_their_dates()
    {
        var intervals = IntervalCatalogue.FromIterationPaths([
            ("s1", @"P\Ledger\Sprint 1", At(-14), At(0)),
            ("s2", @"P\Ledger\PI-1\Sprint 2", At(0), At(14)),
            ("s3", @"P\Ledger\PI-1\Sprint 3", At(14), At(28)),
            ("s4", @"P\Ledger\PI-2\Sprint 4", null, null), // undated: no interval of its own
            ("s5", @"P\Sprint 5", At(28), At(42)),
        ]);
        Assert.Equal(["Ledger", "PI-1"], intervals.Select(i => i.Id));
        var pi1 = intervals[1];
        Assert.Equal((D, D.AddDays(27)), (pi1.Start, pi1.End)); // the last sprint's finish is exclusive: its last day is the day before
        Assert.Equal(["s2", "s3"], pi1.SprintIds);
    }

    [Fact]
    public void Jira_versions_with_both_dates_are_intervals_the_others_are_not()
    {
        var intervals = JiraConverter.ToIntervals([
            new JiraVersion { Id = "1", Name = "PI-1", StartDate = "2026-10-05", ReleaseDate = "2026-11-15" },
            new JiraVersion { Id = "2", Name = "PI-0", StartDate = "2026-08-24", ReleaseDate = "2026-10-04", Archived = true },
            new JiraVersion { Id = "3", Name = "Someday", ReleaseDate = "2027-01-01" },
            new JiraVersion { Id = "4", Name = "Backwards", StartDate = "2026-12-01", ReleaseDate = "2026-11-01" },
            new JiraVersion { Id = "5", Name = "Garbled", StartDate = "soon", ReleaseDate = "2026-11-01" },
        ]);
        Assert.Equal(["PI-0", "PI-1"], intervals.Select(i => i.Id));
        Assert.Equal((new DateOnly(2026, 10, 5), new DateOnly(2026, 11, 15), (IReadOnlyList<string>?)null),
            (intervals[1].Start, intervals[1].End, intervals[1].SprintIds));
    }

    private static AlignmentOptions Org(IntervalOrigin adoFrom) => new()
    {
        Sources =
        [
            new SourceOptions { Id = "jira", Kind = TrackerKind.Jira },
            new SourceOptions { Id = "ado", Kind = TrackerKind.AzureDevOps, Intervals = new SourceIntervalOptions { From = adoFrom } },
        ],
        Teams =
        [
            new TeamOptions { Id = "pay", Source = "jira" }, new TeamOptions { Id = "ledger", Source = "ado" },
            new TeamOptions { Id = "treasury", Source = "ado" },
        ],
        PlanningIntervals = [new PlanningIntervalOptions { Id = "PI-1", Start = "2026-10-05", End = "2026-11-15" }],
    };

    [Fact]
    public void Without_a_tracker_source_the_configured_intervals_apply_to_every_team()
    {
        var intervals = IntervalCatalogue.Build(Org(IntervalOrigin.Configured), []);
        Assert.Null(Assert.Single(intervals).Teams);
        Assert.True(intervals[0].Includes("ledger"));
    }

    [Fact]
    public void Configured_intervals_apply_to_the_other_sources_teams_and_an_interval_both_record_is_one_interval()
    {
        var intervals = IntervalCatalogue.Build(Org(IntervalOrigin.Iterations), [
            ("ledger", new TrackerInterval("PI-1", D.AddDays(2), D.AddDays(43), ["l1", "l2", "l3"])),
            ("treasury", new TrackerInterval("PI-1", D, D.AddDays(41), ["t1", "t2", "t3"])),
            ("ledger", new TrackerInterval("PI-2", D.AddDays(44), D.AddDays(85), ["l4"])),
            ("pay", new TrackerInterval("Stray", D, D, null)), // a row of a team whose source reads no intervals: ignored
        ]);
        Assert.Equal(["PI-1", "PI-2"], intervals.Select(i => i.Id));
        var pi1 = intervals[0];
        Assert.Equal((D, D.AddDays(43)), (pi1.Start, pi1.End)); // the configured dates widened to every team's
        Assert.Equal(["ledger", "pay", "treasury"], pi1.Teams!.Keys.Order());
        Assert.Equal((D, D.AddDays(41), (IReadOnlySet<string>?)null), (pi1.Teams["pay"].Start, pi1.Teams["pay"].End, pi1.Teams["pay"].SprintIds));
        Assert.False(intervals[1].Includes("pay"));
        Assert.Equal(At(42), pi1.EndAtFor("pay")); // pay's interval ends with the configured last day, not the widened one
        Assert.Equal(At(44), pi1.EndAtFor("ledger"));

        // Each team keeps its own placement: pay by the configured dates, ledger by the sprints under the node, whatever their dates.
        var sprints = new[] { ("l1", At(2)), ("l9", At(3)), ("l3", At(60)) };
        Assert.Equal(["l1", "l3"], pi1.SprintsOf("ledger", sprints, s => s.Item2, s => s.Item1).Select(s => s.Item1));
        Assert.Equal(["p1"], pi1.SprintsOf("pay", new[] { ("p1", At(41)), ("p2", At(43)) }, s => s.Item2, s => s.Item1).Select(s => s.Item1));
        Assert.Empty(intervals[1].SprintsOf("pay", new[] { ("p3", At(50)) }, s => s.Item2, s => s.Item1));
    }

    [Fact]
    public void Match_keeps_the_names_that_match_and_an_invalid_pattern_matches_nothing()
    {
        Assert.True(new SourceIntervalOptions { Match = "^PI-" }.Matches("pi-3"));
        Assert.False(new SourceIntervalOptions { Match = "^PI-" }.Matches("Ledger"));
        Assert.True(new SourceIntervalOptions().Matches("Ledger"));
        Assert.False(new SourceIntervalOptions { Match = "([" }.Matches("PI-1"));
    }
}
