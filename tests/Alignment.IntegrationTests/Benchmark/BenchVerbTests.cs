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
            Assert.Equal(["teams", "items", "links", "initialSync", "copyBaseline", "incrementalSync", "analyze", "mi", "analyzeIncremental", "webhookLatency"], Keys(root));
            Assert.Equal(4, root.GetProperty("teams").GetInt32());
            Assert.Equal(400, root.GetProperty("items").GetInt32());
            Assert.Equal(40, root.GetProperty("links").GetInt32());

            var initial = root.GetProperty("initialSync");
            Assert.Equal(["seconds", "itemsPerSecond", "requests", "minimumRequests", "peakRssMb", "syncCpuSeconds", "simulatorCpuSeconds"], Keys(initial));
            foreach (var k in Keys(initial)) Assert.True(initial.GetProperty(k).GetDouble() > 0, $"initialSync.{k}: {initial.GetProperty(k)}");
            Assert.True(initial.GetProperty("requests").GetInt64() >= initial.GetProperty("minimumRequests").GetInt64(), root.ToString());
            // CPU over the sync's interval, not since the process started: no more than every core for the whole sync (+ one clock tick each).
            var cpuBound = Environment.ProcessorCount * initial.GetProperty("seconds").GetDouble() * 1.1 + 0.02;
            foreach (var k in new[] { "syncCpuSeconds", "simulatorCpuSeconds" })
                Assert.True(initial.GetProperty(k).GetDouble() <= cpuBound, $"initialSync.{k} > {cpuBound}: {root}");

            var copy = root.GetProperty("copyBaseline");
            Assert.Equal(["seconds", "rowsPerSecond"], Keys(copy));
            foreach (var k in Keys(copy)) Assert.True(copy.GetProperty(k).GetDouble() > 0, $"copyBaseline.{k}: {copy.GetProperty(k)}");

            var incremental = root.GetProperty("incrementalSync");
            Assert.Equal(["seconds", "requests", "requestFloorSeconds"], Keys(incremental));
            Assert.True(incremental.GetProperty("seconds").GetDouble() > 0);
            Assert.True(incremental.GetProperty("requests").GetInt64() > 0);
            AssertFloor(incremental, "requestFloorSeconds", "seconds", root);

            var analyze = root.GetProperty("analyze");
            Assert.Equal(["seconds", "findings", "readFloorSeconds"], Keys(analyze));
            Assert.True(analyze.GetProperty("seconds").GetDouble() > 0);
            Assert.True(analyze.GetProperty("findings").GetInt32() >= 0);
            AssertFloor(analyze, "readFloorSeconds", "seconds", root);

            var mi = root.GetProperty("mi");
            Assert.Equal(["requests", "p50Ms", "p99Ms", "healthP50Ms", "healthP99Ms"], Keys(mi));
            foreach (var k in Keys(mi)) Assert.True(mi.GetProperty(k).GetDouble() > 0, $"mi.{k}: {mi.GetProperty(k)}");
            AssertFloor(mi, "healthP99Ms", "p99Ms", root);
            Assert.True(mi.GetProperty("healthP50Ms").GetDouble() <= mi.GetProperty("healthP99Ms").GetDouble(), root.ToString());

            // The organisation moved on a day: the analysis after the incremental sync patched its snapshot with the changed items.
            var moved = root.GetProperty("analyzeIncremental");
            Assert.Equal(["changedItems", "seconds", "incremental"], Keys(moved));
            Assert.True(moved.GetProperty("incremental").GetBoolean(), root.ToString());
            Assert.True(moved.GetProperty("changedItems").GetInt32() > 0, root.ToString());
            Assert.True(moved.GetProperty("seconds").GetDouble() > 0, root.ToString());

            // Deliveries through the serve host, each timed from its 202 to the item visible and to its pipeline done (docs/webhooks.md).
            var hooks = root.GetProperty("webhookLatency");
            Assert.Equal(["deliveries", "p50Ms", "p99Ms", "itemP50Ms", "itemP99Ms", "coalesceWindowMs", "syncs"], Keys(hooks));
            Assert.Equal(100, hooks.GetProperty("deliveries").GetInt32());
            foreach (var k in new[] { "p50Ms", "p99Ms", "itemP50Ms", "itemP99Ms" }) Assert.True(hooks.GetProperty(k).GetDouble() > 0, $"webhookLatency.{k}: {root}");
            Assert.True(hooks.GetProperty("p50Ms").GetDouble() <= hooks.GetProperty("p99Ms").GetDouble(), root.ToString());
            Assert.True(hooks.GetProperty("syncs").GetInt32() is > 0 and <= 100, root.ToString());
        }
        finally
        {
            File.Delete(json);
        }
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    /// <summary>
    /// A floor was measured (above zero) and measured the same work or less: at most a generous multiple of the figure it is the floor of
    /// (noise on a shared machine can put a floor above its figure, not ten times above).
    /// </summary>
    private static void AssertFloor(JsonElement section, string floor, string figure, JsonElement root)
    {
        var f = section.GetProperty(floor).GetDouble();
        Assert.True(f > 0, $"{floor}: {f}");
        Assert.True(f <= 10 * section.GetProperty(figure).GetDouble(), $"{floor} {f} is more than 10 × {figure}: {root}");
    }
}
