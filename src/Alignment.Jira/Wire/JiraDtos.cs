using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alignment.Jira.Wire;

// Wire shapes of the Jira REST APIs (Cloud v3, Data Center v2, Agile 1.0), only the members the sync reads.
// Custom fields (sprint, story points, rank, epic link) have site-specific ids, so they stay as raw JSON
// in JiraIssueFields.Custom and are read through JiraFieldValues.

public enum JiraDeployment { Cloud, DataCenter }

public sealed record JiraServerInfo
{
    public string? DeploymentType { get; init; }
    public string? Version { get; init; }
}

public sealed record JiraField
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    public bool Custom { get; init; }
    public JiraFieldSchema? Schema { get; init; }
}

public sealed record JiraFieldSchema
{
    public string? Type { get; init; }
    public string? Items { get; init; }
    public string? System { get; init; }
    public string? Custom { get; init; }
}

public sealed record JiraBoardConfiguration
{
    public long Id { get; init; }
    public string? Name { get; init; }
    public JiraEstimation? Estimation { get; init; }
    public JiraRanking? Ranking { get; init; }
}

public sealed record JiraEstimation
{
    public string? Type { get; init; }
    public JiraEstimationField? Field { get; init; }
}

public sealed record JiraEstimationField
{
    public string? FieldId { get; init; }
    public string? DisplayName { get; init; }
}

public sealed record JiraRanking
{
    public long? RankCustomFieldId { get; init; }
}

public sealed record JiraSprintPage
{
    public int StartAt { get; init; }
    public int MaxResults { get; init; }
    public bool IsLast { get; init; }
    public List<JiraSprintDto> Values { get; init; } = [];
}

/// <summary>An Agile API sprint (<c>/board/{id}/sprint</c>, <c>/sprint/{id}</c>).</summary>
public sealed record JiraSprintDto
{
    public long Id { get; init; }
    public string? State { get; init; }
    public string Name { get; init; } = "";
    public DateTimeOffset? StartDate { get; init; }
    public DateTimeOffset? EndDate { get; init; }
    public DateTimeOffset? CompleteDate { get; init; }
    public long? OriginBoardId { get; init; }
    public string? Goal { get; init; }
}

/// <summary>A project version (<c>/rest/api/2/project/{key}/versions</c>); dates are calendar days (<c>2026-10-05</c>), either may be missing.</summary>
public sealed record JiraVersion
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string? StartDate { get; init; }
    public string? ReleaseDate { get; init; }
    public bool Archived { get; init; }
}

public sealed record JiraStatusCategory
{
    public int Id { get; init; }
    public string? Key { get; init; }
    public string? Name { get; init; }
}

public sealed record JiraStatus
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string? UntranslatedName { get; init; }
    public JiraStatusCategory? StatusCategory { get; init; }
}

public sealed record JiraIssueType
{
    public string? Id { get; init; }
    public string Name { get; init; } = "";
    /// <summary>The English name (<c>/rest/api/{v}/issuetype</c> only; issue payloads carry the localized name).</summary>
    public string? UntranslatedName { get; init; }
    public bool Subtask { get; init; }
    public int? HierarchyLevel { get; init; }
}

public sealed record JiraIssueRef
{
    public string Id { get; init; } = "";
    public string Key { get; init; } = "";
}

public sealed record JiraNamed
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record JiraUser
{
    public string? DisplayName { get; init; }
}

public sealed record JiraLinkType
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Inward { get; init; }
    public string? Outward { get; init; }
}

/// <summary>An entry of <c>fields.issuelinks</c>: exactly one of the two issues is set.</summary>
public sealed record JiraIssueLink
{
    public string Id { get; init; } = "";
    public JiraLinkType? Type { get; init; }
    public JiraIssueRef? InwardIssue { get; init; }
    public JiraIssueRef? OutwardIssue { get; init; }
}

public sealed record JiraIssueFields
{
    public string? Summary { get; init; }
    public JiraStatus? Status { get; init; }
    [JsonPropertyName("issuetype")] public JiraIssueType? IssueType { get; init; }
    public JiraIssueRef? Parent { get; init; }
    [JsonPropertyName("issuelinks")] public List<JiraIssueLink>? IssueLinks { get; init; }
    public DateTimeOffset? Created { get; init; }
    public DateTimeOffset? Updated { get; init; }
    [JsonPropertyName("resolutiondate")] public DateTimeOffset? ResolutionDate { get; init; }
    public JiraNamed? Priority { get; init; }
    public JiraUser? Assignee { get; init; }
    public List<string>? Labels { get; init; }
    [JsonPropertyName("duedate")] public DateOnly? DueDate { get; init; }
    /// <summary>Every other field, custom fields included, as raw JSON.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Custom { get; set; }

