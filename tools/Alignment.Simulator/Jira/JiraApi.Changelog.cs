using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Jira changelogs: <c>POST /rest/api/3/changelog/bulkfetch</c>, replayed from the item events.</summary>
internal static partial class JiraApi
{
    private static void MapChangelog(WebApplication app, SimContext ctx)
    {
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

    private readonly record struct History(Item Item, int EventIndex, long At);

    private static readonly JsonEncodedText IssueIdName = Name("issueId");
    private static readonly JsonEncodedText ChangeHistoriesName = Name("changeHistories");

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
            var f = ctx.Fragments.Of(group.Key);
            w.WriteStartObject();
            w.WriteRaw(IssueIdName, f[(int)IssueSlot.Id]);
            w.WriteStartArray(ChangeHistoriesName);
            foreach (var h in group) w.WriteRaw(f.History[h.EventIndex].Span);
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
            case EvKind.Sprint: WriteSprintChange(w, sets[i], sets[i + 1]); break;
            case EvKind.Points: WritePointsChange(w, ev); break;
            case EvKind.Status: WriteStatusChange(w, ev); break;
            case EvKind.Link: WriteLinkChange(w, org, it, ev); break;
            default: WriteRemoteLinkChange(w, org, it, ev); break;
        }
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteSprintChange(Utf8JsonWriter w, List<Sprint> before, List<Sprint> after)
    {
        w.WriteString("field", "Sprint");
        w.WriteString("fieldtype", "custom");
        w.WriteString("fieldId", SprintField);
        w.WriteString("from", string.Join(", ", before.Select(s => s.JiraId)));
        w.WriteString("fromString", string.Join(", ", before.Select(s => s.Name)));
        w.WriteString("to", string.Join(", ", after.Select(s => s.JiraId)));
        w.WriteString("toString", string.Join(", ", after.Select(s => s.Name)));
    }

    private static void WritePointsChange(Utf8JsonWriter w, Ev ev)
    {
        w.WriteString("field", "Story point estimate");
        w.WriteString("fieldtype", "custom");
        w.WriteString("fieldId", PointsField);
        w.WriteNull("from");
        if (ev.A >= 0) w.WriteString("fromString", ev.A.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("fromString");
        w.WriteNull("to");
        if (ev.B >= 0) w.WriteString("toString", ev.B.ToString(CultureInfo.InvariantCulture)); else w.WriteNull("toString");
    }

    private static void WriteStatusChange(Utf8JsonWriter w, Ev ev)
    {
        w.WriteString("field", "status");
        w.WriteString("fieldtype", "jira");
        w.WriteString("fieldId", "status");
        w.WriteString("from", Statuses.JiraId[ev.A]);
        w.WriteString("fromString", Statuses.JiraName[ev.A]);
        w.WriteString("to", Statuses.JiraId[ev.B]);
        w.WriteString("toString", Statuses.JiraName[ev.B]);
    }

    private static void WriteLinkChange(Utf8JsonWriter w, SimulatedOrganisation org, Item it, Ev ev)
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
    }

    private static void WriteRemoteLinkChange(Utf8JsonWriter w, SimulatedOrganisation org, Item it, Ev ev)
    {
        var l = org.LinkList[ev.A];
        var other = l.From == it ? l.To : l.From;
        w.WriteString("field", "RemoteIssueLink");
        w.WriteString("fieldtype", "jira");
        w.WriteNull("from");
        w.WriteNull("fromString");
        w.WriteString("to", (10_000 + l.Index).ToString(CultureInfo.InvariantCulture));
        w.WriteString("toString", $"This issue links to \"{Statuses.AdoTypeName(other.Type, other.Team.Scrum)} {other.Id}: {org.Title(other)}\"");
    }
}
