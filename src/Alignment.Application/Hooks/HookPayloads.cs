using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Alignment.Domain.Hooks;

namespace Alignment.Application.Hooks;

/// <summary>A delivery whose body is not a webhook of the tracker it was sent for (400, nothing stored).</summary>
public sealed class HookPayloadException(string message) : Exception(message);

/// <summary>
/// Reads what a tracker webhook names (docs/webhooks.md, "What a delivery names"): the event, the delivery id and the ids of the items,
/// sprints, boards and projects it concerns. Field values in the payload are not read: the job re-reads the items from the tracker.
/// </summary>
public static class HookPayloads
{
    /// <summary>At most this many items of one delivery are named (a Jira or Azure DevOps event names one or two).</summary>
    public const int MaxNamed = 100;

    /// <summary>
    /// A Jira webhook (<c>webhookEvent</c>: <c>jira:issue_created|updated|deleted</c>, <c>issuelink_created|deleted</c>,
    /// <c>sprint_created|started|closed|updated|deleted</c>, <c>board_configuration_changed</c>, …). The delivery id is
    /// <c>X-Atlassian-Webhook-Identifier</c>, or without it the body's SHA-256 (Data Center sends no identifier: an identical retry is one row).
    /// </summary>
    public static HookDelivery Jira(string sourceId, ReadOnlySpan<byte> body, string? identifier)
    {
        using var doc = Parse(body);
        var root = doc.RootElement;
        var eventType = Text(root, "webhookEvent") ?? throw new HookPayloadException("not a Jira webhook: 'webhookEvent' is missing");
        var ids = new List<string>();
        var keys = new List<string>();
        var sprints = new List<string>();
        var boards = new List<string>();
        var projects = new List<string>();
        if (root.TryGetProperty("issue", out var issue) && issue.ValueKind == JsonValueKind.Object)
        {
            Add(ids, Id(issue, "id") ?? throw new HookPayloadException("'issue.id' is missing"), "issue.id");
            if (Text(issue, "key") is { } key)
            {
                Add(keys, key, "issue.key");
                if (key.LastIndexOf('-') is > 0 and var dash) Add(projects, key[..dash], "issue.key");
            }
        }
        else if (eventType.StartsWith("jira:issue_", StringComparison.Ordinal))
            throw new HookPayloadException($"'{Safe(eventType)}' without an 'issue' object");
        if (root.TryGetProperty("issueLink", out var link) && link.ValueKind == JsonValueKind.Object)
        {
            foreach (var side in new[] { "sourceIssueId", "destinationIssueId" })
                if (Id(link, side) is { } id) Add(ids, id, "issueLink." + side);
        }
        if (root.TryGetProperty("sprint", out var sprint) && sprint.ValueKind == JsonValueKind.Object)
        {
            Add(sprints, Id(sprint, "id") ?? throw new HookPayloadException("'sprint.id' is missing"), "sprint.id");
            if (Id(sprint, "originBoardId") is { } board) Add(boards, board, "sprint.originBoardId");
        }
        foreach (var name in new[] { "board", "configuration" })
            if (root.TryGetProperty(name, out var b) && b.ValueKind == JsonValueKind.Object && Id(b, "id") is { } boardId) Add(boards, boardId, name + ".id");
        var deliveryId = string.IsNullOrWhiteSpace(identifier) ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body)) : identifier.Trim();
        if (deliveryId.Length > 200) throw new HookPayloadException("X-Atlassian-Webhook-Identifier is longer than 200 characters");
        return new HookDelivery(sourceId, deliveryId, Safe(eventType))
        {
            ItemIds = ids.Distinct().ToList(), ItemKeys = keys, SprintIds = sprints, BoardIds = boards.Distinct().ToList(), Projects = projects,
            Deleted = eventType == "jira:issue_deleted",
        };
    }

    /// <summary>
    /// An Azure DevOps service hook (<c>eventType</c>: <c>workitem.created|updated|deleted|restored</c>, …): the event <c>id</c> is the delivery id;
    /// the work item is <c>resource.workItemId</c> for updates, else <c>resource.id</c>; its project is <c>System.TeamProject</c> of
    /// <c>resource.revision.fields</c> or <c>resource.fields</c>.
    /// </summary>
    public static HookDelivery AzureDevOps(string sourceId, ReadOnlySpan<byte> body)
    {
        using var doc = Parse(body);
        var root = doc.RootElement;
        var eventId = Text(root, "id") ?? throw new HookPayloadException("not an Azure DevOps service hook: the event 'id' is missing");
        if (eventId.Length > 200) throw new HookPayloadException("the event 'id' is longer than 200 characters");
        var eventType = Text(root, "eventType") ?? throw new HookPayloadException("not an Azure DevOps service hook: 'eventType' is missing");
        var ids = new List<string>();
        var projects = new List<string>();
        if (root.TryGetProperty("resource", out var resource) && resource.ValueKind == JsonValueKind.Object)
        {
            var updated = eventType == "workitem.updated";
            var id = updated ? Id(resource, "workItemId") ?? Id(resource, "revision", "id") : Id(resource, "id");
            if (eventType.StartsWith("workitem.", StringComparison.Ordinal))
                Add(ids, id ?? throw new HookPayloadException($"'{Safe(eventType)}' without a work item id (resource.{(updated ? "workItemId" : "id")})"), "resource.id");
            foreach (var fields in new[] { Child(resource, "revision", "fields"), Child(resource, "fields") })
                if (fields is { ValueKind: JsonValueKind.Object } f && f.TryGetProperty("System.TeamProject", out var p) && p.ValueKind == JsonValueKind.String)
                {
                    Add(projects, p.GetString()!, "System.TeamProject");
                    break;
                }
        }
        else if (eventType.StartsWith("workitem.", StringComparison.Ordinal))
            throw new HookPayloadException($"'{Safe(eventType)}' without a 'resource' object");
        return new HookDelivery(sourceId, eventId, Safe(eventType))
        {
            ItemIds = ids, Projects = projects, Deleted = eventType == "workitem.deleted",
        };
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc;
            doc.Dispose();
            throw new HookPayloadException("the body is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new HookPayloadException($"the body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine})");
        }
    }

    private static JsonElement? Child(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out var next)) return null;
            e = next;
        }
        return e;
    }

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>An id given as a string or a whole number.</summary>
    private static string? Id(JsonElement e, params string[] path) => Child(e, path) switch
    {
        { ValueKind: JsonValueKind.String } s when s.GetString() is { Length: > 0 } text => text,
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var l) => l.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Ids, keys and names are stored, so they are bounded and printable.</summary>
    private static void Add(List<string> list, string value, string path)
    {
        if (value.Length > 256 || value.Any(char.IsControl)) throw new HookPayloadException($"'{path}' is not a usable identifier");
        if (list.Count >= MaxNamed) throw new HookPayloadException($"more than {MaxNamed} items named in one delivery");
        if (!list.Contains(value, StringComparer.Ordinal)) list.Add(value);
    }

    private static string Safe(string eventType)
    {
        var clean = new string(eventType.Where(c => char.IsAsciiLetterOrDigit(c) || c is ':' or '_' or '.' or '-').Take(80).ToArray());
        return clean.Length == 0 ? "unknown" : clean;
    }
}
