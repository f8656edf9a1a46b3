using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Sync;

/// <summary>The payload fuzzing drill's planning: which requests exist per endpoint, and which of them each run mutates how.</summary>
public sealed partial class PayloadFuzzTests
{
    // ------------------------------------------------------------------ planning

    /// <summary>The distinct requests of the clean run per endpoint, each with the team it serves (null: the whole source).</summary>
    private Dictionary<Endpoint, List<Candidate>> Catalogue(IReadOnlyDictionary<(string, string), Row> clean)
    {
        var teams = _config["Teams"]!.AsArray().Select(t => t!.AsObject()).ToList();
        string? ByBoard(string board) => teams.FirstOrDefault(t => t["Jira"]?["Board"]?.ToString() == board)?["Id"]!.GetValue<string>();
        string? ByProject(string project) => teams.Where(t => t["Jira"]?["Project"]?.GetValue<string>() == project).Select(t => t["Id"]!.GetValue<string>()).SingleOrDefault();
        string? ByAdo(string project, string team) => teams.FirstOrDefault(t => t["AzureDevOps"]?["Project"]?.GetValue<string>() == project
                                                                            && t["AzureDevOps"]?["Team"]?.GetValue<string>() == team)?["Id"]!.GetValue<string>();
        string? ByItem(string source, string? id) => id is not null && clean.TryGetValue((source, id), out var row) ? row.Team : null;

        var byEndpoint = new Dictionary<Endpoint, List<Candidate>>();
        foreach (var r in _proxy.Seen.Values.OrderBy(r => r.Identity, StringComparer.Ordinal))
        {
            var e = Endpoints.FirstOrDefault(e => e.Pattern.IsMatch(r.PathAndQuery));
            if (e is null) continue;
            var team = e.Name switch
            {
                _ when e.Scope is Scope.Source or Scope.History => null,
                "jira board configuration" or "jira board sprints" => ByBoard(Regex.Match(r.PathAndQuery, @"board/(\d+)/").Groups[1].Value),
                "jira search/jql" => ByProject(Regex.Match(JsonNode.Parse(r.Body)!["jql"]!.GetValue<string>(), "project = \"([^\"]+)\"").Groups[1].Value),
                "jira issue/bulkfetch" or "jira changelog/bulkfetch" => ByItem("jira", FirstId(r.Body, "issueIdsOrKeys")),
                "jira remotelink" => ByItem("jira", Regex.Match(r.PathAndQuery, @"issue/([^/]+)/remotelink").Groups[1].Value),
                "ado workitemsbatch" => ByItem("ado", FirstId(r.Body, "ids")),
                _ => Regex.Match(r.PathAndQuery, @"/ado/[^/]+/([^/]+)/([^/]+)/_apis/") is { Success: true } m
                    ? ByAdo(Uri.UnescapeDataString(m.Groups[1].Value), Uri.UnescapeDataString(m.Groups[2].Value)) : null,
            };
            if (e.Scope is Scope.Team or Scope.Item && team is null) continue;
            (byEndpoint.TryGetValue(e, out var list) ? list : byEndpoint[e] = []).Add(new Candidate(e, r, team));
        }
        return byEndpoint;
    }

    private static string? FirstId(string body, string property) =>
        JsonNode.Parse(body)?[property] is JsonArray { Count: > 0 } a ? a[0]!.ToString() : null;

    /// <summary>
    /// One run's mutations, per source: usually one per team on different endpoints (so a team's outcome belongs to
    /// one mutation), plus the history stream, which is read after the teams; every few runs instead one mutation of an
    /// endpoint the whole source shares (deployment, fields, issue types, work item type states), alone.
    /// </summary>
    private static List<Planned> Plan(Dictionary<Endpoint, List<Candidate>> catalogue, int run, ref int kindCounter)
    {
        var rng = new Random(9000 + run);
        var plan = new List<Candidate>();
        foreach (var (source, every) in new[] { ("jira", 5), ("ado", 6) })
        {
            var shared = catalogue.Keys.Where(e => e.Source == source && e.Scope == Scope.Source).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
            if (run % every == every - 1 && shared.Count > 0)
            {
                var e = shared[run / every % shared.Count];
                plan.Add(catalogue[e][rng.Next(catalogue[e].Count)]);
                continue;
            }
            var used = new HashSet<string>();
            foreach (var e in catalogue.Keys.Where(e => e.Source == source && e.Scope is Scope.Team or Scope.Item).OrderBy(e => e.Name, StringComparer.Ordinal).OrderBy(_ => rng.Next()))
            {
                var free = catalogue[e].Where(c => !used.Contains(c.Team!)).ToList();
                if (free.Count == 0) continue;
                var pick = free[rng.Next(free.Count)];
                used.Add(pick.Team!);
                plan.Add(pick);
            }
            foreach (var e in catalogue.Keys.Where(e => e.Source == source && e.Scope == Scope.History))
                plan.Add(catalogue[e][rng.Next(catalogue[e].Count)]);
        }
        var planned = new List<Planned>();
        foreach (var c in plan)
        {
            var kind = Kinds[kindCounter++ % Kinds.Length];
            planned.Add(new Planned(c, new ArmedMutation(c.Request, kind, Seed(run, kindCounter, c.Request.Identity))));
        }
        return planned;
    }

    /// <summary>A stable seed (string.GetHashCode differs between processes).</summary>
    private static int Seed(int run, int counter, string identity)
    {
        var h = 2166136261u;
        foreach (var c in $"{run}/{counter}/{identity}") h = (h ^ c) * 16777619u;
        return (int)(h & 0x7fffffff);
    }
}
