namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>Configurations in the shape of appsettings.example.json, pointed at test doubles.</summary>
public static class Configs
{
    public const string JiraTokenEnv = "ALIGNMENT_TEST_JIRA_TOKEN", AdoTokenEnv = "ALIGNMENT_TEST_ADO_PAT";
    public const string JiraToken = "jira-secret-token-value", AdoToken = "ado-secret-pat-value";

    static Configs()
    {
        Environment.SetEnvironmentVariable(JiraTokenEnv, JiraToken);
        Environment.SetEnvironmentVariable(AdoTokenEnv, AdoToken);
    }

    public static object JiraSource(string baseUrl, string id = "jira", int maxRetries = 3) => new
    {
        Id = id, Kind = "Jira", BaseUrl = baseUrl,
        Auth = new { Scheme = "Basic", User = "pmo-bot@example.com", TokenEnv = JiraTokenEnv },
        Sync = new { Cron = "", FullCron = "", MaxRetries = maxRetries, RequestTimeoutSeconds = 10 },
    };

    public static object AdoSource(string baseUrl, string id = "ado", int maxRetries = 3) => new
    {
        Id = id, Kind = "AzureDevOps", BaseUrl = baseUrl,
        Auth = new { Scheme = "Pat", TokenEnv = AdoTokenEnv },
        Sync = new { Cron = "", FullCron = "", MaxRetries = maxRetries, RequestTimeoutSeconds = 10 },
    };

    public static object JiraTeam(string id, string name, string project, long board, string source = "jira", string poName = "Ann de Vries", string poEmail = "ann@example.com") => new
    {
        Id = id, Name = name, Source = source, Jira = new { Board = board, Project = project },
        ProductOwner = new { Name = poName, Email = poEmail },
    };

    public static object AdoTeam(string id, string name, string project, string team, string source = "ado", string poName = "Bram Jansen", string poEmail = "bram@example.com") => new
    {
        Id = id, Name = name, Source = source, AzureDevOps = new { Project = project, Team = team },
        ProductOwner = new { Name = poName, Email = poEmail },
    };

    /// <summary>Jira "payments" (Ann) and Azure DevOps "ledger" (Bram), with the test API keys.</summary>
    public static object TwoTeams(string jiraUrl = "http://127.0.0.1:9/jira", string adoUrl = "http://127.0.0.1:9/ado/org") => new
    {
        Sources = new[] { JiraSource(jiraUrl), AdoSource(adoUrl) },
        Teams = new[] { JiraTeam("payments", "Payments", "PAY", 12), AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
        Auth = new { ApiKeys = TestHost.ApiKeys },
    };
}
