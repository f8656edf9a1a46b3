using Alignment.Domain.Mi;

namespace Alignment.UnitTests.Reporting;

/// <summary>
/// The history's back-fill (<see cref="MiHistory"/>): per team a point on each day a sprint ended, with the figures as of that sprint; for the
/// organisation a point on every such day, each team as of its last sprint ended by then. Expected values are worked out by hand.
/// </summary>
public sealed class MiHistoryBackfillTests
{
    private static readonly MiWindows Windows = new(VelocitySprints: 3, SayDoSprints: 2);

    private static HistorySprint S(string id, string end, double committed, double completed, double carried = 0, double? days = null) =>
        new(id, "Sprint " + id, DateOnly.Parse(end, System.Globalization.CultureInfo.InvariantCulture), committed, completed, carried, days);

    [Fact]
    public void A_team_gets_a_point_per_sprint_end_with_its_window_figures()
    {
        var sprints = new[]
        {
            S("1", "2026-01-14", 10, 8, 2, 40), S("2", "2026-01-28", 12, 12, 0, 40), S("3", "2026-02-11", 20, 10, 6, 20), S("4", "2026-02-25", 9, 9, 0, 40),
        };
        var points = MiHistory.BackfillTeam("pay", sprints, Windows).ToLookup(p => (p.Figure, p.Day));
        double? V(string figure, string day) => points[(figure, DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture))].Single().Value;

        Assert.Equal(8, V("velocityP50", "2026-01-14"));
        Assert.Equal(10, V("velocityP50", "2026-01-28"));              // median of 8, 12
        Assert.Equal(10, V("velocityP50", "2026-02-11"));              // median of 8, 12, 10
        Assert.Equal(10, V("velocityP50", "2026-02-25"));              // window of 3: 12, 10, 9
        Assert.Equal(20.0 / 22, V("sayDo", "2026-01-28"));           // window of 2, sprints 1 and 2: (8 + 12) ÷ (10 + 12)
        Assert.Equal(22.0 / 32, V("sayDo", "2026-02-11"));           // sprints 2, 3: (12 + 10) ÷ (12 + 20)
        Assert.Equal(6, V("carryOverPoints", "2026-02-11"));
        Assert.Null(V("commitmentVsCapacity", "2026-01-14"));          // no sprint before it: no capacity
        Assert.Equal(12.0 / 8, V("commitmentVsCapacity", "2026-01-28")); // P50 8 at 40 days, sprint of 40 days
        Assert.Equal(20.0 / 5, V("commitmentVsCapacity", "2026-02-11")); // P50 10 × 20 ÷ 40 = 5
        Assert.All(points.SelectMany(g => g), p => Assert.Equal(MiHistory.Backfilled, p.Basis));
        Assert.Equal(4 * 4, points.SelectMany(g => g).Count());
    }

    [Fact]
    public void Sprints_ending_the_same_day_give_one_point_as_of_the_last()
    {
        var sprints = new[] { S("1", "2026-01-14", 10, 4), S("2", "2026-01-14", 10, 10) };
        var velocity = MiHistory.BackfillTeam("pay", sprints, Windows).Where(p => p.Figure == "velocityP50").ToList();
        Assert.Equal(7, Assert.Single(velocity).Value);
    }

    [Fact]
    public void The_organisation_adds_up_each_team_as_of_its_last_sprint_ended_by_each_day()
    {
        IReadOnlyList<HistorySprint> a = [S("a1", "2026-01-14", 10, 10, 1), S("a2", "2026-01-28", 10, 5, 2)];
        IReadOnlyList<HistorySprint> b = [S("b1", "2026-01-21", 20, 10, 3)];
        var points = MiHistory.BackfillOrganisation([a, b], Windows).ToLookup(p => (p.Figure, p.Day.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(["01-14", "01-21", "01-28"], points.Select(g => g.Key.Item2).Distinct().Order().ToArray());
        Assert.Equal(10, points[("velocityP50", "01-14")].Single().Value);
        Assert.Equal(20, points[("velocityP50", "01-21")].Single().Value);     // a: 10, b: 10
        Assert.Equal(17.5, points[("velocityP50", "01-28")].Single().Value);   // a: median 10, 5 = 7.5, b: 10
        Assert.Equal(20.0 / 30, points[("sayDo", "01-21")].Single().Value);    // (10 + 10) ÷ (10 + 20)
        Assert.Equal(25.0 / 40, points[("sayDo", "01-28")].Single().Value);    // a: (10 + 5) ÷ 20, b: 10 ÷ 20
        Assert.Equal(5, points[("carryOverPoints", "01-28")].Single().Value);   // a2: 2, b1: 3
        Assert.Equal(1.0, points[("commitmentVsCapacity", "01-28")].Single().Value); // only a2 has a capacity: 10 ÷ P50 10
        Assert.All(points.SelectMany(g => g), p => Assert.Equal("", p.Team));
    }

    [Fact]
    public void Every_history_figure_has_a_definition_and_the_sprint_only_ones_are_sprint_based()
    {
        Assert.All(MiHistory.Figures, f => Assert.False(string.IsNullOrWhiteSpace(f.Definition)));
        Assert.All(MiHistory.Figures.Where(f => f.SprintOnly), f => Assert.True(f.SprintBased));
        Assert.Equal(MiHistory.Figures.Count, MiHistory.Figures.Select(f => f.Name).Distinct().Count());
        Assert.Null(MiHistory.Find("nope"));
    }
}
