using System.Text.Json.Serialization;

namespace Alignment.Jira.Wire;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(JiraDateTimeOffsetConverter)])]
[JsonSerializable(typeof(JiraServerInfo))]
[JsonSerializable(typeof(List<JiraField>))]
[JsonSerializable(typeof(JiraBoardConfiguration))]
[JsonSerializable(typeof(JiraSprintPage))]
[JsonSerializable(typeof(JiraSprintDto))]
[JsonSerializable(typeof(List<JiraStatus>))]
[JsonSerializable(typeof(JiraIssue))]
[JsonSerializable(typeof(JiraSearchJqlRequest))]
[JsonSerializable(typeof(JiraSearchJqlResponse))]
[JsonSerializable(typeof(JiraBulkFetchRequest))]
[JsonSerializable(typeof(JiraIssuePage))]
[JsonSerializable(typeof(JiraDcSearchRequest))]
[JsonSerializable(typeof(JiraChangelogBulkRequest))]
[JsonSerializable(typeof(JiraChangelogBulkResponse))]
[JsonSerializable(typeof(List<JiraRemoteLink>))]
[JsonSerializable(typeof(List<JiraIssueType>))]
[JsonSerializable(typeof(List<JiraVersion>))]
public sealed partial class JiraJsonContext : JsonSerializerContext;
