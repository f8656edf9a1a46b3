using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Configuration;

/// <summary>The keys of <c>Alignment:Mi:Report</c>: defaults, and errors that name the key.</summary>
public sealed class ReportConfigurationTests
{
    private static List<string> Failures(params (string Key, string Value)[] values)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>() ?? new AlignmentOptions();
        return new AlignmentOptionsValidator(config).Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void Defaults_are_seven_on_the_first_in_amsterdam_for_twelve_months_and_valid()
    {
        var o = new MiReportOptions();
        Assert.Equal(("0 7 1 * *", "Europe/Amsterdam", true, 12, 10), (o.Cron, o.TimeZone, o.ManagementKeys, o.Months, o.TopRisks));
        Assert.Empty(o.Recipients);
        Assert.Empty(Failures());
    }

    [Fact]
    public void Errors_name_the_report_key_and_the_reason()
    {
        var failures = Failures(
            ("Alignment:Mi:Report:Cron", "monthly"),
            ("Alignment:Mi:Report:TimeZone", "Mars/Olympus"),
            ("Alignment:Mi:Report:Recipients:0", "board@example.com"),
            ("Alignment:Mi:Report:Recipients:1", "Board <board@example.com>"),
            ("Alignment:Mi:Report:Months", "2"),
            ("Alignment:Mi:Report:TopRisks", "0"),
            ("Alignment:Mi:Report:Colour", "blue"));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Mi:Report:Cron: 'monthly' is not a cron expression", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Mi:Report:TimeZone: 'Mars/Olympus' is not a known time zone", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Mi:Report:Recipients:1: 'Board <board@example.com>' is not an e-mail address", StringComparison.Ordinal));
        Assert.DoesNotContain(failures, f => f.StartsWith("Alignment:Mi:Report:Recipients:0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Mi:Report:Months: 2 must be between 3 and 36", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Mi:Report:TopRisks: 0 must be between 1 and 100", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:Mi:Report:Colour: unknown setting", StringComparison.Ordinal));
    }

    [Fact]
    public void The_example_configures_every_report_key()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "appsettings.example.json"))) dir = dir.Parent;
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(dir!.FullName, "appsettings.example.json")).Build();
        var section = config.GetSection("Alignment:Mi:Report");
        Assert.Equal(typeof(MiReportOptions).GetProperties().Select(p => p.Name).Order(), section.GetChildren().Select(c => c.Key).Order());
        Assert.Equal(["board@example.com"], section.Get<MiReportOptions>()!.Recipients);
    }
}
