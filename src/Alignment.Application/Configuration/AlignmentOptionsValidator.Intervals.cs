using System.Text.RegularExpressions;

namespace Alignment.Application.Configuration;

/// <summary>
/// <c>Alignment:PlanningIntervals</c> (docs/figures.md, "Planning intervals"): ids unique, dates that parse, start before end, no overlap; and
/// <c>Sources:N:Intervals</c> ("Intervals from the trackers"): an origin the source's tracker has, a pattern that compiles.
/// </summary>
public sealed partial class AlignmentOptionsValidator
{
    private static void PlanningIntervals(AlignmentOptions o, List<string> errors)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var valid = new List<(int Index, DateOnly Start, DateOnly End)>();
        for (var i = 0; i < o.PlanningIntervals.Count; i++)
        {
            var p = o.PlanningIntervals[i];
            var key = $"Alignment:PlanningIntervals:{i}";
            if (!IntervalId().IsMatch(p.Id ?? ""))
                errors.Add($"{key}:Id: '{p.Id}' must be 1-40 characters of letters, digits, '.', '-' or '_' (e.g. 2026-Q4)");
            else if (ids.TryGetValue(p.Id!, out var other)) errors.Add($"{key}:Id: '{p.Id}' is also the Id of Alignment:PlanningIntervals:{other}");
            else ids[p.Id!] = i;
            var start = p.StartDate;
            var end = p.EndDate;
            if (start is null) errors.Add($"{key}:Start: '{p.Start}' must be a date (yyyy-MM-dd), the interval's first day");
            if (end is null) errors.Add($"{key}:End: '{p.End}' must be a date (yyyy-MM-dd), the interval's last day");
            if (start is { } s && end is { } e)
            {
                if (s >= e) errors.Add($"{key}:End: {p.End} must be after Start ({p.Start})");
                else valid.Add((i, s, e));
            }
        }
        foreach (var a in valid)
            foreach (var b in valid)
                if (a.Index < b.Index && a.Start <= b.End && b.Start <= a.End)
                    errors.Add($"Alignment:PlanningIntervals:{b.Index}: {o.PlanningIntervals[b.Index].Start}..{o.PlanningIntervals[b.Index].End} overlaps "
                        + $"Alignment:PlanningIntervals:{a.Index} ({o.PlanningIntervals[a.Index].Start}..{o.PlanningIntervals[a.Index].End}); intervals may not share a day");
    }

    private static void SourceIntervals(AlignmentOptions o, List<string> errors)
    {
        for (var i = 0; i < o.Sources.Count; i++)
        {
            var s = o.Sources[i];
            var key = $"Alignment:Sources:{i}:Intervals";
            if (!Enum.IsDefined(s.Intervals.From))
                errors.Add($"{key}:From: '{s.Intervals.From}' must be Configured, Iterations (Azure DevOps) or FixVersions (Jira)");
            else if (s.Intervals.From == IntervalOrigin.Iterations && s.Kind != TrackerKind.AzureDevOps)
                errors.Add($"{key}:From: Iterations reads Azure DevOps iteration nodes; source '{s.Id}' is {s.Kind} (use FixVersions for Jira)");
            else if (s.Intervals.From == IntervalOrigin.FixVersions && s.Kind != TrackerKind.Jira)
                errors.Add($"{key}:From: FixVersions reads Jira project versions; source '{s.Id}' is {s.Kind} (use Iterations for Azure DevOps)");
            if (string.IsNullOrWhiteSpace(s.Intervals.Match)) continue;
            try { _ = new Regex(s.Intervals.Match, RegexOptions.None, TimeSpan.FromMilliseconds(100)); }
            catch (ArgumentException e) { errors.Add($"{key}:Match: '{s.Intervals.Match}' is not a regular expression: {e.Message}"); }
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")] private static partial Regex IntervalId();
}
