using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Configuration;

/// <summary><c>Teams:N:Costs</c>, <c>Finance:Currency</c> and <c>Finance:Budgets</c>: each mistake is an error naming the key.</summary>
public sealed class FinanceConfigurationTests
{
    private static List<string> Failures(params (string Key, string? Value)[] overrides)
    {
        Environment.SetEnvironmentVariable("ALIGNMENT_FINANCE_TEST_TOKEN", "x");
        var baseKeys = new Dictionary<string, string?>
        {
            ["Alignment:Sources:0:Id"] = "jira", ["Alignment:Sources:0:Kind"] = "Jira", ["Alignment:Sources:0:BaseUrl"] = "https://example.atlassian.net",
            ["Alignment:Sources:0:Auth:User"] = "bot@example.com", ["Alignment:Sources:0:Auth:TokenEnv"] = "ALIGNMENT_FINANCE_TEST_TOKEN",
            ["Alignment:Teams:0:Id"] = "payments", ["Alignment:Teams:0:Name"] = "Payments", ["Alignment:Teams:0:Source"] = "jira",
            ["Alignment:Teams:0:Jira:Board"] = "12", ["Alignment:Teams:0:Jira:Project"] = "PAY",
        };
        foreach (var (k, v) in overrides) baseKeys[k] = v;
        var config = new ConfigurationBuilder().AddInMemoryCollection(baseKeys).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>()!;
        var result = new AlignmentOptionsValidator(config).Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    [Fact]
    public void Valid_costs_budgets_and_currency_pass_and_bind()
    {
        var failures = Failures(
            ("Alignment:Teams:0:Costs:0:From", "2026-01-01"), ("Alignment:Teams:0:Costs:0:PerSprint", "42000"),
            ("Alignment:Teams:0:Costs:1:From", "2026-07-01"), ("Alignment:Teams:0:Costs:1:PerPersonDay", "800"),
            ("Alignment:Finance:Currency", "USD"),
            ("Alignment:Finance:Budgets:0:Source", "jira"), ("Alignment:Finance:Budgets:0:Epic", "PAY-1"), ("Alignment:Finance:Budgets:0:Amount", "250000"));
        Assert.Empty(failures);
    }

    [Fact]
    public void Without_finance_keys_the_currency_is_eur_and_nothing_fails()
    {
        Assert.Empty(Failures());
        Assert.Equal("EUR", new AlignmentOptions().Finance.Currency);
    }

    [Fact]
    public void A_non_positive_rate_names_its_key()
    {
        var failures = Failures(("Alignment:Teams:0:Costs:0:From", "2026-01-01"), ("Alignment:Teams:0:Costs:0:PerSprint", "0"),
            ("Alignment:Teams:0:Costs:1:From", "2026-02-01"), ("Alignment:Teams:0:Costs:1:PerPersonDay", "-5"));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Costs:0:PerSprint must be > 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Costs:1:PerPersonDay must be > 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_or_neither_rate_is_an_error()
    {
        var failures = Failures(("Alignment:Teams:0:Costs:0:From", "2026-01-01"), ("Alignment:Teams:0:Costs:0:PerSprint", "1"),
            ("Alignment:Teams:0:Costs:0:PerPersonDay", "2"), ("Alignment:Teams:0:Costs:1:From", "2026-02-01"));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Costs:0: set exactly one of PerSprint and PerPersonDay (both are set)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Costs:1: set exactly one of PerSprint and PerPersonDay (neither is set)", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_or_malformed_from_dates_are_errors()
    {
        var failures = Failures(("Alignment:Teams:0:Costs:0:From", "2026-01-01"), ("Alignment:Teams:0:Costs:0:PerSprint", "1"),
            ("Alignment:Teams:0:Costs:1:From", "2026-01-01"), ("Alignment:Teams:0:Costs:1:PerSprint", "2"),
            ("Alignment:Teams:0:Costs:2:From", "01/07/2026"), ("Alignment:Teams:0:Costs:2:PerSprint", "3"));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Costs:1:From: 2026-01-01 is also the From of Alignment:Teams:0:Costs:0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:0:Costs:2:From: '01/07/2026' must be a date", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_currency_and_budgets_name_their_keys()
    {
        var failures = Failures(("Alignment:Finance:Currency", "euro"),
            ("Alignment:Finance:Budgets:0:Source", "nowhere"), ("Alignment:Finance:Budgets:0:Epic", "PAY-1"), ("Alignment:Finance:Budgets:0:Amount", "10"),
            ("Alignment:Finance:Budgets:1:Source", "jira"), ("Alignment:Finance:Budgets:1:Epic", "PAY-2"), ("Alignment:Finance:Budgets:1:Amount", "0"),
            ("Alignment:Finance:Budgets:2:Source", "jira"), ("Alignment:Finance:Budgets:2:Epic", "PAY-2"), ("Alignment:Finance:Budgets:2:Amount", "5"),
            ("Alignment:Finance:Budgets:3:Source", "jira"), ("Alignment:Finance:Budgets:3:Amount", "5"));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Finance:Currency: 'euro' must be an ISO 4217 currency code", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Finance:Budgets:0:Source: 'nowhere' is not one of the configured sources", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Finance:Budgets:1:Amount: 0 must be > 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Finance:Budgets:2: the budget of jira/PAY-2 is configured twice", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Finance:Budgets:3:Epic: required", StringComparison.Ordinal));
    }
}
