using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Alignment.UnitTests.Simulator;

public sealed class SimulatorLinkTests(SimulatorFixture fx) : IClassFixture<SimulatorFixture>
{
    private async Task<JsonElement> Post(HttpClient client, string url, string body)
    {
        using var response = await client.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static IEnumerable<(string DepTracker, string Dep, string BlockTracker, string Blocker)> Dependencies(JsonElement truth) =>
        truth.GetProperty("dependencies").EnumerateArray().Select(d => (
            d.GetProperty("dependent").GetProperty("tracker").GetString()!, d.GetProperty("dependent").GetProperty("key").GetString()!,
            d.GetProperty("blocker").GetProperty("tracker").GetString()!, d.GetProperty("blocker").GetProperty("key").GetString()!));

    [Fact]
    public async Task Jira_blocks_link_appears_on_both_issues_with_one_id()
    {
        var truth = await fx.Truth();
        var (_, dep, _, blocker) = Dependencies(truth).First(d => d.DepTracker == "jira" && d.BlockTracker == "jira");
        var page = await Post(fx.Jira, "rest/api/3/issue/bulkfetch", JsonSerializer.Serialize(new { issueIdsOrKeys = new[] { dep, blocker }, fields = new[] { "issuelinks", "updated", "customfield_10020" } }));
        var issues = page.GetProperty("issues").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!);
        var onBlocker = issues[blocker].GetProperty("fields").GetProperty("issuelinks").EnumerateArray()
            .Single(l => l.TryGetProperty("outwardIssue", out var o) && o.GetProperty("key").GetString() == dep);
        var onDependent = issues[dep].GetProperty("fields").GetProperty("issuelinks").EnumerateArray()
            .Single(l => l.TryGetProperty("inwardIssue", out var i) && i.GetProperty("key").GetString() == blocker);
        Assert.Equal(onBlocker.GetProperty("id").GetString(), onDependent.GetProperty("id").GetString());
        Assert.Equal("Blocks", onBlocker.GetProperty("type").GetProperty("name").GetString());
        Assert.Equal("blocks", onBlocker.GetProperty("type").GetProperty("outward").GetString());
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$"), issues[dep].GetProperty("fields").GetProperty("updated").GetString()!);
    }

    [Fact]
    public async Task Cross_tracker_dependencies_are_remote_links_and_hyperlinks()
    {
        var truth = await fx.Truth();
        var (depTracker, dep, _, blocker) = Dependencies(truth).First(d => d.DepTracker != d.BlockTracker);
        var (jiraKey, adoId, jiraRelationship, adoComment) = depTracker == "jira"
            ? (dep, blocker, "is blocked by", "blocks")
            : (blocker, dep, "blocks", "depends on");

        using var remote = JsonDocument.Parse(await fx.Jira.GetStringAsync($"rest/api/3/issue/{jiraKey}/remotelink"));
        var link = remote.RootElement.EnumerateArray().Single(l => l.GetProperty("object").GetProperty("url").GetString() == $"{fx.Sim.AdoBaseUrl}/Finance/_workitems/edit/{adoId}");
        Assert.Equal(jiraRelationship, link.GetProperty("relationship").GetString());

        var batch = await Post(fx.Ado, "Finance/_apis/wit/workitemsbatch?api-version=7.1", $$"""{"ids":[{{adoId}}],"$expand":"Relations"}""");
        var relation = batch.GetProperty("value")[0].GetProperty("relations").EnumerateArray()
            .Single(r => r.GetProperty("rel").GetString() == "Hyperlink" && r.GetProperty("url").GetString() == $"{fx.Sim.JiraBaseUrl}/browse/{jiraKey}");
        Assert.Equal(adoComment, relation.GetProperty("attributes").GetProperty("comment").GetString());
    }

    [Fact]
    public async Task Ado_dependency_is_successor_on_the_blocker_and_predecessor_on_the_dependent()
    {
        var truth = await fx.Truth();
        var (_, dep, _, blocker) = Dependencies(truth).First(d => d.DepTracker == "azureDevOps" && d.BlockTracker == "azureDevOps");
        var batch = await Post(fx.Ado, "Finance/_apis/wit/workitemsbatch?api-version=7.1", $$"""{"ids":[{{blocker}},{{dep}}],"$expand":"All"}""");
        var items = batch.GetProperty("value").EnumerateArray().ToDictionary(v => v.GetProperty("id").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(items[blocker].GetProperty("relations").EnumerateArray(), r =>
            r.GetProperty("rel").GetString() == "System.LinkTypes.Dependency-Forward" && r.GetProperty("url").GetString()!.EndsWith($"/_apis/wit/workItems/{dep}", StringComparison.Ordinal));
        Assert.Contains(items[dep].GetProperty("relations").EnumerateArray(), r =>
            r.GetProperty("rel").GetString() == "System.LinkTypes.Dependency-Reverse" && r.GetProperty("url").GetString()!.EndsWith($"/_apis/wit/workItems/{blocker}", StringComparison.Ordinal));
    }
}
