namespace Alignment.Domain.Model;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

public enum TrackerKind { Jira, AzureDevOps }

[JsonConverter(typeof(DomainNameJsonConverter<WorkItemType>))]
public enum WorkItemType { Epic, Feature, Story, Bug, Task, Other }

[JsonConverter(typeof(DomainNameJsonConverter<StatusCategory>))]
public enum StatusCategory { Todo, InProgress, Done, Removed }

/// <summary>Normalized link kinds. <see cref="Dependency"/> is directed: From depends on To (To blocks From).</summary>
public enum LinkKind { Dependency, Relates, Duplicates, Clones }

public enum LinkOrigin { TrackerLink, RemoteLink, Hyperlink }

[JsonConverter(typeof(DomainNameJsonConverter<SprintState>))]
public enum SprintState { Future, Active, Closed }

public enum ItemEventKind { SprintAdded, SprintRemoved, EstimateChanged, StatusChanged }

/// <summary>A finding's severity, in rising order (<c>Critical &gt; Warning &gt; Info</c> compares as severity does).</summary>
[JsonConverter(typeof(DomainNameJsonConverter<Severity>))]
public enum Severity { Info, Warning, Critical }

/// <summary>What an epic forecast is: a forecast (P50/P85 set), done, or no forecast (with reasons).</summary>
[JsonConverter(typeof(DomainNameJsonConverter<ForecastStatus>))]
public enum ForecastStatus { Forecast, Done, NoForecast }

/// <summary>A finding's lifecycle status (analysis.findings.status).</summary>
[JsonConverter(typeof(DomainNameJsonConverter<FindingStatus>))]
public enum FindingStatus { Open, Acknowledged, Suppressed, Resolved }

/// <summary>An epic's status in the MI (docs/figures.md).</summary>
[JsonConverter(typeof(DomainNameJsonConverter<EpicStatus>))]
public enum EpicStatus { OnTrack, AtRisk, Late, Done, NoTarget, Unknown }

/// <summary>The rule ids of docs/rules.md (their names, e.g. <c>DEP-UNSCHEDULED</c>: <see cref="DomainNames.Name(RuleId)"/>).</summary>
[JsonConverter(typeof(DomainNameJsonConverter<RuleId>))]
public enum RuleId
{
    DepUnscheduled, DepLate, DepCycle, DepRank, EpicMisaligned, DriftCarryOver, DriftStale, DriftUnestimated, DriftOrphan,
    DriftEpicForecast, DriftEpicScope, DriftSprintScope, DriftHierarchy, CapOvercommit, CapVolatile, CapSayDo, CapDip,
    CapDependencyLoad, DriftReadiness, Hygiene, SyncStale, BudgetOverrun, ValueMissing, PrioInversion,
    IntervalAtRisk,
}

/// <summary>Why a planned item of a planning interval was not delivered (docs/figures.md, "Planning intervals").</summary>
[JsonConverter(typeof(DomainNameJsonConverter<SlipReason>))]
public enum SlipReason { BlockedByTeam, CarriedOver, UnplannedWork, Removed, Unexplained }

/// <summary>Where a planning interval stands for a team or the organisation (docs/figures.md, "Planning intervals").</summary>
[JsonConverter(typeof(DomainNameJsonConverter<IntervalPhase>))]
public enum IntervalPhase { NotStarted, Running, Finished }

/// <summary>
/// The one mapping between each domain enum and its stored name (database columns, JSON, SQL parameters, templates): <c>Name</c> one way,
/// <see cref="Parse{T}"/> (built from <c>Name</c>) the other. Nothing else spells these names.
/// </summary>
public static class DomainNames
{
    public static string Name(this WorkItemType t) => t switch
    {
        WorkItemType.Epic => "epic", WorkItemType.Feature => "feature", WorkItemType.Story => "story",
        WorkItemType.Bug => "bug", WorkItemType.Task => "task", _ => "other",
    };

    public static string Name(this StatusCategory c) => c switch
    {
        StatusCategory.Todo => "todo", StatusCategory.InProgress => "inProgress",
        StatusCategory.Done => "done", _ => "removed",
    };

    public static string Name(this LinkKind k) => k switch
    {
        LinkKind.Dependency => "dependency", LinkKind.Relates => "relates",
        LinkKind.Duplicates => "duplicates", _ => "clones",
    };

    public static string Name(this LinkOrigin o) => o switch
    {
        LinkOrigin.TrackerLink => "trackerLink", LinkOrigin.RemoteLink => "remoteLink", _ => "hyperlink",
    };

    public static string Name(this SprintState s) => s switch
    {
        SprintState.Future => "future", SprintState.Active => "active", _ => "closed",
    };

    public static string Name(this ItemEventKind k) => k switch
    {
        ItemEventKind.SprintAdded => "sprintAdded", ItemEventKind.SprintRemoved => "sprintRemoved",
        ItemEventKind.EstimateChanged => "estimateChanged", _ => "statusChanged",
    };

    public static string Name(this TrackerKind k) => k == TrackerKind.Jira ? "jira" : "azureDevOps";

    public static string Name(this Severity s) => s switch
    {
        Severity.Critical => "critical", Severity.Warning => "warning", _ => "info",
    };

