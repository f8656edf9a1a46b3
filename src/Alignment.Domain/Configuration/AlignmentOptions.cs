
namespace Alignment.Domain.Configuration;

/// <summary>The <c>Alignment</c> configuration section: sources, teams and API keys.</summary>
public sealed class AlignmentOptions
{
    public const string Section = "Alignment";

    public List<SourceOptions> Sources { get; set; } = [];
    public List<TeamOptions> Teams { get; set; } = [];
    public AuthOptions Auth { get; set; } = new();
    public ObservabilityOptions Observability { get; set; } = new();
    public AnalysisOptions Analysis { get; set; } = new();
    public AdviceOptions Advice { get; set; } = new();
    public FinanceOptions Finance { get; set; } = new();
    public MiOptions Mi { get; set; } = new();
    /// <summary>Quarters or programme increments by date (docs/figures.md, "Planning intervals"); none = no interval figures.</summary>
    public List<PlanningIntervalOptions> PlanningIntervals { get; set; } = [];

    public SourceOptions? Source(string id) => Sources.FirstOrDefault(s => s.Id == id);
    /// <summary>Whether any planning interval can exist: configured ones, or a source that reads them from its tracker.</summary>
    public bool HasPlanningIntervals => PlanningIntervals.Count > 0 || Sources.Any(s => s.Intervals.FromTracker);
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
    /// <summary>Which tracker fields hold the WSJF inputs and the budget (README "Value fields").</summary>
    public SourceFieldOptions Fields { get; set; } = new();
    /// <summary>Tracker webhooks (docs/webhooks.md); off without a secret.</summary>
    public SourceHookOptions Hooks { get; set; } = new();
    /// <summary>Planning intervals from the tracker instead of <c>Alignment:PlanningIntervals</c> (docs/figures.md, "Intervals from the trackers").</summary>
    public SourceIntervalOptions Intervals { get; set; } = new();

    public Uri BaseUri => new(BaseUrl.TrimEnd('/') + "/");
}

/// <summary>
/// <c>Sources:N:Fields</c>: the tracker fields of the WSJF inputs and the budget. Azure DevOps: reference names; <see cref="BusinessValue"/>
/// and <see cref="TimeCriticality"/> default to the built-in <c>Microsoft.VSTS.Common.*</c> fields. Jira: a field id (<c>customfield_10050</c>)
/// or name, resolved through the field list. Null = the default (none for Jira); empty = none.
/// </summary>
public sealed class SourceFieldOptions
{
    public const string AdoBusinessValue = "Microsoft.VSTS.Common.BusinessValue";
    public const string AdoTimeCriticality = "Microsoft.VSTS.Common.TimeCriticality";

    public string? BusinessValue { get; set; }
    public string? TimeCriticality { get; set; }
    /// <summary>Risk reduction / opportunity enablement.</summary>
    public string? RiskReduction { get; set; }
    /// <summary>Job size; without it an item's job size is the remaining points of its descendants.</summary>
    public string? JobSize { get; set; }
    public string? Budget { get; set; }

    /// <summary>The configured field of each input for a source of <paramref name="kind"/> (defaults applied, empty = none).</summary>
    public ValueFieldIds Resolve(TrackerKind kind)
    {
        static string? Or(string? v, string? fallback) => v is null ? fallback : v.Trim().Length == 0 ? null : v.Trim();
        var ado = kind == TrackerKind.AzureDevOps;
        return new ValueFieldIds(Or(BusinessValue, ado ? AdoBusinessValue : null), Or(TimeCriticality, ado ? AdoTimeCriticality : null),
            Or(RiskReduction, null), Or(JobSize, null), Or(Budget, null));
    }
}

/// <summary>The field (id, reference name or, for Jira before resolution, name) of each value input; null = not read.</summary>
public sealed record ValueFieldIds(string? BusinessValue, string? TimeCriticality, string? RiskReduction, string? JobSize, string? Budget)
{
    public static readonly ValueFieldIds None = new(null, null, null, null, null);

