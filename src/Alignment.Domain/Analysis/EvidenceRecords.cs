using System.Text.Json.Serialization;

namespace Alignment.Domain.Analysis;

// The evidence of each finding, one record per shape, serialized by AnalysisJsonContext (camelCase, in declaration order: the
// order of the JSON a reader of analysis.findings sees; a positional record's parameters come before the members of its body).

/// <summary>A finding's evidence: what a reader can check against the tracker.</summary>
public abstract record FindingEvidence;

// ---- fragments ------------------------------------------------------------------------------------------------------------

public sealed record ItemEvidence(string Source, string Key, string Url, string Title, WorkItemType Type, string? Team, StatusCategory StatusCategory,
    double? StoryPoints, SprintEvidence? Sprint);

public sealed record SprintEvidence(string Source, string Id, string Name, SprintState State, DateOnly? FirstDay, DateOnly? LastDay);

public sealed record VelocityEvidence(double P50, double Mean, double? Cv, IReadOnlyList<VelocitySprintEvidence> Sprints)
{
    public string Definition => "completed points of the team's last closed sprints (docs/figures.md)";
}

public sealed record VelocitySprintEvidence(string Sprint, double Completed, double Committed, double? SayDo, string Basis);

public sealed record OvercommitThresholds(double Warning, double Critical);

public sealed record ReadinessThresholds(double Min, double Max);

public sealed record SayDoSprintEvidence(string Sprint, double? SayDo, double Committed, double Completed);

public sealed record TeamStartEvidence(string? Team, ItemEvidence FirstStory);

public sealed record DependencyEdgeEvidence(string Dependent, string Blocker);

// ---- dependencies -----------------------------------------------------------------------------------------------------------

public sealed record UnscheduledBlockerEvidence(ItemEvidence Dependent, ItemEvidence Blocker) : FindingEvidence
{
    public string Definition =>
        "the dependent item is planned in an active or future sprint; its blocker (another team's) is not done and in no active or future sprint";
}

/// <summary>DEP-LATE: late (with <see cref="DaysLate"/>) or at risk in an overlapping sprint (without it).</summary>
public sealed record BlockerTimingEvidence(ItemEvidence Dependent, ItemEvidence Blocker, DateOnly DependentStarts, DateOnly DependentEnds, DateOnly BlockerEnds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? DaysLate, string Definition) : FindingEvidence;

public sealed record DependencyCycleEvidence(IReadOnlyList<ItemEvidence> Items, IReadOnlyList<DependencyEdgeEvidence> Dependencies, IReadOnlyList<string> Teams,
    int Sources) : FindingEvidence
{
    public string Definition => "open items that (transitively) depend on each other, owned by two or more teams";
}

public sealed record BlockerRankEvidence(ItemEvidence Blocker, int Rank, int BacklogSize, IReadOnlyList<ItemEvidence> Dependents) : FindingEvidence
{
    public string Definition => "a blocker of another team's planned work sits in the lower half of its own team's ranked backlog";
    /// <summary>The value waiting on the blocker: the WSJF of the dependents' epics; absent (not written) without value data.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ValueWaitingEvidence? ValueWaiting { get; init; }
}

// ---- value (docs/rules.md VALUE-MISSING, PRIO-INVERSION; docs/figures.md WSJF) ---------------------------------------------

/// <summary>An item's WSJF inputs and result (<c>jobSizeFrom</c>: <c>field</c> or <c>remainingPoints</c>; nulls where unknown).</summary>
public sealed record WsjfEvidence(double? BusinessValue, double? TimeCriticality, double? RiskReduction, double? CostOfDelay, double? JobSize,
    string? JobSizeFrom, double? Wsjf);

/// <summary>An item of a ranked backlog: its position there (1 = top) and its WSJF.</summary>
public sealed record ValuedItemEvidence(ItemEvidence Item, int Position, WsjfEvidence Value);

/// <summary>A ranked backlog of epics or of features (<c>kind</c>: <c>team</c> or <c>productOwner</c>; <c>id</c>: team id or e-mail).</summary>
public sealed record BacklogEvidence(string Kind, string Id, string Name, WorkItemType Level, int Size);

public sealed record EpicValueEvidence(string Source, string Key, string Url, string Title, WsjfEvidence Value);

public sealed record ValueWaitingEvidence(IReadOnlyList<EpicValueEvidence> Epics, double HighestWsjf)
{
    public string Definition => "the WSJF of the epics whose planned work depends on the blocker (docs/figures.md, WSJF)";
}

public sealed record PrioInversionEvidence(BacklogEvidence Backlog, ValuedItemEvidence RankedHigher, ValuedItemEvidence RankedLower, double? Ratio,
    double Threshold, double ValueAtStake, string Move) : FindingEvidence
{
    public string Definition =>
        "in a ranked backlog of epics or features, the lower-ranked item's WSJF is at least the threshold times the higher-ranked one's; the higher " +
        "one is the highest-ranked item it beats so (one finding per lower-ranked item); ratio null when the higher one's WSJF is 0; value at stake = " +
        "the difference of the two WSJF";
}

public sealed record ValueMissingEvidence(BacklogEvidence Backlog, int TopN, IReadOnlyList<ValuedItemEvidence> Items) : FindingEvidence
{
    public string Definition =>
        "epics or features in the top N of a team's ranked backlog without any cost-of-delay input (business value, time criticality, risk " +
        "reduction), in a source whose epics and features carry such inputs elsewhere (its value fields are in use)";
}

