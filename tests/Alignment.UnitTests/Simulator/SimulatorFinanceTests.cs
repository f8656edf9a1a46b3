using System.Buffers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

/// <summary>The simulator's finance (<see cref="SimulatorOptions.Finance"/>): costs and budgets in the configuration, planted overruns in the truth.</summary>
public sealed class SimulatorFinanceTests
{
    private static JsonElement Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) write(w);
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.WrittenSpan)).RootElement;
    }

    [Fact]
    public void With_finance_every_team_has_costs_one_a_rate_change_and_planted_overruns_are_in_the_truth()
    {
        var org = SimulatedOrganisation.Generate(new SimulatorOptions { Teams = 4, Items = 600, Seed = 3, Finance = true });
        var config = Json(w => org.WriteConfig(w, "http://jira", "http://ado")).GetProperty("Alignment");
        var truth = Json(org.WriteTruth);

        var costs = config.GetProperty("Teams").EnumerateArray().Select(t => t.GetProperty("Costs")).ToList();
        Assert.All(costs, c => Assert.True(c.GetArrayLength() >= 1));
        Assert.Single(costs, c => c.GetArrayLength() == 2);
        Assert.Equal("EUR", config.GetProperty("Finance").GetProperty("Currency").GetString());
        var budgets = config.GetProperty("Finance").GetProperty("Budgets").EnumerateArray().Select(b => b.GetProperty("Epic").GetString()).ToHashSet();
        var planted = truth.GetProperty("budgets").EnumerateArray().Where(b => b.GetProperty("plantedOverrun").GetBoolean()).ToList();
        Assert.Equal(2, planted.Count);
        Assert.All(planted, p => Assert.Contains(p.GetProperty("key").GetString(), budgets));
        Assert.All(planted, p => Assert.True(p.GetProperty("amount").GetDouble() < p.GetProperty("roughCost").GetDouble() / 2));
        Assert.Equal(2, truth.GetProperty("problems").EnumerateArray().Count(p => p.GetProperty("kind").GetString() == "budgetOverrun"));
    }

    [Fact]
    public void Without_finance_the_configuration_and_truth_are_as_before()
    {
        var org = SimulatedOrganisation.Generate(new SimulatorOptions { Teams = 4, Items = 600, Seed = 3 });
        var config = Json(w => org.WriteConfig(w, "http://jira", "http://ado")).GetProperty("Alignment");
        var truth = Json(org.WriteTruth);

        Assert.False(config.TryGetProperty("Finance", out _));
        Assert.All(config.GetProperty("Teams").EnumerateArray(), t => Assert.False(t.TryGetProperty("Costs", out _)));
        Assert.False(truth.TryGetProperty("budgets", out _));
    }
}
