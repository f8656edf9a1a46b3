using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

/// <summary>The simulator serves pre-rendered fragments: they follow the organisation through an advance, and warming up leaves no trace.</summary>
public sealed class SimulatorFragmentTests
{
    private static readonly SimulatorOptions Options = new() { Teams = 4, Items = 400, Seed = 11 };

    [Fact]
    public void Iso_written_without_a_format_string_matches_Iso()
    {
        var r = new Random(3);
        long[] instants = [0, 999, 1_000, 951_782_400_000, 1_764_417_600_000, 1_767_225_599_999, 253_402_300_799_999,
            .. Enumerable.Range(0, 2000).Select(_ => r.NextInt64(0, 4_102_444_800_000))];
        foreach (var ms in instants)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var w = new Utf8JsonWriter(buffer)) AdoApi.WriteIso(w, ms);
            Assert.Equal("\"" + SimulatedOrganisation.Iso(ms) + "\"", Encoding.UTF8.GetString(buffer.WrittenSpan));
        }
    }

    [Fact]
    public async Task Items_served_before_an_advance_are_served_as_they_stand_after_it()
    {
        // One simulator serves every item before advancing (its fragments rendered and cached), the other only after:
        // both must answer alike, or stale fragments survived the advance.
        await using var warm = await SimulatorServer.StartAsync(Options);
        await using var cold = await SimulatorServer.StartAsync(Options);
        var before = await Pages(warm);
        warm.Advance(21);
        cold.Advance(21);
        var after = await Pages(warm);
        Assert.NotEqual(before, after);
        Assert.Equal(await Pages(cold), after);
    }

    [Fact]
    public async Task Warm_up_requests_are_neither_counted_nor_faulted()
    {
        // Every tracker request is answered with a 500, but not the warm-up's.
        var options = Options with { WarmUp = true, FaultRate = 1, FaultKinds = FaultKinds.ServerError, WarmUpLimit = TimeSpan.FromSeconds(2) };
        await using var sim = await SimulatorServer.StartAsync(options);
        Assert.Equal(0, sim.RequestCount);
        using var anonymous = new HttpClient { BaseAddress = new Uri(sim.BaseUrl + "/") };
        using var stats = JsonDocument.Parse(await anonymous.GetStringAsync("_sim/stats"));
        var warmUp = stats.RootElement.GetProperty("warmUp");
        Assert.True(warmUp.GetProperty("rounds").GetInt32() > 0);
        Assert.Equal(0, warmUp.GetProperty("refused").GetInt32());
        Assert.Equal(400, stats.RootElement.GetProperty("renderedItems").GetInt32());
        using var jira = Client(sim.JiraBaseUrl, $"{options.JiraUser}:{options.JiraToken}");
        using var response = await jira.GetAsync("rest/api/3/field");
        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal(1, sim.RequestCount);
    }

    /// <summary>Every Jira issue (all fields, changelog) and every work item (relations, revisions), with the base URL taken out.</summary>
    private static async Task<string> Pages(RunningSimulator sim)
    {
        using var jira = Client(sim.JiraBaseUrl, $"{Options.JiraUser}:{Options.JiraToken}");
        using var ado = Client(sim.AdoBaseUrl, ":" + Options.AdoPat);
        var all = new StringBuilder();
        foreach (var key in new[] { "PAY", "BIL" })
        {
            var ids = await Post(jira, "rest/api/3/search/jql", $$"""{"jql":"project = {{key}} ORDER BY id ASC","maxResults":5000}""");
            var list = string.Join(',', JsonDocument.Parse(ids).RootElement.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
            foreach (var chunk in list.Split(',').Chunk(100))
                all.Append(await Post(jira, "rest/api/3/issue/bulkfetch", $$"""{"issueIdsOrKeys":[{{string.Join(',', chunk)}}],"fields":["*all"]}"""));
            all.Append(await Post(jira, "rest/api/3/changelog/bulkfetch", $$"""{"issueIdsOrKeys":[{{list}}]}"""));
        }
        for (int first = 1; first < 600; first += 200)
            all.Append(await Post(ado, "Finance/_apis/wit/workitemsbatch?api-version=7.1",
                $$"""{"ids":[{{string.Join(',', Enumerable.Range(first, 200))}}],"$expand":"Relations","errorPolicy":"Omit"}"""));
        all.Append(await ado.GetStringAsync("Finance/_apis/wit/reporting/workitemrevisions?api-version=7.1&includeIdentityRef=true"));
        return all.ToString().Replace(sim.BaseUrl, "BASE", StringComparison.Ordinal);
    }

    private static async Task<string> Post(HttpClient client, string url, string body)
    {
        using var response = await client.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static HttpClient Client(string baseUrl, string credentials)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client;
    }
}
