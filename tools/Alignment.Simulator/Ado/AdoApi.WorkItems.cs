using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Azure DevOps work items: <c>workitemsbatch</c>, and the field set it shares with the reporting revisions.</summary>
internal static partial class AdoApi
{
    private static void MapWorkItemsBatch(WebApplication app, SimContext ctx) =>
        app.MapPost(Prefix + "/{project}/_apis/wit/workitemsbatch", (HttpContext http, string project) => WorkItemsBatch(http, ctx, project));

    private static async Task WorkItemsBatch(HttpContext http, SimContext ctx, string project)
    {
        var org = ctx.Org;
        if (!IsProject(ctx, project)) { await ProjectNotFound(http, ctx, project); return; }
        using var body = await SimContext.ReadBody(http);
        if (body is null || !body.RootElement.TryGetProperty("ids", out var idsEl) || idsEl.ValueKind != JsonValueKind.Array)
        { await ctx.AdoError(http, 400, "VS403509: The request body must contain ids.", "ArgumentException"); return; }
        var root = body.RootElement;
        int n = idsEl.GetArrayLength();
        if (n > 200) { await ctx.AdoError(http, 400, $"VS403474: You requested {n} work items which exceeds the limit of 200", "WorkItemsBatchLimitExceededException"); return; }
        string expand = root.TryGetProperty("$expand", out var ex) && ex.ValueKind == JsonValueKind.String ? ex.GetString() ?? "None" : "None";
        HashSet<string>? fields = root.TryGetProperty("fields", out var fe) && fe.ValueKind == JsonValueKind.Array && fe.GetArrayLength() > 0
            ? fe.EnumerateArray().Select(e => e.GetString() ?? "").ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
        if (fields is not null && !string.Equals(expand, "None", StringComparison.OrdinalIgnoreCase))
        { await ctx.AdoError(http, 400, "The expand parameter can not be used with the fields parameter.", "ConflictingParametersException"); return; }
        bool relations = expand.Equals("Relations", StringComparison.OrdinalIgnoreCase) || expand.Equals("All", StringComparison.OrdinalIgnoreCase);
        bool omit = root.TryGetProperty("errorPolicy", out var ep) && string.Equals(ep.GetString(), "Omit", StringComparison.OrdinalIgnoreCase);
        var ids = idsEl.EnumerateArray().Select(e => e.TryGetInt32(out var v) ? v : -1).ToList();
        var missing = ctx.Read(() => ids.FirstOrDefault(i => !org.AdoById.ContainsKey(i), int.MinValue));
        if (!omit && missing != int.MinValue)
        { await ctx.AdoError(http, 404, $"TF401232: Work item {missing} does not exist, or you do not have permissions to read it.", "WorkItemUnauthorizedAccessException"); return; }
        var mask = new FieldMask(f => fields is null ? f != "System.Rev" : fields.Contains(f));
        await ctx.Json(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", ids.Count);
            w.WriteStartArray("value");
            foreach (var id in ids)
            {
                if (org.AdoById.TryGetValue(id, out var it)) WriteWorkItem(w, ctx, it, mask, relations);
                else w.WriteNullValue();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private readonly record struct Snapshot(int Points, int Status, Sprint? Iteration, long Changed);

    private static Snapshot SnapshotAt(SimulatedOrganisation org, Item it, int rev)
    {
        int pts = it.Points0, st = it.Status0;
        Sprint? iter = null;
        for (int i = 0; i < rev - 1 && i < it.Events.Count; i++)
        {
            var ev = it.Events[i];
            switch (ev.Kind)
            {
                case EvKind.Points: pts = ev.B; break;
                case EvKind.Status: st = ev.B; break;
                case EvKind.Sprint: iter = ev.B >= 0 ? org.Sprints[ev.B] : null; break;
            }
        }
        return new Snapshot(pts, st, iter, SimulatedOrganisation.RevisionTime(it, rev));
    }

    private static void WriteWorkItem(Utf8JsonWriter w, SimContext ctx, Item it, FieldMask fields, bool relations)
    {
        var f = ctx.Fragments.Of(it);
        w.WriteStartObject();
        w.WriteNumber(IdName, it.Id);
        w.WriteNumber(RevName, it.Rev);
        w.WriteStartObject(FieldsName);
        WriteFields(w, ctx, it, null, it.Rev, fields, identityRef: true);
        w.WriteEndObject();
        if (relations) w.WriteRaw(RelationsName, f[(int)Slot.Relations]);
        w.WriteRaw(UrlName, f[(int)Slot.Url]);
        w.WriteEndObject();
    }

    private static void WriteRelations(Utf8JsonWriter w, SimContext ctx, Item it)
    {
        var org = ctx.Org;
        w.WriteStartArray();
        void Rel(string rel, string url, string name, string? comment = null)
        {
            w.WriteStartObject();
            w.WriteString("rel", rel);
            w.WriteString("url", url);
            w.WriteStartObject("attributes");
            w.WriteBoolean("isLocked", false);
            w.WriteString("name", name);
            if (comment is not null) w.WriteString("comment", comment);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (it.Parent is { } p) Rel("System.LinkTypes.Hierarchy-Reverse", ItemUrl(ctx, p.Id), "Parent");
        if (it.Children is not null)
            foreach (var c in it.Children) Rel("System.LinkTypes.Hierarchy-Forward", ItemUrl(ctx, c.Id), "Child");
        if (it.Links is not null)
            foreach (var li in it.Links)
            {
                var l = org.LinkList[li];
                var other = l.From == it ? l.To : l.From;
                if (other.Tracker == Tracker.Jira)
                {
                    string comment = l.Kind == LinkKind.Relates ? "relates to" : l.From == it ? "blocks" : "depends on";
                    Rel("Hyperlink", $"{ctx.JiraBase}/browse/{other.Key}", "Hyperlink", comment);
                }
                else if (l.Kind == LinkKind.Relates) Rel("System.LinkTypes.Related", ItemUrl(ctx, other.Id), "Related");
                else if (l.From == it) Rel("System.LinkTypes.Dependency-Forward", ItemUrl(ctx, other.Id), "Successor");
                else Rel("System.LinkTypes.Dependency-Reverse", ItemUrl(ctx, other.Id), "Predecessor");
            }
        w.WriteEndArray();
    }
}
