using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Jira metadata: server info, fields, statuses, issue types, issue link types, priorities.</summary>
internal static partial class JiraApi
{
    private static void MapServerInfo(WebApplication app, SimContext ctx, string v)
    {
        var org = ctx.Org;
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
    }

    /// <summary>The field, status and issue type lists of one platform API version.</summary>
    private static void MapMetadata(WebApplication app, SimContext ctx, string v)
    {
        app.MapGet($"/jira/rest/api/{v}/project/{{key}}/versions", (HttpContext http, string key) =>
            ctx.Org.Teams.Exists(t => t.Tracker == Tracker.Jira && string.Equals(t.Project, key, StringComparison.OrdinalIgnoreCase))
                ? ctx.Json(http, 200, w => ctx.Org.WriteProjectVersions(w, key.ToUpperInvariant(), ctx.JiraBase))
                : ctx.Json(http, 404, w =>
                {
                    w.WriteStartObject(); w.WriteStartArray("errorMessages"); w.WriteStringValue($"No project could be found with key '{key}'."); w.WriteEndArray();
                    w.WriteEndObject();
                }));
        app.MapGet($"/jira/rest/api/{v}/field", (HttpContext http) => ctx.Json(http, 200, w => WriteFields(w, ctx.Org.Options.Value)));
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
    }

    private static void MapIssueLinkTypes(WebApplication app, SimContext ctx)
    {
        app.MapGet("/jira/rest/api/3/issueLinkType", (HttpContext http) => ctx.Json(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("issueLinkTypes");
            WriteLinkType(w, ctx, LinkKind.Blocks);
            WriteLinkType(w, ctx, LinkKind.Relates);
            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    private static void WriteFields(Utf8JsonWriter w, bool value)
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
        if (value)
        {
            const string number = "com.atlassian.jira.plugin.system.customfieldtypes:float";
            Custom(BusinessValueField, "Business Value", "number", null, number, 10050, "Business Value");
            Custom(TimeCriticalityField, "Time Criticality", "option", null, "com.atlassian.jira.plugin.system.customfieldtypes:select", 10051, "Time Criticality");
            Custom(RiskReductionField, "Risk Reduction | Opportunity Enablement", "number", null, number, 10052, "Risk Reduction | Opportunity Enablement");
            Custom(JobSizeField, "Job Size", "number", null, number, 10053, "Job Size");
            Custom(BudgetField, "Budget", "number", null, number, 10054, "Budget");
        }
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
}
