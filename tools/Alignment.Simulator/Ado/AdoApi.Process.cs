using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Azure DevOps process metadata: the backlog configuration of a team and the states of a work item type.</summary>
internal static partial class AdoApi
{
    private static void MapProcess(WebApplication app, SimContext ctx)
    {
        app.MapGet(Prefix + "/{project}/{team}/_apis/work/backlogconfiguration", (HttpContext http, string project, string team) =>
            WithTeam(http, ctx, project, team, t => ctx.Json(http, 200, w => WriteBacklogConfiguration(w, t.Scrum))));

        app.MapGet(Prefix + "/{project}/_apis/wit/workitemtypes/{type}/states", (HttpContext http, string project, string type) =>
        {
            if (!IsProject(ctx, project)) return ProjectNotFound(http, ctx, project);
            var states = StatesOf(type, ProjectOf(ctx, project) == "Platform");
            if (states is null) return ctx.AdoError(http, 404, $"VS402323: Work item type {type} does not exist.", "WorkItemTypeNotFoundException");
            return ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteNumber("count", states.Length);
                w.WriteStartArray("value");
                foreach (var s in states)
                {
                    w.WriteStartObject(); w.WriteString("name", s.Name); w.WriteString("color", s.Color); w.WriteString("category", s.Category); w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
        });
    }

    private static (string Name, string Color, string Category)[]? StatesOf(string type, bool scrum) => (scrum, type.ToLowerInvariant()) switch
    {
        (false, "epic" or "feature" or "user story" or "bug") => [("New", "b2b2b2", "Proposed"), ("Active", "007acc", "InProgress"), ("Resolved", "ff9d00", "Resolved"), ("Closed", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (false, "task") => [("New", "b2b2b2", "Proposed"), ("Active", "007acc", "InProgress"), ("Closed", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (true, "product backlog item" or "bug") => [("New", "b2b2b2", "Proposed"), ("Approved", "5688e0", "Proposed"), ("Committed", "007acc", "InProgress"), ("Done", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (true, "epic" or "feature") => [("New", "b2b2b2", "Proposed"), ("In Progress", "007acc", "InProgress"), ("Done", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (true, "task") => [("To Do", "b2b2b2", "Proposed"), ("In Progress", "007acc", "InProgress"), ("Done", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        _ => null,
    };

    private static void WriteBacklogConfiguration(Utf8JsonWriter w, bool scrum)
    {
        w.WriteStartObject();
        w.WriteStartObject("backlogFields");
        w.WriteStartObject("typeFields");
        w.WriteString("Activity", "Microsoft.VSTS.Common.Activity");
        w.WriteString("ApplicationLaunchInstructions", "Microsoft.VSTS.Feedback.ApplicationLaunchInstructions");
        w.WriteString("ApplicationStartInformation", "Microsoft.VSTS.Feedback.ApplicationStartInformation");
        w.WriteString("ApplicationType", "Microsoft.VSTS.Feedback.ApplicationType");
        w.WriteString("Effort", EffortField(scrum));
        w.WriteString("Order", "Microsoft.VSTS.Common.BacklogPriority");
        w.WriteString("RemainingWork", "Microsoft.VSTS.Scheduling.RemainingWork");
        w.WriteEndObject();
        w.WriteEndObject();
        void Backlog(string name, string id, int rank, string type, string wiType)
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("id", id);
            w.WriteNumber("rank", rank);
            w.WriteString("type", type);
            w.WriteStartArray("workItemTypes");
            foreach (var wt in wiType.Split('|'))
            {
                w.WriteStartObject(); w.WriteString("name", wt); w.WriteString("url", ""); w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteStartArray("portfolioBacklogs");
        Backlog("Epics", "Microsoft.EpicCategory", 3, "portfolio", "Epic");
        Backlog("Features", "Microsoft.FeatureCategory", 2, "portfolio", "Feature");
        w.WriteEndArray();
        w.WritePropertyName("requirementBacklog");
        Backlog(scrum ? "Backlog items" : "Stories", "Microsoft.RequirementCategory", 1, "requirement", scrum ? "Product Backlog Item|Bug" : "User Story|Bug");
        w.WritePropertyName("taskBacklog");
        Backlog("Tasks", "Microsoft.TaskCategory", 0, "task", "Task");
        w.WriteStartArray("workItemTypeMappedStates");
        foreach (var type in new[] { "Epic", "Feature", scrum ? "Product Backlog Item" : "User Story", "Bug", "Task" })
        {
            w.WriteStartObject();
            w.WriteString("workItemTypeName", type);
            w.WriteStartObject("states");
            foreach (var (name, _, category) in StatesOf(type, scrum)!) w.WriteString(name, category);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("bugsBehavior", "asRequirements");
        w.WriteEndObject();
    }
}
