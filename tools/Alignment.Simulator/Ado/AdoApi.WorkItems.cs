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
        await ctx.Json(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", ids.Count);
            w.WriteStartArray("value");
            foreach (var id in ids)
            {
                if (org.AdoById.TryGetValue(id, out var it)) WriteWorkItem(w, ctx, it, fields, relations);
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

    private static void WriteFields(Utf8JsonWriter w, SimContext ctx, Item it, Snapshot s, int rev, Func<string, bool> want, bool identityRef)
    {
        var t = it.Team;
        if (want("System.Id")) w.WriteNumber("System.Id", it.Id);
        if (want("System.Rev")) w.WriteNumber("System.Rev", rev);
        if (want("System.AreaPath")) w.WriteString("System.AreaPath", t.AreaPath);
        if (want("System.TeamProject")) w.WriteString("System.TeamProject", t.Project);
        if (want("System.IterationPath")) w.WriteString("System.IterationPath", s.Iteration?.AdoPath ?? t.AreaPath);
        if (want("System.IterationId")) w.WriteNumber("System.IterationId", s.Iteration?.AdoNodeId ?? t.BacklogIterationNodeId);
        if (want("System.WorkItemType")) w.WriteString("System.WorkItemType", Statuses.AdoTypeName(it.Type, t.Scrum));
        if (want("System.State")) w.WriteString("System.State", Statuses.AdoStateFor(it.Type, s.Status, t.Scrum));
        if (want("System.Reason")) w.WriteString("System.Reason", s.Status switch { 0 or 1 => "New", 2 => "Implementation started", 3 => "Code complete and unit tests pass", 6 => "Removed from the backlog", _ => "Acceptance tests pass" });
        if (want("System.AssignedTo") && it.Assignee >= 0)
        {
            var m = t.Members[it.Assignee];
            if (identityRef)
            {
                w.WriteStartObject("System.AssignedTo");
                w.WriteString("displayName", m.DisplayName);
                w.WriteString("url", $"{ctx.AdoBase}/_apis/Identities/{m.Guid}");
                w.WriteString("id", m.Guid.ToString());
                w.WriteString("uniqueName", m.Email);
                w.WriteString("descriptor", "aad." + Convert.ToBase64String(m.Guid.ToByteArray()).TrimEnd('='));
                w.WriteEndObject();
            }
            else w.WriteString("System.AssignedTo", $"{m.DisplayName} <{m.Email}>");
        }
        if (want("System.CreatedDate")) w.WriteString("System.CreatedDate", SimulatedOrganisation.Iso(it.Created));
        if (want("System.ChangedDate")) w.WriteString("System.ChangedDate", SimulatedOrganisation.Iso(s.Changed));
        if (want("System.Title")) w.WriteString("System.Title", ctx.Org.Title(it));
        if (want("System.Parent") && it.Parent is { } p) w.WriteNumber("System.Parent", p.Id);
        if (want("Microsoft.VSTS.Common.BacklogPriority")) w.WriteNumber("Microsoft.VSTS.Common.BacklogPriority", 1000.0 + it.Rank * 10.5);
        if (want("Microsoft.VSTS.Common.Priority")) w.WriteNumber("Microsoft.VSTS.Common.Priority", it.Priority);
        if (want(EffortField(t.Scrum)) && s.Points >= 0 && it.Type is ItemType.Story or ItemType.Bug) w.WriteNumber(EffortField(t.Scrum), (double)s.Points);
        if (want("Microsoft.VSTS.Scheduling.TargetDate") && it.Due is { } due && it.Type is ItemType.Epic or ItemType.Feature)
            w.WriteString("Microsoft.VSTS.Scheduling.TargetDate", DateIso(due));
        if (want("Microsoft.VSTS.Common.ClosedDate") && Statuses.IsDone(s.Status))
        {
            long closed = it.Created;
            for (int i = Math.Min(rev - 1, it.Events.Count) - 1; i >= 0; i--)
                if (it.Events[i].Kind == EvKind.Status) { closed = it.Events[i].At; break; }
            w.WriteString("Microsoft.VSTS.Common.ClosedDate", SimulatedOrganisation.Iso(closed));
        }
        if (want("System.Tags") && (it.Index % 5 == 0 || it.Type == ItemType.Bug))
            w.WriteString("System.Tags", it.Type == ItemType.Bug ? "defect; customer" : "customer");
    }

    private static void WriteWorkItem(Utf8JsonWriter w, SimContext ctx, Item it, HashSet<string>? fields, bool relations)
    {
        var org = ctx.Org;
        var snap = new Snapshot(it.Points, it.Status, it.Iteration, it.Updated);
        w.WriteStartObject();
        w.WriteNumber("id", it.Id);
        w.WriteNumber("rev", it.Rev);
        w.WriteStartObject("fields");
        WriteFields(w, ctx, it, snap, it.Rev, f => fields is null ? f != "System.Rev" : fields.Contains(f), identityRef: true);
        w.WriteEndObject();
        if (relations)
        {
            w.WriteStartArray("relations");
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
        w.WriteString("url", ItemUrl(ctx, it.Id));
        w.WriteEndObject();
    }
}
