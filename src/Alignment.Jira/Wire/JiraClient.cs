using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Alignment.Jira.Wire;

/// <summary>
/// The Jira REST endpoints the sync reads (Cloud v3, Data Center v2, Agile 1.0), over the source's
/// <see cref="TrackerApi"/>. Returns wire DTOs; knows nothing of the domain or the store.
/// </summary>
public sealed class JiraClient(TrackerApi api)
{
    /// <summary>Agile sprint pages are capped at 50 whatever is asked.</summary>
    public const int SprintPageSize = 50;
    public const int BulkFetchSize = 100;
    public const int ChangelogBulkSize = 1000;
    public const int SearchIdsPageSize = 5000;
    public const int DcSearchPageSize = 100;

    private static JiraJsonContext Json => JiraJsonContext.Default;

    public TrackerApi Api => api;

    private static string V(JiraDeployment d) => d == JiraDeployment.Cloud ? "3" : "2";

    public async Task<JiraDeployment> GetDeploymentAsync(CancellationToken ct)
    {
        var info = await api.GetAsync("rest/api/2/serverInfo", Json.JiraServerInfo, ct).ConfigureAwait(false);
        return string.Equals(info.DeploymentType, "Cloud", StringComparison.OrdinalIgnoreCase) ? JiraDeployment.Cloud : JiraDeployment.DataCenter;
    }

    public Task<List<JiraField>> GetFieldsAsync(JiraDeployment d, CancellationToken ct) =>
        api.GetAsync($"rest/api/{V(d)}/field", Json.ListJiraField, ct);

    public Task<List<JiraStatus>> GetStatusesAsync(JiraDeployment d, CancellationToken ct) =>
        api.GetAsync($"rest/api/{V(d)}/status", Json.ListJiraStatus, ct);

    /// <summary>Every issue type with its untranslated name (Cloud; Data Center answers without it, then the display name is used).</summary>
    public Task<List<JiraIssueType>> GetIssueTypesAsync(JiraDeployment d, CancellationToken ct) =>
        api.GetAsync($"rest/api/{V(d)}/issuetype", Json.ListJiraIssueType, ct);

    /// <summary>A project's versions, all in one answer (v2 on Cloud and Data Center alike).</summary>
    public Task<List<JiraVersion>> GetProjectVersionsAsync(string project, CancellationToken ct) =>
        api.GetAsync($"rest/api/2/project/{Uri.EscapeDataString(project)}/versions", Json.ListJiraVersion, ct);

    public Task<JiraBoardConfiguration> GetBoardConfigurationAsync(long boardId, CancellationToken ct) =>
        api.GetAsync(FormattableString.Invariant($"rest/agile/1.0/board/{boardId}/configuration"), Json.JiraBoardConfiguration, ct);

    /// <summary>Sprints of a board in the given states (comma list, e.g. <c>active,future</c>), page after page until <c>isLast</c>.</summary>
    public async IAsyncEnumerable<JiraSprintDto> GetBoardSprintsAsync(long boardId, string states, [EnumeratorCancellation] CancellationToken ct)
    {
        var startAt = 0;
        while (true)
        {
            var page = await api.GetAsync(FormattableString.Invariant(
                    $"rest/agile/1.0/board/{boardId}/sprint?state={Uri.EscapeDataString(states)}&startAt={startAt}&maxResults={SprintPageSize}"),
                Json.JiraSprintPage, ct).ConfigureAwait(false);
            foreach (var s in page.Values) yield return s;
            // Page by what came back: the server lowers maxResults silently.
            if (page.IsLast || page.Values.Count == 0) yield break;
            startAt += page.Values.Count;
        }
    }

    public Task<JiraSprintDto> GetSprintAsync(long sprintId, CancellationToken ct) =>
        api.GetAsync(FormattableString.Invariant($"rest/agile/1.0/sprint/{sprintId}"), Json.JiraSprintDto, ct);

    /// <summary>Cloud: issue ids matching the JQL, one page at a time (<c>nextPageToken</c> / <c>isLast</c>; there is no total).</summary>
    public async IAsyncEnumerable<IReadOnlyList<string>> SearchIdsAsync(string jql, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        while (true)
        {
            var request = new JiraSearchJqlRequest { Jql = jql, Fields = ["id"], MaxResults = SearchIdsPageSize, NextPageToken = token };
            var page = await api.PostAsync("rest/api/3/search/jql", request, Json.JiraSearchJqlRequest, Json.JiraSearchJqlResponse, ct).ConfigureAwait(false);
            if (page.Issues.Count > 0) yield return page.Issues.ConvertAll(i => i.Id);
            if (page.IsLast || string.IsNullOrEmpty(page.NextPageToken) || page.NextPageToken == token) yield break;
            token = page.NextPageToken;
        }
    }

