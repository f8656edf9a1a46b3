using System.Net;
using System.Text.Json;

namespace Alignment.UnitTests.Simulator;

public sealed class SimulatorApiTests(SimulatorFixture fx) : IClassFixture<SimulatorFixture>
{
    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Unauthenticated_requests_get_401()
    {
        using var jira = await fx.Anonymous.GetAsync("jira/rest/api/3/field");
        Assert.Equal(HttpStatusCode.Unauthorized, jira.StatusCode);
        Assert.True((await Json(jira)).TryGetProperty("errorMessages", out _));

        using var ado = await fx.Anonymous.GetAsync("ado/simorg/Finance/Ledger/_apis/work/teamsettings?api-version=7.1");
        Assert.Equal(HttpStatusCode.Unauthorized, ado.StatusCode);

        using var truth = await fx.Anonymous.GetAsync("_sim/truth");
        Assert.Equal(HttpStatusCode.OK, truth.StatusCode);
    }

    [Fact]
    public async Task Azure_DevOps_requires_api_version()
    {
        using var response = await fx.Ado.GetAsync("Finance/Ledger/_apis/work/teamsettings");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Json(response)).TryGetProperty("typeKey", out _));
        using var ok = await fx.Ado.GetAsync("Finance/Ledger/_apis/work/teamsettings?api-version=7.1");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Search_jql_token_chain_returns_every_id_exactly_once()
    {
        var truth = await fx.Truth();
        var expected = truth.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("team").GetString() == "pay").Select(i => i.GetProperty("externalId").GetString()!).ToList();
        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            using var response = await fx.Jira.PostAsync("rest/api/3/search/jql", SimulatorFixture.Body(token is null
                ? new { jql = "project = \"PAY\" ORDER BY id ASC", fields = new[] { "id" }, maxResults = 7 }
                : (object)new { jql = "project = \"PAY\" ORDER BY id ASC", fields = new[] { "id" }, maxResults = 7, nextPageToken = token }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await Json(response);
            var ids = page.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
            Assert.True(ids.Count <= 7);
            seen.AddRange(ids);
            token = page.TryGetProperty("nextPageToken", out var t) ? t.GetString() : null;
            Assert.Equal(token is null, page.GetProperty("isLast").GetBoolean());
            pages++;
        } while (token is not null);
        Assert.True(pages > 1);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected.OrderBy(long.Parse), seen);
    }

    [Fact]
    public async Task Search_jql_filters_on_updated_and_rejects_unbounded_queries()
    {
        var now = DateTimeOffset.Parse((await fx.Truth()).GetProperty("now").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        long since = now.AddDays(-3).ToUnixTimeMilliseconds();
        using var recent = await fx.Jira.PostAsync("rest/api/3/search/jql", SimulatorFixture.Body(new { jql = $"project = \"PAY\" AND updated >= {since} ORDER BY id ASC", fields = new[] { "updated" }, maxResults = 1000 }));
        Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
        var issues = (await Json(recent)).GetProperty("issues").EnumerateArray().ToList();
        Assert.NotEmpty(issues);
        Assert.True(issues.Count <= 100);
        foreach (var i in issues)
        {
            var updated = DateTimeOffset.ParseExact(i.GetProperty("fields").GetProperty("updated").GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fffzzz".Replace("zzz", "K", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(updated.ToUnixTimeMilliseconds() >= since);
        }

        using var unbounded = await fx.Jira.PostAsync("rest/api/3/search/jql", SimulatorFixture.Body(new { jql = "order by key desc" }));
        Assert.Equal(HttpStatusCode.BadRequest, unbounded.StatusCode);
        Assert.True((await Json(unbounded)).TryGetProperty("errorMessages", out _));
    }

    [Fact]
    public async Task Bulkfetch_over_100_is_400_and_honours_fields()
    {
        var ids = Enumerable.Range(10_000, 101).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        using var tooMany = await fx.Jira.PostAsync("rest/api/3/issue/bulkfetch", SimulatorFixture.Body(new { issueIdsOrKeys = ids, fields = new[] { "summary" } }));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);

        using var ok = await fx.Jira.PostAsync("rest/api/3/issue/bulkfetch", SimulatorFixture.Body(new { issueIdsOrKeys = new[] { "PAY-2", "PAY-1" }, fields = new[] { "summary", "status" } }));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var issues = (await Json(ok)).GetProperty("issues").EnumerateArray().ToList();
        Assert.Equal(2, issues.Count);
        Assert.True(long.Parse(issues[0].GetProperty("id").GetString()!) < long.Parse(issues[1].GetProperty("id").GetString()!));
        var fields = issues[0].GetProperty("fields").EnumerateObject().Select(p => p.Name).OrderBy(n => n).ToList();
        Assert.Equal(["status", "summary"], fields);
    }

    [Fact]
    public async Task Board_sprint_pages_cap_at_50()
    {
        await using var sim = await Alignment.Simulator.SimulatorServer.StartAsync(new Alignment.Simulator.SimulatorOptions { Teams = 2, Items = 80, Seed = 3 });
        sim.Advance(14 * 50);
        using var client = new HttpClient { BaseAddress = new Uri(sim.JiraBaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = fx.Jira.DefaultRequestHeaders.Authorization;
        var first = await Json(await client.GetAsync("rest/agile/1.0/board/100/sprint?maxResults=200"));
        Assert.Equal(50, first.GetProperty("values").GetArrayLength());
        Assert.Equal(50, first.GetProperty("maxResults").GetInt32());
        Assert.False(first.GetProperty("isLast").GetBoolean());
        var second = await Json(await client.GetAsync("rest/agile/1.0/board/100/sprint?maxResults=200&startAt=50"));
        Assert.True(second.GetProperty("isLast").GetBoolean());
        Assert.InRange(second.GetProperty("values").GetArrayLength(), 1, 50);
        var closed = await Json(await client.GetAsync("rest/agile/1.0/board/100/sprint?state=active,future"));
        Assert.All(closed.GetProperty("values").EnumerateArray(), s => Assert.NotEqual("closed", s.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Workitemsbatch_over_200_is_400_and_fields_conflict_with_expand()
    {
        using var tooMany = await fx.Ado.PostAsync("Finance/_apis/wit/workitemsbatch?api-version=7.1", SimulatorFixture.Body(new { ids = Enumerable.Range(1, 201).ToArray() }));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("VS403474", (await Json(tooMany)).GetProperty("message").GetString(), StringComparison.Ordinal);

        using var conflict = await fx.Ado.PostAsync("Finance/_apis/wit/workitemsbatch?api-version=7.1", new StringContent("""{"ids":[1,2],"fields":["System.Title"],"$expand":"Relations"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, conflict.StatusCode);

        using var ok = await fx.Ado.PostAsync("Finance/_apis/wit/workitemsbatch?api-version=7.1", new StringContent("""{"ids":[1,2,3],"$expand":"Relations","errorPolicy":"Omit"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var value = (await Json(ok)).GetProperty("value");
        Assert.Equal(3, value.GetArrayLength());
        Assert.True(value[0].GetProperty("fields").TryGetProperty("System.IterationPath", out _));
    }

    [Fact]
    public async Task Wiql_over_the_limit_is_400_and_time_needs_time_precision()
    {
        const string all = """{"query":"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = 'Finance' ORDER BY [System.Id]"}""";
        using var tooMany = await fx.Ado.PostAsync("Finance/_apis/wit/wiql?api-version=7.1", new StringContent(all, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("VS402337", (await Json(tooMany)).GetProperty("message").GetString(), StringComparison.Ordinal);

        using var top = await fx.Ado.PostAsync("Finance/_apis/wit/wiql?api-version=7.1&$top=50", new StringContent(all, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, top.StatusCode);
        Assert.Equal(50, (await Json(top)).GetProperty("workItems").GetArrayLength());

        const string timed = """{"query":"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = 'Finance' AND [System.AreaPath] UNDER 'Finance\\Ledger' AND [System.ChangedDate] >= '2026-10-20T10:00:00.000Z' AND [System.Id] > 5 ORDER BY [System.Id]"}""";
        using var noPrecision = await fx.Ado.PostAsync("Finance/Ledger/_apis/wit/wiql?api-version=7.1", new StringContent(timed, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, noPrecision.StatusCode);
        Assert.Contains("You cannot supply a time with the date", (await Json(noPrecision)).GetProperty("message").GetString(), StringComparison.Ordinal);

        using var precise = await fx.Ado.PostAsync("Finance/Ledger/_apis/wit/wiql?api-version=7.1&timePrecision=true", new StringContent(timed, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, precise.StatusCode);
        var ids = (await Json(precise)).GetProperty("workItems").EnumerateArray().Select(w => w.GetProperty("id").GetInt32()).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.True(id > 5));
        Assert.Equal(ids.Order(), ids);
    }

    [Fact]
    public async Task Faults_are_injected_on_tracker_paths_only()
    {
        await using var sim = await Alignment.Simulator.SimulatorServer.StartAsync(new Alignment.Simulator.SimulatorOptions
        {
            Teams = 2, Items = 40, FaultRate = 1, FaultKinds = Alignment.Simulator.FaultKinds.RateLimit | Alignment.Simulator.FaultKinds.Truncated,
        });
        using var client = new HttpClient { BaseAddress = new Uri(sim.BaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = fx.Jira.DefaultRequestHeaders.Authorization;
        int limited = 0, truncated = 0;
        for (int i = 0; i < 20; i++)
        {
            using var r = await client.GetAsync("jira/rest/api/3/field");
            var body = await r.Content.ReadAsStringAsync();
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("1", r.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
                limited++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
                truncated++;
            }
        }
        Assert.True(limited > 0 && truncated > 0);
        Assert.Equal(20, sim.RequestCount);
        using var truth = await client.GetAsync("_sim/truth");
        Assert.Equal(HttpStatusCode.OK, truth.StatusCode);
        Assert.Equal(20, sim.RequestCount);
    }

    [Fact]
    public async Task Platform_project_uses_the_scrum_process()
    {
        var truth = await fx.Truth();
        var team = truth.GetProperty("teams").EnumerateArray().First(t => t.GetProperty("project").GetString() == "Platform");
        var story = truth.GetProperty("items").EnumerateArray().First(i => i.GetProperty("team").GetString() == team.GetProperty("id").GetString()
            && i.GetProperty("type").GetString() == "story" && i.GetProperty("storyPoints").ValueKind == JsonValueKind.Number);
        using var config = await fx.Ado.GetAsync($"Platform/{team.GetProperty("team").GetString()}/_apis/work/backlogconfiguration?api-version=7.1");
        Assert.Equal("Microsoft.VSTS.Scheduling.Effort", (await Json(config)).GetProperty("backlogFields").GetProperty("typeFields").GetProperty("Effort").GetString());
        using var batch = await fx.Ado.PostAsync("Platform/_apis/wit/workitemsbatch?api-version=7.1", SimulatorFixture.Body(new { ids = new[] { int.Parse(story.GetProperty("key").GetString()!, System.Globalization.CultureInfo.InvariantCulture) } }));
        var fields = (await Json(batch)).GetProperty("value")[0].GetProperty("fields");
        Assert.Equal("Product Backlog Item", fields.GetProperty("System.WorkItemType").GetString());
        Assert.Equal("Platform", fields.GetProperty("System.TeamProject").GetString());
        Assert.Equal(story.GetProperty("storyPoints").GetDouble(), fields.GetProperty("Microsoft.VSTS.Scheduling.Effort").GetDouble());
        Assert.False(fields.TryGetProperty("Microsoft.VSTS.Scheduling.StoryPoints", out _));
    }

    [Fact]
    public async Task Retried_requests_eventually_get_the_right_answer()
    {
        await using var sim = await Alignment.Simulator.SimulatorServer.StartAsync(new Alignment.Simulator.SimulatorOptions
        {
            Teams = 2, Items = 60, FaultRate = 0.6,
            FaultKinds = Alignment.Simulator.FaultKinds.All & ~Alignment.Simulator.FaultKinds.Slow,
        });
        using var client = new HttpClient { BaseAddress = new Uri(sim.AdoBaseUrl + "/") };
        client.DefaultRequestHeaders.Authorization = fx.Ado.DefaultRequestHeaders.Authorization;
        var statuses = new HashSet<HttpStatusCode>();
        string? first = null;
        for (int round = 0; round < 5; round++)
        {
            for (int attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 100);
                using var r = await client.GetAsync("Finance/Ledger/_apis/work/teamsettings/iterations?api-version=7.1");
                statuses.Add(r.StatusCode);
                if (r.StatusCode != HttpStatusCode.OK) continue;
                var body = await r.Content.ReadAsStringAsync();
                try { JsonDocument.Parse(body).Dispose(); }
                catch (JsonException) { continue; }
                first ??= body;
                Assert.Equal(first, body);
                break;
            }
        }
        Assert.True(statuses.Count > 1);
    }
}
