using System.CommandLine;
using Alignment.Simulator;

namespace Alignment.DevTools.Cli;

/// <summary>
/// <c>alignment-dev simulate --hooks-jira-url … --hooks-ado-url …</c>: the simulator posts real-shaped webhook deliveries there when
/// <c>/_sim/advance</c> or <c>/_sim/move</c> changes items, with shares of duplicates, reordered and dropped deliveries (docs/webhooks.md).
/// </summary>
public static class SimulateHookOptions
{
    public static readonly Option<string?> JiraUrl = new("--hooks-jira-url") { Description = "Post Jira webhook deliveries here, e.g. http://127.0.0.1:5080/hooks/jira/jira" };
    public static readonly Option<string?> AdoUrl = new("--hooks-ado-url") { Description = "Post Azure DevOps service-hook deliveries here, e.g. http://127.0.0.1:5080/hooks/azure-devops/ado" };
    public static readonly Option<string?> Secret = new("--hooks-secret") { Description = "The sources' hook secret (Jira signs with it; Azure DevOps sends it in the header)" };
    public static readonly Option<string> Header = new("--hooks-ado-header") { Description = "The Azure DevOps subscription's secret header", DefaultValueFactory = _ => "X-Alignment-Hook" };
    public static readonly Option<double> Duplicates = new("--hooks-duplicates") { Description = "Share of deliveries sent twice", DefaultValueFactory = _ => 0 };
    public static readonly Option<double> Reorder = new("--hooks-reorder") { Description = "Share of deliveries swapped with the next", DefaultValueFactory = _ => 0 };
    public static readonly Option<double> Drop = new("--hooks-drop") { Description = "Share of deliveries never sent (the next poll heals them)", DefaultValueFactory = _ => 0 };

    public static IEnumerable<Option> All => [JiraUrl, AdoUrl, Secret, Header, Duplicates, Reorder, Drop];

    /// <summary>The simulator's hook options; null when neither URL is given.</summary>
    public static SimulatorHookOptions? From(ParseResult r)
    {
        var (jira, ado) = (r.GetValue(JiraUrl), r.GetValue(AdoUrl));
        if (jira is null && ado is null) return null;
        foreach (var (name, url) in new[] { ("--hooks-jira-url", jira), ("--hooks-ado-url", ado) })
            if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _)) throw new ConfigurationException($"{name}: '{url}' is not an absolute URL");
        var secret = r.GetValue(Secret);
        if (string.IsNullOrEmpty(secret)) throw new ConfigurationException("--hooks-secret: required with --hooks-jira-url or --hooks-ado-url");
        var shares = new[] { ("--hooks-duplicates", r.GetValue(Duplicates)), ("--hooks-reorder", r.GetValue(Reorder)), ("--hooks-drop", r.GetValue(Drop)) };
        foreach (var (name, share) in shares)
            if (share is < 0 or > 1) throw new ConfigurationException($"{name}: a share between 0 and 1");
        return new SimulatorHookOptions
        {
            JiraUrl = jira, AdoUrl = ado, Secret = secret, AdoHeader = r.GetValue(Header)!,
            DuplicateRate = shares[0].Item2, ReorderRate = shares[1].Item2, DropRate = shares[2].Item2,
        };
    }
}
