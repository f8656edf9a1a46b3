namespace Alignment.Core.Domain;

public sealed record ProductOwner(string Name, string Email);

public sealed record TeamCapacity
{
    public required string TeamId { get; init; }
    public required string SprintExternalId { get; init; }
    public required string Member { get; init; }
    public required double HoursPerDay { get; init; }
    public required double AvailableDays { get; init; }
    public required int DaysOff { get; init; }
}
