using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Jira issues: JQL search, bulk fetch, remote links, and the issue representation they share.</summary>
internal static partial class JiraApi
{
    [GeneratedRegex("""^\s*project\s*=\s*(?:"(?<p>[^"]+)"|'(?<p>[^']+)'|(?<p>[A-Za-z][A-Za-z0-9_]*))\s+(?:AND\s+updated\s*(?<op>>=|>)\s*(?<ms>\d+)\s+)?ORDER\s+BY\s+id(?:\s+ASC)?\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex JqlRegex();

    private static void MapRemoteLinks(WebApplication app, SimContext ctx, string v)
    {
        var org = ctx.Org;
        app.MapGet($"/jira/rest/api/{v}/issue/{{idOrKey}}/remotelink", (HttpContext http, string idOrKey) =>
        {
            var it = ctx.Read(() => Find(org, idOrKey));
            if (it is null) return ctx.JiraError(http, 404, "Issue does not exist or you do not have permission to see it.");
            return ctx.Json(http, 200, w => w.WriteRaw(ctx.Fragments.Of(it)[(int)IssueSlot.RemoteLinks]));
        });
    }

    private static void MapSearch(WebApplication app, SimContext ctx) =>
        app.MapPost("/jira/rest/api/3/search/jql", (HttpContext http) => Search(http, ctx));

    private static void MapBulkFetch(WebApplication app, SimContext ctx) =>
        app.MapPost("/jira/rest/api/3/issue/bulkfetch", (HttpContext http) => BulkFetch(http, ctx));

    private static async Task Search(HttpContext http, SimContext ctx)
    {
        var org = ctx.Org;
        using var body = await SimContext.ReadBody(http);
        if (body is null) { await ctx.JiraError(http, 400, "Invalid request payload. Refer to the REST API documentation and try again."); return; }
        var root = body.RootElement;
        string jql = root.TryGetProperty("jql", out var j) && j.ValueKind == JsonValueKind.String ? j.GetString() ?? "" : "";
        var m = JqlRegex().Match(jql);
        if (!m.Success)
        {
            await ctx.JiraError(http, 400, string.IsNullOrWhiteSpace(jql) || !jql.Contains("project", StringComparison.OrdinalIgnoreCase)
                ? "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
                : $"Error in the JQL Query: the simulator supports only 'project = \"KEY\" [AND updated >= <epoch ms>] ORDER BY id ASC'. Query: {jql}");
            return;
        }
        var team = org.Teams.Find(t => t.Tracker == Tracker.Jira && string.Equals(t.Key, m.Groups["p"].Value, StringComparison.OrdinalIgnoreCase));
        if (team is null) { await ctx.JiraError(http, 400, $"The value '{m.Groups["p"].Value}' does not exist for the field 'project'."); return; }
        long since = m.Groups["ms"].Success ? long.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture) : long.MinValue;
        bool strict = m.Groups["op"].Value == ">";
        var fields = FieldSet.From(root, "fields", defaultAll: false);
        int max = root.TryGetProperty("maxResults", out var mx) && mx.TryGetInt32(out var mxv) && mxv > 0 ? mxv : 50;
        max = Math.Min(max, fields.IdOnly ? 5000 : 100);
        int after = -1;
        if (root.TryGetProperty("nextPageToken", out var tok) && tok.ValueKind == JsonValueKind.String && DecodeToken(tok.GetString()) is { } a) after = a;
        await ctx.Json(http, 200, w => WriteSearchPage(w, ctx, team, since, strict, after, max, fields));
    }

    /// <summary>The issues of the team after the page token and updated since the JQL bound, up to <paramref name="max"/>.</summary>
    private static void WriteSearchPage(Utf8JsonWriter w, SimContext ctx, Team team, long since, bool strict, int after, int max, FieldSet fields)
    {
        var page = new List<Item>(Math.Min(max, 1024));
        bool more = false;
        foreach (var it in team.Items)
        {
            if (it.Id <= after) continue;
            long u = it.Updated;
            if (strict ? u <= since : u < since) continue;
            if (page.Count == max) { more = true; break; }
            page.Add(it);
        }
        var mask = Mask(fields);
        w.WriteStartObject();
        w.WriteStartArray("issues");
        foreach (var it in page)
        {
            if (fields.IdOnly) WriteIssueId(w, ctx, it);
            else WriteIssue(w, ctx, it, mask);
        }
        w.WriteEndArray();
        if (more) w.WriteString("nextPageToken", EncodeToken(page[^1].Id));
        w.WriteBoolean("isLast", !more);
        w.WriteEndObject();
    }

    private static async Task BulkFetch(HttpContext http, SimContext ctx)
    {
        using var body = await SimContext.ReadBody(http);
        if (body is null || !body.RootElement.TryGetProperty("issueIdsOrKeys", out var ids) || ids.ValueKind != JsonValueKind.Array)
        { await ctx.JiraError(http, 400, "issueIdsOrKeys is required."); return; }
        if (ids.GetArrayLength() > 100) { await ctx.JiraError(http, 400, "The number of issues requested exceeds the limit of 100."); return; }
        var fields = FieldSet.From(body.RootElement, "fields", defaultAll: true);
        var wanted = ids.EnumerateArray().Select(e => e.ToString()).ToList();
        await ctx.Json(http, 200, w => WriteBulkFetch(w, ctx, wanted, fields));
    }

    private static void WriteBulkFetch(Utf8JsonWriter w, SimContext ctx, List<string> wanted, FieldSet fields)
    {
        var org = ctx.Org;
        var found = new SortedDictionary<int, Item>();
        var errors = new List<string>();
        foreach (var k in wanted)
        {
            if (Find(org, k) is { } it) found[it.Id] = it;
            else errors.Add(k);
        }
        w.WriteStartObject();
        w.WriteString("expand", "");
        w.WriteStartArray("issues");
        var mask = Mask(fields);
        foreach (var it in found.Values) WriteIssue(w, ctx, it, mask);
        w.WriteEndArray();
        w.WriteStartArray("issueErrors");
        foreach (var e in errors)
        {
            w.WriteStartObject();
            w.WriteString("issueIdOrKey", e);
            w.WriteString("errorMessage", "Issue does not exist or you do not have permission to see it.");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteLinkedIssue(Utf8JsonWriter w, SimContext ctx, SimulatedOrganisation org, Item it)
    {
        w.WriteStartObject();
        w.WriteString("id", Id(it));
        w.WriteString("key", it.Key);
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issue/{it.Id}");
        w.WriteStartObject("fields");
        w.WriteString("summary", org.Title(it));
        w.WritePropertyName("status"); WriteStatus(w, ctx, it.Status);
        w.WritePropertyName("priority"); WritePriority(w, ctx, it.Priority);
        w.WritePropertyName("issuetype"); WriteIssueType(w, ctx, it.Type);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Links between two Jira issues; links to Azure DevOps are remote links.</summary>
    private static void WriteIssueLinks(Utf8JsonWriter w, SimContext ctx, Item it)
    {
        var org = ctx.Org;
        w.WriteStartArray();
        if (it.Links is not null)
            foreach (var li in it.Links)
            {
                var l = org.LinkList[li];
                if (l.CrossTracker) continue;
                w.WriteStartObject();
                w.WriteString("id", l.JiraId.ToString(CultureInfo.InvariantCulture));
                w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issueLink/{l.JiraId}");
                w.WriteRaw(TypeName, ctx.Fragments.Shared("linktype:" + (int)l.Kind, x => WriteLinkType(x, ctx, l.Kind)));
                if (l.From == it) w.WriteRaw(OutwardIssueName, LinkedIssue(ctx, l.To));
                else w.WriteRaw(InwardIssueName, LinkedIssue(ctx, l.From));
                w.WriteEndObject();
            }
        w.WriteEndArray();
    }

    private static readonly JsonEncodedText TypeName = Name("type");
    private static readonly JsonEncodedText OutwardIssueName = Name("outwardIssue");
    private static readonly JsonEncodedText InwardIssueName = Name("inwardIssue");

    private static void WriteAssignee(Utf8JsonWriter w, SimContext ctx, Member m)
    {
        w.WriteStartObject();
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/user?accountId={m.AccountId}");
        w.WriteString("accountId", m.AccountId);
        w.WriteString("displayName", m.DisplayName);
        w.WriteBoolean("active", true);
        w.WriteString("accountType", "atlassian");
        w.WriteEndObject();
    }

    private static long LastStatusChange(Item it)
    {
        for (int i = it.Events.Count - 1; i >= 0; i--)
            if (it.Events[i].Kind == EvKind.Status) return it.Events[i].At;
        return it.Created;
    }

    private static string RemoteUrl(SimContext ctx, Item ado) => $"{ctx.AdoBase}/{Uri.EscapeDataString(ado.Team.Project)}/_workitems/edit/{ado.Id}";

    private static void WriteRemoteLinks(Utf8JsonWriter w, SimContext ctx, Item it)
    {
        var org = ctx.Org;
        w.WriteStartArray();
        if (it.Links is not null)
            foreach (var li in it.Links)
            {
                var l = org.LinkList[li];
                if (!l.CrossTracker) continue;
                var other = l.From == it ? l.To : l.From;
                string rel = l.Kind == LinkKind.Relates ? "relates to" : l.From == it ? "blocks" : "is blocked by";
                w.WriteStartObject();
                w.WriteNumber("id", 10_000 + l.Index);
                w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issue/{it.Id}/remotelink/{10_000 + l.Index}");
                w.WriteString("globalId", $"system={ctx.AdoBase}&id={other.Id}");
                w.WriteStartObject("application"); w.WriteString("type", "com.microsoft.azuredevops"); w.WriteString("name", "Azure DevOps"); w.WriteEndObject();
                w.WriteString("relationship", rel);
                w.WriteStartObject("object");
                w.WriteString("url", RemoteUrl(ctx, other));
                w.WriteString("title", $"{Statuses.AdoTypeName(other.Type, other.Team.Scrum)} {other.Id}: {org.Title(other)}");
                w.WriteStartObject("icon"); w.WriteString("url16x16", $"{ctx.AdoBase}/_static/tfs/favicon.ico"); w.WriteString("title", "Azure DevOps"); w.WriteEndObject();
                w.WriteStartObject("status"); w.WriteBoolean("resolved", Statuses.IsDone(other.Status)); w.WriteStartObject("icon"); w.WriteEndObject(); w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }
        w.WriteEndArray();
    }
}