    /// <summary>(input name, field) of every configured input, in the order of <see cref="ItemValue"/>.</summary>
    public IEnumerable<(string Input, string Field)> Configured()
    {
        if (BusinessValue is { } bv) yield return (nameof(BusinessValue), bv);
        if (TimeCriticality is { } tc) yield return (nameof(TimeCriticality), tc);
        if (RiskReduction is { } rr) yield return (nameof(RiskReduction), rr);
        if (JobSize is { } js) yield return (nameof(JobSize), js);
        if (Budget is { } b) yield return (nameof(Budget), b);
    }

    public bool Any => Configured().Any();
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
    /// <summary>Retries of one request on 429, 5xx, timeouts and truncated bodies; RequestTotalSeconds bounds them in time.</summary>
    public int MaxRetries { get; set; } = 10;
    /// <summary>Deadline of one request attempt, headers and body together, seconds.</summary>
    public int RequestTimeoutSeconds { get; set; } = 60;
    /// <summary>Deadline of one request with all its retries and back-offs, seconds.</summary>
    public int RequestTotalSeconds { get; set; } = 300;
    /// <summary>Largest answer accepted from the tracker, megabytes; a larger one fails its request clearly.</summary>
    public int MaxResponseMegabytes { get; set; } = 256;
    /// <summary>Deadline of one whole sync run, minutes: then it ends failed ("timed out") and releases the source's lock.</summary>
    public int RunTimeoutMinutes { get; set; } = 120;
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
    /// <summary>Jira teams: who is on the team, for capacity in person-days (Azure DevOps teams use the tracker's capacity).</summary>
    public TeamCapacityOptions? Capacity { get; set; }
    /// <summary>What the team costs, per sprint or per person-day, each entry effective from its date (docs/figures.md, "Cost").</summary>
    public List<TeamCostOptions> Costs { get; set; } = [];
}

public sealed class TeamCapacityOptions
{
    public List<CapacityMemberOptions> Members { get; set; } = [];
    /// <summary>Share of a working day spent on sprint work (0..1].</summary>
    public double FocusFactor { get; set; } = 0.8;
    /// <summary>Null: Monday to Friday.</summary>
    public List<DayOfWeek>? WorkingDays { get; set; }
}

public sealed class CapacityMemberOptions
{
    public string Name { get; set; } = "";
    /// <summary>Hours of sprint work a day; null: a full day (8).</summary>
    public double? HoursPerDay { get; set; }
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
    /// <summary>Optional OIDC bearer tokens alongside the API keys; without an <c>Authority</c> only API keys are accepted.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

/// <summary><c>Alignment:Auth:Oidc</c>: JWT bearer tokens from an OpenID Connect provider.</summary>
public sealed class OidcOptions
{
    /// <summary>The issuer (its <c>/.well-known/openid-configuration</c> gives the signing keys); empty = OIDC off.</summary>
    public string Authority { get; set; } = "";
    /// <summary>The audience the tokens must be issued for (the API's client id or App ID URI).</summary>
    public string Audience { get; set; } = "";
    /// <summary>The claim that carries roles or groups.</summary>
    public string RoleClaim { get; set; } = "roles";
    /// <summary>The claim that carries the user's e-mail (scopes a product owner to their teams).</summary>
    public string EmailClaim { get; set; } = "email";
    /// <summary>
    /// Claim value → Alignment role (admin, pmo, productOwner, management). Without a map, a value that is a role name is
    /// that role; with one, only mapped values give a role (an IdP group called "admin" is not Alignment's admin) unless
    /// <see cref="AcceptRoleNames"/>.
    /// </summary>
    public List<OidcRoleMapping> RoleMap { get; set; } = [];
    /// <summary>Also take a claim value that is a role name as that role when a <see cref="RoleMap"/> is configured (default false).</summary>
    public bool AcceptRoleNames { get; set; }
}

public sealed class OidcRoleMapping
{
    /// <summary>The value of the role claim (a role or group name or id).</summary>
    public string Claim { get; set; } = "";
    public string Role { get; set; } = "";
}

public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? Email { get; set; }
    /// <summary>Hex SHA-256 of the key.</summary>
    public string Sha256 { get; set; } = "";
}

