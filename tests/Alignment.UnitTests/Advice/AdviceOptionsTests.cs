using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Advice;

public class AdviceOptionsTests
{
    private static List<string> Failures(params (string Key, string Value)[] values)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>() ?? new AlignmentOptions();
        return new AlignmentOptionsValidator(config).Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void Defaults_are_monday_seven_in_amsterdam_in_english_and_valid()
    {
        var o = new AdviceOptions();
        Assert.Equal(("0 7 * * 1", "Europe/Amsterdam", "en"), (o.Cron, o.TimeZone, o.Language));
        Assert.Empty(Failures());
    }

    [Fact]
    public void Errors_name_the_advice_key_and_the_reason()
    {
        var failures = Failures(
            ("Alignment:Advice:Language", "de"),
            ("Alignment:Advice:TimeZone", "Mars/Olympus"),
            ("Alignment:Advice:Cron", "every monday"),
            ("Alignment:Advice:CapPerSection", "0"),
            ("Alignment:Advice:OptOut:0", "not-an-address"),
            ("Alignment:Advice:Smtp:Host", "smtp.example.com"),
            ("Alignment:Advice:Smtp:User", "bot"),
            ("Alignment:Advice:Smtp:PasswordEnv", "ALIGNMENT_TEST_UNSET_SMTP_PASSWORD"),
            ("Alignment:Advice:Smtp:Colour", "blue"));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:Language: 'de' must be one of en, nl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:TimeZone: 'Mars/Olympus'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:Cron:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:CapPerSection:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:OptOut:0:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:Smtp:From:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:Smtp:PasswordEnv: the environment variable 'ALIGNMENT_TEST_UNSET_SMTP_PASSWORD' is not set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:Smtp:Colour: unknown setting", StringComparison.Ordinal));
    }

    [Fact]
    public void Product_owner_and_sender_addresses_that_mime_cannot_parse_are_errors_naming_the_key()
    {
        (string, string)[] Team(int i, string email) =>
        [
            ($"Alignment:Teams:{i}:Id", $"team{i}"), ($"Alignment:Teams:{i}:Name", $"Team {i}"), ($"Alignment:Teams:{i}:Source", "jira"),
            ($"Alignment:Teams:{i}:ProductOwner:Email", email),
        ];
        var failures = Failures([
            ("Alignment:Sources:0:Id", "jira"), ("Alignment:Sources:0:Kind", "Jira"), ("Alignment:Sources:0:BaseUrl", "https://example.atlassian.net"),
            .. Team(0, "ann@example.com"), .. Team(1, "bram@@example.com"), .. Team(2, "piet jansen@example.com"), .. Team(3, "<kim@example.com"),
            ("Alignment:Auth:ApiKeys:0:Name", "ann"), ("Alignment:Auth:ApiKeys:0:Role", "productOwner"),
            ("Alignment:Auth:ApiKeys:0:Sha256", new string('a', 64)), ("Alignment:Auth:ApiKeys:0:Email", "ann@example..com"),
            ("Alignment:Advice:Smtp:Host", "smtp.example.com"), ("Alignment:Advice:Smtp:From", "Alignment <pmo@@example.com>"),
        ]);
        Assert.DoesNotContain(failures, f => f.StartsWith("Alignment:Teams:0:ProductOwner:Email", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:1:ProductOwner:Email: 'bram@@example.com' is not an e-mail address", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:2:ProductOwner:Email: 'piet jansen@example.com'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Teams:3:ProductOwner:Email: '<kim@example.com'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Auth:ApiKeys:0:Email: 'ann@example..com' is not an e-mail address", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Advice:Smtp:From:", StringComparison.Ordinal));
    }
}
