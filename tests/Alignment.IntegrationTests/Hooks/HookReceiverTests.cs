using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Hooks;

/// <summary>
/// The webhook receivers through the real host (docs/webhooks.md, "Security"): who may deliver, what is refused and how, and that a delivery is
/// recorded once. The deliveries name a project no team is configured for, so their processing syncs nothing (no tracker is needed).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class HookReceiverTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static object Config(long maxBodyBytes = 1024 * 1024) => new
    {
        Sources = new object[]
        {
            new { Id = "jira", Kind = "Jira", BaseUrl = "http://127.0.0.1:9/jira", Auth = new { Scheme = "Basic", User = "u@example.com", Token = "t" },
                  Sync = new { Cron = "", FullCron = "" }, Hooks = HookClient.Section(ado: false, maxBodyBytes) },
            new { Id = "ado", Kind = "AzureDevOps", BaseUrl = "http://127.0.0.1:9/ado", Auth = new { Scheme = "Pat", Token = "t" },
                  Sync = new { Cron = "", FullCron = "" }, Hooks = HookClient.Section(ado: true) },
            new { Id = "quiet", Kind = "Jira", BaseUrl = "http://127.0.0.1:9/quiet", Auth = new { Scheme = "Basic", User = "u@example.com", Token = "t" },
                  Sync = new { Cron = "", FullCron = "" } },
        },
        Teams = new object[]
        {
            new { Id = "payments", Name = "Payments", Source = "jira", Jira = new { Board = 12, Project = "PAY" } },
            new { Id = "ledger", Name = "Ledger", Source = "ado", AzureDevOps = new { Project = "Finance", Team = "Ledger" } },
        },
        Auth = new { ApiKeys = TestHost.ApiKeys },
    };

    private Task<long> Stored() => db.ScalarAsync<long>("SELECT count(*) FROM ops.hook_deliveries");

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.DoesNotContain(HookClient.Secret, problem.ToString());
    }

    [Fact]
    public async Task A_signed_Jira_delivery_is_recorded_once_and_bad_oversized_malformed_or_unknown_ones_get_problems_and_store_nothing()
    {
        await using var host = await TestHost.StartAsync(db, Config(maxBodyBytes: 4096));
        using var http = host.Client();
        var body = HookClient.JiraIssueUpdated("20001", "ZZZ-1", "ZZZ");

        await AssertProblem(await HookClient.PostJiraAsync(http, "jira", body, "d-1", secret: "wrong-secret-0123456789"), HttpStatusCode.Unauthorized);
        await AssertProblem(await HookClient.PostJiraAsync(http, "jira", body, "d-1", secret: null), HttpStatusCode.Unauthorized);
        // Signed over other bytes than the ones sent: a body changed in transit.
        await AssertProblem(await Tampered(), HttpStatusCode.Unauthorized);
        await AssertProblem(await HookClient.PostJiraAsync(http, "jira", body + new string(' ', 5000), "d-1"), HttpStatusCode.RequestEntityTooLarge);
        await AssertProblem(await HookClient.PostJiraAsync(http, "jira", "{\"webhookEvent\": ", "d-1"), HttpStatusCode.BadRequest);
        await AssertProblem(await HookClient.PostJiraAsync(http, "jira", """{"issue":{"id":"1"}}""", "d-1"), HttpStatusCode.BadRequest);
        await AssertProblem(await HookClient.PostJiraAsync(http, "nope", body, "d-1"), HttpStatusCode.NotFound);
        await AssertProblem(await HookClient.PostJiraAsync(http, "ado", body, "d-1"), HttpStatusCode.NotFound); // the wrong tracker's route
        await AssertProblem(await HookClient.PostJiraAsync(http, "quiet", body, "d-1"), HttpStatusCode.NotFound); // no hooks configured
        Assert.Equal(0, await Stored());

        var first = await HookClient.PostJiraAsync(http, "jira", body, "d-1");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("accepted", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        var retry = await HookClient.PostJiraAsync(http, "jira", body, "d-1");
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("duplicate", (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal(1, await Stored());
        var row = (await db.QueryAsync<(string, string, string[], string[], string[])>(
            "SELECT delivery_id, event_type, item_ids, item_keys, projects FROM ops.hook_deliveries")).Single();
        Assert.Equal(("d-1", "jira:issue_updated"), (row.Item1, row.Item2));
        Assert.Equal(["20001"], row.Item3);
        Assert.Equal(["ZZZ-1"], row.Item4);
        Assert.Equal(["ZZZ"], row.Item5);

        // No team works in project ZZZ: the job marks it processed without a sync.
        await HookClient.EventuallyAsync(async () => await db.ScalarAsync<string>("SELECT status FROM ops.hook_deliveries") == "processed", "processing");
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM ops.sync_runs"));

        async Task<HttpResponseMessage> Tampered()
        {
            var signed = Encoding.UTF8.GetBytes(body);
            var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/jira/jira") { Content = new StringContent(body.Replace("ZZZ-1", "ZZZ-2"), Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Hub-Signature", Alignment.Application.Hooks.HookSignatures.JiraSign(signed, HookClient.Secret));
            return await http.SendAsync(request);
        }
    }

    [Fact]
    public async Task Azure_DevOps_deliveries_authenticate_with_the_header_and_sources_show_the_last_delivery_and_hook_health()
    {
        await using var host = await TestHost.StartAsync(db, Config());
        using var http = host.Client();
        using var pmo = host.Client(TestHost.PmoKey);
        var before = await pmo.GetFromJsonAsync<JsonElement>("/api/sources");
        var ado0 = before.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "ado");
        Assert.False(ado0.GetProperty("hooksHealthy").GetBoolean());
        Assert.Equal(JsonValueKind.Null, ado0.GetProperty("lastDelivery").ValueKind);
        var quiet = before.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "quiet");
        Assert.Equal(JsonValueKind.Null, quiet.GetProperty("hooksHealthy").ValueKind);

        var body = HookClient.AdoWorkItemUpdated("0b1c7c5e-5f0b-4a8e-9d1a-1d2f3c4b5a6e", 4711, "Elsewhere");
        await AssertProblem(await HookClient.PostAdoAsync(http, "ado", body, r => r.Headers.Add(HookClient.AdoHeader, "not-the-secret")), HttpStatusCode.Unauthorized);
        await AssertProblem(await HookClient.PostAdoAsync(http, "ado", body, r => r.Headers.Authorization =
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alignment:" + HookClient.Secret)))), HttpStatusCode.Unauthorized); // a header is configured
        await AssertProblem(await HookClient.PostAdoAsync(http, "ado", """{"eventType":"workitem.updated","resource":{}}"""), HttpStatusCode.BadRequest);
        Assert.Equal(0, await Stored());

        Assert.Equal(HttpStatusCode.Accepted, (await HookClient.PostAdoAsync(http, "ado", body)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await HookClient.PostAdoAsync(http, "ado", body)).StatusCode);
        Assert.Equal(1, await Stored());
        Assert.Equal(["4711"], await db.ScalarAsync<string[]>("SELECT item_ids FROM ops.hook_deliveries"));

        var after = await pmo.GetFromJsonAsync<JsonElement>("/api/sources");
        var ado = after.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("id").GetString() == "ado");
        Assert.True(ado.GetProperty("hooksHealthy").GetBoolean());
        Assert.NotEqual(JsonValueKind.Null, ado.GetProperty("lastDelivery").ValueKind);
        Assert.True(ado.GetProperty("hooks").GetProperty("configured").GetBoolean());
        Assert.Contains("lastSuccess", ado.EnumerateObject().Select(p => p.Name)); // the existing fields stay
    }

    [Fact]
    public async Task Basic_auth_carries_the_secret_when_no_header_is_configured()
    {
        var config = JsonNode.Parse(JsonSerializer.Serialize(Config()))!;
        config["Sources"]![1]!["Hooks"]!["Header"] = null;
        await using var host = await TestHost.StartAsync(db, config);
        using var http = host.Client();
        var body = HookClient.AdoWorkItemUpdated("5d6e0f1a-0000-4000-8000-000000000001", 12, "Elsewhere");
        Assert.Equal(HttpStatusCode.Unauthorized, (await HookClient.PostAdoAsync(http, "ado", body)).StatusCode); // header only: not accepted
        Assert.Equal(HttpStatusCode.Accepted, (await HookClient.PostAdoAsync(http, "ado", body, r => r.Headers.Authorization =
            new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:" + HookClient.Secret))))).StatusCode);
    }
}
