using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alignment.Application.Hooks;

/// <summary>One subscription to create at a tracker: where it is created (POST) and listed (GET), and its body.</summary>
public sealed record HookSubscription(string Description, string ListPath, string CreatePath, JsonObject Body, string CallbackUrl, string? EventType);

/// <summary>What <c>alignment hooks register</c> did with one subscription.</summary>
public sealed record HookRegistration(HookSubscription Subscription, bool Created);

/// <summary>
/// The subscriptions a source needs (docs/webhooks.md, "Registering"): Jira one admin webhook (<c>POST /rest/webhooks/1.0/webhook</c>, Cloud and
/// Data Center) for the events the sync reads, filtered by JQL to the configured projects; Azure DevOps one service-hook subscription
/// (<c>POST _apis/hooks/subscriptions?api-version=7.1</c>) per work item event type and configured project, with the secret in the source's
/// header or as the basic-auth password. <see cref="RegisterAsync"/> lists first and creates only what is missing, so it can run again.
/// </summary>
public static class HookSubscriptions
{
    public static readonly string[] JiraEvents =
    [
        "jira:issue_created", "jira:issue_updated", "jira:issue_deleted", "issuelink_created", "issuelink_deleted",
        "sprint_created", "sprint_started", "sprint_closed", "sprint_updated", "sprint_deleted", "board_configuration_changed",
    ];

    public static readonly string[] AzureDevOpsEvents = ["workitem.created", "workitem.updated", "workitem.deleted", "workitem.restored"];

    /// <summary>The callback URL of a source under Alignment's public base URL.</summary>
    public static string CallbackUrl(SourceOptions source, Uri publicUrl) =>
        new Uri(publicUrl, (source.Kind == TrackerKind.Jira ? "hooks/jira/" : "hooks/azure-devops/") + Uri.EscapeDataString(source.Id)).AbsoluteUri;

    /// <summary>
    /// The subscriptions of <paramref name="source"/>; <paramref name="secret"/> is written into them (register) or a placeholder naming the
    /// environment variable (print). Azure DevOps project ids are asked for by <paramref name="projectIdOf"/> (print: the project's name).
    /// </summary>
    public static async Task<IReadOnlyList<HookSubscription>> ForAsync(AlignmentOptions config, SourceOptions source, Uri publicUrl, string secret,
        Func<string, Task<string>> projectIdOf)
    {
        var url = CallbackUrl(source, publicUrl);
        var teams = config.TeamsOf(source.Id).ToList();
        if (source.Kind == TrackerKind.Jira)
        {
            var projects = teams.Select(t => t.Jira?.Project).OfType<string>().Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var body = new JsonObject
            {
                ["name"] = $"Alignment ({source.Id})",
                ["url"] = url,
                ["events"] = new JsonArray(JiraEvents.Select(e => (JsonNode)e).ToArray()),
                ["filters"] = new JsonObject { ["issue-related-events-section"] = projects.Count == 0 ? "" : $"project in ({string.Join(", ", projects)})" },
                ["excludeBody"] = false,
                ["secret"] = secret,
            };
            return [new HookSubscription($"Jira admin webhook for projects {string.Join(", ", projects)}", "rest/webhooks/1.0/webhook",
                "rest/webhooks/1.0/webhook", body, url, null)];
        }
        var list = new List<HookSubscription>();
        foreach (var project in teams.Select(t => t.AzureDevOps?.Project).OfType<string>().Where(p => p.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal))
        {
            var projectId = await projectIdOf(project);
            foreach (var eventType in AzureDevOpsEvents)
            {
                var consumer = new JsonObject { ["url"] = url, ["resourceDetailsToSend"] = "all", ["messagesToSend"] = "none", ["detailedMessagesToSend"] = "none" };
                if (!string.IsNullOrEmpty(source.Hooks.Header)) consumer["httpHeaders"] = $"{source.Hooks.Header}:{secret}";
                else { consumer["basicAuthUsername"] = "alignment"; consumer["basicAuthPassword"] = secret; }
                var body = new JsonObject
                {
                    ["publisherId"] = "tfs", ["eventType"] = eventType, ["resourceVersion"] = "1.0",
                    ["consumerId"] = "webHooks", ["consumerActionId"] = "httpRequest",
                    ["publisherInputs"] = new JsonObject { ["projectId"] = projectId },
                    ["consumerInputs"] = consumer,
                };
                list.Add(new HookSubscription($"Azure DevOps service hook {eventType} for project {project}", "_apis/hooks/subscriptions?api-version=7.1",
                    "_apis/hooks/subscriptions?api-version=7.1", body, url, eventType));
            }
        }
        return list;
    }

