using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Alignment.Simulator;

/// <summary>
/// Serves a round of the requests a sync sends to itself, again and again until the runtime stops compiling: tiering
/// the request pipeline, the JSON reader and the writers up happens before the first client, as on a tracker that has
/// been up for a while. Warm-up requests carry a token the gate knows: they are not counted and draw no faults.
/// </summary>
internal static class WarmUp
{
    /// <summary>What a warm-up did, for <c>/_sim/stats</c>; <see cref="Refused"/> counts answers that were not a success (none expected).</summary>
    public sealed record Report(int Rounds, double Seconds, int Refused);

    /// <summary>Organisations from this size on are warmed up by default: below it a run is short and compiling is not worth a head start.</summary>
    public const int DefaultFromItems = 20_000;

    private static readonly TimeSpan Settled = TimeSpan.FromSeconds(1);
    private const int MinimumRounds = 40;

    /// <summary>
    /// Between rounds: what the warm-up waits for is the runtime's tiering (call counts, timers, a background compiler),
    /// not CPU; pausing leaves the compiler a core and takes a fifth of the CPU for about the same time.
    /// </summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    /// <summary>Every this many rounds, one with requests as large as a sync's (their sorting and growing paths differ).</summary>
    private const int FullSizeEvery = 8;

    public static async Task<Report> ServeAsync(SimContext ctx, CancellationToken ct)
    {
        var (small, full) = ctx.Read(() => (Requests(ctx, fullSize: false), Requests(ctx, fullSize: true)));
        using var http = new HttpClient { BaseAddress = new Uri(ctx.Sim!.BaseUrl) };
        http.DefaultRequestHeaders.Add(SimContext.WarmUpHeader, ctx.WarmUpToken);
        var jira = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ctx.Options.JiraUser}:{ctx.Options.JiraToken}")));
        var ado = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($":{ctx.Options.AdoPat}")));
        var clock = Stopwatch.StartNew();
        long compiled = -1;
        var settledSince = TimeSpan.Zero;
        int round = 0, refused = 0;
        while (clock.Elapsed < ctx.Options.WarmUpLimit)
        {
            round++;
            foreach (var (method, url, body) in round % FullSizeEvery == 0 ? full : small)
            {
                using var request = new HttpRequestMessage(method, url);
                request.Headers.Authorization = url.StartsWith("/jira", StringComparison.Ordinal) ? jira : ado;
                if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) refused++; // warms an error path instead; an odd organisation may do that
                await response.Content.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
            }
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now != compiled) (compiled, settledSince) = (now, clock.Elapsed);
            else if (round >= MinimumRounds && clock.Elapsed - settledSince >= Settled) break;
            await Task.Delay(Pause, ct).ConfigureAwait(false);
        }
        return new Report(round, Math.Round(clock.Elapsed.TotalSeconds, 3), refused);
    }

    /// <summary>One of each request a sync sends, on the first team of each tracker, about the items with the most history.</summary>
    private static List<(HttpMethod Method, string Url, string? Body)> Requests(SimContext ctx, bool fullSize)
    {
        var list = new List<(HttpMethod, string, string?)> { (HttpMethod.Get, "/_sim/config", null) };
        if (ctx.Org.Teams.Find(t => t.Tracker == Tracker.Jira && t.Items.Count > 0) is { } j) list.AddRange(JiraRequests(ctx.Org, j, fullSize));
        if (ctx.Org.Teams.Find(t => t.Tracker == Tracker.Ado && t.Items.Count > 0) is { } a) list.AddRange(AdoRequests(a, ctx.Org.NowMs, fullSize));
        return list;
    }

    private static string Ids(Team t, int count) =>
        string.Join(',', t.Items.OrderByDescending(i => i.Events.Count).ThenBy(i => i.Id).Take(count).Select(i => i.Id.ToString(CultureInfo.InvariantCulture)));

    private static IEnumerable<(HttpMethod, string, string?)> JiraRequests(SimulatedOrganisation org, Team t, bool fullSize)
    {
        string fields = """["summary","status","issuetype","parent","issuelinks","updated","created","resolutiondate","priority","assignee","labels","duedate","customfield_10016","customfield_10019","customfield_10020"]""";
        var board = t.Board.ToString(CultureInfo.InvariantCulture);
        var linked = t.Items.Find(i => i.Links?.Exists(l => org.LinkList[l].CrossTracker) == true) ?? t.Items[0];
        yield return (HttpMethod.Get, "/jira/rest/api/2/serverInfo", null);
        yield return (HttpMethod.Get, "/jira/rest/api/3/field", null);
        yield return (HttpMethod.Get, "/jira/rest/api/3/status", null);
        yield return (HttpMethod.Get, "/jira/rest/api/3/issuetype", null);
        yield return (HttpMethod.Get, $"/jira/rest/agile/1.0/board/{board}/configuration", null);
        yield return (HttpMethod.Get, $"/jira/rest/agile/1.0/board/{board}/sprint?state=active%2Cclosed%2Cfuture&startAt=0&maxResults=50", null);
        if (t.Sprints.Count > 0) yield return (HttpMethod.Get, $"/jira/rest/agile/1.0/sprint/{t.Sprints[0].JiraId.ToString(CultureInfo.InvariantCulture)}", null);
        yield return (HttpMethod.Get, $"/jira/rest/api/3/issue/{linked.Id.ToString(CultureInfo.InvariantCulture)}/remotelink", null);
        yield return (HttpMethod.Post, "/jira/rest/api/3/search/jql", $$"""{"jql":"project = \"{{t.Key}}\" ORDER BY id ASC","fields":["id"],"maxResults":5000}""");
        yield return (HttpMethod.Post, "/jira/rest/api/3/issue/bulkfetch", $$"""{"issueIdsOrKeys":[{{Ids(t, fullSize ? 100 : 10)}}],"fields":{{fields}}}""");
        yield return (HttpMethod.Post, "/jira/rest/api/3/changelog/bulkfetch", $$"""{"issueIdsOrKeys":[{{Ids(t, fullSize ? 1000 : 10)}}],"maxResults":10000}""");
    }

    private static IEnumerable<(HttpMethod, string, string?)> AdoRequests(Team t, long now, bool fullSize)
    {
        string team = $"/ado/simorg/{Uri.EscapeDataString(t.Project)}/{Uri.EscapeDataString(t.Name)}/_apis/work";
        string project = $"/ado/simorg/{Uri.EscapeDataString(t.Project)}/_apis/wit";
        string wiql = $"SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = '{t.Project}' AND [System.AreaPath] UNDER '{t.AreaPath}'"
            + $" AND [System.ChangedDate] >= '2000-01-01T00:00:00.000Z' AND [System.ChangedDate] < '{SimulatedOrganisation.Iso(now)}' ORDER BY [System.Id]";
        yield return (HttpMethod.Get, $"{team}/backlogconfiguration?api-version=7.1", null);
        yield return (HttpMethod.Get, $"{project}/workitemtypes/Bug/states?api-version=7.1", null);
        yield return (HttpMethod.Get, $"{team}/teamsettings?api-version=7.1", null);
        yield return (HttpMethod.Get, $"{team}/teamsettings/teamfieldvalues?api-version=7.1", null);
        yield return (HttpMethod.Get, $"{team}/teamsettings/iterations?api-version=7.1", null);
        if (t.Sprints.Count > 0)
        {
            var it = $"{team}/teamsettings/iterations/{t.Sprints[0].AdoId}";
            yield return (HttpMethod.Get, $"{it}/capacities?api-version=7.1", null);
            yield return (HttpMethod.Get, $"{it}/teamdaysoff?api-version=7.1", null);
        }
        yield return (HttpMethod.Post, $"/ado/simorg/{Uri.EscapeDataString(t.Project)}/{Uri.EscapeDataString(t.Name)}/_apis/wit/wiql?api-version=7.1&timePrecision=true",
            $$"""{"query":"{{wiql.Replace("\\", "\\\\", StringComparison.Ordinal)}}"}""");
        yield return (HttpMethod.Post, $"{project}/workitemsbatch?api-version=7.1", $$"""{"ids":[{{Ids(t, fullSize ? 200 : 20)}}],"$expand":"Relations","errorPolicy":"Omit"}""");
        yield return (HttpMethod.Get, $"{project}/reporting/workitemrevisions?api-version=7.1&$maxPageSize={(fullSize ? 1000 : 100)}&fields=System.Id,System.Rev,System.ChangedDate,System.WorkItemType,System.State,System.IterationPath,System.AreaPath", null);
    }
}