    /// <summary>Cloud: hydrates at most 100 issues (ascending id order); an issue that cannot be read is returned as a failure, not thrown.</summary>
    public async Task<JiraIssueBatch> BulkFetchAsync(IReadOnlyList<string> ids, IReadOnlyList<string> fields, CancellationToken ct)
    {
        if (ids.Count > BulkFetchSize) throw new ArgumentOutOfRangeException(nameof(ids), ids.Count, $"at most {BulkFetchSize} ids per bulkfetch");
        const string path = "rest/api/3/issue/bulkfetch";
        var page = await api.PostAsync(path, new JiraBulkFetchRequest { IssueIdsOrKeys = [.. ids], Fields = [.. fields] },
            Json.JiraBulkFetchRequest, Json.JiraIssuePage, ct).ConfigureAwait(false);
        return ReadIssues(page.Issues, "POST " + path);
    }

    /// <summary>Cloud: the full change history of at most 1000 issues, following <c>nextPageToken</c>; histories grouped by issue id.</summary>
    public async Task<IReadOnlyDictionary<string, List<JiraHistory>>> BulkFetchChangelogsAsync(IReadOnlyList<string> ids, CancellationToken ct)
    {
        if (ids.Count > ChangelogBulkSize) throw new ArgumentOutOfRangeException(nameof(ids), ids.Count, $"at most {ChangelogBulkSize} ids per changelog bulkfetch");
        var byIssue = new Dictionary<string, List<JiraHistory>>();
        string? token = null;
        while (true)
        {
            var request = new JiraChangelogBulkRequest { IssueIdsOrKeys = [.. ids], MaxResults = 10000, NextPageToken = token };
            var page = await api.PostAsync("rest/api/3/changelog/bulkfetch", request, Json.JiraChangelogBulkRequest, Json.JiraChangelogBulkResponse, ct).ConfigureAwait(false);
            foreach (var log in page.IssueChangeLogs)
            {
                if (!byIssue.TryGetValue(log.IssueId, out var list)) byIssue[log.IssueId] = list = [];
                list.AddRange(log.ChangeHistories);
            }
            if (string.IsNullOrEmpty(page.NextPageToken) || page.NextPageToken == token) return byIssue;
            token = page.NextPageToken;
        }
    }

    /// <summary>Data Center: <c>/rest/api/2/search</c> with the changelog embedded, paged by the number of issues actually returned.</summary>
    public async IAsyncEnumerable<JiraIssueBatch> SearchDcAsync(string jql, IReadOnlyList<string> fields, [EnumeratorCancellation] CancellationToken ct)
    {
        const string path = "rest/api/2/search";
        var startAt = 0;
        while (true)
        {
            var request = new JiraDcSearchRequest { Jql = jql, StartAt = startAt, MaxResults = DcSearchPageSize, Fields = [.. fields], Expand = ["changelog"] };
            var page = await api.PostAsync(path, request, Json.JiraDcSearchRequest, Json.JiraIssuePage, ct).ConfigureAwait(false);
            if (page.Issues.Count == 0) yield break;
            yield return ReadIssues(page.Issues, FormattableString.Invariant($"POST {path} (startAt {startAt})"));
            startAt += page.Issues.Count;
            if (startAt >= page.Total) yield break;
        }
    }

    public Task<List<JiraRemoteLink>> GetRemoteLinksAsync(JiraDeployment d, string issueIdOrKey, CancellationToken ct) =>
        api.GetAsync($"rest/api/{V(d)}/issue/{Uri.EscapeDataString(issueIdOrKey)}/remotelink", Json.ListJiraRemoteLink, ct);

    private static JiraIssueBatch ReadIssues(List<JsonElement> elements, string request)
    {
        var failures = new List<ItemFailure>();
        var issues = ItemReader.Read(elements, request, "$.issues", e => JiraIssue.FromJson(e, request), failures, Json.JiraIssue);
        return new JiraIssueBatch(issues, failures);
    }
}

/// <summary>The issues of one answer that could be read, and those that could not (quarantined by the sync).</summary>
public sealed record JiraIssueBatch(List<JiraIssue> Issues, List<ItemFailure> Failures);
