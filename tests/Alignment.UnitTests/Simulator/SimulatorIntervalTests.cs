using System.Buffers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

/// <summary>
/// The simulator's planning intervals (<see cref="SimulatorOptions.Intervals"/>, on in the demo): four six-week intervals in the
/// configuration, two of them finished with every team's predictability in the truth, three planted slips of distinct kinds, and the teams
/// plan all of an interval's sprints before it starts. Off, nothing of it shows.
/// </summary>
public sealed class SimulatorIntervalTests
{
    private static readonly SimulatorOptions On = new() { Teams = 6, Items = 1200, Seed = 5, Intervals = true };

    private static JsonElement Json(SimulatedOrganisation org, bool config)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            if (config) org.WriteConfig(w, "http://jira", "http://ado");
            else org.WriteTruth(w);
        }
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.WrittenSpan)).RootElement;
    }

    [Fact]
    public void The_configuration_has_four_six_week_intervals_on_mondays_the_third_running_now()
    {
        var org = SimulatedOrganisation.Generate(On);
        var intervals = Json(org, config: true).GetProperty("Alignment").GetProperty("PlanningIntervals").EnumerateArray()
            .Select(i => (Id: i.GetProperty("Id").GetString(), Start: DateOnly.Parse(i.GetProperty("Start").GetString()!), End: DateOnly.Parse(i.GetProperty("End").GetString()!)))
            .ToList();
        Assert.Equal(["PI-1", "PI-2", "PI-3", "PI-4"], intervals.Select(i => i.Id));
        Assert.All(intervals, i => Assert.Equal((DayOfWeek.Monday, 41), (i.Start.DayOfWeek, i.End.DayNumber - i.Start.DayNumber)));
        Assert.All(intervals.Skip(1).Zip(intervals), p => Assert.Equal(p.Second.End.AddDays(1), p.First.Start));
        var today = DateOnly.FromDateTime(On.Now.UtcDateTime);
        Assert.InRange(today.DayNumber - intervals[2].Start.DayNumber, 21, 27);
    }

    [Fact]
    public void Two_intervals_are_finished_with_every_teams_predictability_and_three_kinds_of_slips_are_planted()
    {
        var truth = Json(SimulatedOrganisation.Generate(On), config: false);
        var finished = truth.GetProperty("intervals").EnumerateArray().Where(i => i.GetProperty("finished").GetBoolean()).ToList();
        Assert.Equal(["PI-1", "PI-2"], finished.Select(i => i.GetProperty("id").GetString()));
        foreach (var iv in finished)
        {
            var teams = iv.GetProperty("teams").EnumerateArray().ToList();
            Assert.Equal(6, teams.Count);
            Assert.All(teams, t => Assert.Equal("finished", t.GetProperty("phase").GetString()));
            Assert.All(teams, t => Assert.InRange(t.GetProperty("predictabilityPoints").GetDouble(), 0.2, 1));
            Assert.Contains(teams, t => t.GetProperty("predictabilityCount").GetDouble() < 1); // something slipped
            Assert.True(iv.GetProperty("organisation").GetProperty("plannedCount").GetInt32() >= teams.Max(t => t.GetProperty("plannedCount").GetInt32()));
        }
        var slips = truth.GetProperty("plantedSlips").EnumerateArray().ToList();
        Assert.Equal(["blockedByTeam", "carriedOver", "unplannedWork"], slips.Select(s => s.GetProperty("reason").GetString()).Order());
        Assert.Equal(3, slips.Select(s => s.GetProperty("team").GetString()).Distinct().Count());
        var blocked = slips.Single(s => s.GetProperty("reason").GetString() == "blockedByTeam");
        Assert.NotEqual(blocked.GetProperty("team").GetString(), truth.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("key").GetString() == blocked.GetProperty("blocker").GetProperty("key").GetString()).GetProperty("team").GetString());
    }

    [Fact]
    public void A_team_plans_the_later_sprints_of_an_interval_before_its_first_sprint_starts()
    {
        var truth = Json(SimulatedOrganisation.Generate(On), config: false);
        var pi2 = truth.GetProperty("intervals").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "PI-2");
        var (start, end) = (pi2.GetProperty("start").GetString()!, pi2.GetProperty("end").GetString()!);
        // Each team's first sprint of PI-2 committed its own share only: the sprints after it were filled at the same planning.
        foreach (var team in truth.GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("id").GetString()))
        {
            var sprints = truth.GetProperty("sprints").EnumerateArray()
                .Where(s => s.GetProperty("team").GetString() == team && string.CompareOrdinal(s.GetProperty("startDate").GetString(), start) >= 0
                    && string.CompareOrdinal(s.GetProperty("startDate").GetString(), end) <= 0).ToList();
            Assert.True(sprints.Count >= 2, $"{team}: {sprints.Count} sprints in PI-2");
            var planned = pi2.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("team").GetString() == team).GetProperty("plannedPoints").GetDouble();
            Assert.True(planned > sprints[0].GetProperty("committedPoints").GetDouble() * 1.4,
                $"{team}: planned {planned} points for PI-2, its first sprint committed {sprints[0].GetProperty("committedPoints")}");
        }
    }

    [Fact]
    public void Without_intervals_the_configuration_and_truth_have_none_and_history_is_six_sprints()
    {
        var org = SimulatedOrganisation.Generate(new SimulatorOptions { Teams = 4, Items = 600, Seed = 5 });
        Assert.False(Json(org, config: true).GetProperty("Alignment").TryGetProperty("PlanningIntervals", out _));
        var truth = Json(org, config: false);
        Assert.False(truth.TryGetProperty("intervals", out _));
        Assert.All(truth.GetProperty("teams").EnumerateArray(), t => Assert.Equal(6, truth.GetProperty("sprints").EnumerateArray()
            .Count(s => s.GetProperty("team").GetString() == t.GetProperty("id").GetString() && s.GetProperty("state").GetString() == "closed")));
    }
}
