using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Configuration;

public sealed class ExampleConfigurationTests
{
    private static string Example()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "appsettings.example.json"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new FileNotFoundException("appsettings.example.json"), "appsettings.example.json");
    }

    private static (AlignmentOptions Options, IConfiguration Config) Load(string file, params (string Key, string? Value)[] overrides)
    {
        var config = new ConfigurationBuilder().AddJsonFile(file).AddInMemoryCollection(overrides.Select(o => KeyValuePair.Create(o.Key, o.Value))).Build();
        return (config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>()!, config);
    }

    [Fact]
    public void Example_configuration_uses_only_known_keys_and_is_valid_once_placeholders_are_filled()
    {
        Environment.SetEnvironmentVariable("JIRA_TOKEN", "x");
        Environment.SetEnvironmentVariable("ADO_PAT", "y");
        Environment.SetEnvironmentVariable("JIRA_HOOK_SECRET", "a-jira-hook-secret-of-some-length");
        Environment.SetEnvironmentVariable("ADO_HOOK_SECRET", "an-ado-hook-secret-of-some-length");
        var hash = new string('a', 64);
        var (options, config) = Load(Example(),
            ("Alignment:Auth:ApiKeys:0:Sha256", hash), ("Alignment:Auth:ApiKeys:1:Sha256", hash), ("Alignment:Auth:ApiKeys:2:Sha256", hash));

        var result = new AlignmentOptionsValidator(config).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(2, options.Sources.Count);
        Assert.Equal(2, options.Teams.Count);
    }

    [Fact]
    public void Errors_name_the_key_and_the_reason()
    {
        var (options, config) = Load(Example(),
            ("Alignment:Sources:0:BaseUrl", "example.atlassian.net"),
            ("Alignment:Sources:1:Kind", "Asana"),
            ("Alignment:Teams:0:Jria", "typo"),
            ("Alignment:Teams:1:Source", "nowhere"),
            ("Alignment:Auth:ApiKeys:0:Sha256", "the-key-itself"),
            ("Alignment:Sources:1:Auth:TokenEnv", "ALIGNMENT_TEST_UNSET_VARIABLE"),
            ("Alignment:Teams:0:Capacity:FocusFactor", "1.5"),
            ("Alignment:Sources:0:Sync:Cron", "every 15 minutes"),
            ("Alignment:Teams:0:Capacity:Members:0:Name", ""),
            ("Alignment:Teams:0:Capacity:Members:0:HoursPerDay", "30"));

        var failures = new AlignmentOptionsValidator(config).Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Alignment:Sources:0:BaseUrl: 'example.atlassian.net' is not an absolute", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Sources:1:Kind: 'Asana' must be one of", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Jria: unknown setting", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:1:Source: 'nowhere' is not one of the configured sources", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Auth:ApiKeys:0:Sha256:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Capacity:FocusFactor: 1.5 must be above 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Sources:0:Sync:Cron: 'every 15 minutes' is not a cron expression", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Capacity:Members:0:Name: required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Capacity:Members:0:HoursPerDay: 30", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.Contains("the-key-itself", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("61 * * * *", false)]   // five fields, but no minute 61: counting fields let it through
    [InlineData("*/15 * * * *", true)]
    [InlineData("0 7 * * MON", true)]
    [InlineData("0 0 7 * * MON", true)] // six fields: with seconds
    [InlineData("@daily", true)]
    [InlineData("0 25 * * *", false)]
    [InlineData("", true)]               // empty: the schedule is off
    public void Cron_expressions_are_checked_by_the_parser_hangfire_uses(string cron, bool valid)
    {
        var (options, config) = Load(Example(), ("Alignment:Sources:0:Sync:Cron", cron));

        var failures = new AlignmentOptionsValidator(config).Validate(null, options).Failures?.ToList() ?? [];

        var cronFailure = failures.FirstOrDefault(f => f.StartsWith("Alignment:Sources:0:Sync:Cron:", StringComparison.Ordinal));
        if (valid) Assert.Null(cronFailure);
        else Assert.StartsWith($"Alignment:Sources:0:Sync:Cron: '{cron}' is not a cron expression", cronFailure);
    }

    [Fact]
    public void Deadline_and_size_settings_are_checked_naming_the_key()
    {
        var (options, config) = Load(Example(),
            ("Alignment:Sources:0:Sync:RequestTimeoutSeconds", "60"),
            ("Alignment:Sources:0:Sync:RequestTotalSeconds", "30"),
            ("Alignment:Sources:1:Sync:MaxResponseMegabytes", "0"),
            ("Alignment:Sources:1:Sync:RunTimeoutMinutes", "0"),
            ("Alignment:Analysis:SyncStaleCriticalHours", "0"));

        var failures = new AlignmentOptionsValidator(config).Validate(null, options).Failures!.ToList();

        Assert.Contains(failures, f => f.StartsWith("Alignment:Sources:0:Sync:RequestTotalSeconds: 30 must be at least Sync:RequestTimeoutSeconds (60)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Sources:1:Sync:MaxResponseMegabytes: 0 must be between 1 and 2048", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Sources:1:Sync:RunTimeoutMinutes: 0 must be between 1 and 1440", StringComparison.Ordinal));
        Assert.True(failures.Exists(f => f.StartsWith("Alignment:Analysis:SyncStaleCriticalHours: 0 must be between 1 and 720", StringComparison.Ordinal)), string.Join("\n", failures));
    }
}
