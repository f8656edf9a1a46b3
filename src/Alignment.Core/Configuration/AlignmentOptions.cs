using Alignment.Core.Domain;

namespace Alignment.Core.Configuration;

/// <summary>The <c>Alignment</c> configuration section: sources, teams and API keys.</summary>
public sealed class AlignmentOptions
{
    public const string Section = "Alignment";

    public List<SourceOptions> Sources { get; set; } = [];
    public List<TeamOptions> Teams { get; set; } = [];
    public AuthOptions Auth { get; set; } = new();

    public SourceOptions? Source(string id) => Sources.FirstOrDefault(s => s.Id == id);
    public IEnumerable<TeamOptions> TeamsOf(string sourceId) => Teams.Where(t => t.Source == sourceId);
}

public sealed class SourceOptions
{
    public string Id { get; set; } = "";
    public TrackerKind Kind { get; set; }
    public string BaseUrl { get; set; } = "";
    public SourceAuthOptions Auth { get; set; } = new();
    public SourceSyncOptions Sync { get; set; } = new();
    public JiraSourceOptions Jira { get; set; } = new();
    public AzureDevOpsSourceOptions AzureDevOps { get; set; } = new();

    public Uri BaseUri => new(BaseUrl.TrimEnd('/') + "/");
}

public enum AuthScheme { Basic, Bearer, Pat }

public sealed class SourceAuthOptions
{
    public AuthScheme Scheme { get; set; } = AuthScheme.Basic;
    /// <summary>Jira Cloud: the account e-mail for Basic auth.</summary>
    public string? User { get; set; }
    /// <summary>Name of the environment variable that holds the token (API token, PAT).</summary>
    public string? TokenEnv { get; set; }
    /// <summary>The token itself, only when a secret store supplies configuration; never in a repository file.</summary>
    public string? Token { get; set; }

    public string? ResolveToken() =>
        !string.IsNullOrEmpty(Token) ? Token
        : !string.IsNullOrEmpty(TokenEnv) ? Environment.GetEnvironmentVariable(TokenEnv)
        : null;
}

public sealed class SourceSyncOptions
{
    /// <summary>Incremental sync schedule (cron, UTC). Empty disables the recurring job.</summary>
    public string Cron { get; set; } = "*/15 * * * *";
    /// <summary>Full sync schedule (cron, UTC): re-reads everything and marks vanished items deleted.</summary>
    public string FullCron { get; set; } = "0 3 * * 0";
    /// <summary>Incremental reads start this many minutes before the previous run started.</summary>
    public int OverlapMinutes { get; set; } = 5;
    /// <summary>Requests in flight at once against this source, shared by every job in the process.</summary>
    public int MaxConcurrency { get; set; } = 4;
    /// <summary>Upper bound on requests per second against this source (0 = no bound).</summary>
    public double MaxRequestsPerSecond { get; set; }
    /// <summary>Retries of one request on 429, 5xx, timeouts and truncated bodies.</summary>
    public int MaxRetries { get; set; } = 5;
    /// <summary>Time-out of one request attempt, seconds.</summary>
    public int RequestTimeoutSeconds { get; set; } = 60;
}

public sealed class JiraSourceOptions
{
    /// <summary>Override the story-point field id (else from the board configuration, else the field list).</summary>
    public string? StoryPointsField { get; set; }
    public string? SprintField { get; set; }
    public string? EpicLinkField { get; set; }
    public string? RankField { get; set; }
    /// <summary>Issue link types (by name or id) that mean "blocks / is blocked by".</summary>
    public List<string> DependencyLinkTypes { get; set; } = ["Blocks", "Blocker", "Dependency"];
    public List<string> DuplicateLinkTypes { get; set; } = ["Duplicate"];
    public List<string> CloneLinkTypes { get; set; } = ["Cloners"];
}

public sealed class AzureDevOpsSourceOptions
{
    public string ApiVersion { get; set; } = "7.1";
    /// <summary>Whether the Resolved state category counts as done.</summary>
    public bool ResolvedIsDone { get; set; }
    /// <summary>Override the estimate field (else from the team's backlog configuration).</summary>
    public string? EstimateField { get; set; }
    /// <summary>Incremental runs re-read current and future iterations' capacities at most this often (hours); full runs always do.</summary>
    public double CapacityRefreshHours { get; set; } = 6;
}

public sealed class TeamOptions
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Source { get; set; } = "";
    public JiraTeamOptions? Jira { get; set; }
    public AzureDevOpsTeamOptions? AzureDevOps { get; set; }
    public ProductOwnerOptions? ProductOwner { get; set; }
}

public sealed class JiraTeamOptions
{
    public long Board { get; set; }
    public string Project { get; set; } = "";
    /// <summary>Optional extra JQL that narrows the project to this team (when teams share a project).</summary>
    public string? Jql { get; set; }
}

public sealed class AzureDevOpsTeamOptions
{
    public string Project { get; set; } = "";
    public string Team { get; set; } = "";
}

public sealed class ProductOwnerOptions
{
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
}

public sealed class AuthOptions
{
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];
}

public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? Email { get; set; }
    /// <summary>Hex SHA-256 of the key.</summary>
    public string Sha256 { get; set; } = "";
}
