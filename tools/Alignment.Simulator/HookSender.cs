using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>
/// Webhook deliveries the simulator sends when <c>/_sim/advance</c> (or <c>/_sim/move</c>) changes items: Jira webhook JSON
/// (<c>webhookEvent</c>, <c>issue</c>, <c>changelog</c>) signed with <c>X-Hub-Signature: sha256=HMAC</c> and identified by
/// <c>X-Atlassian-Webhook-Identifier</c>; Azure DevOps service-hook JSON (<c>id</c>, <c>eventType</c>, <c>resource</c> with <c>revision</c>)
/// with the secret in a header. Shares of the deliveries are sent twice, out of order, or not at all, as real trackers do.
/// </summary>
public sealed record SimulatorHookOptions
{
    /// <summary>Where Jira deliveries go (e.g. <c>http://127.0.0.1:5080/hooks/jira/jira</c>); null: none are sent.</summary>
    public string? JiraUrl { get; init; }
    /// <summary>Where Azure DevOps deliveries go (e.g. <c>http://127.0.0.1:5080/hooks/azure-devops/ado</c>); null: none are sent.</summary>
    public string? AdoUrl { get; init; }
    public string Secret { get; init; } = "sim-hook-secret-0123456789";
    /// <summary>The header of the Azure DevOps subscription that carries the secret.</summary>
    public string AdoHeader { get; init; } = "X-Alignment-Hook";
    /// <summary>Share of deliveries sent a second time (the same identifier: a tracker's retry).</summary>
    public double DuplicateRate { get; init; }
    /// <summary>Share of deliveries swapped with the one after them.</summary>
    public double ReorderRate { get; init; }
    /// <summary>Share of deliveries never sent (the next poll must heal them).</summary>
    public double DropRate { get; init; }
    public int Seed { get; init; } = 1;
}

