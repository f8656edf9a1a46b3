using System.Text.Json;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// The requests the trackers' documented page-size limits make unavoidable for an organisation, computed
/// from its shape (the simulator's ground truth), not from what the client did:
/// <list type="bullet">
/// <item>Jira, per source: <c>serverInfo</c> + the field list + the issue types (their untranslated names) = 3.</item>
/// <item>Jira, per team: board configuration 1 + ⌈sprints/50⌉ board-sprint pages (≥ 1)
///   + ⌈items/5000⌉ id-only <c>search/jql</c> pages (≥ 1) + ⌈items/100⌉ <c>issue/bulkfetch</c>
///   + ⌈items/1000⌉ <c>changelog/bulkfetch</c> (1000 issues per request; the 10,000-histories-per-page
///   limit is not counted) + one <c>remotelink</c> call per open item with a link to Azure DevOps.</item>
/// <item>Azure DevOps, per team: team field values 1 + team iterations 1 + ⌈items/20000⌉ WIQL (≥ 1)
///   + backlog configuration 1 + ⌈items/200⌉ <c>workitemsbatch</c> + one capacities call per dated
///   iteration (every simulated iteration is dated) + one team-days-off call per iteration whose capacity
///   has members + team settings 1 (the working days that turn capacity into days) when any has. Every
///   simulated team has at least four members in every iteration's capacity, so both are always needed
///   in the simulator: 2 × sprints + 1.</item>
/// <item>Azure DevOps, per project: ⌈revisions/1000⌉ <c>reporting/workitemrevisions</c> pages (≥ 1).
///   The revision count is the sum of each work item's <c>rev</c> (every revision, creation included),
///   read from the latest payloads the sync stored — a property of the organisation, not of the client's
///   requests; when a payload has no <c>rev</c> the item counts as one revision.</item>
/// <item>Work-item-type states: 0 — the simulated backlog configurations map every type.</item>
/// </list>
/// </summary>
public static class MinimumRequests
{
    public sealed record Breakdown(long Jira, long AzureDevOps)
    {
        public long Total => Jira + AzureDevOps;
    }

    /// <param name="truth">The simulator's <c>/_sim/truth</c> document.</param>
    /// <param name="adoRevisionsByProject">Revisions per Azure DevOps project (see the class comment).</param>
    public static Breakdown Compute(JsonElement truth, IReadOnlyDictionary<string, long> adoRevisionsByProject)
    {
        var teams = new Dictionary<string, (string Tracker, string Project)>(StringComparer.Ordinal);
        foreach (var t in truth.GetProperty("teams").EnumerateArray())
            teams[t.GetProperty("id").GetString()!] = (t.GetProperty("tracker").GetString()!, t.GetProperty("project").GetString() ?? "");

        var items = teams.Keys.ToDictionary(k => k, _ => 0L, StringComparer.Ordinal);
        var sprints = teams.Keys.ToDictionary(k => k, _ => 0L, StringComparer.Ordinal);
        var adoItemsByProject = new Dictionary<string, long>(StringComparer.Ordinal);
        var openJira = new Dictionary<string, string>(StringComparer.Ordinal); // open Jira item key → team
        foreach (var it in truth.GetProperty("items").EnumerateArray())
        {
            var team = it.GetProperty("team").GetString()!;
            items[team] = items.GetValueOrDefault(team) + 1;
            var tracker = it.GetProperty("tracker").GetString();
            if (tracker == "jira")
            {
                var category = it.GetProperty("statusCategory").GetString();
                if (!(DomainNames.TryParse<StatusCategory>(category, out var c) && c is StatusCategory.Done or StatusCategory.Removed)) openJira[it.GetProperty("key").GetString()!] = team;
            }
            else if (teams.TryGetValue(team, out var t))
                adoItemsByProject[t.Project] = adoItemsByProject.GetValueOrDefault(t.Project) + 1;
        }
        foreach (var s in truth.GetProperty("sprints").EnumerateArray())
        {
            var team = s.GetProperty("team").GetString()!;
            sprints[team] = sprints.GetValueOrDefault(team) + 1;
        }

        // Open Jira items that carry a remote link to Azure DevOps (one remotelink call each).
        var remote = new HashSet<string>(StringComparer.Ordinal);
        void Pair(JsonElement a, JsonElement b)
        {
            string ta = a.GetProperty("tracker").GetString()!, tb = b.GetProperty("tracker").GetString()!;
            if (ta == tb) return;
            var jira = ta == "jira" ? a : b;
            var key = jira.GetProperty("key").GetString()!;
            if (openJira.ContainsKey(key)) remote.Add(key);
        }
        foreach (var d in truth.GetProperty("dependencies").EnumerateArray()) Pair(d.GetProperty("dependent"), d.GetProperty("blocker"));
        foreach (var r in truth.GetProperty("relates").EnumerateArray()) Pair(r.GetProperty("a"), r.GetProperty("b"));

        long jiraTotal = 0, adoTotal = 0;
        if (teams.Values.Any(t => t.Tracker == "jira")) jiraTotal += 3; // serverInfo + field list + issue types
        foreach (var (id, t) in teams)
        {
            long n = items[id], sp = sprints[id];
            if (t.Tracker == "jira")
                jiraTotal += 1 + AtLeastOne(Pages(sp, 50)) + AtLeastOne(Pages(n, 5000)) + Pages(n, 100) + Pages(n, 1000);
            else
                adoTotal += 1 + 1 + AtLeastOne(Pages(n, 20_000)) + 1 + Pages(n, 200) + sp /* capacities */ + sp /* team days off */ + (sp > 0 ? 1 : 0) /* team settings */;
        }
        jiraTotal += remote.Count;
        foreach (var project in teams.Values.Where(t => t.Tracker != "jira").Select(t => t.Project).Distinct())
        {
            var revisions = adoRevisionsByProject.TryGetValue(project, out var r) && r > 0 ? r : adoItemsByProject.GetValueOrDefault(project);
            adoTotal += AtLeastOne(Pages(revisions, 1000));
        }
        return new Breakdown(jiraTotal, adoTotal);
    }

    private static long Pages(long n, long size) => (n + size - 1) / size;
    private static long AtLeastOne(long pages) => Math.Max(1, pages);
}
