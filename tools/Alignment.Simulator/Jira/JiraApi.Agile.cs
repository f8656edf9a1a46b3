using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Jira Agile 1.0: board configuration, the sprints of a board, one sprint.</summary>
internal static partial class JiraApi
{
    private static void MapBoards(WebApplication app, SimContext ctx)
    {
        var org = ctx.Org;
        app.MapGet("/jira/rest/agile/1.0/board/{boardId:int}/configuration", (HttpContext http, int boardId) =>
        {
            var t = org.Teams.Find(x => x.Tracker == Tracker.Jira && x.Board == boardId);
            if (t is null) return ctx.JiraError(http, 404, $"Board {boardId} does not exist or you do not have permission to see it.");
            return ctx.Json(http, 200, w => WriteBoardConfiguration(w, ctx, t));
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
    }

    private static void MapSprints(WebApplication app, SimContext ctx)
    {
        var org = ctx.Org;
        app.MapGet("/jira/rest/agile/1.0/sprint/{sprintId:int}", (HttpContext http, int sprintId) =>
            ctx.Read(() => org.JiraSprintById.GetValueOrDefault(sprintId)) is { } s
                ? ctx.Json(http, 200, w => WriteSprint(w, ctx, s, agile: true))
                : ctx.JiraError(http, 404, "The requested sprint cannot be found."));
    }

    private static void WriteBoardConfiguration(Utf8JsonWriter w, SimContext ctx, Team t)
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
}
