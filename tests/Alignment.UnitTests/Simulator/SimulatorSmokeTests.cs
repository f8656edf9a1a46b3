using System.Text.Json;

namespace Alignment.UnitTests.Simulator;

public sealed class SimulatorSmokeTests(SimulatorFixture fx) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Dump()
    {
        var truth = await fx.Truth();
        var s = truth.GetRawText();
        File.WriteAllText("/tmp/sim-truth.json", s);
        Assert.True(truth.GetProperty("items").GetArrayLength() > 800);
    }
}
