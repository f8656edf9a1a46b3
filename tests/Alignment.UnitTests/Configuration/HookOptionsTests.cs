using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Configuration;

/// <summary>Validation of a source's webhook settings, Sources:N:Hooks (docs/webhooks.md).</summary>
public sealed class HookOptionsTests
{
    private static List<string> Failures(string kind, params (string Key, string Value)[] values)
    {
        Environment.SetEnvironmentVariable("ALIGNMENT_TEST_HOOK_TOKEN", "x");
        Environment.SetEnvironmentVariable("ALIGNMENT_TEST_HOOK_SECRET", "a-secret-long-enough-to-use");
        Environment.SetEnvironmentVariable("ALIGNMENT_TEST_HOOK_SHORT", "short");
        var ado = kind == "AzureDevOps";
        var config = new ConfigurationBuilder().AddInMemoryCollection(new[]
        {
            ("Alignment:Sources:0:Id", "src"), ("Alignment:Sources:0:Kind", kind),
            ("Alignment:Sources:0:BaseUrl", ado ? "https://dev.azure.com/contoso" : "https://example.atlassian.net"),
            ("Alignment:Sources:0:Auth:Scheme", ado ? "Pat" : "Bearer"), ("Alignment:Sources:0:Auth:TokenEnv", "ALIGNMENT_TEST_HOOK_TOKEN"),
        }.Concat(values).Select(v => KeyValuePair.Create(v.Item1, (string?)v.Item2))).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>() ?? new AlignmentOptions();
        return new AlignmentOptionsValidator(config).Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void Hooks_with_a_secret_and_the_documented_windows_are_valid()
    {
        Assert.Empty(Failures("Jira", ("Alignment:Sources:0:Hooks:SecretEnv", "ALIGNMENT_TEST_HOOK_SECRET"),
            ("Alignment:Sources:0:Hooks:HealthyWindow", "02:00:00"), ("Alignment:Sources:0:Hooks:CoalesceWindow", "00:00:02")));
        Assert.Empty(Failures("AzureDevOps", ("Alignment:Sources:0:Hooks:SecretEnv", "ALIGNMENT_TEST_HOOK_SECRET"),
            ("Alignment:Sources:0:Hooks:Header", "X-Alignment-Hook")));
        Assert.Empty(Failures("Jira")); // no hooks at all
    }

    [Theory]
    [InlineData("SecretEnv", "ALIGNMENT_TEST_HOOK_UNSET", "the environment variable 'ALIGNMENT_TEST_HOOK_UNSET' is not set")]
    [InlineData("SecretEnv", "ALIGNMENT_TEST_HOOK_SHORT", "shorter than 16 characters")]
    [InlineData("MaxBodyBytes", "10", "must be between 1024 and 67108864")]
    [InlineData("HealthyWindow", "00:00:10", "must be between 00:01:00")]
    [InlineData("CoalesceWindow", "01:00:00", "must be between 00:00:00 and 00:05:00")]
    public void A_bad_value_names_its_key(string key, string value, string reason)
    {
        var extra = key == "SecretEnv" ? [] : new[] { ("Alignment:Sources:0:Hooks:SecretEnv", "ALIGNMENT_TEST_HOOK_SECRET") };
        var f = Assert.Single(Failures("Jira", [.. extra, ($"Alignment:Sources:0:Hooks:{key}", value)]));
        Assert.StartsWith($"Alignment:Sources:0:Hooks:{key}: ", f);
        Assert.Contains(reason, f);
    }

    [Fact]
    public void A_header_is_for_azure_devops_and_needs_a_secret()
    {
        Assert.Contains(Failures("Jira", ("Alignment:Sources:0:Hooks:SecretEnv", "ALIGNMENT_TEST_HOOK_SECRET"), ("Alignment:Sources:0:Hooks:Header", "X-Hook")),
            f => f.StartsWith("Alignment:Sources:0:Hooks:Header: only Azure DevOps", StringComparison.Ordinal));
        Assert.Contains(Failures("AzureDevOps", ("Alignment:Sources:0:Hooks:Header", "X-Hook")),
            f => f.StartsWith("Alignment:Sources:0:Hooks:SecretEnv: name the environment variable", StringComparison.Ordinal));
        Assert.Contains(Failures("AzureDevOps", ("Alignment:Sources:0:Hooks:SecretEnv", "ALIGNMENT_TEST_HOOK_SECRET"), ("Alignment:Sources:0:Hooks:Header", "Authorization")),
            f => f.StartsWith("Alignment:Sources:0:Hooks:Header: 'Authorization' is not a usable", StringComparison.Ordinal));
        Assert.Contains(Failures("Jira", ("Alignment:Sources:0:Hooks:Secrett", "x")), f => f.StartsWith("Alignment:Sources:0:Hooks:Secrett: unknown setting", StringComparison.Ordinal));
    }
}
