namespace Alignment.Domain.Model;

/// <summary>One member's capacity in one sprint, where the tracker keeps it (Azure DevOps); docs/data-model.md, "Capacity and absences".</summary>
public sealed record TeamCapacity
{
    public required string TeamId { get; init; }
    public required string SprintExternalId { get; init; }
    public required string Member { get; init; }
    public required double HoursPerDay { get; init; }
    public required double AvailableDays { get; init; }
    public required int DaysOff { get; init; }
}
