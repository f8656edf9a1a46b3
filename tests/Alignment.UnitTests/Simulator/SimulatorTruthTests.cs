using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

public sealed class SimulatorTruthTests(SimulatorFixture fx) : IClassFixture<SimulatorFixture>
{
    private static string TruthOf(SimulatedOrganisation org)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer)) org.WriteTruth(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Same_seed_gives_identical_truth()
    {
        var options = new SimulatorOptions { Teams = 5, Items = 600, Seed = 11 };
        var a = TruthOf(SimulatedOrganisation.Generate(options));
        var b = TruthOf(SimulatedOrganisation.Generate(options));
        var c = TruthOf(SimulatedOrganisation.Generate(options with { Seed = 12 }));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 0)]
    [InlineData(3, 30)]
    [InlineData(12, 10)]
    [InlineData(31, 3000)]
    public void Small_and_odd_organisations_generate_and_advance(int teams, int items)
    {
        var org = SimulatedOrganisation.Generate(new SimulatorOptions { Teams = teams, Items = items });
        Assert.Equal(teams, org.TeamCount);
        Assert.Equal(items, org.ItemCount);
        org.Advance(30);
        Assert.Contains("\"problems\"", TruthOf(org), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truth_has_the_intended_problems()
    {
        var truth = await fx.Truth();
        var kinds = truth.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("kind").GetString()).ToHashSet();
        Assert.Contains("overcommit", kinds);
        Assert.Contains("lateBlocker", kinds);
        Assert.Contains("unscheduledBlocker", kinds);
        var cycle = truth.GetProperty("problems").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "cycle");
        Assert.True(cycle.GetProperty("teams").GetArrayLength() >= 3);
        Assert.Equal(2, cycle.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("tracker").GetString()).Distinct().Count());
    }

    private async Task<JsonElement> Post(HttpClient client, string url, object body)
    {
        using var response = await client.PostAsync(url, SimulatorFixture.Body(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private sealed record Change(long At, string FieldId, string? From, string? FromString, string? To, string? ToText);

    /// <summary>Replays the served Jira changelog (velocity-chart rules) and compares with /_sim/truth for every closed sprint of a board.</summary>
    [Theory]
    [InlineData("PAY", 100)]
    [InlineData("BIL", 101)]
    public async Task Truth_sprint_figures_match_a_replay_of_the_served_changelog(string project, int board)
    {
        var truth = await fx.Truth();
        var config = JsonDocument.Parse(await fx.Jira.GetStringAsync($"rest/agile/1.0/board/{board}/configuration")).RootElement;
        var doneIds = config.GetProperty("columnConfig").GetProperty("columns").EnumerateArray().Last()
            .GetProperty("statuses").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToHashSet();

        // Every issue id of the project.
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Post(fx.Jira, "rest/api/3/search/jql", token is null
                ? new { jql = $"project = \"{project}\" ORDER BY id ASC", maxResults = 5000 }
                : (object)new { jql = $"project = \"{project}\" ORDER BY id ASC", maxResults = 5000, nextPageToken = token });
            ids.AddRange(page.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
        } while (token is not null);

        // Current state.
        var current = new Dictionary<string, (HashSet<string> Sprints, double? Points, string Status)>();
        foreach (var chunk in ids.Chunk(100))
        {
            var page = await Post(fx.Jira, "rest/api/3/issue/bulkfetch", new { issueIdsOrKeys = chunk, fields = new[] { "status", "customfield_10016", "customfield_10020" } });
            foreach (var i in page.GetProperty("issues").EnumerateArray())
            {
                var f = i.GetProperty("fields");
                var inSprints = f.GetProperty("customfield_10020").ValueKind == JsonValueKind.Array
                    ? f.GetProperty("customfield_10020").EnumerateArray().Select(s => s.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture)).ToHashSet() : [];
                double? pts = f.GetProperty("customfield_10016").ValueKind == JsonValueKind.Number ? f.GetProperty("customfield_10016").GetDouble() : null;
                current[i.GetProperty("id").GetString()!] = (inSprints, pts, f.GetProperty("status").GetProperty("id").GetString()!);
            }
        }

        // Full history, in small pages.
        var histories = ids.ToDictionary(i => i, _ => new List<Change>());
        foreach (var chunk in ids.Chunk(1000))
        {
            token = null;
            do
            {
                var page = await Post(fx.Jira, "rest/api/3/changelog/bulkfetch", token is null
                    ? new { issueIdsOrKeys = chunk, fieldIds = new[] { "customfield_10020", "customfield_10016", "status" }, maxResults = 97 }
                    : (object)new { issueIdsOrKeys = chunk, fieldIds = new[] { "customfield_10020", "customfield_10016", "status" }, maxResults = 97, nextPageToken = token });
                foreach (var log in page.GetProperty("issueChangeLogs").EnumerateArray())
                    foreach (var h in log.GetProperty("changeHistories").EnumerateArray())
                    {
                        long at = h.GetProperty("created").GetInt64();
                        foreach (var item in h.GetProperty("items").EnumerateArray())
                            histories[log.GetProperty("issueId").GetString()!].Add(new Change(at, item.GetProperty("fieldId").GetString()!,
                                item.GetProperty("from").GetString(), item.GetProperty("fromString").GetString(), item.GetProperty("to").GetString(), item.GetProperty("toString").GetString()));
                    }
                token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
            } while (token is not null);
        }

        static HashSet<string> SplitIds(string? s) => (s ?? "").Split(", ", StringSplitOptions.RemoveEmptyEntries).ToHashSet();

        var sprints = JsonDocument.Parse(await fx.Jira.GetStringAsync($"rest/agile/1.0/board/{board}/sprint?state=closed")).RootElement.GetProperty("values").EnumerateArray().ToList();
        Assert.NotEmpty(sprints);
        int checkedSprints = 0;
        foreach (var sprint in sprints)
        {
            string sid = sprint.GetProperty("id").GetInt32().ToString(CultureInfo.InvariantCulture);
            long start = DateTimeOffset.Parse(sprint.GetProperty("startDate").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds();
            long end = DateTimeOffset.Parse(sprint.GetProperty("completeDate").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds();
            double committed = 0, completed = 0, added = 0, removed = 0;
            int cc = 0, dc = 0, ac = 0, rc = 0;
            foreach (var id in ids)
            {
                var changes = histories[id].OrderBy(c => c.At).ToList();
                var (curSprints, curPoints, curStatus) = current[id];
                // Initial state: the "from" of the first change of each field, else the current value.
                var firstSprint = changes.FirstOrDefault(c => c.FieldId == "customfield_10020");
                var firstPoints = changes.FirstOrDefault(c => c.FieldId == "customfield_10016");
                var firstStatus = changes.FirstOrDefault(c => c.FieldId == "status");
                var inSet = firstSprint is null ? curSprints : SplitIds(firstSprint.From);
                double? pts = firstPoints is null ? curPoints : firstPoints.FromString is null ? null : double.Parse(firstPoints.FromString, CultureInfo.InvariantCulture);
                string status = firstStatus is null ? curStatus : firstStatus.From!;
                bool inStart = false, startSeen = false, wasAdded = false;
                double? ptsStart = null;
                bool inEnd = false; double? ptsEnd = null; string statusEnd = status; bool endSeen = false;
                foreach (var c in changes)
                {
                    if (!startSeen && c.At > start) { inStart = inSet.Contains(sid); ptsStart = pts; startSeen = true; }
                    if (c.At >= end) { inEnd = inSet.Contains(sid); ptsEnd = pts; statusEnd = status; endSeen = true; break; }
                    switch (c.FieldId)
                    {
                        case "customfield_10020":
                            bool was = inSet.Contains(sid);
                            inSet = SplitIds(c.To);
                            if (!was && inSet.Contains(sid) && c.At > start) wasAdded = true;
                            break;
                        case "customfield_10016": pts = c.ToText is null ? null : double.Parse(c.ToText, CultureInfo.InvariantCulture); break;
                        default: status = c.To!; break;
                    }
                }
                if (!startSeen) { inStart = inSet.Contains(sid); ptsStart = pts; }
                if (!endSeen) { inEnd = inSet.Contains(sid); ptsEnd = pts; statusEnd = status; }
                if (inStart) { committed += ptsStart ?? 0; cc++; }
                if (wasAdded) { added += ptsEnd ?? 0; ac++; }
                if (inEnd && doneIds.Contains(statusEnd)) { completed += ptsEnd ?? 0; dc++; }
                if ((inStart || wasAdded) && !inEnd) { removed += ptsEnd ?? 0; rc++; }
            }
            var t = truth.GetProperty("sprints").EnumerateArray().Single(s => s.GetProperty("tracker").GetString() == "jira" && s.GetProperty("id").GetString() == sid);
            Assert.Equal(t.GetProperty("committedPoints").GetDouble(), committed);
            Assert.Equal(t.GetProperty("completedPoints").GetDouble(), completed);
            Assert.Equal(t.GetProperty("addedPoints").GetDouble(), added);
            Assert.Equal(t.GetProperty("removedPoints").GetDouble(), removed);
            Assert.Equal(t.GetProperty("committedCount").GetInt32(), cc);
            Assert.Equal(t.GetProperty("completedCount").GetInt32(), dc);
            Assert.Equal(t.GetProperty("addedCount").GetInt32(), ac);
            Assert.Equal(t.GetProperty("removedCount").GetInt32(), rc);
            Assert.True(cc > 0);
            checkedSprints++;
        }
        Assert.True(checkedSprints >= 3);
    }
}
