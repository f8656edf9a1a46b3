using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>
/// A small Jira Cloud site on WireMock.Net in the real REST shapes (TRACKER-APIS.md Part 1): serverInfo,
/// field list, board configuration and sprints, statuses, search/jql with nextPageToken pages,
/// issue/bulkfetch and changelog/bulkfetch. Issues live in <see cref="Issues"/> and can be changed
/// between syncs; <see cref="Fail"/> injects faults into the next requests to a path.
/// </summary>
public sealed partial class JiraStub : IDisposable
{
    public sealed record Issue(int Id, string Key, string Summary)
    {
        public string Type { get; init; } = "Story";
        public int HierarchyLevel { get; init; }
        public string Category { get; init; } = "new";
        public double? Points { get; init; } = 3;
        public int[] Sprints { get; init; } = [];
        public string? ParentKey { get; init; }
        public int? ParentId { get; init; }
        public DateTimeOffset Updated { get; init; } = new(2026, 2, 27, 10, 0, 0, TimeSpan.FromHours(1));
        /// <summary>Issue links as Jira shows them on this issue: (link id, "outward"/"inward", other issue).</summary>
        public (string LinkId, string Side, int OtherId, string OtherKey)[] Links { get; init; } = [];
        /// <summary>Rewrites this issue's JSON as served (odd values, real-world oddities).</summary>
        public Func<string, string>? Mutate { get; init; }
    }

    public enum FaultKind { TooManyRequests, ServerError, Truncated }

    private readonly ConcurrentDictionary<string, ConcurrentQueue<FaultKind>> _faults = new();

    public JiraStub(int searchPageSize = 2)
    {
        SearchPageSize = searchPageSize;
        Server = WireMockServer.Start();
        Url = Server.Url! + "/jira";
        Map();
    }

    public WireMockServer Server { get; }
    public string Url { get; }
    public int SearchPageSize { get; }
    public List<Issue> Issues { get; } = [];
    public List<string> Jqls { get; } = [];

    public void Fail(string path, params FaultKind[] faults)
    {
        var q = _faults.GetOrAdd(path, _ => new ConcurrentQueue<FaultKind>());
        foreach (var f in faults) q.Enqueue(f);
    }

    public int Requests(string path) => Server.LogEntries.Count(e => e.RequestMessage.Path == "/jira" + path);

    private void Map()
    {
        Get("/rest/api/2/serverInfo", () => """{"baseUrl":"https://pay.atlassian.net","version":"1001.0.0-SNAPSHOT","versionNumbers":[1001,0,0],"deploymentType":"Cloud","buildNumber":100289,"serverTitle":"Jira"}""");
        Get("/rest/api/3/field", () => """
            [{"id":"summary","key":"summary","name":"Summary","custom":false,"schema":{"type":"string","system":"summary"}},
             {"id":"customfield_10020","key":"customfield_10020","name":"Sprint","custom":true,"schema":{"type":"array","items":"json","custom":"com.pyxis.greenhopper.jira:gh-sprint","customId":10020}},
             {"id":"customfield_10016","key":"customfield_10016","name":"Story point estimate","custom":true,"schema":{"type":"number","custom":"com.pyxis.greenhopper.jira:jsw-story-points","customId":10016}},
             {"id":"customfield_10019","key":"customfield_10019","name":"Rank","custom":true,"schema":{"type":"any","custom":"com.pyxis.greenhopper.jira:gh-lexo-rank","customId":10019}}]
            """);
        Get("/rest/api/3/status", () => """
            [{"id":"10000","name":"Te doen","statusCategory":{"id":2,"key":"new","name":"To Do"}},
             {"id":"3","name":"In uitvoering","statusCategory":{"id":4,"key":"indeterminate","name":"In Progress"}},
             {"id":"10001","name":"Gereed","statusCategory":{"id":3,"key":"done","name":"Done"}}]
            """);
        Get("/rest/agile/1.0/board/12/configuration", () => """
            {"id":12,"name":"PAY board","type":"scrum","filter":{"id":"10001"},"location":{"type":"project","key":"PAY"},
             "columnConfig":{"columns":[{"name":"To Do","statuses":[{"id":"10000"}]},{"name":"Done","statuses":[{"id":"10001"}]}]},
             "estimation":{"type":"field","field":{"fieldId":"customfield_10016","displayName":"Story point estimate"}},
             "ranking":{"rankCustomFieldId":10019}}
            """);
        Get("/rest/agile/1.0/board/12/sprint", () => SprintListJson ?? $$"""{"maxResults":50,"startAt":0,"isLast":true,"values":[{{Sprint(1)}},{{Sprint(2)}}]}""");
        Get("/rest/agile/1.0/board/13/sprint", () => """{"maxResults":50,"startAt":0,"isLast":true,"values":[]}""");
        Get("/rest/agile/1.0/board/13/configuration", () => """
            {"id":13,"name":"OPS board","type":"scrum","estimation":{"type":"field","field":{"fieldId":"customfield_10016","displayName":"Story point estimate"}},"ranking":{"rankCustomFieldId":10019}}
            """);
        Server.Given(Request.Create().WithPath("/jira/rest/api/3/issuetype").UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => IssueTypesJson is { } types ? Message(200, types) : Message(404, """{"errorMessages":["Not found"]}""")));
        Get("/rest/agile/1.0/sprint/1", () => Sprint(1));
        Get("/rest/agile/1.0/sprint/2", () => Sprint(2));

