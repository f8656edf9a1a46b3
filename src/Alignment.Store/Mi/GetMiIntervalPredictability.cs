using Mediator;

namespace Alignment.Store.Mi;

/// <summary>
/// The planning-interval predictability section of the monthly report (README, "Monthly management report") for the intervals that overlap
/// <see cref="First"/>..<see cref="Last"/>. This is the one place the report reads planning intervals from: until they exist the answer is
/// "no planning intervals configured"; the planning-interval work replaces this handler's body with its own figures (DESIGN §4.4
/// <c>GET /api/mi/intervals</c>), and the report's e-mail and page show them without further change.
/// </summary>
public sealed record GetMiIntervalPredictabilityQuery(DateOnly First, DateOnly Last) : IQuery<MiIntervalPredictability>;

internal sealed class GetMiIntervalPredictabilityHandler : IQueryHandler<GetMiIntervalPredictabilityQuery, MiIntervalPredictability>
{
    public ValueTask<MiIntervalPredictability> Handle(GetMiIntervalPredictabilityQuery query, CancellationToken ct) =>
        ValueTask.FromResult(new MiIntervalPredictability(false, MiIntervalPredictability.NoneConfigured, []));
}