/// <summary><c>Alignment:Analysis</c>: thresholds of the analyzer rules (docs/rules.md) and the forecast.</summary>
public sealed class AnalysisOptions
{
    /// <summary>Cron (UTC) of the recurring <c>analyze</c> job; empty = only after syncs and on demand.</summary>
    public string Cron { get; set; } = "";
    /// <summary>
    /// Cron (UTC) of the recurring <c>analyze-full</c> job, which reads the whole store instead of patching the previous run's snapshot with
    /// the changed items (docs/architecture.md, "Incremental analysis"); empty disables it.
    /// </summary>
    public string FullCron { get; set; } = "0 4 * * 0";
    /// <summary>
    /// Keep the last analysis's snapshot in memory and read only changed items the next time (an incremental analysis). Costs memory in the
    /// process that analyses (README, Sizing); false reads the whole store every time.
    /// </summary>
    public bool Incremental { get; set; } = true;
    /// <summary>Closed sprints used for velocity statistics (P50, coefficient of variation).</summary>
    public int VelocitySprints { get; set; } = 6;
    /// <summary>DRIFT-STALE: days without an update for an item in progress.</summary>
    public int StaleDays { get; set; } = 10;
    /// <summary>DRIFT-UNESTIMATED: the top N of the ranked backlog must be estimated.</summary>
    public int UnestimatedTopN { get; set; } = 20;
    /// <summary>DRIFT-CARRYOVER: closed sprints an open story has been in.</summary>
    public int CarryOverSprints { get; set; } = 2;
    /// <summary>DRIFT-EPIC-SCOPE: growth of an epic's total estimate since first planned (0.2 = 20 %).</summary>
    public double EpicScopeGrowth { get; set; } = 0.2;
    /// <summary>DRIFT-SPRINT-SCOPE: points added after the start as a share of the commitment.</summary>
    public double SprintScopeGrowth { get; set; } = 0.2;
    /// <summary>CAP-OVERCOMMIT: commitment above P50 velocity × capacity by this share is a warning.</summary>
    public double OvercommitWarning { get; set; } = 0.1;
    /// <summary>CAP-OVERCOMMIT: … and by this share critical.</summary>
    public double OvercommitCritical { get; set; } = 0.3;
    /// <summary>CAP-VOLATILE: coefficient of variation of velocity over <see cref="VelocitySprints"/>.</summary>
    public double VolatileCv { get; set; } = 0.3;
    /// <summary>CAP-SAYDO: average say/do below this …</summary>
    public double SayDoMinimum { get; set; } = 0.7;
    /// <summary>… over this many closed sprints.</summary>
    public int SayDoSprints { get; set; } = 3;
    /// <summary>CAP-DIP: next sprint's capacity below this share of normal (median of recent sprints).</summary>
    public double CapacityDip { get; set; } = 0.7;
    /// <summary>CAP-DEPENDENCY-LOAD: points other teams need in the next sprint above this share of P50 velocity.</summary>
    public double DependencyLoad { get; set; } = 0.5;
    /// <summary>DRIFT-READINESS: estimated backlog below this many sprints of P50 velocity is starving …</summary>
    public double ReadinessMinSprints { get; set; } = 1;
    /// <summary>… and above this many bloated.</summary>
    public double ReadinessMaxSprints { get; set; } = 6;
    /// <summary>HYGIENE: share of stories without an estimate above which the figures are untrustworthy.</summary>
    public double HygieneUnestimatedShare { get; set; } = 0.3;
    /// <summary>Velocity rules and forecasts need at least this many closed sprints with figures.</summary>
    public int MinHistorySprints { get; set; } = 3;
    /// <summary>Monte Carlo trials per epic forecast (at least 1,000).</summary>
    public int ForecastTrials { get; set; } = 2000;
    /// <summary>Seed of the forecast's random numbers (same seed and data, same forecast).</summary>
    public int ForecastSeed { get; set; } = 20240601;
    /// <summary>Forecast horizon in sprints; work that needs more gets "no forecast" instead of a far date.</summary>
    public int ForecastMaxSprints { get; set; } = 52;
    /// <summary>VALUE-MISSING and PRIO-INVERSION: the top N of a team's ranked backlog of epics and features that must carry value inputs.</summary>
    public int ValueTopN { get; set; } = 20;
    /// <summary>PRIO-INVERSION: a lower-ranked item's WSJF at least this many times a higher-ranked one's is an inversion (docs/rules.md).</summary>
    public double InversionRatio { get; set; } = 1.5;
    /// <summary>SYNC-STALE is critical when the last success is older than this (hours), or none came after this long of attempts.</summary>
    public double SyncStaleCriticalHours { get; set; } = 24;
}