    public static string Name(this RuleId r) => r switch
    {
        RuleId.DepUnscheduled => "DEP-UNSCHEDULED", RuleId.DepLate => "DEP-LATE", RuleId.DepCycle => "DEP-CYCLE", RuleId.DepRank => "DEP-RANK",
        RuleId.EpicMisaligned => "EPIC-MISALIGNED", RuleId.DriftCarryOver => "DRIFT-CARRYOVER", RuleId.DriftStale => "DRIFT-STALE",
        RuleId.DriftUnestimated => "DRIFT-UNESTIMATED", RuleId.DriftOrphan => "DRIFT-ORPHAN", RuleId.DriftEpicForecast => "DRIFT-EPIC-FORECAST",
        RuleId.DriftEpicScope => "DRIFT-EPIC-SCOPE", RuleId.DriftSprintScope => "DRIFT-SPRINT-SCOPE", RuleId.DriftHierarchy => "DRIFT-HIERARCHY",
        RuleId.CapOvercommit => "CAP-OVERCOMMIT", RuleId.CapVolatile => "CAP-VOLATILE", RuleId.CapSayDo => "CAP-SAYDO", RuleId.CapDip => "CAP-DIP",
        RuleId.CapDependencyLoad => "CAP-DEPENDENCY-LOAD", RuleId.DriftReadiness => "DRIFT-READINESS", RuleId.Hygiene => "HYGIENE",
        RuleId.BudgetOverrun => "BUDGET-OVERRUN",
        RuleId.ValueMissing => "VALUE-MISSING", RuleId.PrioInversion => "PRIO-INVERSION",
        RuleId.IntervalAtRisk => "INTERVAL-AT-RISK",
        _ => "SYNC-STALE",
    };

    public static string Name(this SlipReason r) => r switch
    {
        SlipReason.BlockedByTeam => "blockedByTeam", SlipReason.CarriedOver => "carriedOver", SlipReason.UnplannedWork => "unplannedWork",
        SlipReason.Removed => "removed", _ => "unexplained",
    };

    public static string Name(this IntervalPhase p) => p switch
    {
        IntervalPhase.NotStarted => "notStarted", IntervalPhase.Running => "running", _ => "finished",
    };

    public static string Name(this ForecastStatus s) => s switch
    {
        ForecastStatus.Forecast => "forecast", ForecastStatus.Done => "done", _ => "noForecast",
    };

    public static string Name(this EpicStatus s) => s switch
    {
        EpicStatus.OnTrack => "onTrack", EpicStatus.AtRisk => "atRisk", EpicStatus.Late => "late", EpicStatus.Done => "done",
        EpicStatus.NoTarget => "noTarget", _ => "unknown",
    };

    public static string Name(this FindingStatus s) => s switch
    {
        FindingStatus.Open => "open", FindingStatus.Acknowledged => "acknowledged", FindingStatus.Suppressed => "suppressed", _ => "resolved",
    };

    /// <summary>Every severity's name, lowest first (<c>info</c>, <c>warning</c>, <c>critical</c>).</summary>
    public static readonly IReadOnlyList<string> SeverityNames = Names<Severity>();

    /// <summary>Every rule id's name, in the order of docs/rules.md</summary>
    public static readonly IReadOnlyList<string> RuleNames = Names<RuleId>();

    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => Enum.GetValues<T>().Select(v => NameOf(v)).ToArray();

    /// <summary>The name of any domain enum value (the <c>Name</c> overload of its type).</summary>
    public static string NameOf<T>(T value) where T : struct, Enum => Table<T>.Names[value];

    /// <summary>The value whose <c>Name</c> is <paramref name="name"/> (exact, case-sensitive).</summary>
    public static T Parse<T>(string name) where T : struct, Enum =>
        Table<T>.Values.TryGetValue(name, out var v) ? v : throw new FormatException($"'{name}' is not a {typeof(T).Name} name ({string.Join(", ", Names<T>())})");

    public static bool TryParse<T>(string? name, out T value) where T : struct, Enum
    {
        value = default;
        return name is not null && Table<T>.Values.TryGetValue(name, out value);
    }

    /// <summary>Both directions of one enum's mapping, built once from its <c>Name</c>.</summary>
    private static class Table<T> where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names = Enum.GetValues<T>().ToFrozenDictionary(v => v, v => (object)v switch
        {
            WorkItemType x => x.Name(), StatusCategory x => x.Name(), LinkKind x => x.Name(), LinkOrigin x => x.Name(), SprintState x => x.Name(),
            ItemEventKind x => x.Name(), TrackerKind x => x.Name(), Severity x => x.Name(), RuleId x => x.Name(), ForecastStatus x => x.Name(), EpicStatus x => x.Name(), FindingStatus x => x.Name(),
            SlipReason x => x.Name(), IntervalPhase x => x.Name(),
            _ => throw new NotSupportedException($"{typeof(T).Name} has no domain names"),
        });

        public static readonly FrozenDictionary<string, T> Values = Names.ToFrozenDictionary(kv => kv.Value, kv => kv.Key, StringComparer.Ordinal);
    }
}

/// <summary>
/// A domain enum in JSON as its <see cref="DomainNames"/> name (e.g. <c>"inProgress"</c>, <c>"DEP-LATE"</c>), as values and as dictionary keys.
/// A <see cref="JsonStringEnumConverter{TEnum}"/> whose naming policy is the name mapping, so schema generators (OpenAPI) list the names.
/// </summary>
public sealed class DomainNameJsonConverter<T>() : JsonStringEnumConverter<T>(new DomainNamePolicy<T>(), allowIntegerValues: false)
    where T : struct, Enum;

/// <summary>Maps an enum member's C# name to its <see cref="DomainNames"/> name.</summary>
public sealed class DomainNamePolicy<T> : JsonNamingPolicy where T : struct, Enum
{
    public override string ConvertName(string name) => DomainNames.NameOf(Enum.Parse<T>(name));
}
