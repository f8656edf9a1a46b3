using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Azure DevOps team settings: the settings and area of a team, its iterations, their capacities and days off.</summary>
internal static partial class AdoApi
{
    private static void MapTeamSettings(WebApplication app, SimContext ctx)
    {
        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings", (HttpContext http, string project, string team) =>
            WithTeam(http, ctx, project, team, t => ctx.Json(http, 200, w => WriteTeamSettings(w, ctx, t))));

        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings/teamfieldvalues", (HttpContext http, string project, string team) =>
            WithTeam(http, ctx, project, team, t => ctx.Json(http, 200, w => WriteTeamFieldValues(w, ctx, t))));
    }

    private static void MapIterations(WebApplication app, SimContext ctx)
    {
        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings/iterations", (HttpContext http, string project, string team) =>
            WithTeam(http, ctx, project, team, t =>
            {
                var tf = http.Request.Query["$timeframe"].ToString();
                if (tf.Length > 0 && !tf.Equals("current", StringComparison.OrdinalIgnoreCase))
                    return ctx.AdoError(http, 400, "The timeframe parameter only supports 'current'.", "InvalidArgumentValueException");
                return ctx.Json(http, 200, w =>
                {
                    var list = t.Sprints.Where(s => tf.Length == 0 || s.State == SprintState.Active).ToList();
                    w.WriteStartObject();
                    w.WriteNumber("count", list.Count);
                    w.WriteStartArray("value");
                    foreach (var s in list) WriteIteration(w, ctx, s);
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }));

        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings/iterations/{iterationId}", (HttpContext http, string project, string team, string iterationId) =>
            WithIteration(http, ctx, project, team, iterationId, (t, s) => ctx.Json(http, 200, w => WriteIteration(w, ctx, s))));

        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings/iterations/{iterationId}/capacities", (HttpContext http, string project, string team, string iterationId) =>
            WithIteration(http, ctx, project, team, iterationId, (t, s) => ctx.Json(http, 200, w => WriteCapacities(w, ctx, t, s))));

        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings/iterations/{iterationId}/teamdaysoff", (HttpContext http, string project, string team, string iterationId) =>
            WithIteration(http, ctx, project, team, iterationId, (t, s) => ctx.Json(http, 200, w => WriteTeamDaysOff(w, ctx, t, s))));
    }

    private static void WriteTeamSettings(Utf8JsonWriter w, SimContext ctx, Team t)
    {
        w.WriteStartObject();
        w.WriteStartObject("backlogIteration");
        w.WriteString("id", t.BacklogIterationId.ToString());
        w.WriteString("name", t.Name);
        w.WriteString("path", t.AreaPath);
        w.WriteString("url", $"{ctx.AdoBase}/{t.Project}/_apis/wit/classificationNodes/Iterations/{Uri.EscapeDataString(t.Name)}");
        w.WriteEndObject();
        w.WriteString("bugsBehavior", "asRequirements");
        w.WriteStartArray("workingDays");
        foreach (var d in new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }) w.WriteStringValue(d);
        w.WriteEndArray();
        w.WriteStartObject("backlogVisibilities");
        w.WriteBoolean("Microsoft.EpicCategory", true); w.WriteBoolean("Microsoft.FeatureCategory", true); w.WriteBoolean("Microsoft.RequirementCategory", true);
        w.WriteEndObject();
        w.WriteString("defaultIterationMacro", "@currentIteration");
        w.WriteString("url", $"{ctx.AdoBase}/{t.Project}/{Uri.EscapeDataString(t.Name)}/_apis/work/teamsettings");
        w.WriteEndObject();
    }

    private static void WriteTeamFieldValues(Utf8JsonWriter w, SimContext ctx, Team t)
    {
        w.WriteStartObject();
        w.WriteStartObject("field"); w.WriteString("referenceName", "System.AreaPath"); w.WriteString("url", $"{ctx.AdoBase}/_apis/wit/fields/System.AreaPath"); w.WriteEndObject();
        w.WriteString("defaultValue", t.AreaPath);
        w.WriteStartArray("values");
        w.WriteStartObject(); w.WriteString("value", t.AreaPath); w.WriteBoolean("includeChildren", true); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteString("url", $"{ctx.AdoBase}/{t.Project}/{Uri.EscapeDataString(t.Name)}/_apis/work/teamsettings/teamfieldvalues");
        w.WriteEndObject();
    }

    private static void WriteTeamDaysOff(Utf8JsonWriter w, SimContext ctx, Team t, Sprint s)
    {
        w.WriteStartObject();
        w.WriteStartArray("daysOff");
        foreach (var d in s.TeamDaysOff)
        {
            w.WriteStartObject(); w.WriteString("start", DateIso(d)); w.WriteString("end", DateIso(d)); w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("url", $"{ctx.AdoBase}/{t.Project}/{Uri.EscapeDataString(t.Name)}/_apis/work/teamsettings/iterations/{s.AdoId}/teamdaysoff");
        w.WriteEndObject();
    }

    private static void WriteIteration(Utf8JsonWriter w, SimContext ctx, Sprint s)
    {
        var now = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(ctx.Org.NowMs).UtcDateTime);
        // ADO derives the time frame from calendar dates.
        string tf = now > s.FinishDay ? "past" : now >= s.StartDay ? "current" : "future";
        w.WriteStartObject();
        w.WriteString("id", s.AdoId.ToString());
        w.WriteString("name", s.Name);
        w.WriteString("path", s.AdoPath);
        w.WriteStartObject("attributes");
        w.WriteString("startDate", DateIso(s.StartDay));
        w.WriteString("finishDate", DateIso(s.FinishDay));
        w.WriteString("timeFrame", tf);
        w.WriteEndObject();
        w.WriteString("url", $"{ctx.AdoBase}/{s.Team.Project}/{Uri.EscapeDataString(s.Team.Name)}/_apis/work/teamsettings/iterations/{s.AdoId}");
        w.WriteEndObject();
    }

    private static void WriteCapacities(Utf8JsonWriter w, SimContext ctx, Team t, Sprint s)
    {
        var r = new Random(ctx.Options.Seed ^ (s.Index * 7919 + 17));
        int totalPerDay = 0, totalDaysOff = 0;
        w.WriteStartObject();
        w.WriteStartArray("teamMembers");
        for (int m = 0; m < t.Members.Count; m++)
        {
            var mem = t.Members[m];
            int perDay = m == t.Members.Count - 1 && t.Members.Count > 5 ? 4 : 6;
            totalPerDay += perDay;
            w.WriteStartObject();
            w.WriteStartObject("teamMember");
            w.WriteString("displayName", mem.DisplayName);
            w.WriteString("url", $"{ctx.AdoBase}/_apis/Identities/{mem.Guid}");
            w.WriteString("id", mem.Guid.ToString());
            w.WriteString("uniqueName", mem.Email);
            w.WriteString("imageUrl", $"{ctx.AdoBase}/_api/_common/identityImage?id={mem.Guid}");
            w.WriteEndObject();
            w.WriteStartArray("activities");
            w.WriteStartObject(); w.WriteString("name", "Development"); w.WriteNumber("capacityPerDay", perDay); w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("daysOff");
            if (r.NextDouble() < 0.3)
            {
                var start = s.StartDay.AddDays(r.Next(0, 8));
                while (start.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) start = start.AddDays(1);
                var end = start.AddDays(r.Next(0, 3));
                if (end > s.FinishDay) end = s.FinishDay;
                if (start <= end)
                {
                    for (var d = start; d <= end; d = d.AddDays(1))
                        if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) totalDaysOff++;
                    w.WriteStartObject(); w.WriteString("start", DateIso(start)); w.WriteString("end", DateIso(end)); w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteString("url", $"{ctx.AdoBase}/{t.Project}/{Uri.EscapeDataString(t.Name)}/_apis/work/teamsettings/iterations/{s.AdoId}/capacities/{mem.Guid}");
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("totalCapacityPerDay", totalPerDay);
        w.WriteNumber("totalDaysOff", totalDaysOff);
        w.WriteEndObject();
    }
}
