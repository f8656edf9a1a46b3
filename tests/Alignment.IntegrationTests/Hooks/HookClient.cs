using System.Net.Http.Headers;
using System.Text;
using Alignment.Application.Hooks;

namespace Alignment.IntegrationTests.Hooks;

/// <summary>Posts webhook deliveries as the trackers do (real payload shapes, signature and identifier headers), and waits for their processing.</summary>
internal static class HookClient
{
    public const string Secret = "test-hook-secret-0123456789", AdoHeader = "X-Alignment-Hook";

    /// <summary>The Hooks section a source needs: the secret, no coalescing wait (the tests post one delivery at a time), a header for Azure DevOps.</summary>
    public static System.Text.Json.Nodes.JsonObject Section(bool ado, long maxBodyBytes = 1024 * 1024) => new()
    {
        ["Secret"] = Secret, ["CoalesceWindow"] = "00:00:00", ["MaxBodyBytes"] = maxBodyBytes,
        ["Header"] = ado ? AdoHeader : null,
    };

    public static string JiraIssueUpdated(string id, string key, string project) => $$"""
        {"timestamp":1793610000000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic",
         "user":{"accountId":"a1","displayName":"Ann"},
         "issue":{"id":"{{id}}","self":"https://pay.atlassian.net/rest/api/3/issue/{{id}}","key":"{{key}}",
                  "fields":{"project":{"key":"{{project}}"},"summary":"not trusted","customfield_10020":[{"id":99,"name":"Payload sprint"}] } },
         "changelog":{"id":"10400","items":[{"field":"Sprint","fieldtype":"custom","from":"1","fromString":"S1","to":"2","toString":"S2"}] } }
        """;

    public static string AdoWorkItemUpdated(string eventId, int id, string project) => $$"""
        {"subscriptionId":"00000000-0000-0000-0000-0000000000aa","notificationId":7,"id":"{{eventId}}","eventType":"workitem.updated",
         "publisherId":"tfs","message":{"text":"Bug #{{id}} updated"},
         "resource":{"id":3,"workItemId":{{id}},"rev":3,"fields":{"System.IterationPath":{"oldValue":"A","newValue":"B"} },
                     "revision":{"id":{{id}},"rev":3,"fields":{"System.TeamProject":"{{project}}","System.AreaPath":"{{project}}" } } },
         "resourceVersion":"1.0","createdDate":"2026-11-02T09:00:00Z"}
        """;

    public static Task<HttpResponseMessage> PostJiraAsync(HttpClient http, string source, string body, string? identifier, string? secret = Secret)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/jira/{source}") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (identifier is not null) request.Headers.Add(HookSignatures.JiraIdentifierHeader, identifier);
        if (secret is not null) request.Headers.Add(HookSignatures.JiraSignatureHeader, HookSignatures.JiraSign(bytes, secret));
        return http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostAdoAsync(HttpClient http, string source, string body, Action<HttpRequestMessage>? authenticate = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/azure-devops/{source}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (authenticate is null) request.Headers.Add(AdoHeader, Secret);
        else authenticate(request);
        return http.SendAsync(request);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="bound"/> passes (a Hangfire job runs in its own time).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null)
    {
        var until = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }
}
