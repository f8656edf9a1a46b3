using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Azure DevOps Services REST 7.1 endpoints, under <c>/ado/simorg</c> (Agile process, project Finance).</summary>
internal static partial class AdoApi
{
    private const string Prefix = "/ado/simorg";
    private static string EffortField(bool scrum) => scrum ? "Microsoft.VSTS.Scheduling.Effort" : "Microsoft.VSTS.Scheduling.StoryPoints";

    [GeneratedRegex(@"^\s*SELECT\s+.+?\s+FROM\s+WorkItems\s+WHERE\s+(?<where>.+?)(?:\s+ORDER\s+BY\s+(?<order>.+?))?\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex WiqlRegex();

    [GeneratedRegex(@"\s+AND\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndRegex();

    [GeneratedRegex(@"^\[System\.TeamProject\]\s*=\s*(?:'(?<v>[^']*)'|(?<at>@project))$", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectClause();

    [GeneratedRegex(@"^\[System\.AreaPath\]\s*(?<op>UNDER|=)\s*'(?<v>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex AreaClause();

    [GeneratedRegex(@"^\[System\.ChangedDate\]\s*(?<op>>=|<=|>|<)\s*'(?<v>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex ChangedClause();

    [GeneratedRegex(@"^\[System\.Id\]\s*(?<op>>=|<=|>|<|=)\s*(?<v>\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex IdClause();

    [GeneratedRegex(@"^\[System\.WorkItemType\]\s*=\s*'(?<v>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex TypeClause();

    [GeneratedRegex(@"^\[(?<f>System\.Id|System\.ChangedDate)\](?:\s+(?<d>ASC|DESC))?$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderClause();

    public static void Map(WebApplication app, SimContext ctx)
    {
        var org = ctx.Org;

        app.MapPost(Prefix + "/{project}/{team}/_apis/wit/wiql", (HttpContext http, string project, string team) => Wiql(http, ctx, project, team));
        app.MapPost(Prefix + "/{project}/_apis/wit/wiql", (HttpContext http, string project) => Wiql(http, ctx, project, null));

        app.MapPost(Prefix + "/{project}/_apis/wit/workitemsbatch", async (HttpContext http, string project) =>
        {
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
        });

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

        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings", (HttpContext http, string project, string team) =>
            WithTeam(http, ctx, project, team, t => ctx.Json(http, 200, w =>
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
            })));

        app.MapGet(Prefix + "/{project}/{team}/_apis/work/teamsettings/teamfieldvalues", (HttpContext http, string project, string team) =>
            WithTeam(http, ctx, project, team, t => ctx.Json(http, 200, w =>
            {
                w.WriteStartObject();
                w.WriteStartObject("field"); w.WriteString("referenceName", "System.AreaPath"); w.WriteString("url", $"{ctx.AdoBase}/_apis/wit/fields/System.AreaPath"); w.WriteEndObject();
                w.WriteString("defaultValue", t.AreaPath);
                w.WriteStartArray("values");
                w.WriteStartObject(); w.WriteString("value", t.AreaPath); w.WriteBoolean("includeChildren", true); w.WriteEndObject();
                w.WriteEndArray();
                w.WriteString("url", $"{ctx.AdoBase}/{t.Project}/{Uri.EscapeDataString(t.Name)}/_apis/work/teamsettings/teamfieldvalues");
                w.WriteEndObject();
            })));

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
            WithIteration(http, ctx, project, team, iterationId, (t, s) => ctx.Json(http, 200, w =>
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
            })));

        app.MapGet(Prefix + "/{project}/_apis/wit/reporting/workitemrevisions", (HttpContext http, string project) =>
        {
            if (ProjectOf(ctx, project) is not { } p) return ProjectNotFound(http, ctx, project);
            return Revisions(http, ctx, p);
        });
    }

    private static readonly string[] Projects = ["Finance", "Platform"];

    private static string? ProjectOf(SimContext ctx, string project) =>
        Projects.FirstOrDefault(p => string.Equals(p, project, StringComparison.OrdinalIgnoreCase) && ctx.Org.Teams.Exists(t => t.Tracker == Tracker.Ado && t.Project == p));

    private static (string Name, string Color, string Category)[]? StatesOf(string type, bool scrum) => (scrum, type.ToLowerInvariant()) switch
    {
        (false, "epic" or "feature" or "user story" or "bug") => [("New", "b2b2b2", "Proposed"), ("Active", "007acc", "InProgress"), ("Resolved", "ff9d00", "Resolved"), ("Closed", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (false, "task") => [("New", "b2b2b2", "Proposed"), ("Active", "007acc", "InProgress"), ("Closed", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (true, "product backlog item" or "bug") => [("New", "b2b2b2", "Proposed"), ("Approved", "5688e0", "Proposed"), ("Committed", "007acc", "InProgress"), ("Done", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (true, "epic" or "feature") => [("New", "b2b2b2", "Proposed"), ("In Progress", "007acc", "InProgress"), ("Done", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        (true, "task") => [("To Do", "b2b2b2", "Proposed"), ("In Progress", "007acc", "InProgress"), ("Done", "339933", "Completed"), ("Removed", "ffffff", "Removed")],
        _ => null,
    };

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

    private static string ItemUrl(SimContext ctx, int id) => $"{ctx.AdoBase}/_apis/wit/workItems/{id}";

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

    private static async Task Wiql(HttpContext http, SimContext ctx, string project, string? team)
    {
        if (!IsProject(ctx, project)) { await ProjectNotFound(http, ctx, project); return; }
        if (team is not null && FindTeam(ctx, project, team) is null)
        { await ctx.AdoError(http, 404, $"VS800030: The team with id or name '{team}' does not exist.", "TeamNotFoundException"); return; }
        using var body = await SimContext.ReadBody(http);
        string query = body is not null && body.RootElement.TryGetProperty("query", out var q) ? q.GetString() ?? "" : "";
        bool timePrecision = string.Equals(http.Request.Query["timePrecision"], "true", StringComparison.OrdinalIgnoreCase);
        int top = int.TryParse(http.Request.Query["$top"], out var tp) && tp > 0 ? tp : int.MaxValue;
        var m = WiqlRegex().Match(query);
        if (!m.Success) { await Syntax(http, ctx, "Expecting 'SELECT ... FROM WorkItems WHERE ...'."); return; }

        bool hasProject = false;
        string? area = null; bool areaUnder = true;
        string? type = null;
        long changedLo = long.MinValue, changedHi = long.MaxValue; // [lo, hi)
        long idLo = long.MinValue, idHi = long.MaxValue; // [lo, hi]
        foreach (var raw in AndRegex().Split(m.Groups["where"].Value.Trim()))
        {
            var c = raw.Trim().TrimStart('(').TrimEnd(')').Trim();
            Match cm;
            if ((cm = ProjectClause().Match(c)).Success)
            {
                if (!cm.Groups["at"].Success && !string.Equals(cm.Groups["v"].Value, project, StringComparison.OrdinalIgnoreCase)) { await Syntax(http, ctx, $"TF51011: The specified project '{cm.Groups["v"].Value}' does not exist."); return; }
                hasProject = true;
            }
            else if ((cm = AreaClause().Match(c)).Success)
            {
                area = cm.Groups["v"].Value;
                areaUnder = cm.Groups["op"].Value.Equals("UNDER", StringComparison.OrdinalIgnoreCase);
            }
            else if ((cm = ChangedClause().Match(c)).Success)
            {
                var v = cm.Groups["v"].Value;
                bool hasTime = v.Contains('T', StringComparison.Ordinal) || v.Contains(':', StringComparison.Ordinal);
                if (hasTime && !timePrecision)
                { await ctx.AdoError(http, 400, "You cannot supply a time with the date when running a query using date precision. The error is caused by «[System.ChangedDate] " + cm.Groups["op"].Value + " '" + v + "'».", "WorkItemTrackingQueryDatePrecisionException"); return; }
                if (!DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
                { await Syntax(http, ctx, $"The string '{v}' is not a valid date."); return; }
                long ms = dto.ToUnixTimeMilliseconds();
                long unit = timePrecision ? 1 : 86_400_000;
                if (!timePrecision) ms -= ((ms % unit) + unit) % unit;
                switch (cm.Groups["op"].Value)
                {
                    case ">=": changedLo = Math.Max(changedLo, ms); break;
                    case ">": changedLo = Math.Max(changedLo, ms + unit); break;
                    case "<": changedHi = Math.Min(changedHi, ms); break;
                    default: changedHi = Math.Min(changedHi, ms + unit); break;
                }
            }
            else if ((cm = IdClause().Match(c)).Success)
            {
                long v = long.Parse(cm.Groups["v"].Value, CultureInfo.InvariantCulture);
                switch (cm.Groups["op"].Value)
                {
                    case ">": idLo = Math.Max(idLo, v + 1); break;
                    case ">=": idLo = Math.Max(idLo, v); break;
                    case "<": idHi = Math.Min(idHi, v - 1); break;
                    case "<=": idHi = Math.Min(idHi, v); break;
                    default: idLo = Math.Max(idLo, v); idHi = Math.Min(idHi, v); break;
                }
            }
            else if ((cm = TypeClause().Match(c)).Success) type = cm.Groups["v"].Value;
            else { await Syntax(http, ctx, $"The simulator does not support the clause «{c}»."); return; }
        }
        if (!hasProject) { await Syntax(http, ctx, "The simulator requires a [System.TeamProject] = '...' clause."); return; }
        bool byChanged = false, desc = false;
        if (m.Groups["order"].Success)
        {
            var om = OrderClause().Match(m.Groups["order"].Value.Trim());
            if (!om.Success) { await Syntax(http, ctx, "The simulator supports ORDER BY [System.Id] or [System.ChangedDate] only."); return; }
            byChanged = om.Groups["f"].Value.Equals("System.ChangedDate", StringComparison.OrdinalIgnoreCase);
            desc = om.Groups["d"].Value.Equals("DESC", StringComparison.OrdinalIgnoreCase);
        }

        List<Item> result;
        ctx.Org.Lock.EnterReadLock();
        try
        {
            IEnumerable<Item> q2 = ctx.Org.Items.Where(it => it.Tracker == Tracker.Ado && string.Equals(it.Team.Project, project, StringComparison.OrdinalIgnoreCase) && it.Id >= idLo && it.Id <= idHi);
            if (area is not null)
                q2 = q2.Where(it => areaUnder
                    ? it.Team.AreaPath.Equals(area, StringComparison.OrdinalIgnoreCase) || it.Team.AreaPath.StartsWith(area + "\\", StringComparison.OrdinalIgnoreCase) || area.Equals(it.Team.Project, StringComparison.OrdinalIgnoreCase)
                    : it.Team.AreaPath.Equals(area, StringComparison.OrdinalIgnoreCase));
            if (type is not null) q2 = q2.Where(it => Statuses.AdoTypeName(it.Type, it.Team.Scrum).Equals(type, StringComparison.OrdinalIgnoreCase));
            if (changedLo != long.MinValue || changedHi != long.MaxValue) q2 = q2.Where(it => it.Updated >= changedLo && it.Updated < changedHi);
            result = byChanged
                ? (desc ? q2.OrderByDescending(i => i.Updated).ThenByDescending(i => i.Id) : q2.OrderBy(i => i.Updated).ThenBy(i => i.Id)).ToList()
                : (desc ? q2.OrderByDescending(i => i.Id) : q2.OrderBy(i => i.Id)).ToList();
        }
        finally { ctx.Org.Lock.ExitReadLock(); }
        if (top < result.Count) result = result.Take(top).ToList();
        if (result.Count > ctx.Options.WiqlLimit)
        {
            await ctx.AdoError(http, 400, $"VS402337: The number of work items returned exceeds the size limit of {ctx.Options.WiqlLimit}. Change the query to return fewer work items.", "WorkItemTrackingQueryResultSizeLimitExceededException");
            return;
        }
        await ctx.Json(http, 200, w =>
        {
            w.WriteStartObject();
            w.WriteString("queryType", "flat");
            w.WriteString("queryResultType", "workItem");
            w.WriteString("asOf", SimulatedOrganisation.Iso(ctx.Org.NowMs));
            w.WriteStartArray("columns");
            w.WriteStartObject(); w.WriteString("referenceName", "System.Id"); w.WriteString("name", "ID"); w.WriteString("url", $"{ctx.AdoBase}/_apis/wit/fields/System.Id"); w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("sortColumns");
            w.WriteStartObject();
            w.WriteStartObject("field");
            w.WriteString("referenceName", byChanged ? "System.ChangedDate" : "System.Id");
            w.WriteString("name", byChanged ? "Changed Date" : "ID");
            w.WriteString("url", $"{ctx.AdoBase}/_apis/wit/fields/{(byChanged ? "System.ChangedDate" : "System.Id")}");
            w.WriteEndObject();
            w.WriteBoolean("descending", desc);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("workItems");
            foreach (var it in result)
            {
                w.WriteStartObject(); w.WriteNumber("id", it.Id); w.WriteString("url", ItemUrl(ctx, it.Id)); w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task Syntax(HttpContext http, SimContext ctx, string message) =>
        ctx.AdoError(http, 400, "TF51005: The query references a field or syntax that is not supported. " + message, "QuerySyntaxException");

    private static Task Revisions(HttpContext http, SimContext ctx, string project)
    {
        var q = http.Request.Query;
        int pageSize = int.TryParse(q["$maxPageSize"], out var mp) && mp > 0 ? Math.Min(mp, 1000) : 1000;
        bool latestOnly = string.Equals(q["includeLatestOnly"], "true", StringComparison.OrdinalIgnoreCase);
        bool identityRef = string.Equals(q["includeIdentityRef"], "true", StringComparison.OrdinalIgnoreCase);
        var fieldList = q["fields"].ToString();
        HashSet<string>? fields = fieldList.Length > 0 ? fieldList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
        int offset = 0;
        var token = q["continuationToken"].ToString();
        if (token.Length > 0)
        {
            try { offset = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture); }
            catch (FormatException) { return ctx.AdoError(http, 400, "The continuation token is not valid.", "InvalidContinuationTokenException"); }
        }
        return ctx.Json(http, 200, w =>
        {
            var log = ctx.Org.AdoRevisionLog;
            int i = Math.Clamp(offset, 0, log.Count), count = 0;
            w.WriteStartObject();
            w.WriteStartArray("values");
            for (; i < log.Count && count < pageSize; i++)
            {
                var (it, rev) = log[i];
                if (it.Team.Project != project || (latestOnly && rev != it.Rev)) continue;
                var snap = SnapshotAt(ctx.Org, it, rev);
                w.WriteStartObject();
                w.WriteNumber("id", it.Id);
                w.WriteNumber("rev", rev);
                w.WriteStartObject("fields");
                WriteFields(w, ctx, it, snap, rev, f => fields is null || fields.Contains(f) || f is "System.Id" or "System.Rev", identityRef);
                w.WriteEndObject();
                w.WriteEndObject();
                count++;
            }
            w.WriteEndArray();
            string next = Convert.ToBase64String(Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
            var qs = new List<string> { "api-version=7.1", "continuationToken=" + Uri.EscapeDataString(next) };
            if (fieldList.Length > 0) qs.Add("fields=" + Uri.EscapeDataString(fieldList));
            if (latestOnly) qs.Add("includeLatestOnly=true");
            if (identityRef) qs.Add("includeIdentityRef=true");
            if (q.ContainsKey("$maxPageSize")) qs.Add("$maxPageSize=" + pageSize.ToString(CultureInfo.InvariantCulture));
            w.WriteString("nextLink", $"{ctx.AdoBase}/{project}/_apis/wit/reporting/workitemrevisions?{string.Join('&', qs)}");
            w.WriteString("continuationToken", next);
            w.WriteBoolean("isLastBatch", i >= log.Count);
            w.WriteEndObject();
        });
    }
}
