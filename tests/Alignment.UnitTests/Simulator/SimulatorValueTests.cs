using System.Buffers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

/// <summary>The simulator's value fields (<see cref="SimulatorOptions.Value"/>): in the organisation only when asked for, the same items either way.</summary>
public sealed class SimulatorValueTests
{
    private static JsonElement Truth(SimulatorOptions o)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) SimulatedOrganisation.Generate(o).WriteTruth(w);
        return JsonDocument.Parse(Encoding.UTF8.GetString(buffer.WrittenSpan)).RootElement.Clone();
    }

    [Fact]
    public void Value_fields_change_nothing_else_and_are_off_by_default()
    {
        var o = new SimulatorOptions { Teams = 4, Items = 600, Seed = 5 };
        var plain = Truth(o);
        var valued = Truth(o with { Value = true });
        Assert.False(plain.TryGetProperty("value", out _));
        Assert.Equal(plain.GetProperty("items").GetRawText(), valued.GetProperty("items").GetRawText());
        Assert.Equal(plain.GetProperty("problems").GetRawText(), valued.GetProperty("problems").GetRawText());
        var value = valued.GetProperty("value");
        Assert.Equal(20, value.GetProperty("topN").GetInt32());
        var inversions = value.GetProperty("inversions").EnumerateArray().ToList();
        Assert.NotEmpty(inversions);
        Assert.All(inversions, i => Assert.Equal(60, i.GetProperty("wsjf").GetDouble()));
        Assert.Contains(inversions, i => i.GetProperty("tracker").GetString() == "jira");
        Assert.Contains(inversions, i => i.GetProperty("type").GetString() == "feature");
    }
}
