namespace Alignment.Store.Mi;

/// <summary>
/// A team's planning-interval predictability as the advice digest's trend line shows it: <see cref="Value"/> (delivered ÷ planned, a
/// fraction) in its last finished interval <see cref="Interval"/>, and the interval before it when there is one.
/// </summary>
public sealed record PredictabilityTrend(string Interval, double Value, string? PreviousInterval, double? Previous);

/// <summary>
/// Where the weekly digest reads each team's planning-interval predictability (DESIGN §8a: delivered ÷ planned at an interval's end). The
/// planning intervals provide it (<see cref="IntervalTeamPredictability"/>); <see cref="NoTeamPredictability"/> answers nothing (callers
/// without the intervals, e.g. a composition in a test), and the digest's team line then shows say/do alone.
/// </summary>
public interface ITeamPredictability
{
    /// <summary>
    /// Per team id of <paramref name="teams"/>: the predictability of its last interval that ended on or before <paramref name="today"/> and of
    /// the one before. Teams without a finished interval are left out.
    /// </summary>
    Task<IReadOnlyDictionary<string, PredictabilityTrend>> ForTeamsAsync(IReadOnlyCollection<string> teams, DateOnly today, CancellationToken ct);
}

/// <summary>No planning intervals: no team has a predictability.</summary>
public sealed class NoTeamPredictability : ITeamPredictability
{
    public Task<IReadOnlyDictionary<string, PredictabilityTrend>> ForTeamsAsync(IReadOnlyCollection<string> teams, DateOnly today, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, PredictabilityTrend>>(new Dictionary<string, PredictabilityTrend>(StringComparer.Ordinal));
}
