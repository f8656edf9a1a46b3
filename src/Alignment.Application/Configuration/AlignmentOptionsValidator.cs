using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Alignment.Application.Configuration;

/// <summary>Validates the <c>Alignment</c> section at start-up; every message names the key and the reason.</summary>
public sealed partial class AlignmentOptionsValidator(Microsoft.Extensions.Configuration.IConfiguration? configuration = null)
    : IValidateOptions<AlignmentOptions>
{
    public static readonly string[] Roles = ["admin", "pmo", "productOwner", "management"];

    public ValidateOptionsResult Validate(string? name, AlignmentOptions o)
    {
        var errors = new List<string>();
        RawEnums(errors);
        if (configuration is not null) UnknownKeys(configuration.GetSection(AlignmentOptions.Section), typeof(AlignmentOptions), errors);
        var sourceIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.Sources.Count; i++) Source(o.Sources[i], $"Alignment:Sources:{i}", sourceIds, errors);
        var teamIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < o.Teams.Count; i++) Team(o, o.Teams[i], $"Alignment:Teams:{i}", teamIds, errors);
        for (var i = 0; i < o.Auth.ApiKeys.Count; i++) ApiKey(o.Auth.ApiKeys[i], $"Alignment:Auth:ApiKeys:{i}", errors);
        AnalysisRanges(o.Analysis, errors);
        AdviceRanges(o.Advice, errors);
        Finance(o, errors);
        Report(o.Mi.Report, errors);
        PlanningIntervals(o, errors);
        SourceIntervals(o, errors);
        if (o.Mi.HistoryRetentionDays is < 30 or > 3650)
            errors.Add($"Alignment:Mi:HistoryRetentionDays: {o.Mi.HistoryRetentionDays} must be between 30 and 3650 (days of MI history kept)");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Source(SourceOptions s, string key, HashSet<string> sourceIds, List<string> errors)
    {
        if (!IdPattern().IsMatch(s.Id)) errors.Add($"{key}:Id: '{s.Id}' must be 1-40 characters of a-z, 0-9, '-' or '_'");
        else if (!sourceIds.Add(s.Id)) errors.Add($"{key}:Id: '{s.Id}' is configured twice");
        if (!Uri.TryCreate(s.BaseUrl, UriKind.Absolute, out var u) || (u.Scheme != "https" && u.Scheme != "http"))
            errors.Add($"{key}:BaseUrl: '{s.BaseUrl}' is not an absolute http(s) URL");
        var scheme = s.Auth.Scheme;
        if (s.Kind == TrackerKind.Jira && scheme == AuthScheme.Pat)
            errors.Add($"{key}:Auth:Scheme: 'Pat' is for Azure DevOps; Jira uses 'Basic' (Cloud: e-mail + API token) or 'Bearer' (Data Center PAT)");
        if (s.Kind == TrackerKind.AzureDevOps && scheme != AuthScheme.Pat)
            errors.Add($"{key}:Auth:Scheme: Azure DevOps uses 'Pat', not '{scheme}'");
        if (scheme == AuthScheme.Basic && string.IsNullOrWhiteSpace(s.Auth.User))
            errors.Add($"{key}:Auth:User: required for the Basic scheme (the account's e-mail address)");
        if (string.IsNullOrEmpty(s.Auth.Token))
        {
            if (string.IsNullOrWhiteSpace(s.Auth.TokenEnv))
                errors.Add($"{key}:Auth:TokenEnv: name the environment variable that holds the token");
            else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(s.Auth.TokenEnv)))
                errors.Add($"{key}:Auth:TokenEnv: the environment variable '{s.Auth.TokenEnv}' is not set");
        }
        foreach (var (cronKey, cron) in new[] { ("Cron", s.Sync.Cron), ("FullCron", s.Sync.FullCron) })
            if (CronError(cron) is { } why)
                errors.Add($"{key}:Sync:{cronKey}: '{cron}' is not a cron expression (five fields, UTC; empty disables the schedule): {why}");
        SyncRanges(s.Sync, key, errors);
        ValueFields(s, key, errors);
        Hooks(s, key, errors);
    }

    /// <summary>Azure DevOps value fields are reference names (<c>Custom.RiskReduction</c>): no spaces, at least one dot.</summary>
    private static void ValueFields(SourceOptions s, string key, List<string> errors)
    {
        if (s.Kind != TrackerKind.AzureDevOps) return;
        foreach (var (input, field) in s.Fields.Resolve(s.Kind).Configured())
            if (!field.Contains('.') || field.Any(char.IsWhiteSpace))
                errors.Add($"{key}:Fields:{input}: '{field}' is not an Azure DevOps field reference name (e.g. Custom.{input}; the display name does not work)");
    }

    private static void SyncRanges(SourceSyncOptions sync, string key, List<string> errors)
    {
        if (sync.OverlapMinutes is < 0 or > 1440) errors.Add($"{key}:Sync:OverlapMinutes: {sync.OverlapMinutes} must be between 0 and 1440");
        if (sync.MaxConcurrency is < 1 or > 64) errors.Add($"{key}:Sync:MaxConcurrency: {sync.MaxConcurrency} must be between 1 and 64");
        if (sync.MaxRetries is < 0 or > 20) errors.Add($"{key}:Sync:MaxRetries: {sync.MaxRetries} must be between 0 and 20");
        if (sync.RequestTimeoutSeconds is < 1 or > 600) errors.Add($"{key}:Sync:RequestTimeoutSeconds: {sync.RequestTimeoutSeconds} must be between 1 and 600");
        if (sync.RequestTotalSeconds < sync.RequestTimeoutSeconds || sync.RequestTotalSeconds > 3600)
            errors.Add($"{key}:Sync:RequestTotalSeconds: {sync.RequestTotalSeconds} must be at least Sync:RequestTimeoutSeconds ({sync.RequestTimeoutSeconds}) and at most 3600");
        if (sync.MaxResponseMegabytes is < 1 or > 2048) errors.Add($"{key}:Sync:MaxResponseMegabytes: {sync.MaxResponseMegabytes} must be between 1 and 2048");
        if (sync.RunTimeoutMinutes is < 1 or > 1440) errors.Add($"{key}:Sync:RunTimeoutMinutes: {sync.RunTimeoutMinutes} must be between 1 and 1440");
        if (sync.MaxRequestsPerSecond < 0) errors.Add($"{key}:Sync:MaxRequestsPerSecond: must not be negative");
    }

    private static void Team(AlignmentOptions o, TeamOptions t, string key, HashSet<string> teamIds, List<string> errors)
    {
        if (!IdPattern().IsMatch(t.Id)) errors.Add($"{key}:Id: '{t.Id}' must be 1-40 characters of a-z, 0-9, '-' or '_'");
        else if (!teamIds.Add(t.Id)) errors.Add($"{key}:Id: '{t.Id}' is configured twice");
        if (string.IsNullOrWhiteSpace(t.Name)) errors.Add($"{key}:Name: required");
        // The advice e-mails go to this address: one MIME cannot parse would fail that product owner's digest and alerts.
        if (t.ProductOwner is { } po && !string.IsNullOrEmpty(po.Email) && !IsAddress(po.Email))
            errors.Add($"{key}:ProductOwner:Email: '{po.Email}' is not an e-mail address (name@domain)");
        var source = o.Source(t.Source);
        if (source is null) { errors.Add($"{key}:Source: '{t.Source}' is not one of the configured sources"); return; }
        if (source.Kind == TrackerKind.Jira)
        {
            if (t.Jira is null) errors.Add($"{key}:Jira: required for a team on Jira source '{source.Id}' (Board and Project)");
            else
            {
                if (t.Jira.Board <= 0) errors.Add($"{key}:Jira:Board: the scrum board id must be a positive number");
                if (!ProjectKey().IsMatch(t.Jira.Project)) errors.Add($"{key}:Jira:Project: '{t.Jira.Project}' is not a Jira project key");
            }
        }
        else if (t.AzureDevOps is null || string.IsNullOrWhiteSpace(t.AzureDevOps.Project) || string.IsNullOrWhiteSpace(t.AzureDevOps.Team))
            errors.Add($"{key}:AzureDevOps: Project and Team are required for a team on Azure DevOps source '{source.Id}'");
        if (t.Capacity is { } cap)
        {
            if (cap.FocusFactor is <= 0 or > 1) errors.Add($"{key}:Capacity:FocusFactor: {cap.FocusFactor} must be above 0 and at most 1");
            if (cap.WorkingDays is { Count: 0 }) errors.Add($"{key}:Capacity:WorkingDays: name at least one day, or leave it out for Monday to Friday");
            for (var m = 0; m < cap.Members.Count; m++)
            {
                if (string.IsNullOrWhiteSpace(cap.Members[m].Name)) errors.Add($"{key}:Capacity:Members:{m}:Name: required");
                if (cap.Members[m].HoursPerDay is < 0 or > 24) errors.Add($"{key}:Capacity:Members:{m}:HoursPerDay: {cap.Members[m].HoursPerDay} must be between 0 and 24");
            }
        }
    }

    private static void ApiKey(ApiKeyOptions k, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(k.Name)) errors.Add($"{key}:Name: required");
        if (!Roles.Contains(k.Role)) errors.Add($"{key}:Role: '{k.Role}' must be one of {string.Join(", ", Roles)}");
        if (!Sha256Hex().IsMatch(k.Sha256)) errors.Add($"{key}:Sha256: must be the 64 hex digits of the key's SHA-256 (not the key itself)");
        if (k.Role == "productOwner" && string.IsNullOrWhiteSpace(k.Email)) errors.Add($"{key}:Email: required for the productOwner role");
        else if (!string.IsNullOrWhiteSpace(k.Email) && !IsAddress(k.Email)) errors.Add($"{key}:Email: '{k.Email}' is not an e-mail address (name@domain)");
    }

    private static void AnalysisRanges(AnalysisOptions a, List<string> errors)
    {
        const string k = "Alignment:Analysis";
        void Int(string name, int v, int lo, int hi) { if (v < lo || v > hi) errors.Add($"{k}:{name}: {v} must be between {lo} and {hi}"); }
        void Real(string name, double v, double lo, double hi)
        {
            if (double.IsNaN(v) || v < lo || v > hi)
                errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{k}:{name}: {v} must be between {lo} and {hi}"));
        }
        Int(nameof(a.VelocitySprints), a.VelocitySprints, 2, 50);
        Real(nameof(a.SyncStaleCriticalHours), a.SyncStaleCriticalHours, 1, 720);
        Int(nameof(a.StaleDays), a.StaleDays, 1, 365);
        Int(nameof(a.UnestimatedTopN), a.UnestimatedTopN, 1, 1000);
        Int(nameof(a.ValueTopN), a.ValueTopN, 1, 1000);
        if (double.IsNaN(a.InversionRatio) || a.InversionRatio <= 1 || a.InversionRatio > 100)
            errors.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{k}:InversionRatio: {a.InversionRatio} must be above 1 (equal values are no inversion) and at most 100"));
        Int(nameof(a.CarryOverSprints), a.CarryOverSprints, 1, 50);
        Real(nameof(a.EpicScopeGrowth), a.EpicScopeGrowth, 0, 100);
        Real(nameof(a.SprintScopeGrowth), a.SprintScopeGrowth, 0, 100);
        Real(nameof(a.OvercommitWarning), a.OvercommitWarning, 0, 100);
        Real(nameof(a.OvercommitCritical), a.OvercommitCritical, 0, 100);
        if (a.OvercommitCritical < a.OvercommitWarning) errors.Add($"{k}:OvercommitCritical: must not be below OvercommitWarning");
        Real(nameof(a.VolatileCv), a.VolatileCv, 0, 100);
        Real(nameof(a.SayDoMinimum), a.SayDoMinimum, 0, 10);
        Int(nameof(a.SayDoSprints), a.SayDoSprints, 1, 50);
        Real(nameof(a.CapacityDip), a.CapacityDip, 0, 1);
        Real(nameof(a.DependencyLoad), a.DependencyLoad, 0, 100);
        Real(nameof(a.ReadinessMinSprints), a.ReadinessMinSprints, 0, 100);
        Real(nameof(a.ReadinessMaxSprints), a.ReadinessMaxSprints, 0, 1000);
        if (a.ReadinessMaxSprints < a.ReadinessMinSprints) errors.Add($"{k}:ReadinessMaxSprints: must not be below ReadinessMinSprints");
        Real(nameof(a.HygieneUnestimatedShare), a.HygieneUnestimatedShare, 0, 1);
        Int(nameof(a.MinHistorySprints), a.MinHistorySprints, 1, 50);
        Int(nameof(a.ForecastTrials), a.ForecastTrials, 1000, 100000);
        Int(nameof(a.ForecastMaxSprints), a.ForecastMaxSprints, 1, 520);
        if (CronError(a.Cron) is { } why)
            errors.Add($"{k}:Cron: '{a.Cron}' is not a cron expression (five fields, UTC): {why}");
        if (CronError(a.FullCron) is { } whyFull)
            errors.Add($"{k}:FullCron: '{a.FullCron}' is not a cron expression (five fields, UTC): {whyFull}");
    }

    private void AdviceRanges(AdviceOptions a, List<string> errors)
    {
        const string k = "Alignment:Advice";
        if (CronError(a.Cron) is { } why)
            errors.Add($"{k}:Cron: '{a.Cron}' is not a cron expression (five fields, in Alignment:Advice:TimeZone): {why}");
        try { _ = TimeZoneInfo.FindSystemTimeZoneById(a.TimeZone); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            errors.Add($"{k}:TimeZone: '{a.TimeZone}' is not a known time zone (e.g. Europe/Amsterdam, UTC)");
        }
        if (a.Language is not ("en" or "nl")) errors.Add($"{k}:Language: '{a.Language}' must be one of en, nl");
        if (a.CapPerSection is < 1 or > 100) errors.Add($"{k}:CapPerSection: {a.CapPerSection} must be between 1 and 100");
        for (var i = 0; i < a.OptOut.Count; i++)
            if (!MimeKit.MailboxAddress.TryParse(a.OptOut[i], out _) || !a.OptOut[i].Contains('@'))
                errors.Add($"{k}:OptOut:{i}: '{a.OptOut[i]}' is not an e-mail address");
        if (!string.IsNullOrWhiteSpace(a.DashboardUrl) && (!Uri.TryCreate(a.DashboardUrl, UriKind.Absolute, out var u) || (u.Scheme != "https" && u.Scheme != "http")))
            errors.Add($"{k}:DashboardUrl: '{a.DashboardUrl}' is not an absolute http(s) URL");
        var s = a.Smtp;
        if (configuration?.GetSection($"{k}:Smtp:Security").Value is { } sec && !Enum.GetNames<SmtpSecurity>().Contains(sec, StringComparer.OrdinalIgnoreCase))
            errors.Add($"{k}:Smtp:Security: '{sec}' must be one of {string.Join(", ", Enum.GetNames<SmtpSecurity>())}");
        if (string.IsNullOrWhiteSpace(s.Host)) return;
        if (s.Port is < 1 or > 65535) errors.Add($"{k}:Smtp:Port: {s.Port} must be between 1 and 65535");
        if (string.IsNullOrWhiteSpace(s.From) || !MimeKit.MailboxAddress.TryParse(s.From, out _) || !s.From.Contains('@'))
            errors.Add($"{k}:Smtp:From: '{s.From}' must be the sender's e-mail address when Smtp:Host is set");
        if (!string.IsNullOrWhiteSpace(s.User))
        {
            if (string.IsNullOrWhiteSpace(s.PasswordEnv))
                errors.Add($"{k}:Smtp:PasswordEnv: name the environment variable that holds the SMTP password of '{s.User}'");
            else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(s.PasswordEnv)))
                errors.Add($"{k}:Smtp:PasswordEnv: the environment variable '{s.PasswordEnv}' is not set");
        }
    }

    /// <summary>A bare address (name@domain) that MimeKit parses as it is: no display name, no stray brackets or spaces.</summary>
    private static bool IsAddress(string email) =>
        MimeKit.MailboxAddress.TryParse(email, out var m) && m.Address.Contains('@')
        && string.Equals(m.Address, email.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Null when <paramref name="cron"/> is empty (the schedule is off) or an expression Cronos, the parser Hangfire schedules
    /// with, accepts (five fields, six with seconds, or a macro such as <c>@daily</c>); otherwise Cronos's reason.
    /// </summary>
    internal static string? CronError(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron)) return null;
        var text = cron.Trim();
        var format = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? Cronos.CronFormat.IncludeSeconds : Cronos.CronFormat.Standard;
        try
        {
            Cronos.CronExpression.Parse(text, format);
            return null;
        }
        catch (Cronos.CronFormatException e) { return e.Message; }
    }

    /// <summary>A misspelt key is an error that names it, not a silently ignored setting.</summary>
    private static void UnknownKeys(Microsoft.Extensions.Configuration.IConfigurationSection section, Type type, List<string> errors)
    {
        if (type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(double) || Nullable.GetUnderlyingType(type) is not null) return;
        var element = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
        foreach (var child in section.GetChildren())
        {
            if (element is not null) { UnknownKeys(child, element, errors); continue; }
            var prop = type.GetProperty(child.Key, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (prop is null || !prop.CanWrite) errors.Add($"{child.Path}: unknown setting (see appsettings.example.json for the keys)");
            else UnknownKeys(child, prop.PropertyType, errors);
        }
    }

    /// <summary>The binder skips a list element whose enum value does not convert; name such values here.</summary>
    private void RawEnums(List<string> errors)
    {
        if (configuration is null) return;
        var sources = configuration.GetSection(AlignmentOptions.Section + ":Sources").GetChildren().ToList();
        foreach (var s in sources)
        {
            Check(s.GetSection("Kind"), Enum.GetNames<TrackerKind>());
            Check(s.GetSection("Auth:Scheme"), Enum.GetNames<AuthScheme>());
        }

        void Check(Microsoft.Extensions.Configuration.IConfigurationSection value, string[] allowed)
        {
            if (value.Value is { } v && !allowed.Contains(v, StringComparer.OrdinalIgnoreCase))
                errors.Add($"{value.Path}: '{v}' must be one of {string.Join(", ", allowed)}");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")] private static partial Regex IdPattern();
    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,19}$")] private static partial Regex ProjectKey();
    [GeneratedRegex("^[0-9a-fA-F]{64}$")] private static partial Regex Sha256Hex();
}