    /// <summary>Creates the subscriptions of a source that its tracker does not list yet (same callback URL, and for Azure DevOps the same event and project).</summary>
    public static async Task<IReadOnlyList<HookRegistration>> RegisterAsync(AlignmentOptions config, SourceOptions source, Uri publicUrl, HttpClient http,
        CancellationToken ct)
    {
        var secret = source.Hooks.ResolveSecret() ?? throw new InvalidOperationException(
            $"source '{source.Id}' has no hook secret (Alignment:Sources:N:Hooks:SecretEnv)");
        Authorize(http, source);
        var wanted = await ForAsync(config, source, publicUrl, secret, project => ProjectIdAsync(http, project, ct));
        var done = new List<HookRegistration>();
        foreach (var group in wanted.GroupBy(w => w.ListPath))
        {
            var existing = await ListAsync(http, group.Key, ct);
            foreach (var s in group)
            {
                if (existing.Any(e => Matches(e, s))) { done.Add(new HookRegistration(s, false)); continue; }
                using var response = await http.PostAsJsonAsync(s.CreatePath, s.Body, ct);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"{s.Description}: the tracker answered {(int)response.StatusCode} {response.ReasonPhrase} to POST {s.CreatePath} (does the token have admin rights?)");
                done.Add(new HookRegistration(s, true));
            }
        }
        return done;
    }

    private static bool Matches(JsonElement existing, HookSubscription wanted)
    {
        if (wanted.EventType is null) // Jira: an admin webhook to the same URL
            return existing.TryGetProperty("url", out var u) && u.GetString() == wanted.CallbackUrl;
        return existing.TryGetProperty("eventType", out var e) && e.GetString() == wanted.EventType
            && existing.TryGetProperty("consumerInputs", out var ci) && ci.TryGetProperty("url", out var cu) && cu.GetString() == wanted.CallbackUrl
            && existing.TryGetProperty("publisherInputs", out var pi) && pi.TryGetProperty("projectId", out var p)
            && p.GetString() == wanted.Body["publisherInputs"]!["projectId"]!.GetValue<string>();
    }

    /// <summary>Jira answers a bare array; Azure DevOps <c>{ count, value: [...] }</c>.</summary>
    private static async Task<List<JsonElement>> ListAsync(HttpClient http, string path, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"listing the existing subscriptions failed: GET {path} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        var root = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var items = root.ValueKind == JsonValueKind.Array ? root : root.TryGetProperty("value", out var v) ? v : default;
        return items.ValueKind == JsonValueKind.Array ? items.EnumerateArray().Select(e => e.Clone()).ToList() : [];
    }

    private static async Task<string> ProjectIdAsync(HttpClient http, string project, CancellationToken ct)
    {
        var path = $"_apis/projects/{Uri.EscapeDataString(project)}?api-version=7.1";
        using var response = await http.GetAsync(path, ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"project '{project}': GET {path} answered {(int)response.StatusCode}");
        var root = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return root.GetProperty("id").GetString() ?? throw new InvalidOperationException($"project '{project}' has no id");
    }

    private static void Authorize(HttpClient http, SourceOptions source)
    {
        var token = source.Auth.ResolveToken() ?? throw new InvalidOperationException($"source '{source.Id}' has no token (Auth:TokenEnv)");
        http.DefaultRequestHeaders.Authorization = source.Auth.Scheme switch
        {
            AuthScheme.Bearer => new AuthenticationHeaderValue("Bearer", token),
            AuthScheme.Pat => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(":" + token))),
            _ => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{source.Auth.User}:{token}"))),
        };
    }
}
