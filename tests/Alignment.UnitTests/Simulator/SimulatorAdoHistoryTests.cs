using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

public sealed class SimulatorAdoHistoryTests
{
    private sealed record Rev(int Id, int Number, DateTimeOffset Changed, string Area, string Path, double? Points, string State);

    private static async Task<(List<Rev> Revisions, string Token)> ReadRevisions(HttpClient client, string? token)
    {
        var result = new List<Rev>();
        while (true)
        {
            var url = "Finance/_apis/wit/reporting/workitemrevisions?api-version=7.1&$maxPageSize=100&fields=System.Id,System.Rev,System.ChangedDate,System.AreaPath,System.IterationPath,System.State,Microsoft.VSTS.Scheduling.StoryPoints"
                + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            using var doc = JsonDocument.Parse(await client.GetStringAsync(url));
            var root = doc.RootElement;
            foreach (var v in root.GetProperty("values").EnumerateArray())
            {
                var f = v.GetProperty("fields");
                result.Add(new Rev(v.GetProperty("id").GetInt32(), v.GetProperty("rev").GetInt32(),
                    DateTimeOffset.Parse(f.GetProperty("System.ChangedDate").GetString()!, CultureInfo.InvariantCulture),
                    f.GetProperty("System.AreaPath").GetString()!, f.GetProperty("System.IterationPath").GetString()!,
                    f.TryGetProperty("Microsoft.VSTS.Scheduling.StoryPoints", out var p) ? p.GetDouble() : null,
                    f.GetProperty("System.State").GetString()!));
            }
            token = root.GetProperty("continuationToken").GetString()!;
            if (root.GetProperty("isLastBatch").GetBoolean()) return (result, token);
        }
    }

    [Fact]
    public async Task Revisions_replay_matches_truth_and_the_token_resumes_after_advance()
    {
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { Teams = 4, Items = 500, Seed = 5 });
        using var client = new HttpClient { BaseAddress = new Uri(sim.AdoBaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(":sim-ado-pat")));
        using var anon = new HttpClient { BaseAddress = new Uri(sim.BaseUrl + "/") };
        var truth = JsonDocument.Parse(await anon.GetStringAsync("_sim/truth")).RootElement;

        var (revisions, token) = await ReadRevisions(client, null);
        Assert.Equal(revisions.Count, revisions.Select(r => (r.Id, r.Number)).Distinct().Count());
        var byItem = revisions.Where(r => r.Area == "Finance\\Ledger").GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Number).ToList());
        Assert.All(byItem.Values, list => Assert.Equal(Enumerable.Range(1, list.Count), list.Select(r => r.Number)));

        using var iterations = JsonDocument.Parse(await client.GetStringAsync("Finance/Ledger/_apis/work/teamsettings/iterations?api-version=7.1"));
        int checkedSprints = 0;
        foreach (var it in iterations.RootElement.GetProperty("value").EnumerateArray().Where(i => i.GetProperty("attributes").GetProperty("timeFrame").GetString() == "past"))
        {
            string path = it.GetProperty("path").GetString()!;
            var start = DateTimeOffset.Parse(it.GetProperty("attributes").GetProperty("startDate").GetString()!, CultureInfo.InvariantCulture);
            var end = DateTimeOffset.Parse(it.GetProperty("attributes").GetProperty("finishDate").GetString()!, CultureInfo.InvariantCulture).AddDays(1);
            double committed = 0, completed = 0; int cc = 0, dc = 0, ac = 0, rc = 0;
            foreach (var list in byItem.Values)
            {
                var atStart = list.LastOrDefault(r => r.Changed <= start);
                var atEnd = list.LastOrDefault(r => r.Changed < end);
                bool inStart = atStart?.Path == path, inEnd = atEnd?.Path == path;
                bool added = list.Where((r, i) => r.Changed > start && r.Changed < end && r.Path == path && (i == 0 || list[i - 1].Path != path)).Any();
                if (inStart) { committed += atStart!.Points ?? 0; cc++; }
                if (inEnd && atEnd!.State == "Closed") { completed += atEnd.Points ?? 0; dc++; }
                if (added) ac++;
                if ((inStart || added) && !inEnd) rc++;
            }
            var t = truth.GetProperty("sprints").EnumerateArray().Single(s => s.GetProperty("id").GetString() == it.GetProperty("id").GetString());
            Assert.Equal("closed", t.GetProperty("state").GetString());
            Assert.Equal(t.GetProperty("committedPoints").GetDouble(), committed);
            Assert.Equal(t.GetProperty("completedPoints").GetDouble(), completed);
            Assert.Equal(t.GetProperty("committedCount").GetInt32(), cc);
            Assert.Equal(t.GetProperty("completedCount").GetInt32(), dc);
            Assert.Equal(t.GetProperty("addedCount").GetInt32(), ac);
            Assert.Equal(t.GetProperty("removedCount").GetInt32(), rc);
            checkedSprints++;
        }
        Assert.True(checkedSprints >= 3);

        // Nothing new yet: the saved token gives an empty last batch.
        var (none, _) = await ReadRevisions(client, token);
        Assert.Empty(none);

        var before = sim.Organisation.Now;
        using var advanced = await anon.PostAsync("_sim/advance?days=14", null);
        advanced.EnsureSuccessStatusCode();
        Assert.Equal(before.AddDays(14), sim.Organisation.Now);
        var (fresh, _) = await ReadRevisions(client, token);
        Assert.NotEmpty(fresh);
        Assert.All(fresh, r => Assert.True(r.Changed > before && r.Changed <= before.AddDays(14)));
        Assert.Contains(fresh, r => r.Number == 1); // new items were created

        var truthAfter = JsonDocument.Parse(await anon.GetStringAsync("_sim/truth")).RootElement;
        Assert.True(truthAfter.GetProperty("sprints").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "closed")
            > truth.GetProperty("sprints").EnumerateArray().Count(s => s.GetProperty("state").GetString() == "closed"));
    }
}