// ---- capacity ---------------------------------------------------------------------------------------------------------------

public sealed record OvercommitEvidence(SprintEvidence Sprint, double CommittedPoints, string CommittedFrom, VelocityEvidence Velocity, double? CapacityDays,
    double? NormalCapacityDays, double CapacityFactor, double ExpectedPoints, double OverBy, OvercommitThresholds Thresholds) : FindingEvidence
{
    public string Definition => "commitment ÷ (P50 velocity × available capacity ÷ normal capacity) − 1";
}

public sealed record VolatileVelocityEvidence(VelocityEvidence Velocity, double Threshold) : FindingEvidence
{
    public string Definition => "sample standard deviation (n − 1) ÷ mean of the completed points of the last closed sprints";
}

public sealed record SayDoEvidence(IReadOnlyList<SayDoSprintEvidence> SayDo, double Average, double Threshold) : FindingEvidence
{
    public string Definition => "completed ÷ committed points per sprint, averaged";
}

public sealed record CapacityDipEvidence(SprintEvidence Sprint, double CapacityDays, double NormalCapacityDays, double Ratio, double PlannedPoints,
    VelocityEvidence Velocity, double ReducedTarget, double Threshold) : FindingEvidence
{
    public string Definition => "next sprint's available person-days ÷ the median of recent sprints, and planned points above P50 × that ratio";
}

public sealed record DependencyLoadEvidence(double NeededPoints, VelocityEvidence Velocity, double Threshold, IReadOnlyList<ItemEvidence> Blockers,
    IReadOnlyList<string> Teams) : FindingEvidence
{
    public string Definition => "points of the team's open items that block other teams' work planned to start by the end of the team's next sprint";
}

// ---- drift ------------------------------------------------------------------------------------------------------------------

public sealed record StaleItemEvidence(ItemEvidence Item, DateTimeOffset UpdatedAt, int Days, int Threshold) : FindingEvidence;

public sealed record OrphanEvidence(ItemEvidence Item, string? ParentKey) : FindingEvidence
{
    public string Definition => "an open story or feature without a synced parent";
}

public sealed record CarryOverEvidence(ItemEvidence Item, IReadOnlyList<SprintEvidence> ClosedSprints, int Threshold) : FindingEvidence
{
    public string Definition => "an open story or bug that was in this many closed sprints";
}

public sealed record UnestimatedEvidence(ItemEvidence Item, string Where, int TopN) : FindingEvidence;

public sealed record OpenChildrenEvidence(ItemEvidence Parent, IReadOnlyList<ItemEvidence> OpenChildren, int OpenCount) : FindingEvidence;

public sealed record DoneChildrenEvidence(ItemEvidence Parent, int Children) : FindingEvidence;

public sealed record EpicMisalignedEvidence(ItemEvidence Epic, int GapDays, double SprintLengthDays, IReadOnlyList<TeamStartEvidence> Teams) : FindingEvidence
{
    public string Definition => "the earliest planned sprint start of each team's stories of the epic, more than one sprint length apart";
}

public sealed record EpicScopeEvidence(ItemEvidence Epic, DateTimeOffset FirstPlanned, double BaselinePoints, double CurrentPoints, double Growth,
    double Threshold) : FindingEvidence
{
    public string Definition =>
        "sum of the stories' estimates now vs. the estimates of the stories that existed when the first of them entered a sprint";
}

public sealed record EpicForecastEvidence(ItemEvidence Epic, DateOnly Target, DateOnly P50, DateOnly P85, int DaysLate, IReadOnlyList<ForecastPart> Parts,
    IReadOnlyList<ItemRef> Upstream, int Trials, int Seed) : FindingEvidence
{
    public string Definition =>
        "Monte Carlo over each team's recent sprint throughput; the epic finishes when its last part (and its upstream blockers) do";
}

public sealed record SprintScopeEvidence(SprintEvidence Sprint, double CommittedPoints, double AddedPoints, string Basis, double Share, double Threshold)
    : FindingEvidence;

public sealed record ReadinessEvidence(double ReadyPoints, int ReadyItems, VelocityEvidence Velocity, double Sprints, ReadinessThresholds Thresholds)
    : FindingEvidence
{
    public string Definition => "estimated open stories and bugs in no planned sprint, in sprints of P50 velocity";
}

// ---- hygiene and sync -------------------------------------------------------------------------------------------------------

public sealed record HygieneEvidence(HygieneScorecard Scorecard) : FindingEvidence
{
    public string Definition => "docs/rules.md HYGIENE: unestimated stories, done status, sprint field";
}

public sealed record TeamlessItemsEvidence(string Source, int Count, IReadOnlyList<ItemEvidence> Sample) : FindingEvidence;

public sealed record SyncStaleEvidence(string Source, string Kind, string? Team, string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt,
    DateTimeOffset? FirstAttempt, string? Error, int QuarantinedItems, long? LastRunId, string Cron, double? IntervalMinutes, double? StaleAfterMinutes,
    double CriticalAfterHours, string? Reason) : FindingEvidence
{
    public string Details => "/api/sources";
    public string Definition => Freshness.SyncFreshness.Definition;
}
