using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>
/// Azure DevOps Services REST 7.1 endpoints, under <c>/ado/simorg</c> (Agile process, project Finance). The routes
/// live with their area: WIQL (<c>AdoApi.Wiql.cs</c>), work items (<c>AdoApi.WorkItems.cs</c>), process and backlog
/// configuration (<c>AdoApi.Process.cs</c>), team settings, iterations and capacity (<c>AdoApi.Iterations.cs</c>),
/// reporting revisions (<c>AdoApi.Reporting.cs</c>).
/// </summary>
internal static partial class AdoApi
{
    private const string Prefix = "/ado/simorg";
    private static string EffortField(bool scrum) => scrum ? "Microsoft.VSTS.Scheduling.Effort" : "Microsoft.VSTS.Scheduling.StoryPoints";

    /// <summary>Maps every Azure DevOps route, in the order the simulator has always registered them.</summary>
    public static void Map(WebApplication app, SimContext ctx)
    {
        MapWiql(app, ctx);
        MapWorkItemsBatch(app, ctx);
        MapProcess(app, ctx);
        MapTeamSettings(app, ctx);
        MapIterations(app, ctx);
        MapReporting(app, ctx);
    }

    private static readonly string[] Projects = ["Finance", "Platform"];

    private static string? ProjectOf(SimContext ctx, string project) =>
        Projects.FirstOrDefault(p => string.Equals(p, project, StringComparison.OrdinalIgnoreCase) && ctx.Org.Teams.Exists(t => t.Tracker == Tracker.Ado && t.Project == p));

    private static bool IsProject(SimContext ctx, string project) => ProjectOf(ctx, project) is not null;

    private static Task ProjectNotFound(HttpContext http, SimContext ctx, string project) =>
        ctx.AdoError(http, 404, $"TF200016: The following project does not exist: {project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.", "ProjectDoesNotExistWithNameException");

    private static Team? FindTeam(SimContext ctx, string project, string team) =>
        ctx.Org.Teams.Find(t => t.Tracker == Tracker.Ado && string.Equals(t.Project, project, StringComparison.OrdinalIgnoreCase) && (string.Equals(t.Name, team, StringComparison.OrdinalIgnoreCase) || string.Equals(t.Id, team, StringComparison.OrdinalIgnoreCase)));

    private static Task WithTeam(HttpContext http, SimContext ctx, string project, string team, Func<Team, Task> then)
    {
        if (!IsProject(ctx, project)) return ProjectNotFound(http, ctx, project);
        var t = FindTeam(ctx, project, team);
        if (t is null) return ctx.AdoError(http, 404, $"VS800030: The team with id or name '{team}' does not exist.", "TeamNotFoundException");
        return then(t);
    }

    private static Task WithIteration(HttpContext http, SimContext ctx, string project, string team, string iterationId, Func<Team, Sprint, Task> then) =>
        WithTeam(http, ctx, project, team, t =>
        {
            var s = Guid.TryParse(iterationId, out var g) ? ctx.Read(() => t.Sprints.Find(x => x.AdoId == g)) : null;
            if (s is null) return ctx.AdoError(http, 404, $"VS402322: The iteration {iterationId} does not exist for the team.", "IterationNotFoundException");
            return then(t, s);
        });

    private static string DateIso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z";

    private static string ItemUrl(SimContext ctx, int id) => $"{ctx.AdoBase}/_apis/wit/workItems/{id}";
}
