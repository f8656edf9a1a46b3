using Alignment.Domain.Hooks;
using Alignment.Store.Hooks;

namespace Alignment.Application.Hooks;

/// <summary>
/// Which teams a burst of deliveries concerns, and which items to read again by id (docs/webhooks.md, "From delivery to teams"): an item the
/// store knows belongs to its stored team; a new one to the teams of its project (and is read by id when that is one team); a sprint to the
/// teams that share it, a board to its team. A delivery that names nothing of a configured team concerns no team (it is marked processed).
/// </summary>
public sealed record HookTargets(IReadOnlySet<string> Teams, IReadOnlyDictionary<string, IReadOnlyList<string>> ReRead, IReadOnlySet<string> FullTeams)
{
    public static async Task<HookTargets> ResolveAsync(HookDeliveryStore store, AlignmentOptions config, SourceOptions source,
        IReadOnlyList<PendingHookDelivery> due, CancellationToken ct)
    {
        var teams = config.TeamsOf(source.Id).ToList();
        var configured = teams.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        var ids = due.SelectMany(d => d.Delivery.ItemIds).Distinct().ToList();
        var keys = due.SelectMany(d => d.Delivery.ItemKeys).Distinct().ToList();
        var known = await store.ItemTeamsAsync(source.Id, ids, keys, ct);
        var byId = known.Where(k => k.TeamId is not null && configured.Contains(k.TeamId)).ToDictionary(k => k.ExternalId, k => k.TeamId!, StringComparer.Ordinal);
        var byKey = known.Where(k => k.TeamId is not null && configured.Contains(k.TeamId))
            .GroupBy(k => k.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (g.First().ExternalId, g.First().TeamId!), StringComparer.Ordinal);
        var sprintTeams = (await store.SprintTeamsAsync(source.Id, due.SelectMany(d => d.Delivery.SprintIds).Distinct().ToList(), ct))
            .Where(s => configured.Contains(s.TeamId)).ToLookup(s => s.SprintId, s => s.TeamId, StringComparer.Ordinal);

        var all = new HashSet<string>(StringComparer.Ordinal);
        var full = new HashSet<string>(StringComparer.Ordinal);
        var reRead = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var d in due.Select(p => p.Delivery))
        {
            var of = new HashSet<string>(StringComparer.Ordinal);
            var unknown = new List<string>();
            foreach (var id in d.ItemIds)
            {
                if (byId.TryGetValue(id, out var team)) Read(team, id);
                else unknown.Add(id);
            }
            foreach (var key in d.ItemKeys)
                if (byKey.TryGetValue(key, out var k) && !d.ItemIds.Contains(k.ExternalId)) Read(k.Item2, k.ExternalId);
            if (unknown.Count > 0)
            {
                var candidates = ByProject(teams, source, d.Projects);
                of.UnionWith(candidates);
                if (candidates.Count == 1 && !d.Deleted) foreach (var id in unknown) Read(candidates[0], id);
            }
            foreach (var sprint in d.SprintIds) of.UnionWith(sprintTeams[sprint]);
            foreach (var board in d.BoardIds)
                of.UnionWith(teams.Where(t => t.Jira?.Board.ToString(System.Globalization.CultureInfo.InvariantCulture) == board).Select(t => t.Id));
            all.UnionWith(of);
            if (d.Deleted) full.UnionWith(of);

            void Read(string team, string id)
            {
                of.Add(team);
                if (d.Deleted) return; // a deleted item cannot be read by id; the team's full read marks it
                if (!reRead.TryGetValue(team, out var list)) reRead[team] = list = [];
                if (!list.Contains(id)) list.Add(id);
            }
        }
        return new HookTargets(all, reRead.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value, StringComparer.Ordinal), full);
    }

    /// <summary>The teams of the named projects (Jira project key, Azure DevOps project name); without a project, every team of the source.</summary>
    private static List<string> ByProject(List<TeamOptions> teams, SourceOptions source, IReadOnlyList<string> projects)
    {
        if (projects.Count == 0) return teams.Select(t => t.Id).ToList();
        return teams.Where(t => projects.Any(p => string.Equals(p, source.Kind == TrackerKind.Jira ? t.Jira?.Project : t.AzureDevOps?.Project,
            StringComparison.OrdinalIgnoreCase))).Select(t => t.Id).ToList();
    }
}