/// <summary>Builds and posts the deliveries; counts what it did for <c>/_sim/hooks</c>.</summary>
internal sealed class HookSender(SimulatedOrganisation org, SimulatorHookOptions options, Func<string> jiraBase)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Random _rng = new(options.Seed);
    private readonly Lock _gate = new();
    private int _sequence;

    public int Sent, Duplicated, Reordered, Dropped, Refused;

    public bool Enabled => options.JiraUrl is not null || options.AdoUrl is not null;

    /// <summary>The deliveries for these changes, built now (under the organisation's lock), with drops, duplicates and swaps applied.</summary>
    internal List<(string Url, byte[] Body, Dictionary<string, string> Headers)> Build(IReadOnlyList<ItemChange> changes)
    {
        var list = new List<(string, byte[], Dictionary<string, string>)>();
        lock (_gate)
        {
            foreach (var c in changes)
            {
                var jira = c.Item.Tracker == Tracker.Jira;
                if ((jira ? options.JiraUrl : options.AdoUrl) is not { } url) continue;
                var id = DeliveryId();
                var body = jira ? JiraBody(c) : AdoBody(c, id);
                var headers = jira
                    ? new Dictionary<string, string> { ["X-Atlassian-Webhook-Identifier"] = id, ["X-Hub-Signature"] = Sign(body) }
                    : new Dictionary<string, string> { [options.AdoHeader] = options.Secret };
                if (_rng.NextDouble() < options.DropRate) { Dropped++; continue; }
                list.Add((url, body, headers));
                if (_rng.NextDouble() < options.DuplicateRate) { Duplicated++; list.Add((url, body, headers)); }
            }
            for (var i = 0; i + 1 < list.Count; i++)
                if (_rng.NextDouble() < options.ReorderRate)
                {
                    (list[i], list[i + 1]) = (list[i + 1], list[i]);
                    Reordered++;
                    i++;
                }
        }
        return list;
    }

    /// <summary>Posts the deliveries one after the other, in the order built; a refused one is counted, never retried.</summary>
    internal async Task SendAsync(List<(string Url, byte[] Body, Dictionary<string, string> Headers)> deliveries, CancellationToken ct)
    {
        foreach (var (url, body, headers) in deliveries)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
            try
            {
                using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) Interlocked.Increment(ref Sent);
                else Interlocked.Increment(ref Refused);
            }
            catch (HttpRequestException) { Interlocked.Increment(ref Refused); }
        }
    }

    private string DeliveryId()
    {
        var bytes = new byte[16];
        _rng.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private string Sign(byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Secret), body));

    private byte[] JiraBody(ItemChange c)
    {
        var it = c.Item;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("timestamp", org.NowMs);
            w.WriteString("webhookEvent", c.Created ? "jira:issue_created" : "jira:issue_updated");
            w.WriteString("issue_event_type_name", c.Created ? "issue_created" : "issue_generic");
            w.WriteStartObject("user"); w.WriteString("accountId", "sim-po"); w.WriteString("displayName", it.Team.PoName); w.WriteEndObject();
            w.WriteStartObject("issue");
            w.WriteString("id", it.Id.ToString(CultureInfo.InvariantCulture));
            w.WriteString("self", $"{jiraBase()}/rest/api/3/issue/{it.Id}");
            w.WriteString("key", it.Key);
            w.WriteStartObject("fields");
            w.WriteStartObject("project"); w.WriteString("key", it.Team.Key); w.WriteEndObject();
            w.WriteStartObject("issuetype"); w.WriteString("name", it.Type.ToString()); w.WriteEndObject();
            w.WriteString("updated", DateTimeOffset.FromUnixTimeMilliseconds(it.Updated).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture).Replace(":", "", StringComparison.Ordinal));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteStartObject("changelog");
            w.WriteString("id", (++_sequence).ToString(CultureInfo.InvariantCulture));
            w.WriteStartArray("items");
            foreach (var e in c.Events)
            {
                w.WriteStartObject();
                w.WriteString("field", e.Kind switch { EvKind.Sprint => "Sprint", EvKind.Points => "Story point estimate", _ => "status" });
                w.WriteString("fieldtype", e.Kind == EvKind.Status ? "jira" : "custom");
                w.WriteString("from", e.A < 0 ? null : e.Kind == EvKind.Sprint ? org.Sprints[e.A].JiraId.ToString(CultureInfo.InvariantCulture) : e.A.ToString(CultureInfo.InvariantCulture));
                w.WriteString("to", e.B < 0 ? null : e.Kind == EvKind.Sprint ? org.Sprints[e.B].JiraId.ToString(CultureInfo.InvariantCulture) : e.B.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private byte[] AdoBody(ItemChange c, string eventId)
    {
        var it = c.Item;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("subscriptionId", "00000000-0000-0000-0000-00000000a11e");
            w.WriteNumber("notificationId", ++_sequence);
            w.WriteString("id", eventId);
            w.WriteString("eventType", c.Created ? "workitem.created" : "workitem.updated");
            w.WriteString("publisherId", "tfs");
            w.WriteStartObject("message"); w.WriteString("text", $"{it.Type} #{it.Id} {(c.Created ? "created" : "updated")}"); w.WriteEndObject();
            w.WriteStartObject("resource");
            if (c.Created)
            {
                w.WriteNumber("id", it.Id);
                w.WriteNumber("rev", it.Rev);
                WriteFields(w, it);
            }
            else
            {
                w.WriteNumber("id", it.Rev);
                w.WriteNumber("workItemId", it.Id);
                w.WriteNumber("rev", it.Rev);
                w.WriteStartObject("fields");
                w.WriteStartObject("System.Rev"); w.WriteNumber("oldValue", it.Rev - 1); w.WriteNumber("newValue", it.Rev); w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject("revision");
                w.WriteNumber("id", it.Id);
                w.WriteNumber("rev", it.Rev);
                WriteFields(w, it);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WriteString("resourceVersion", "1.0");
            w.WriteString("createdDate", DateTimeOffset.FromUnixTimeMilliseconds(org.NowMs).ToString("O", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    private static void WriteFields(Utf8JsonWriter w, Item it)
    {
        w.WriteStartObject("fields");
        w.WriteString("System.TeamProject", it.Team.Project);
        w.WriteString("System.AreaPath", it.Team.AreaPath);
        w.WriteString("System.IterationPath", it.Iteration?.AdoPath ?? it.Team.AreaPath);
        w.WriteEndObject();
    }
}
