using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Jira Cloud platform v3 and Agile 1.0 endpoints, under <c>/jira</c>.</summary>
internal static partial class JiraApi
{
    private const string SprintField = "customfield_10020";
    private const string PointsField = "customfield_10016";
    private const string RankField = "customfield_10019";

    [GeneratedRegex("""^\s*project\s*=\s*(?:"(?<p>[^"]+)"|'(?<p>[^']+)'|(?<p>[A-Za-z][A-Za-z0-9_]*))\s+(?:AND\s+updated\s*(?<op>>=|>)\s*(?<ms>\d+)\s+)?ORDER\s+BY\s+id(?:\s+ASC)?\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex JqlRegex();

    public static void Map(WebApplication app, SimContext ctx)
    {
        var org = ctx.Org;
        foreach (var v in new[] { "2", "3" })
            app.MapGet($"/jira/rest/api/{v}/serverInfo", (HttpContext http) => ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteString("baseUrl", ctx.JiraBase);
                w.WriteString("version", "1001.0.0-SNAPSHOT");
                w.WriteStartArray("versionNumbers"); w.WriteNumberValue(1001); w.WriteNumberValue(0); w.WriteNumberValue(0); w.WriteEndArray();
                w.WriteString("deploymentType", "Cloud");
                w.WriteNumber("buildNumber", 100289);
                w.WriteString("buildDate", "2026-10-30T00:00:00.000+0000");
                w.WriteString("serverTime", Format(org.NowMs, 0));
                w.WriteString("scmInfo", "0000000000000000000000000000000000000000");
                w.WriteString("serverTitle", "Simulated Jira");
                w.WriteEndObject();
            }));

        foreach (var v in new[] { "2", "3" })
        {
            app.MapGet($"/jira/rest/api/{v}/field", (HttpContext http) => ctx.Json(http, 200, WriteFields));
            app.MapGet($"/jira/rest/api/{v}/status", (HttpContext http) => ctx.Json(http, 200, w =>
            {
                w.WriteStartArray();
                for (int code = 0; code < 6; code++) WriteStatus(w, ctx, code);
                w.WriteEndArray();
            }));
            app.MapGet($"/jira/rest/api/{v}/issuetype", (HttpContext http) => ctx.Json(http, 200, w =>
            {
                w.WriteStartArray();
                foreach (var t in Enum.GetValues<ItemType>().DistinctBy(Statuses.JiraTypeId)) WriteIssueType(w, ctx, t, untranslated: true);
                w.WriteEndArray();
            }));
            app.MapGet($"/jira/rest/api/{v}/issue/{{idOrKey}}/remotelink", (HttpContext http, string idOrKey) =>
            {
                var it = ctx.Read(() => Find(org, idOrKey));
                if (it is null) return ctx.JiraError(http, 404, "Issue does not exist or you do not have permission to see it.");
                return ctx.Json(http, 200, w => WriteRemoteLinks(w, ctx, it));
            });
        }

        app.MapGet("/jira/rest/api/3/issueLinkType", (HttpContext http) => ctx.Json(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("issueLinkTypes");
            WriteLinkType(w, ctx, LinkKind.Blocks);
            WriteLinkType(w, ctx, LinkKind.Relates);
            w.WriteEndArray();
            w.WriteEndObject();
        }));

        app.MapGet("/jira/rest/agile/1.0/board/{boardId:int}/configuration", (HttpContext http, int boardId) =>
        {
            var t = org.Teams.Find(x => x.Tracker == Tracker.Jira && x.Board == boardId);
            if (t is null) return ctx.JiraError(http, 404, $"Board {boardId} does not exist or you do not have permission to see it.");
            return ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("id", t.Board);
                w.WriteString("name", $"{t.Key} board");
                w.WriteString("type", "scrum");
                w.WriteString("self", $"{ctx.JiraBase}/rest/agile/1.0/board/{t.Board}/configuration");
                w.WriteStartObject("location"); w.WriteString("type", "project"); w.WriteString("key", t.Key); w.WriteString("id", (10_000 + t.Index).ToString(CultureInfo.InvariantCulture)); w.WriteString("name", t.Name); w.WriteEndObject();
                w.WriteStartObject("filter"); w.WriteString("id", (10_000 + t.Board).ToString(CultureInfo.InvariantCulture)); w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/filter/{10_000 + t.Board}"); w.WriteEndObject();
                w.WriteStartObject("columnConfig");
                w.WriteStartArray("columns");
                foreach (var (name, codes) in new (string, int[])[] { ("To Do", [0, 1]), ("In Progress", [2]), ("Ready for QA", [3]), ("Done", [4, 5]) })
                {
                    w.WriteStartObject();
                    w.WriteString("name", name);
                    w.WriteStartArray("statuses");
                    foreach (var c in codes)
                    {
                        w.WriteStartObject(); w.WriteString("id", Statuses.JiraId[c]); w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/status/{Statuses.JiraId[c]}"); w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteString("constraintType", "issueCount");
                w.WriteEndObject();
                w.WriteStartObject("estimation");
                w.WriteString("type", "field");
                w.WriteStartObject("field"); w.WriteString("fieldId", PointsField); w.WriteString("displayName", "Story point estimate"); w.WriteEndObject();
                w.WriteEndObject();
                w.WriteStartObject("ranking"); w.WriteNumber("rankCustomFieldId", 10019); w.WriteEndObject();
                w.WriteEndObject();
            });
        });

        app.MapGet("/jira/rest/agile/1.0/board/{boardId:int}/sprint", (HttpContext http, int boardId) =>
        {
            var t = org.Teams.Find(x => x.Tracker == Tracker.Jira && x.Board == boardId);
            if (t is null) return ctx.JiraError(http, 404, $"Board {boardId} does not exist or you do not have permission to see it.");
            var q = http.Request.Query;
            var states = q["state"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToHashSet();
            int startAt = int.TryParse(q["startAt"], out var sa) && sa > 0 ? sa : 0;
            int max = int.TryParse(q["maxResults"], out var mr) && mr > 0 ? Math.Min(mr, 50) : 50;
            return ctx.Json(http, 200, w =>
            {
                var list = t.Sprints.Where(s => states.Count == 0 || states.Contains(SimulatedOrganisation.SprintState2(s.State))).OrderBy(s => s.JiraId).ToList();
                var page = list.Skip(startAt).Take(max).ToList();
                w.WriteStartObject();
                w.WriteNumber("maxResults", max);
                w.WriteNumber("startAt", startAt);
                w.WriteBoolean("isLast", startAt + page.Count >= list.Count);
                w.WriteStartArray("values");
                foreach (var s in page) WriteSprint(w, ctx, s, agile: true);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });

        app.MapGet("/jira/rest/agile/1.0/sprint/{sprintId:int}", (HttpContext http, int sprintId) =>
            ctx.Read(() => org.JiraSprintById.GetValueOrDefault(sprintId)) is { } s
                ? ctx.Json(http, 200, w => WriteSprint(w, ctx, s, agile: true))
                : ctx.JiraError(http, 404, "The requested sprint cannot be found."));

        app.MapPost("/jira/rest/api/3/search/jql", async (HttpContext http) =>
        {
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
            await ctx.Json(http, 200, w =>
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
                w.WriteStartObject();
                w.WriteStartArray("issues");
                foreach (var it in page)
                {
                    if (fields.IdOnly)
                    {
                        w.WriteStartObject(); w.WriteString("id", Id(it)); w.WriteEndObject();
                    }
                    else WriteIssue(w, ctx, it, fields);
                }
                w.WriteEndArray();
                if (more) w.WriteString("nextPageToken", EncodeToken(page[^1].Id));
                w.WriteBoolean("isLast", !more);
                w.WriteEndObject();
            });
        });

        app.MapPost("/jira/rest/api/3/issue/bulkfetch", async (HttpContext http) =>
        {
            using var body = await SimContext.ReadBody(http);
            if (body is null || !body.RootElement.TryGetProperty("issueIdsOrKeys", out var ids) || ids.ValueKind != JsonValueKind.Array)
            { await ctx.JiraError(http, 400, "issueIdsOrKeys is required."); return; }
            if (ids.GetArrayLength() > 100) { await ctx.JiraError(http, 400, "The number of issues requested exceeds the limit of 100."); return; }
            var fields = FieldSet.From(body.RootElement, "fields", defaultAll: true);
            var wanted = ids.EnumerateArray().Select(e => e.ToString()).ToList();
            await ctx.Json(http, 200, w =>
            {
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
                foreach (var it in found.Values) WriteIssue(w, ctx, it, fields);
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
            });
        });

        app.MapPost("/jira/rest/api/3/changelog/bulkfetch", async (HttpContext http) =>
        {
            using var body = await SimContext.ReadBody(http);
            if (body is null || !body.RootElement.TryGetProperty("issueIdsOrKeys", out var ids) || ids.ValueKind != JsonValueKind.Array)
            { await ctx.JiraError(http, 400, "issueIdsOrKeys is required."); return; }
            if (ids.GetArrayLength() > 1000) { await ctx.JiraError(http, 400, "The number of issues requested exceeds the limit of 1000."); return; }
            var root = body.RootElement;
            HashSet<string>? fieldIds = root.TryGetProperty("fieldIds", out var fi) && fi.ValueKind == JsonValueKind.Array && fi.GetArrayLength() > 0
                ? fi.EnumerateArray().Select(e => e.GetString() ?? "").ToHashSet(StringComparer.Ordinal) : null;
            int max = root.TryGetProperty("maxResults", out var mx) && mx.TryGetInt32(out var mxv) && mxv > 0 ? Math.Min(mxv, 10_000) : 1000;
            int offset = root.TryGetProperty("nextPageToken", out var tok) && tok.ValueKind == JsonValueKind.String && DecodeToken(tok.GetString()) is { } o ? o : 0;
            var wanted = ids.EnumerateArray().Select(e => e.ToString()).ToList();
            await ctx.Json(http, 200, w => WriteChangelogs(w, ctx, wanted, fieldIds, max, offset));
        });

    }

    private static Item? Find(SimulatedOrganisation org, string idOrKey) =>
        int.TryParse(idOrKey, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? org.JiraById.GetValueOrDefault(id)
            : org.JiraByKey.GetValueOrDefault(idOrKey);

    private static string Id(Item it) => it.Id.ToString(CultureInfo.InvariantCulture);

    internal static string EncodeToken(int value) => Convert.ToBase64String(Encoding.UTF8.GetBytes("sim:" + value.ToString(CultureInfo.InvariantCulture)));

    internal static int? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var s = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return s.StartsWith("sim:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Jira's issue timestamp format: <c>2022-07-16T06:30:23.341+0800</c> (no colon in the offset).</summary>
    internal static string Format(long ms, int offsetMinutes)
    {
        var dto = DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        var sign = offsetMinutes < 0 ? '-' : '+';
        int abs = Math.Abs(offsetMinutes);
        return dto.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + sign + (abs / 60).ToString("00", CultureInfo.InvariantCulture) + (abs % 60).ToString("00", CultureInfo.InvariantCulture);
    }

    internal sealed class FieldSet
    {
        private HashSet<string>? _names;
        public bool All => _names is null;
        public bool IdOnly { get; private set; }
        public bool Has(string f) => _names is null || _names.Contains(f);

        public static FieldSet From(JsonElement root, string prop, bool defaultAll)
        {
            var set = new FieldSet();
            List<string> names = [];
            if (root.TryGetProperty(prop, out var f))
            {
                if (f.ValueKind == JsonValueKind.Array) names = f.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
                else if (f.ValueKind == JsonValueKind.String) names = (f.GetString() ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            }
            if (names.Count == 0)
            {
                if (defaultAll) return set;
                set._names = ["id"];
                set.IdOnly = true;
                return set;
            }
            if (names.Exists(n => n is "*all" or "*navigable")) return set;
            set._names = names.ToHashSet(StringComparer.Ordinal);
            set.IdOnly = set._names.All(n => n is "id" or "key");
            return set;
        }
    }

    private static void WriteFields(Utf8JsonWriter w)
    {
        w.WriteStartArray();
        void Sys(string id, string name, string type, string? items = null)
        {
            w.WriteStartObject();
            w.WriteString("id", id); w.WriteString("key", id); w.WriteString("name", name); w.WriteString("untranslatedName", name);
            w.WriteBoolean("custom", false); w.WriteBoolean("orderable", true); w.WriteBoolean("navigable", true); w.WriteBoolean("searchable", true);
            w.WriteStartArray("clauseNames"); w.WriteStringValue(id); w.WriteEndArray();
            w.WriteStartObject("schema"); w.WriteString("type", type); if (items is not null) w.WriteString("items", items); w.WriteString("system", id); w.WriteEndObject();
            w.WriteEndObject();
        }
        void Custom(string id, string name, string type, string? items, string custom, int customId, string clause)
        {
            w.WriteStartObject();
            w.WriteString("id", id); w.WriteString("key", id); w.WriteString("name", name); w.WriteString("untranslatedName", name);
            w.WriteBoolean("custom", true); w.WriteBoolean("orderable", true); w.WriteBoolean("navigable", true); w.WriteBoolean("searchable", true);
            w.WriteStartArray("clauseNames"); w.WriteStringValue($"cf[{customId}]"); w.WriteStringValue(clause); w.WriteEndArray();
            w.WriteStartObject("schema"); w.WriteString("type", type); if (items is not null) w.WriteString("items", items); w.WriteString("custom", custom); w.WriteNumber("customId", customId); w.WriteEndObject();
            w.WriteEndObject();
        }
        Sys("summary", "Summary", "string");
        Sys("status", "Status", "status");
        Sys("issuetype", "Issue Type", "issuetype");
        Sys("parent", "Parent", "issuelink");
        Sys("issuelinks", "Linked Issues", "array", "issuelinks");
        Sys("updated", "Updated", "datetime");
        Sys("created", "Created", "datetime");
        Sys("priority", "Priority", "priority");
        Sys("assignee", "Assignee", "user");
        Sys("labels", "Labels", "array", "string");
        Sys("duedate", "Due date", "date");
        Sys("resolutiondate", "Resolved", "datetime");
        Custom(SprintField, "Sprint", "array", "json", "com.pyxis.greenhopper.jira:gh-sprint", 10020, "Sprint");
        Custom(PointsField, "Story point estimate", "number", null, "com.pyxis.greenhopper.jira:jsw-story-points", 10016, "Story point estimate");
        Custom(RankField, "Rank", "any", null, "com.pyxis.greenhopper.jira:gh-lexo-rank", 10019, "Rank");
        Custom("customfield_10014", "Epic Link", "any", null, "com.pyxis.greenhopper.jira:gh-epic-link", 10014, "Epic Link");
        Custom("customfield_10021", "Original story points", "number", null, "com.atlassian.jpo:jpo-custom-field-original-story-points", 10021, "Original story points");
        w.WriteEndArray();
    }

    private static void WriteLinkType(Utf8JsonWriter w, SimContext ctx, LinkKind kind)
    {
        w.WriteStartObject();
        if (kind == LinkKind.Blocks)
        {
            w.WriteString("id", "10000"); w.WriteString("name", "Blocks"); w.WriteString("inward", "is blocked by"); w.WriteString("outward", "blocks");
            w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issueLinkType/10000");
        }
        else
        {
            w.WriteString("id", "10003"); w.WriteString("name", "Relates"); w.WriteString("inward", "relates to"); w.WriteString("outward", "relates to");
            w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issueLinkType/10003");
        }
        w.WriteEndObject();
    }

    private static void WriteSprint(Utf8JsonWriter w, SimContext ctx, Sprint s, bool agile)
    {
        w.WriteStartObject();
        w.WriteNumber("id", s.JiraId);
        if (agile) w.WriteString("self", $"{ctx.JiraBase}/rest/agile/1.0/sprint/{s.JiraId}");
        w.WriteString("state", SimulatedOrganisation.SprintState2(s.State));
        w.WriteString("name", s.Name);
        w.WriteString("startDate", SimulatedOrganisation.Iso(s.Start));
        w.WriteString("endDate", SimulatedOrganisation.Iso(s.End));
        if (s.State == SprintState.Closed) w.WriteString("completeDate", SimulatedOrganisation.Iso(s.Complete));
        if (agile)
        {
            w.WriteString("createdDate", SimulatedOrganisation.Iso(s.CreatedAt));
            w.WriteNumber("originBoardId", s.Team.Board);
        }
        else w.WriteNumber("boardId", s.Team.Board);
        w.WriteString("goal", s.Ordinal % 3 == 0 ? $"Ship {s.Team.Name} increment {s.Number}" : "");
        w.WriteEndObject();
    }

    private static void WriteStatus(Utf8JsonWriter w, SimContext ctx, int code)
    {
        w.WriteStartObject();
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/status/{Statuses.JiraId[code]}");
        w.WriteString("description", "");
        w.WriteString("iconUrl", $"{ctx.JiraBase}/images/icons/statuses/generic.png");
        w.WriteString("name", Statuses.JiraName[code]);
        w.WriteString("untranslatedName", Statuses.JiraName[code]);
        w.WriteString("id", Statuses.JiraId[code]);
        w.WriteStartObject("statusCategory");
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/statuscategory/{Statuses.JiraCategoryId(code)}");
        w.WriteNumber("id", Statuses.JiraCategoryId(code));
        w.WriteString("key", Statuses.JiraCategoryKey(code));
        w.WriteString("colorName", Statuses.JiraCategoryColor(code));
        w.WriteString("name", Statuses.JiraCategoryName(code));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>An issue type as issues carry it; <c>/issuetype</c> adds <c>untranslatedName</c>.</summary>
    private static void WriteIssueType(Utf8JsonWriter w, SimContext ctx, ItemType t, bool untranslated = false)
    {
        w.WriteStartObject();
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issuetype/{Statuses.JiraTypeId(t)}");
        w.WriteString("id", Statuses.JiraTypeId(t));
        w.WriteString("description", "");
        w.WriteString("name", Statuses.JiraTypeName(t));
        if (untranslated) w.WriteString("untranslatedName", Statuses.JiraTypeName(t));
        w.WriteBoolean("subtask", false);
        w.WriteNumber("hierarchyLevel", t == ItemType.Epic ? 1 : 0);
        w.WriteEndObject();
    }

    private static void WritePriority(Utf8JsonWriter w, SimContext ctx, int p)
    {
        string[] names = ["Highest", "High", "Medium", "Low", "Lowest"];
        w.WriteStartObject();
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/priority/{p}");
        w.WriteString("name", names[Math.Clamp(p, 1, 5) - 1]);
        w.WriteString("id", p.ToString(CultureInfo.InvariantCulture));
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

    internal static void WriteIssue(Utf8JsonWriter w, SimContext ctx, Item it, FieldSet f)
    {
        var org = ctx.Org;
        int off = it.Team.OffsetMinutes;
        w.WriteStartObject();
        w.WriteString("expand", "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations");
        w.WriteString("id", Id(it));
        w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issue/{it.Id}");
        w.WriteString("key", it.Key);
        w.WriteStartObject("fields");
        if (f.Has("summary")) w.WriteString("summary", org.Title(it));
        if (f.Has("status")) { w.WritePropertyName("status"); WriteStatus(w, ctx, it.Status); }
        if (f.Has("issuetype")) { w.WritePropertyName("issuetype"); WriteIssueType(w, ctx, it.Type); }
        if (f.Has("parent") && it.Parent is { } p)
        {
            w.WriteStartObject("parent");
            w.WriteString("id", Id(p));
            w.WriteString("key", p.Key);
            w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issue/{p.Id}");
            w.WriteStartObject("fields");
            w.WriteString("summary", org.Title(p));
            w.WritePropertyName("status"); WriteStatus(w, ctx, p.Status);
            w.WritePropertyName("priority"); WritePriority(w, ctx, p.Priority);
            w.WritePropertyName("issuetype"); WriteIssueType(w, ctx, p.Type);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (f.Has("issuelinks"))
        {
            w.WriteStartArray("issuelinks");
            if (it.Links is not null)
                foreach (var li in it.Links)
                {
                    var l = org.LinkList[li];
                    if (l.CrossTracker) continue;
                    w.WriteStartObject();
                    w.WriteString("id", l.JiraId.ToString(CultureInfo.InvariantCulture));
                    w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/issueLink/{l.JiraId}");
                    w.WritePropertyName("type"); WriteLinkType(w, ctx, l.Kind);
                    if (l.From == it) { w.WritePropertyName("outwardIssue"); WriteLinkedIssue(w, ctx, org, l.To); }
                    else { w.WritePropertyName("inwardIssue"); WriteLinkedIssue(w, ctx, org, l.From); }
                    w.WriteEndObject();
                }
            w.WriteEndArray();
        }
        if (f.Has("updated")) w.WriteString("updated", Format(it.Updated, off));
        if (f.Has("created")) w.WriteString("created", Format(it.Created, off));
        if (f.Has("resolutiondate"))
        {
            if (Statuses.IsDone(it.Status)) w.WriteString("resolutiondate", Format(LastStatusChange(it), off));
            else w.WriteNull("resolutiondate");
        }
        if (f.Has("priority")) { w.WritePropertyName("priority"); WritePriority(w, ctx, it.Priority); }
        if (f.Has("assignee"))
        {
            if (it.Assignee >= 0)
            {
                var m = it.Team.Members[it.Assignee];
                w.WriteStartObject("assignee");
                w.WriteString("self", $"{ctx.JiraBase}/rest/api/3/user?accountId={m.AccountId}");
                w.WriteString("accountId", m.AccountId);
                w.WriteString("displayName", m.DisplayName);
                w.WriteBoolean("active", true);
                w.WriteString("accountType", "atlassian");
                w.WriteEndObject();
            }
            else w.WriteNull("assignee");
        }
        if (f.Has("labels"))
        {
            w.WriteStartArray("labels");
            if (it.Index % 7 == 0) w.WriteStringValue("customer");
            if (it.Type == ItemType.Bug) w.WriteStringValue("defect");
            w.WriteEndArray();
        }
        if (f.Has("duedate"))
        {
            if (it.Due is { } d) w.WriteString("duedate", d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); else w.WriteNull("duedate");
        }
        if (f.Has(PointsField))
        {
            if (it.Points >= 0) w.WriteNumber(PointsField, (double)it.Points); else w.WriteNull(PointsField);
        }
        if (f.Has(RankField)) w.WriteString(RankField, "0|i" + it.Rank.ToString("D5", CultureInfo.InvariantCulture) + ":");
        if (f.Has(SprintField))
        {
            if (it.JiraSprints is { Count: > 0 } ss)
            {
                w.WriteStartArray(SprintField);
                foreach (var s in ss.OrderBy(x => x.JiraId)) WriteSprint(w, ctx, s, agile: false);
                w.WriteEndArray();
            }
            else w.WriteNull(SprintField);
        }
        w.WriteEndObject();
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

    private readonly record struct History(Item Item, int EventIndex, long At);

    private static void WriteChangelogs(Utf8JsonWriter w, SimContext ctx, List<string> wanted, HashSet<string>? fieldIds, int max, int offset)
    {
        var org = ctx.Org;
        var items = new SortedDictionary<int, Item>();
        foreach (var k in wanted)
            if (Find(org, k) is { } it) items[it.Id] = it;
        var all = new List<History>();
        foreach (var it in items.Values)
            for (int i = 0; i < it.Events.Count; i++)
                if (fieldIds is null || fieldIds.Contains(FieldIdOf(it.Events[i].Kind)))
                    all.Add(new History(it, i, it.Events[i].At));
        all.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Item.Id != b.Item.Id ? a.Item.Id.CompareTo(b.Item.Id) : a.EventIndex.CompareTo(b.EventIndex));
        var page = all.Skip(offset).Take(max).ToList();
        w.WriteStartObject();
        w.WriteStartArray("issueChangeLogs");
        foreach (var group in page.GroupBy(h => h.Item))
        {
            var it = group.Key;
            var sprintsBefore = SprintSetsBefore(org, it);
            w.WriteStartObject();
            w.WriteString("issueId", Id(it));
            w.WriteStartArray("changeHistories");
            foreach (var h in group) WriteHistory(w, ctx, it, h.EventIndex, sprintsBefore);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (offset + page.Count < all.Count) w.WriteString("nextPageToken", EncodeToken(offset + page.Count));
        w.WriteEndObject();
    }

    private static string FieldIdOf(EvKind k) => k switch
    {
        EvKind.Sprint => SprintField,
        EvKind.Points => PointsField,
        EvKind.Status => "status",
        _ => "",
    };

    /// <summary>The sprint set (Jira ids, in order) before each event of the item.</summary>
    private static List<List<Sprint>> SprintSetsBefore(SimulatedOrganisation org, Item it)
    {
        var result = new List<List<Sprint>>(it.Events.Count + 1);
        var cur = new List<Sprint>();
        foreach (var ev in it.Events)
        {
            result.Add(cur);
            if (ev.Kind == EvKind.Sprint)
            {
                cur = [.. cur];
                if (ev.A >= 0) cur.Remove(org.Sprints[ev.A]);
                if (ev.B >= 0 && !cur.Contains(org.Sprints[ev.B])) cur.Add(org.Sprints[ev.B]);
            }
        }
        result.Add(cur);
        return result;
    }

    private static void WriteHistory(Utf8JsonWriter w, SimContext ctx, Item it, int i, List<List<Sprint>> sets)
    {
        var org = ctx.Org;
        var ev = it.Events[i];
        var m = it.Team.Members[(int)((uint)ev.Id % (uint)it.Team.Members.Count)];
        w.WriteStartObject();
        w.WriteString("id", ev.Id.ToString(CultureInfo.InvariantCulture));
        w.WriteStartObject("author");
        w.WriteString("accountId", m.AccountId);
        w.WriteString("displayName", m.DisplayName);
        w.WriteBoolean("active", true);
        w.WriteEndObject();
        w.WriteNumber("created", ev.At / 1000);
        w.WriteStartArray("items");
        w.WriteStartObject();
        switch (ev.Kind)
        {
            case EvKind.Sprint:
                w.WriteString("field", "Sprint");
                w.WriteString("fieldtype", "custom");
                w.WriteString("fieldId", SprintField);
                w.WriteString("from", string.Join(", ", sets[i].Select(s => s.JiraId)));
                w.WriteString("fromString", string.Join(", ", sets[i].Select(s => s.Name)));
                w.WriteString("to", string.Join(", ", sets[i + 1].Select(s => s.JiraId)));
                w.WriteString("toString", string.Join(", ", sets[i + 1].Select(s => s.Name)));
                break;
            case EvKind.Points:
                w.WriteString("field", "Story point estimate");
                w.WriteString("fieldtype", "custom");
                w.WriteString("fieldId", PointsField);
                w.WriteNull("from");
                if (ev.A >= 0) w.WriteString("fromString", ev.A.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("fromString");
                w.WriteNull("to");
                if (ev.B >= 0) w.WriteString("toString", ev.B.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("toString");
                break;
            case EvKind.Status:
                w.WriteString("field", "status");
                w.WriteString("fieldtype", "jira");
                w.WriteString("fieldId", "status");
                w.WriteString("from", Statuses.JiraId[ev.A]);
                w.WriteString("fromString", Statuses.JiraName[ev.A]);
                w.WriteString("to", Statuses.JiraId[ev.B]);
                w.WriteString("toString", Statuses.JiraName[ev.B]);
                break;
            case EvKind.Link:
                {
                    var l = org.LinkList[ev.A];
                    var other = l.From == it ? l.To : l.From;
                    string verb = l.Kind == LinkKind.Relates ? "relates to" : l.From == it ? "blocks" : "is blocked by";
                    w.WriteString("field", "Link");
                    w.WriteString("fieldtype", "jira");
                    w.WriteNull("from");
                    w.WriteNull("fromString");
                    w.WriteString("to", other.Key);
                    w.WriteString("toString", $"This issue {verb} {other.Key}");
                    break;
                }
            default:
                {
                    var l = org.LinkList[ev.A];
                    var other = l.From == it ? l.To : l.From;
                    w.WriteString("field", "RemoteIssueLink");
                    w.WriteString("fieldtype", "jira");
                    w.WriteNull("from");
                    w.WriteNull("fromString");
                    w.WriteString("to", (10_000 + l.Index).ToString(CultureInfo.InvariantCulture));
                    w.WriteString("toString", $"This issue links to \"{Statuses.AdoTypeName(other.Type, other.Team.Scrum)} {other.Id}: {org.Title(other)}\"");
                    break;
                }
        }
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
