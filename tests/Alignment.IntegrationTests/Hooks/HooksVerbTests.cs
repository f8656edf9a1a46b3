using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Alignment.IntegrationTests.Hooks;

/// <summary>
/// <c>alignment hooks print|register</c> as a user runs them, against trackers on WireMock that keep the subscriptions they are given
/// (Jira's admin webhooks API, Azure DevOps' service-hook subscriptions API): register twice creates once.
/// </summary>
public sealed class HooksVerbTests : IDisposable
{
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";
    private readonly WireMockServer _server = WireMockServer.Start();
    private readonly List<JsonNode> _jiraHooks = [], _adoSubscriptions = [];
    private readonly string _config;

    public HooksVerbTests()
    {
        _server.Given(Request.Create().WithPath("/jira/rest/webhooks/1.0/webhook").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new JsonArray(_jiraHooks.Select(h => h.DeepClone()).ToArray()))));
        _server.Given(Request.Create().WithPath("/jira/rest/webhooks/1.0/webhook").UsingPost())
            .RespondWith(Response.Create().WithCallback(req =>
            {
                var hook = JsonNode.Parse(req.Body!)!;
                hook["self"] = $"https://pay.atlassian.net/rest/webhooks/1.0/webhook/{_jiraHooks.Count + 1}";
                _jiraHooks.Add(hook);
                return Json(201, hook);
            }));
        _server.Given(Request.Create().WithPath("/ado/contoso/_apis/projects/Finance").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new JsonObject { ["id"] = "eb6e4656-77fc-42a1-9181-4c6d8e9da5d1", ["name"] = "Finance" })));
        _server.Given(Request.Create().WithPath("/ado/contoso/_apis/hooks/subscriptions").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new JsonObject
            {
                ["count"] = _adoSubscriptions.Count, ["value"] = new JsonArray(_adoSubscriptions.Select(s => s.DeepClone()).ToArray()),
            })));
        _server.Given(Request.Create().WithPath("/ado/contoso/_apis/hooks/subscriptions").UsingPost())
            .RespondWith(Response.Create().WithCallback(req =>
            {
                var s = JsonNode.Parse(req.Body!)!;
                s["id"] = Guid.NewGuid().ToString();
                _adoSubscriptions.Add(s);
                return Json(200, s);
            }));
        _config = TestHost.WriteConfig(new
        {
            Sources = new object[]
            {
                new { Id = "jira", Kind = "Jira", BaseUrl = _server.Url + "/jira", Auth = new { Scheme = "Basic", User = "admin@example.com", Token = "jira-admin-token" },
                      Hooks = new { Secret = HookClient.Secret } },
                new { Id = "ado", Kind = "AzureDevOps", BaseUrl = _server.Url + "/ado/contoso", Auth = new { Scheme = "Pat", Token = "ado-admin-pat" },
                      Hooks = new { Secret = HookClient.Secret, Header = HookClient.AdoHeader } },
            },
            Teams = new object[]
            {
                new { Id = "payments", Name = "Payments", Source = "jira", Jira = new { Board = 12, Project = "PAY" } },
                new { Id = "ops", Name = "Ops", Source = "jira", Jira = new { Board = 13, Project = "OPS" } },
                new { Id = "ledger", Name = "Ledger", Source = "ado", AzureDevOps = new { Project = "Finance", Team = "Ledger" } },
                new { Id = "billing", Name = "Billing", Source = "ado", AzureDevOps = new { Project = "Finance", Team = "Billing" } },
            },
        });
    }

    private static ResponseMessage Json(int status, JsonNode body)
    {
        var m = new ResponseMessage { StatusCode = status, BodyData = new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 } };
        m.AddHeader("Content-Type", "application/json");
        return m;
    }

    [Fact]
    public async Task Print_shows_the_exact_subscriptions_without_the_secret()
    {
        var (code, output) = await AlignmentProcess.RunAsync(NoDatabase, "hooks", "print", "--source", "jira", "--url", "https://alignment.example.com", "--config", _config);
        Assert.True(code == 0, output);
        Assert.Contains("\"url\": \"https://alignment.example.com/hooks/jira/jira\"", output);
        Assert.Contains("\"issue-related-events-section\": \"project in (OPS, PAY)\"", output);
        Assert.Contains("\"sprint_started\"", output);
        Assert.DoesNotContain(HookClient.Secret, output);
        Assert.Empty(_server.LogEntries); // printing asks the tracker nothing

        (code, output) = await AlignmentProcess.RunAsync(NoDatabase, "hooks", "print", "--source", "ado", "--url", "https://alignment.example.com/", "--config", _config);
        Assert.True(code == 0, output);
        Assert.Equal(4, output.Split("\"consumerActionId\": \"httpRequest\"").Length - 1); // one per work item event, one project
        Assert.Contains($"\"httpHeaders\": \"{HookClient.AdoHeader}:<the value of the hook secret>\"", output);
        Assert.DoesNotContain(HookClient.Secret, output);
    }

    [Fact]
    public async Task Register_creates_each_subscription_once_with_the_secret_and_a_second_run_creates_nothing()
    {
        foreach (var source in new[] { "jira", "ado" })
            for (var run = 0; run < 2; run++)
            {
                var (code, output) = await AlignmentProcess.RunAsync(NoDatabase, "hooks", "register", "--source", source, "--url", "https://alignment.example.com", "--config", _config);
                Assert.True(code == 0, output);
                Assert.Contains(run == 0 ? "created" : "exists", output);
                Assert.DoesNotContain(HookClient.Secret, output);
            }
        var jira = Assert.Single(_jiraHooks);
        Assert.Equal("https://alignment.example.com/hooks/jira/jira", jira["url"]!.GetValue<string>());
        Assert.Equal(HookClient.Secret, jira["secret"]!.GetValue<string>());
        Assert.Equal(4, _adoSubscriptions.Count);
        Assert.Equal(["workitem.created", "workitem.deleted", "workitem.restored", "workitem.updated"],
            _adoSubscriptions.Select(s => s["eventType"]!.GetValue<string>()).Order());
        Assert.All(_adoSubscriptions, s =>
        {
            Assert.Equal("eb6e4656-77fc-42a1-9181-4c6d8e9da5d1", s["publisherInputs"]!["projectId"]!.GetValue<string>());
            Assert.Equal($"{HookClient.AdoHeader}:{HookClient.Secret}", s["consumerInputs"]!["httpHeaders"]!.GetValue<string>());
        });
        var auth = _server.LogEntries.Where(e => e.RequestMessage.Path.StartsWith("/ado", StringComparison.Ordinal))
            .Select(e => e.RequestMessage.Headers!["Authorization"].Single()).Distinct().Single();
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(":ado-admin-pat")), auth);
    }

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
        File.Delete(_config);
    }
}
