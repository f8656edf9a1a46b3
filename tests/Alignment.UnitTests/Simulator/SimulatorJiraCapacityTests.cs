using System.Buffers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

/// <summary>
/// The simulator's Jira capacity (<see cref="SimulatorOptions.JiraCapacity"/>, on in the demo): each Jira team's members in
/// <c>Teams[].Capacity</c>, so its capacity cards are filled like the Azure DevOps teams' (whose iterations carry capacity).
/// </summary>
public sealed class SimulatorJiraCapacityTests
{
    private static JsonElement Teams(SimulatorOptions options)
    {
        var org = SimulatedOrganisation.Generate(options);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) org.WriteConfig(w, "http://jira", "http://ado");
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.WrittenSpan)).RootElement.GetProperty("Alignment").GetProperty("Teams");
    }

    [Fact]
    public void With_jira_capacity_every_jira_team_has_members_with_hours_and_no_azure_devops_team_has_any()
    {
        var teams = Teams(new SimulatorOptions { Teams = 4, Items = 400, Seed = 3, JiraCapacity = true }).EnumerateArray().ToList();

        var jira = teams.Where(t => t.GetProperty("Source").GetString() == "jira").ToList();
        Assert.Equal(2, jira.Count);
        foreach (var t in jira)
        {
            var cap = t.GetProperty("Capacity");
            var members = cap.GetProperty("Members").EnumerateArray().ToList();
            Assert.True(members.Count >= 3, $"{t.GetProperty("Id")}: {members.Count} members");
            Assert.All(members, m => Assert.False(string.IsNullOrWhiteSpace(m.GetProperty("Name").GetString())));
            Assert.All(members, m => Assert.InRange(m.GetProperty("HoursPerDay").GetDouble(), 4, 6));
            Assert.Equal(1, cap.GetProperty("FocusFactor").GetDouble());
        }
        Assert.All(teams.Where(t => t.GetProperty("Source").GetString() == "ado"), t => Assert.False(t.TryGetProperty("Capacity", out _)));
    }

    [Fact]
    public void Without_it_no_team_has_configured_capacity()
    {
        Assert.All(Teams(new SimulatorOptions { Teams = 4, Items = 400, Seed = 3 }).EnumerateArray(), t => Assert.False(t.TryGetProperty("Capacity", out _)));
    }
}
