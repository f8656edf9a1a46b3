
namespace Alignment.Store.Mi;

/// <summary>What <see cref="MiBuilder.Build"/> computes from: the rows <see cref="MiBuilder.LoadAsync"/> reads.</summary>
public static partial class MiBuilder
{
    public sealed class MiInput
    {
        public List<TeamRow> Teams { get; } = [];
        public List<FigureRow> Figures { get; } = [];
        public List<ActiveRow> Active { get; } = [];
        public List<CapacityRow> Capacities { get; } = [];
        public List<EpicRow> Epics { get; } = [];
        public List<EpicItemRow> EpicItems { get; } = [];
        public List<DependencyRow> Dependencies { get; } = [];
        /// <summary>Null when findings are not available, with <see cref="FindingsReason"/>.</summary>
        public List<FindingRow>? Findings { get; set; }
        public string? FindingsReason { get; set; }
        public bool FiguresAvailable { get; set; }
        public Dictionary<(string Source, string Key), MiEpicForecast> Forecasts { get; } = [];
        public bool ForecastsAvailable { get; set; }
        /// <summary>The configured sources and teams whose data freshness the overview reports.</summary>
        public IReadOnlyList<SyncSourceScope> SyncSources { get; set; } = [];
        public SyncStateData SyncState { get; set; } = SyncStateData.Empty;
    }

    public sealed record TeamRow(string Id, string Name, string SourceId, string SourceKind);
    // Rows as read (names of domain enums as stored, parsed once here).
    public sealed record FigureRow(string TeamId, string SourceId, string SprintId, string Name, string StateName, DateTime? StartAt, DateTime? EndAt,
        string Basis, double CommittedPoints, double CompletedPoints, double? SayDo, double? CapacityDays, double CarriedOverPoints)
    {
        public SprintState State { get; } = DomainNames.Parse<SprintState>(StateName);
        /// <summary>The closed sprint as the history reads it, dated on the UTC day it ended (<see cref="TeamSprintFigures"/>).</summary>
        public HistorySprint History => new(SprintId, Name, DateOnly.FromDateTime(EndAt ?? StartAt ?? DateTime.MinValue), CommittedPoints,
            CompletedPoints, CarriedOverPoints, CapacityDays);
    }
    public sealed record ActiveRow(string TeamId, string SourceId, string SprintId, string Name, DateTime? StartAt, DateTime? EndAt,
        double Points, long Items);
    public sealed record CapacityRow(string TeamId, string SourceId, string SprintId, double Days);
    public sealed record EpicRow(string SourceId, string Key, string Title, string Url, string StatusCategoryName, string? TeamId, DateTime? DueDate)
    {
        public StatusCategory StatusCategory { get; } = DomainNames.Parse<StatusCategory>(StatusCategoryName);
    }
    public sealed record EpicItemRow(string SourceId, string EpicKey, string Key, string? TeamId, string StatusCategoryName, double? StoryPoints)
    {
        public StatusCategory StatusCategory { get; } = DomainNames.Parse<StatusCategory>(StatusCategoryName);
    }
    public sealed record DependencyRow(string FromTeam, string ToTeam, string FromSource, string FromKey, string ToSource, string ToKey,
        double? ToPoints, string? FromSprintStateName, DateTime? FromSprintStart, string? ToSprintStateName, DateTime? ToSprintEnd)
    {
        public SprintState? FromSprintState { get; } = FromSprintStateName is null ? null : DomainNames.Parse<SprintState>(FromSprintStateName);
        public SprintState? ToSprintState { get; } = ToSprintStateName is null ? null : DomainNames.Parse<SprintState>(ToSprintStateName);
    }
    public sealed record FindingRow(string? Team, string RuleName, string SeverityName)
    {
        public RuleId Rule { get; } = DomainNames.Parse<RuleId>(RuleName);
        public Severity Severity { get; } = DomainNames.Parse<Severity>(SeverityName);
    }
}
