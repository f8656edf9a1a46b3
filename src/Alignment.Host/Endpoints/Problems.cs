using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

/// <summary>The problem-details answers the endpoints share (RFC 9457 bodies; never tracker text unencoded).</summary>
internal static class Problems
{
    public static ProblemHttpResult TeamNotFound(string team) =>
        NotFound("Team not found", $"No team '{team}' is configured, or your key does not give access to it.");

    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status404NotFound);
}