/// <summary><c>Alignment:Observability</c>: OpenTelemetry export, the Prometheus scrape path and log format.</summary>
public sealed class ObservabilityOptions
{
    /// <summary>OTLP endpoint (gRPC, e.g. http://otel-collector:4317) for traces and metrics; empty = no export.</summary>
    public string? OtlpEndpoint { get; set; }
    /// <summary>Path of the anonymous Prometheus scrape endpoint on every host (serve and worker); empty disables it.</summary>
    public string MetricsPath { get; set; } = "/metrics";
    /// <summary>Structured JSON console logs with scopes (sync run, source, Hangfire job) for log pipelines.</summary>
    public bool JsonLogs { get; set; }
}

/// <summary><c>Alignment:Advice</c>: the weekly prioritisation-advice e-mails to product owners and the dependency alerts.</summary>
public sealed class AdviceOptions
{
    /// <summary>Cron of the recurring <c>advice:weekly</c> job, in <see cref="TimeZone"/>; empty disables it.</summary>
    public string Cron { get; set; } = "0 7 * * 1";
    /// <summary>IANA (or Windows) time zone of <see cref="Cron"/> and of the digest's week.</summary>
    public string TimeZone { get; set; } = "Europe/Amsterdam";
    /// <summary>Language of the e-mails: <c>en</c> or <c>nl</c>.</summary>
    public string Language { get; set; } = "en";
    public SmtpOptions Smtp { get; set; } = new();
    /// <summary>Lines per section before "and N more".</summary>
    public int CapPerSection { get; set; } = 5;
    /// <summary>Send a digest even when there is nothing to act on.</summary>
    public bool SendEmptyDigest { get; set; }
    /// <summary>Product-owner e-mail addresses that receive no digest and no alert.</summary>
    public List<string> OptOut { get; set; } = [];
    /// <summary>Base URL of this service as product owners reach it, for the "full list" links; empty = no such links.</summary>
    public string DashboardUrl { get; set; } = "";
    /// <summary>A short alert (at most one a day per product owner) when a new critical cross-team dependency finding appears.</summary>
    public bool AlertsEnabled { get; set; } = true;
}

public enum SmtpSecurity { None, StartTls, Tls }

/// <summary><c>Alignment:Advice:Smtp</c>: the mail server; the password comes from the environment variable <see cref="PasswordEnv"/> names.</summary>
public sealed class SmtpOptions
{
    /// <summary>Empty = no sending (previews and <c>alignment advice --dry-run</c> still work).</summary>
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;
    /// <summary>User name; empty = no authentication.</summary>
    public string? User { get; set; }
    /// <summary>Name of the environment variable that holds the SMTP password.</summary>
    public string? PasswordEnv { get; set; }
    /// <summary>Sender address, e.g. <c>Alignment &lt;pmo@example.com&gt;</c>.</summary>
    public string From { get; set; } = "";
}
