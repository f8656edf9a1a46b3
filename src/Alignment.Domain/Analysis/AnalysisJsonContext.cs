using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alignment.Domain.Analysis;

/// <summary>
/// Source-generated JSON of what the analysis stores: findings' item lists and evidence, epic forecasts and hygiene scorecards. The options
/// are <see cref="FindingStore.Json"/>'s (web defaults: camelCase, nulls written, the default encoder); domain enums write their
/// <c>DomainNames</c> names through the converter on their type.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IReadOnlyList<ItemRef>))]
[JsonSerializable(typeof(EpicForecast))]
[JsonSerializable(typeof(HygieneScorecard))]
[JsonSerializable(typeof(UnscheduledBlockerEvidence))]
[JsonSerializable(typeof(BlockerTimingEvidence))]
[JsonSerializable(typeof(DependencyCycleEvidence))]
[JsonSerializable(typeof(BlockerRankEvidence))]
[JsonSerializable(typeof(OvercommitEvidence))]
[JsonSerializable(typeof(VolatileVelocityEvidence))]
[JsonSerializable(typeof(SayDoEvidence))]
[JsonSerializable(typeof(CapacityDipEvidence))]
[JsonSerializable(typeof(DependencyLoadEvidence))]
[JsonSerializable(typeof(StaleItemEvidence))]
[JsonSerializable(typeof(OrphanEvidence))]
[JsonSerializable(typeof(CarryOverEvidence))]
[JsonSerializable(typeof(UnestimatedEvidence))]
[JsonSerializable(typeof(OpenChildrenEvidence))]
[JsonSerializable(typeof(DoneChildrenEvidence))]
[JsonSerializable(typeof(EpicMisalignedEvidence))]
[JsonSerializable(typeof(EpicScopeEvidence))]
[JsonSerializable(typeof(EpicForecastEvidence))]
[JsonSerializable(typeof(SprintScopeEvidence))]
[JsonSerializable(typeof(ReadinessEvidence))]
[JsonSerializable(typeof(HygieneEvidence))]
[JsonSerializable(typeof(TeamlessItemsEvidence))]
[JsonSerializable(typeof(SyncStaleEvidence))]
[JsonSerializable(typeof(BudgetOverrunEvidence))]
[JsonSerializable(typeof(FinanceResult))]
[JsonSerializable(typeof(PrioInversionEvidence))]
[JsonSerializable(typeof(ValueMissingEvidence))]
[JsonSerializable(typeof(Intervals.IntervalAtRiskEvidence))]
public sealed partial class AnalysisJsonContext : JsonSerializerContext;
