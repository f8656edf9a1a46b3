using Alignment.Core.Configuration;
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
}
