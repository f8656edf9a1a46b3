using System.Security.Cryptography;
using System.Text;

namespace Alignment.Domain.Analysis;

public static class Severity
{
    public const string Info = "info", Warning = "warning", Critical = "critical";
    public static readonly string[] All = [Info, Warning, Critical];
    public static int Rank(string s) => s switch { Critical => 2, Warning => 1, _ => 0 };
}

/// <summary>An item a finding is about, with the link back to the tracker.</summary>
public sealed record ItemRef(string Source, string Key, string Url)
{
    public static ItemRef Of(SnapshotItem i) => new(i.Source, i.Key, i.Url);
}

/// <summary>
/// What an analyzer found. <see cref="Subject"/> names what it is about (items, team, sprint) so that
/// <see cref="Fingerprint"/> (rule + subject) stays the same while the condition holds.
/// </summary>
public sealed record Finding(
    string Rule, string Severity, string? Team, IReadOnlyList<string> RelatedTeams, IReadOnlyList<ItemRef> Items,
    string Title, IReadOnlyDictionary<string, object?> Evidence, string Action, double Score, string Subject)
{
    public string Fingerprint => FingerprintOf(Rule, Subject);

    public static string FingerprintOf(string rule, string subject) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rule + "\n" + subject)))[..32];
}

/// <summary>The rule ids of docs/rules.md</summary>
public static class Rules
{
    public const string DepUnscheduled = "DEP-UNSCHEDULED", DepLate = "DEP-LATE", DepCycle = "DEP-CYCLE", DepRank = "DEP-RANK",
        EpicMisaligned = "EPIC-MISALIGNED", DriftCarryOver = "DRIFT-CARRYOVER", DriftStale = "DRIFT-STALE",
        DriftUnestimated = "DRIFT-UNESTIMATED", DriftOrphan = "DRIFT-ORPHAN", DriftEpicForecast = "DRIFT-EPIC-FORECAST",
        DriftEpicScope = "DRIFT-EPIC-SCOPE", DriftSprintScope = "DRIFT-SPRINT-SCOPE", DriftHierarchy = "DRIFT-HIERARCHY",
        CapOvercommit = "CAP-OVERCOMMIT", CapVolatile = "CAP-VOLATILE", CapSayDo = "CAP-SAYDO", CapDip = "CAP-DIP",
        CapDependencyLoad = "CAP-DEPENDENCY-LOAD", DriftReadiness = "DRIFT-READINESS", Hygiene = "HYGIENE", SyncStale = "SYNC-STALE";

    public static readonly string[] All =
    [
        DepUnscheduled, DepLate, DepCycle, DepRank, EpicMisaligned, DriftCarryOver, DriftStale, DriftUnestimated, DriftOrphan,
        DriftEpicForecast, DriftEpicScope, DriftSprintScope, DriftHierarchy, CapOvercommit, CapVolatile, CapSayDo, CapDip,
        CapDependencyLoad, DriftReadiness, Hygiene, SyncStale,
    ];
}
