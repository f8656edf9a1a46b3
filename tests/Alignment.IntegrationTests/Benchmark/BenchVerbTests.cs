using System.Diagnostics;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Benchmark;

/// <summary><c>alignment bench</c> as a user runs it: a separate process (which itself starts the simulator as a child).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class BenchVerbTests(TestDatabase db)
{
    [Fact]
    public async Task Bench_writes_the_design_json_and_exits_0()
    {
        var json = Path.Combine(Path.GetTempPath(), $"alignment-bench-{Guid.NewGuid():N}.json");
        try
        {
            // The scratch database is created next to the test database.
            var (code, output) = await AlignmentProcess.RunDevAsync(db.ConnectionString, "bench", "--teams", "4", "--items", "400", "--links", "40", "--json", json);

            Assert.True(code == 0, output);
            Assert.Contains("COPY baseline", output);

            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = doc.RootElement;
            Assert.Equal(["teams", "items", "links", "initialSync", "copyBaseline", "incrementalSync", "analyze", "mi"], Keys(root));
            Assert.Equal(4, root.GetProperty("teams").GetInt32());
            Assert.Equal(400, root.GetProperty("items").GetInt32());
            Assert.Equal(40, root.GetProperty("links").GetInt32());

            var initial = root.GetProperty("initialSync");
            Assert.Equal(["seconds", "itemsPerSecond", "requests", "minimumRequests", "peakRssMb"], Keys(initial));
            foreach (var k in Keys(initial)) Assert.True(initial.GetProperty(k).GetDouble() > 0, $"initialSync.{k}: {initial.GetProperty(k)}");
            Assert.True(initial.GetProperty("requests").GetInt64() >= initial.GetProperty("minimumRequests").GetInt64(), root.ToString());

            var copy = root.GetProperty("copyBaseline");
            Assert.Equal(["seconds", "rowsPerSecond"], Keys(copy));
            foreach (var k in Keys(copy)) Assert.True(copy.GetProperty(k).GetDouble() > 0, $"copyBaseline.{k}: {copy.GetProperty(k)}");

            var incremental = root.GetProperty("incrementalSync");
            Assert.Equal(["seconds", "requests"], Keys(incremental));
            Assert.True(incremental.GetProperty("seconds").GetDouble() > 0);
            Assert.True(incremental.GetProperty("requests").GetInt64() > 0);

            var analyze = root.GetProperty("analyze");
            Assert.Equal(["seconds", "findings"], Keys(analyze));
            Assert.True(analyze.GetProperty("seconds").GetDouble() > 0);
            Assert.True(analyze.GetProperty("findings").GetInt32() >= 0);
            var mi = root.GetProperty("mi");
            Assert.Equal(["requests", "p50Ms", "p99Ms"], Keys(mi));
            foreach (var k in Keys(mi)) Assert.True(mi.GetProperty(k).GetDouble() > 0, $"mi.{k}: {mi.GetProperty(k)}");

        }
        finally
        {
            File.Delete(json);
        }
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();
}