    public JsonElement? Field(string? id) =>
        id is not null && Custom is not null && Custom.TryGetValue(id, out var v) && v.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined
            ? v : null;
}

public sealed record JiraChangeItem
{
    public string? Field { get; init; }
    [JsonPropertyName("fieldtype")] public string? FieldType { get; init; }
    public string? FieldId { get; init; }
    public string? From { get; init; }
    [JsonPropertyName("fromString")] public string? FromText { get; init; }
    public string? To { get; init; }
    [JsonPropertyName("toString")] public string? ToText { get; init; }
}

/// <summary>One change history entry; <c>created</c> is an ISO string or (changelog bulkfetch) epoch seconds.</summary>
public sealed record JiraHistory
{
    public string Id { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public List<JiraChangeItem> Items { get; init; } = [];
}

/// <summary>The changelog embedded by <c>expand=changelog</c>.</summary>
public sealed record JiraEmbeddedChangelog
{
    public int StartAt { get; init; }
    public int MaxResults { get; init; }
    public int Total { get; init; }
    public List<JiraHistory> Histories { get; init; } = [];
}

public sealed record JiraIssue
{
    public string Id { get; init; } = "";
    public string Key { get; init; } = "";
    public JiraIssueFields Fields { get; init; } = new();
    public JiraEmbeddedChangelog? Changelog { get; init; }
    /// <summary>The issue's JSON exactly as received (for <c>raw</c> storage and diagnosis).</summary>
    [JsonIgnore] public string Raw { get; init; } = "";

    /// <summary>The request the issue was read from (for the quarantine record).</summary>
    [JsonIgnore] public string Request { get; init; } = "";

    /// <summary>Reads one issue object, keeping its raw text; an issue without id or key is refused (path named).</summary>
    public static JiraIssue FromJson(JsonElement element) => FromJson(element, "");

    public static JiraIssue FromJson(JsonElement element, string request)
    {
        var issue = element.Deserialize(JiraJsonContext.Default.JiraIssue)
                    ?? throw new JsonException("the issue is JSON null", "$", null, null);
        if (string.IsNullOrEmpty(issue.Id)) throw new JsonException("the issue has no id", "$.id", null, null);
        if (string.IsNullOrEmpty(issue.Key)) throw new JsonException("the issue has no key", "$.key", null, null);
        return issue with { Raw = element.GetRawText(), Request = request, Fields = issue.Fields ?? new JiraIssueFields() };
    }
}

public sealed record JiraSearchJqlRequest
{
    public string Jql { get; init; } = "";
    public List<string> Fields { get; init; } = ["id"];
    public int MaxResults { get; init; } = 5000;
    public string? NextPageToken { get; init; }
}

public sealed record JiraSearchJqlResponse
{
    public List<JiraIssueRef> Issues { get; init; } = [];
    public bool IsLast { get; init; }
    public string? NextPageToken { get; init; }
}

public sealed record JiraBulkFetchRequest
{
    public List<string> IssueIdsOrKeys { get; init; } = [];
    public List<string> Fields { get; init; } = [];
}

public sealed record JiraIssuePage
{
    public int StartAt { get; init; }
    public int MaxResults { get; init; }
    public int Total { get; init; }
    public List<JsonElement> Issues { get; init; } = [];
    public List<JsonElement>? IssueErrors { get; init; }
}

public sealed record JiraDcSearchRequest
{
    public string Jql { get; init; } = "";
    public int StartAt { get; init; }
    public int MaxResults { get; init; } = 100;
    public List<string> Fields { get; init; } = [];
    public List<string> Expand { get; init; } = ["changelog"];
}

public sealed record JiraChangelogBulkRequest
{
    public List<string> IssueIdsOrKeys { get; init; } = [];
    public int MaxResults { get; init; } = 10000;
    public string? NextPageToken { get; init; }
}

public sealed record JiraIssueChangelog
{
    public string IssueId { get; init; } = "";
    public List<JiraHistory> ChangeHistories { get; init; } = [];
}

public sealed record JiraChangelogBulkResponse
{
    public List<JiraIssueChangelog> IssueChangeLogs { get; init; } = [];
    public string? NextPageToken { get; init; }
}

public sealed record JiraRemoteObject
{
    public string? Url { get; init; }
    public string? Title { get; init; }
}

public sealed record JiraRemoteLink
{
    public long Id { get; init; }
    public string? GlobalId { get; init; }
    public string? Relationship { get; init; }
    public JiraRemoteObject? Object { get; init; }
}