        Post("/rest/api/3/search/jql", body =>
        {
            using var doc = JsonDocument.Parse(body);
            var jql = doc.RootElement.GetProperty("jql").GetString()!;
            lock (Jqls) Jqls.Add(jql);
            var project = ProjectClause().Match(jql);
            if (!project.Success) return (400, """{"errorMessages":["Unbounded JQL queries are not allowed here."],"errors":{}}""");
            var since = UpdatedClause().Match(jql) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : long.MinValue;
            var ids = Snapshot().Where(i => i.Key.StartsWith(project.Groups[1].Value + "-", StringComparison.Ordinal)
                                             && i.Updated.ToUnixTimeMilliseconds() >= since)
                .Select(i => i.Id).Order().ToList();
            var offset = doc.RootElement.TryGetProperty("nextPageToken", out var t) ? int.Parse(t.GetString()!, CultureInfo.InvariantCulture) : 0;
            var page = ids.Skip(offset).Take(SearchPageSize).ToList();
            var next = offset + page.Count < ids.Count ? $"\"nextPageToken\":\"{offset + page.Count}\"," : "";
            return (200, $$"""{"issues":[{{string.Join(",", page.Select(i => $$"""{"id":"{{i}}"}"""))}}],{{next}}"isLast":{{(next.Length == 0 ? "true" : "false")}}}""");
        });
        Post("/rest/api/3/issue/bulkfetch", body =>
        {
            using var doc = JsonDocument.Parse(body);
            var wanted = doc.RootElement.GetProperty("issueIdsOrKeys").EnumerateArray().Select(e => e.GetString()).ToHashSet();
            if (wanted.Count > 100) return (400, """{"errorMessages":["At most 100 issues."],"errors":{}}""");
            var issues = Snapshot().Where(i => wanted.Contains(i.Id.ToString(CultureInfo.InvariantCulture))).OrderBy(i => i.Id).Select(IssueJson);
            return (200, $$"""{"issues":[{{string.Join(",", issues)}}],"issueErrors":[]}""");
        });
        Post("/rest/api/3/changelog/bulkfetch", body =>
        {
            using var doc = JsonDocument.Parse(body);
            var wanted = doc.RootElement.GetProperty("issueIdsOrKeys").EnumerateArray().Select(e => e.GetString()).ToHashSet();
            var logs = Snapshot().Where(i => wanted.Contains(i.Id.ToString(CultureInfo.InvariantCulture)) && i.Sprints.Length > 0)
                .Select(i => $$"""
                    {"issueId":"{{i.Id}}","changeHistories":[{"id":"{{i.Id}}01","author":{"accountId":"a1","displayName":"Ann"},"created":1771840800,
                      "items":[{"field":"Sprint","fieldtype":"custom","fieldId":"customfield_10020","from":"","fromString":"","to":"{{string.Join(", ", i.Sprints)}}","toString":"sprints"}]}]}
                    """);
            return (200, $$"""{"issueChangeLogs":[{{string.Join(",", logs)}}]}""");
        });
    }

    private List<Issue> Snapshot() { lock (Issues) return Issues.ToList(); }

    private static string Sprint(int id) => id == 1
        ? """{"id":1,"self":"https://pay.atlassian.net/rest/agile/1.0/sprint/1","state":"closed","name":"PAY Sprint 1","startDate":"2026-02-02T09:00:00.000Z","endDate":"2026-02-16T09:00:00.000Z","completeDate":"2026-02-16T10:00:00.000Z","createdDate":"2026-01-30T09:00:00.000Z","originBoardId":12,"goal":"Payments v1"}"""
        : """{"id":2,"self":"https://pay.atlassian.net/rest/agile/1.0/sprint/2","state":"active","name":"PAY Sprint 2","startDate":"2026-02-16T09:00:00.000Z","endDate":"2026-03-02T09:00:00.000Z","createdDate":"2026-02-10T09:00:00.000Z","originBoardId":12,"goal":""}""";

    private string IssueJson(Issue i) => i.Mutate is { } mutate ? mutate(PlainIssueJson(i)) : PlainIssueJson(i);

    /// <summary>Issue types as <c>/rest/api/3/issuetype</c> answers, with untranslated names; null: not served (404).</summary>
    public string? IssueTypesJson { get; set; }

    /// <summary>The board's sprint list as served (null: the two standard sprints).</summary>
    public string? SprintListJson { get; set; }

    private string PlainIssueJson(Issue i)
    {
        var (statusId, statusName) = i.Category switch { "done" => ("10001", "Gereed"), "indeterminate" => ("3", "In uitvoering"), _ => ("10000", "Te doen") };
        var links = string.Join(",", i.Links.Select(l => $$"""
            {"id":"{{l.LinkId}}","self":"https://pay.atlassian.net/rest/api/3/issueLink/{{l.LinkId}}","type":{"id":"10000","name":"Blocks","inward":"is blocked by","outward":"blocks"},
             "{{l.Side}}Issue":{"id":"{{l.OtherId}}","key":"{{l.OtherKey}}","self":"https://pay.atlassian.net/rest/api/3/issue/{{l.OtherId}}","fields":{"summary":"other","status":{"name":"Te doen","id":"10000","statusCategory":{"id":2,"key":"new"} },"issuetype":{"id":"10001","name":"Story","subtask":false,"hierarchyLevel":0} } } }
            """));
        var parent = i.ParentKey is null ? "" : $$"""
            "parent":{"id":"{{i.ParentId}}","key":"{{i.ParentKey}}","self":"https://pay.atlassian.net/rest/api/3/issue/{{i.ParentId}}","fields":{"summary":"Epic","status":{"name":"In uitvoering","id":"3","statusCategory":{"id":4,"key":"indeterminate"} },"issuetype":{"id":"10000","name":"Epic","subtask":false,"hierarchyLevel":1} } },
            """;
        var sprints = i.Sprints.Length == 0 ? "null" : "[" + string.Join(",", i.Sprints.Select(s => s == 1
            ? """{"id":1,"name":"PAY Sprint 1","state":"closed","boardId":12,"goal":"Payments v1","startDate":"2026-02-02T09:00:00.000Z","endDate":"2026-02-16T09:00:00.000Z","completeDate":"2026-02-16T10:00:00.000Z"}"""
            : """{"id":2,"name":"PAY Sprint 2","state":"active","boardId":12,"goal":"","startDate":"2026-02-16T09:00:00.000Z","endDate":"2026-03-02T09:00:00.000Z"}""")) + "]";
        return $$"""
            {"expand":"","id":"{{i.Id}}","self":"https://pay.atlassian.net/rest/api/3/issue/{{i.Id}}","key":"{{i.Key}}","fields":{
              "summary":{{JsonSerializer.Serialize(i.Summary)}},
              "status":{"self":"https://pay.atlassian.net/rest/api/3/status/{{statusId}}","name":"{{statusName}}","id":"{{statusId}}","statusCategory":{"id":2,"key":"{{i.Category}}","colorName":"blue-gray","name":"x"} },
              "issuetype":{"id":"1000{{i.HierarchyLevel}}","name":"{{i.Type}}","subtask":false,"hierarchyLevel":{{i.HierarchyLevel}}},
              {{parent}}
              "issuelinks":[{{links}}],
              "created":"2026-02-01T09:00:00.000+0800",
              "updated":"{{i.Updated.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture)}}{{(i.Updated.Offset < TimeSpan.Zero ? "-" : "+")}}{{i.Updated.Offset:hhmm}}",
              "resolutiondate":null,"priority":{"name":"Medium","id":"3"},"assignee":{"accountId":"a1","displayName":"Ann"},"labels":["pmo"],"duedate":null,
              "customfield_10016":{{(i.Points is { } p ? p.ToString("0.0", CultureInfo.InvariantCulture) : "null")}},
              "customfield_10019":"0|i{{i.Id:00000}}:",
              "customfield_10020":{{sprints}}
            } }
            """;
    }

    private void Get(string path, Func<string> body) =>
        Server.Given(Request.Create().WithPath("/jira" + path).UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Answer(path, () => (200, body()))));

    private void Post(string path, Func<string, (int, string)> answer) =>
        Server.Given(Request.Create().WithPath("/jira" + path).UsingPost())
            .RespondWith(Response.Create().WithCallback(req => Answer(path, () => answer(req.Body ?? "{}"))));

    /// <summary>Called with the path before each answer, on the request's thread (e.g. to hold a request until a test releases it).</summary>
    public Action<string>? BeforeAnswer { get; set; }

    private ResponseMessage Answer(string path, Func<(int Status, string Body)> answer)
    {
        BeforeAnswer?.Invoke(path);
        if (_faults.TryGetValue(path, out var q) && q.TryDequeue(out var fault))
        {
            switch (fault)
            {
                case FaultKind.TooManyRequests:
                    var busy = Message(429, """{"errorMessages":["Rate limit exceeded."]}""");
                    busy.AddHeader("Retry-After", "1");
                    return busy;
                case FaultKind.ServerError:
                    return Message(500, """{"errorMessages":["Internal server error"]}""");
                case FaultKind.Truncated:
                    var (_, full) = answer();
                    return Message(200, full[..(full.Length / 2)]);
            }
        }
        var (status, body) = answer();
        return Message(status, body);
    }

    private static ResponseMessage Message(int status, string body)
    {
        var m = new ResponseMessage { StatusCode = status, BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 } };
        m.AddHeader("Content-Type", "application/json;charset=UTF-8");
        return m;
    }

    [GeneratedRegex("""project = "([A-Z0-9_]+)"(?: AND|\s+ORDER BY)""")] private static partial Regex ProjectClause();
    [GeneratedRegex(@"updated >= (\d+)")] private static partial Regex UpdatedClause();

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
    }
}
