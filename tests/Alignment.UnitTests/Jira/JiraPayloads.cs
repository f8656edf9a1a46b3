using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Alignment.UnitTests.Jira;

/// <summary>Recorded-shape Jira payloads and the conversion context the tests share.</summary>
internal static class JiraPayloads
{
    public static readonly SourceOptions Cloud = new() { Id = "jira", Kind = TrackerKind.Jira, BaseUrl = "https://pay.atlassian.net/" };
    public static readonly SourceOptions DataCenter = new() { Id = "jira-dc", Kind = TrackerKind.Jira, BaseUrl = "https://jira.example.org" };
    public static readonly SourceOptions Ado = new() { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = "https://dev.azure.com/contoso" };

    public static readonly JiraFieldIds CloudFields = new("customfield_10016", "customfield_10020", "customfield_10014", "customfield_10019");
    public static readonly JiraFieldIds DcFields = new("customfield_10002", "customfield_10105", "customfield_10101", "customfield_10005");

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Jira", "Payloads", name));

    public static T Read<T>(string name, JsonTypeInfo<T> type) => JsonSerializer.Deserialize(Text(name), type)!;

    public static List<JiraIssue> Issues(string name) =>
        Read(name, JiraJsonContext.Default.JiraIssuePage).Issues.ConvertAll(JiraIssue.FromJson);

    public static JiraIssue Issue(string file, string key) => Issues(file).Single(i => i.Key == key);

    public static JiraConversionContext CloudContext(IReadOnlyDictionary<string, StatusCategory>? statuses = null) => new()
    {
        Source = Cloud, AllSources = [Cloud, DataCenter, Ado], TeamId = "payments", Fields = CloudFields,
        StatusCategories = statuses ?? new Dictionary<string, StatusCategory>(),
    };

    public static JiraConversionContext DcContext() => new()
    {
        Source = DataCenter, AllSources = [Cloud, DataCenter, Ado], TeamId = "statements", Fields = DcFields,
    };
}
