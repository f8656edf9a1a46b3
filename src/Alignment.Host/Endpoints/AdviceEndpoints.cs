using Alignment.Host.Hosting;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Alignment.Host.Endpoints;

public static class AdviceEndpoints
{
    public static RouteGroupBuilder MapAdviceEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/advice/{productOwnerEmail}/preview", async Task<Results<ContentHttpResult, ProblemHttpResult>> (
                string productOwnerEmail, string? format, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var viewer = http.User.Viewer();
                var email = productOwnerEmail.Trim().ToLowerInvariant();
                var mayRead = viewer.Role is Viewer.Admin or Viewer.Pmo
                    || (viewer.Role == Viewer.ProductOwner && string.Equals(viewer.Email?.Trim(), email, StringComparison.OrdinalIgnoreCase));
                if (!mayRead || await mediator.Send(new PreviewDigestQuery(email), ct) is not { } digest)
                    return Problems.NotFound("Product owner not found", $"No configured team has product owner '{productOwnerEmail}', or your key does not give access to it.");
                // The digest has no scripts; the policy makes sure nothing in it could run or load anything.
                http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
                return format == "text"
                    ? TypedResults.Text(digest.Text, "text/plain; charset=utf-8")
                    : TypedResults.Text(digest.Html, "text/html; charset=utf-8");
            })
            .WithTags("Advice").RequireAuthorization(Policies.TeamData).Produces<string>(StatusCodes.Status200OK, "text/html", "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound).WithName("PreviewAdvice")
            .WithSummary("The product owner's weekly prioritisation-advice digest as it would be sent now (HTML; ?format=text for the plain-text part); admin, PMO, or that product owner");
        return api;
    }
}
