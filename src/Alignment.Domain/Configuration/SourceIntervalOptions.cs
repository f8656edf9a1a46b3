using System.Text.RegularExpressions;

namespace Alignment.Domain.Configuration;

/// <summary>Where a source's teams take their planning intervals from (docs/figures.md, "Intervals from the trackers").</summary>
public enum IntervalOrigin
{
    /// <summary>The organisation's <c>Alignment:PlanningIntervals</c> (the default).</summary>
    Configured,
    /// <summary>Azure DevOps: the iteration node above each sprint (<c>Project\2026 Q4\Sprint 3</c> → interval <c>2026 Q4</c>).</summary>
    Iterations,
    /// <summary>Jira: the project's fix versions that have a start and a release date.</summary>
    FixVersions,
}

/// <summary>
/// <c>Sources:N:Intervals</c>: whether the source's teams read their planning intervals from the tracker, and which ones count
/// (<see cref="Match"/>, a regular expression on the interval's id: the iteration path below the project, or the version name).
/// </summary>
public sealed class SourceIntervalOptions
{
    public IntervalOrigin From { get; set; } = IntervalOrigin.Configured;
    /// <summary>Only intervals whose id matches (case-insensitive, anywhere in the id); empty = every one.</summary>
    public string? Match { get; set; }

    public bool FromTracker => From != IntervalOrigin.Configured;

    /// <summary>Whether an interval id passes <see cref="Match"/> (an invalid pattern matches nothing; the validator names it).</summary>
    public bool Matches(string id)
    {
        if (string.IsNullOrWhiteSpace(Match)) return true;
        try { return Regex.IsMatch(id, Match, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)); }
        catch (ArgumentException) { return false; }
        catch (RegexMatchTimeoutException) { return false; }
    }
}
