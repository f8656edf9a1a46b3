using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Configuration;

/// <summary><c>Alignment:PlanningIntervals</c>: ids unique, dates that parse, start before end, no overlap — each mistake names its key.</summary>
public sealed class PlanningIntervalConfigurationTests
{
    private static (AlignmentOptions Options, List<string> Failures) Validate(params (string Key, string? Value)[] keys)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(keys.Select(k => KeyValuePair.Create(k.Key, k.Value))).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>() ?? new AlignmentOptions();
        var result = new AlignmentOptionsValidator(config).Validate(null, options);
        return (options, result.Failures?.ToList() ?? []);
    }

    private static (string, string?)[] Interval(int i, string id, string start, string end) =>
        [($"Alignment:PlanningIntervals:{i}:Id", id), ($"Alignment:PlanningIntervals:{i}:Start", start), ($"Alignment:PlanningIntervals:{i}:End", end)];

    [Fact]
    public void Valid_intervals_bind_and_pass()
    {
        var (options, failures) = Validate([.. Interval(0, "2026-Q3", "2026-07-06", "2026-10-04"), .. Interval(1, "2026-Q4", "2026-10-05", "2026-12-27")]);
        Assert.Empty(failures);
        var intervals = PlanningInterval.From(options);
        Assert.Equal(["2026-Q3", "2026-Q4"], intervals.Select(i => i.Id));
        Assert.Equal(new DateOnly(2026, 12, 27), intervals[1].End);
        Assert.Equal(new DateTimeOffset(2026, 12, 28, 0, 0, 0, TimeSpan.Zero), intervals[1].EndAt);
    }

    [Fact]
    public void A_date_that_does_not_parse_names_its_key()
    {
        var (_, failures) = Validate([.. Interval(0, "PI-1", "2026-13-01", "5 Jan")]);
        Assert.Contains(failures, f => f.StartsWith("Alignment:PlanningIntervals:0:Start: '2026-13-01' must be a date (yyyy-MM-dd)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:PlanningIntervals:0:End: '5 Jan' must be a date (yyyy-MM-dd)", StringComparison.Ordinal));
    }

    [Fact]
    public void The_end_must_be_after_the_start()
    {
        var (_, failures) = Validate([.. Interval(0, "PI-1", "2026-03-01", "2026-03-01")]);
        Assert.Contains(failures, f => f.StartsWith("Alignment:PlanningIntervals:0:End: 2026-03-01 must be after Start (2026-03-01)", StringComparison.Ordinal));
    }

    [Fact]
    public void Ids_must_be_unique_and_well_formed()
    {
        var (_, failures) = Validate([.. Interval(0, "PI-1", "2026-01-05", "2026-02-15"), .. Interval(1, "PI-1", "2026-02-16", "2026-03-29"),
            .. Interval(2, "", "2026-04-06", "2026-05-17")]);
        Assert.Contains(failures, f => f.StartsWith("Alignment:PlanningIntervals:1:Id: 'PI-1' is also the Id of Alignment:PlanningIntervals:0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Alignment:PlanningIntervals:2:Id: '' must be 1-40 characters", StringComparison.Ordinal));
    }

    [Fact]
    public void Overlapping_intervals_name_both_keys_and_a_shared_day_overlaps()
    {
        var (_, failures) = Validate([.. Interval(0, "A", "2026-01-05", "2026-02-15"), .. Interval(1, "B", "2026-02-15", "2026-03-29"),
            .. Interval(2, "C", "2026-03-30", "2026-05-10")]);
        var overlap = Assert.Single(failures);
        Assert.StartsWith("Alignment:PlanningIntervals:1: 2026-02-15..2026-03-29 overlaps Alignment:PlanningIntervals:0 (2026-01-05..2026-02-15)", overlap);
    }

    [Fact]
    public void A_misspelt_key_is_an_unknown_setting()
    {
        var (_, failures) = Validate([("Alignment:PlanningIntervals:0:Id", "A"), ("Alignment:PlanningIntervals:0:Start", "2026-01-05"),
            ("Alignment:PlanningIntervals:0:End", "2026-02-15"), ("Alignment:PlanningIntervals:0:Finish", "2026-02-15")]);
        Assert.Contains("Alignment:PlanningIntervals:0:Finish: unknown setting (see appsettings.example.json for the keys)", failures);
    }

    [Fact]
    public void A_source_reading_intervals_its_tracker_does_not_have_or_with_a_pattern_that_does_not_compile_is_named()
    {
        static (string, string?)[] Source(string kind, string from, string? match = null) =>
            [("Alignment:Sources:0:Id", "s"), ("Alignment:Sources:0:Kind", kind), ("Alignment:Sources:0:Intervals:From", from),
             ("Alignment:Sources:0:Intervals:Match", match)];
        Assert.DoesNotContain(Validate(Source("Jira", "FixVersions", "^PI ")).Failures, f => f.Contains(":Intervals", StringComparison.Ordinal));
        Assert.DoesNotContain(Validate(Source("AzureDevOps", "Iterations")).Failures, f => f.Contains(":Intervals", StringComparison.Ordinal));
        Assert.Contains(Validate(Source("Jira", "Iterations")).Failures,
            f => f.StartsWith("Alignment:Sources:0:Intervals:From: Iterations reads Azure DevOps iteration nodes; source 's' is Jira", StringComparison.Ordinal));
        Assert.Contains(Validate(Source("AzureDevOps", "FixVersions")).Failures,
            f => f.StartsWith("Alignment:Sources:0:Intervals:From: FixVersions reads Jira project versions", StringComparison.Ordinal));
        Assert.Contains(Validate(Source("Jira", "FixVersions", "([")).Failures,
            f => f.StartsWith("Alignment:Sources:0:Intervals:Match: '([' is not a regular expression", StringComparison.Ordinal));
        var (options, _) = Validate(Source("AzureDevOps", "Iterations", "^PI"));
        Assert.True(options.HasPlanningIntervals); // no configured interval, but a source that reads them
    }
}
