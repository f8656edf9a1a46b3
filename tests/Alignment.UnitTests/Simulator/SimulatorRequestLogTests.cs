using System.Net;
using System.Text.Json;

namespace Alignment.UnitTests.Simulator;

/// <summary>The request log the benchmark's request floor replays: what it records, and that recording changes no answer.</summary>
public sealed class SimulatorRequestLogTests(SimulatorFixture fx) : IClassFixture<SimulatorFixture>
{
    private const string Jql = "project = \"PAY\" ORDER BY id ASC";
    private const string AdoPath = "Finance/Ledger/_apis/work/teamsettings?api-version=7.1";

    private async Task<(byte[] Jira, byte[] Ado)> AskBoth()
    {
        using var jira = await fx.Jira.PostAsync("rest/api/3/search/jql", SimulatorFixture.Body(new { jql = Jql, fields = new[] { "id" }, maxResults = 5 }));
        using var ado = await fx.Ado.GetAsync(AdoPath);
        Assert.Equal(HttpStatusCode.OK, jira.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ado.StatusCode);
        return (await jira.Content.ReadAsByteArrayAsync(), await ado.Content.ReadAsByteArrayAsync());
    }

    private async Task<JsonElement> Post(string path)
    {
        using var response = await fx.Anonymous.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Records_method_target_and_body_while_on_and_answers_the_same_bytes()
    {
        var before = await AskBoth();

        Assert.True((await Post("_sim/requests/start")).GetProperty("recording").GetBoolean());
        var during = await AskBoth();
        var log = (await Post("_sim/requests/stop")).EnumerateArray().ToList();

        Assert.Equal(before.Jira, during.Jira);
        Assert.Equal(before.Ado, during.Ado);
        Assert.Equal(2, log.Count);
        Assert.Equal("POST", log[0].GetProperty("method").GetString());
        Assert.Equal("/jira/rest/api/3/search/jql", log[0].GetProperty("target").GetString());
        Assert.StartsWith("application/json", log[0].GetProperty("contentType").GetString());
        Assert.Equal(Jql, JsonDocument.Parse(log[0].GetProperty("body").GetString()!).RootElement.GetProperty("jql").GetString());
        Assert.Equal("GET", log[1].GetProperty("method").GetString());
        Assert.Equal("/ado/simorg/" + AdoPath, log[1].GetProperty("target").GetString());
        Assert.Equal(JsonValueKind.Null, log[1].GetProperty("body").ValueKind);

        // Off again: nothing more is kept, and a second stop answers an empty log.
        await AskBoth();
        Assert.Empty((await Post("_sim/requests/stop")).EnumerateArray());
    }
}
