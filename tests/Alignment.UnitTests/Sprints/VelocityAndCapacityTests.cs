
namespace Alignment.UnitTests.Sprints;

public sealed class VelocityAndCapacityTests
{
    [Fact]
    public void Velocity_statistics_give_percentiles_trend_and_variation_over_the_last_sprints()
    {
        var v = VelocityStatistics.Compute([99, 10, 20, 30, 40], lastN: 4);
        Assert.Equal([10.0, 20, 30, 40], v.Completed);
        Assert.Equal(25, v.P50);
        Assert.Equal(14.5, v.P15!.Value, 9);   // rank 0.45 between 10 and 20
        Assert.Equal(35.5, v.P85!.Value, 9);   // rank 2.55 between 30 and 40
        Assert.Equal(10, v.Trend!.Value, 9);   // +10 points a sprint
        Assert.Equal(Math.Sqrt(500.0 / 3) / 25, v.CoefficientOfVariation!.Value, 9);
    }

    [Fact]
    public void Velocity_of_one_sprint_has_no_trend_and_none_without_sprints()
    {
        var one = VelocityStatistics.Compute([12], lastN: 6);
        Assert.Equal((12.0, 12.0, (double?)null), (one.P15!.Value, one.P85!.Value, one.Trend));
        Assert.Null(VelocityStatistics.Compute([], lastN: 6).P50);
    }

    [Fact]
    public void Jira_capacity_is_members_times_working_days_less_absences_times_focus()
    {
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero); // Monday; two weeks = 10 working days
        var members = new[] { new CapacityMember("Ann", null), new CapacityMember("Bram", 4) };
        var absences = new[]
        {
            new Absence(1, "t", "ann", new DateOnly(2026, 1, 8), new DateOnly(2026, 1, 10)), // Thu, Fri, Sat: 2 working days
            new Absence(2, "t", "Carla", new DateOnly(2026, 1, 5), new DateOnly(2026, 1, 16)), // not a member
        };
        var days = CapacityCalculator.Jira(members, 0.8, null, start, start.AddDays(14), absences);
        Assert.Equal((8 * 1.0 + 10 * 0.5) * 0.8, days!.Value, 9);
    }

    [Fact]
    public void Jira_capacity_follows_configured_working_days_and_is_null_without_members()
    {
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var fourDays = CapacityCalculator.Jira([new CapacityMember("Ann", null)], 1.0,
            [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday], start, start.AddDays(14), []);
        Assert.Equal(8, fourDays);
        Assert.Null(CapacityCalculator.Jira([], 0.8, null, start, start.AddDays(14), []));
    }

    [Fact]
    public void Azure_DevOps_capacity_weights_available_days_by_hours_per_day()
    {
        var days = CapacityCalculator.AzureDevOps([new MemberCapacity("a", 8, 9), new MemberCapacity("b", 6, 10)]);
        Assert.Equal(9 + 7.5, days);
        Assert.Null(CapacityCalculator.AzureDevOps([]));
    }
}
