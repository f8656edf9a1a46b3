using Alignment.Application.Hooks;
using Alignment.Domain.Hooks;
using Alignment.Host.Jobs;
using Alignment.Store.Hooks;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Alignment.Host.Endpoints;

/// <summary>The answer to an accepted delivery: the tracker's delivery id and whether it was new (<c>accepted</c>) or seen before (<c>duplicate</c>).</summary>
public sealed record HookReceiptDto(string DeliveryId, string Outcome);

/// <summary>
/// Tracker webhooks (docs/webhooks.md): open to the trackers, not behind an API key, authenticated by the source's hook secret
/// (Jira: HMAC-SHA256 of the raw body in <c>X-Hub-Signature</c>; Azure DevOps: the configured header, or the basic-auth password), checked
/// in constant time before the body is parsed. A delivery is acknowledged only once it is recorded in <c>ops.hook_deliveries</c>; then the
/// hook job makes a targeted sync of it. Refused deliveries are counted (<c>alignment_hook_deliveries_total</c>) and nothing of them is stored.
/// </summary>
public static class HookEndpoints
{
    public const string Accepted = "accepted", Duplicate = "duplicate";

    public static WebApplication MapHookEndpoints(this WebApplication app)
    {
        var hooks = app.MapGroup("/hooks").AllowAnonymous().WithTags("Hooks");
        hooks.MapPost("/jira/{source}", (string source, HttpContext http, CancellationToken ct) => ReceiveAsync(TrackerKind.Jira, source, http, ct))
            .WithName("ReceiveJiraWebhook")
            .WithSummary("A Jira webhook delivery for a Jira source (X-Hub-Signature: sha256=HMAC of the body with the source's Hooks secret; X-Atlassian-Webhook-Identifier deduplicates): 202 when recorded, 200 for a delivery seen before")
            .Produces<HookReceiptDto>(StatusCodes.Status202Accepted).Produces<HookReceiptDto>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        hooks.MapPost("/azure-devops/{source}", (string source, HttpContext http, CancellationToken ct) => ReceiveAsync(TrackerKind.AzureDevOps, source, http, ct))
            .WithName("ReceiveAzureDevOpsWebhook")
            .WithSummary("An Azure DevOps service-hook delivery for an Azure DevOps source (the source's Hooks secret in its Hooks:Header, or as the basic-auth password; the event id deduplicates): 202 when recorded, 200 for an event seen before")
            .Produces<HookReceiptDto>(StatusCodes.Status202Accepted).Produces<HookReceiptDto>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<IResult> ReceiveAsync(TrackerKind kind, string sourceId, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HookEndpoints));
        var source = services.GetRequiredService<IOptionsMonitor<AlignmentOptions>>().CurrentValue.Source(sourceId);
        var secret = source is { } s && s.Kind == kind && s.Hooks.Enabled ? s.Hooks.ResolveSecret() : null;
        if (source is null || string.IsNullOrEmpty(secret))
            return Refuse("unknownSource", StatusCodes.Status404NotFound, "Unknown webhook source",
                $"No {(kind == TrackerKind.Jira ? "Jira" : "Azure DevOps")} source with webhooks is configured under this id (Sources:N:Hooks).");
        var hooks = source.Hooks;
        if (kind == TrackerKind.AzureDevOps && !HookSignatures.AzureDevOpsValid(hooks.Header,
                string.IsNullOrEmpty(hooks.Header) ? null : http.Request.Headers[hooks.Header].ToString() is { Length: > 0 } v ? v : null,
                http.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, secret))
            return Unauthorized();
        var body = await ReadBoundedAsync(http.Request, hooks.MaxBodyBytes, ct);
        if (body is null)
            return Refuse("tooLarge", StatusCodes.Status413PayloadTooLarge, "Delivery too large",
                $"The delivery is larger than {hooks.MaxBodyBytes} bytes (Sources:N:Hooks:MaxBodyBytes).");
        if (kind == TrackerKind.Jira && !HookSignatures.JiraValid(body, http.Request.Headers[HookSignatures.JiraSignatureHeader].ToString(), secret))
            return Unauthorized();
        HookDelivery delivery;
        try
        {
            delivery = kind == TrackerKind.Jira
                ? HookPayloads.Jira(source.Id, body, http.Request.Headers[HookSignatures.JiraIdentifierHeader].ToString())
                : HookPayloads.AzureDevOps(source.Id, body);
        }
        catch (HookPayloadException e)
        {
            return Refuse("malformed", StatusCodes.Status400BadRequest, "Malformed delivery", e.Message);
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var isNew = await services.GetRequiredService<HookDeliveryStore>().InsertAsync(delivery, now, ct);
        AlignmentTelemetry.RecordHookDelivery(source.Id, isNew ? Accepted : Duplicate);
        logger.LogInformation("Webhook {Event} of {Source}: delivery {DeliveryId} {Outcome}", delivery.EventType, source.Id, delivery.DeliveryId,
            isNew ? Accepted : Duplicate);
        if (!isNew) return TypedResults.Ok(new HookReceiptDto(delivery.DeliveryId, Duplicate));
        try
        {
            services.GetRequiredService<IBackgroundJobClient>().Enqueue<HookJob>(j => j.RunAsync(source.Id, CancellationToken.None));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Recorded is what counts: the retry job (hooks:pending) processes the delivery within a minute.
            logger.LogWarning("Webhook delivery {DeliveryId} of {Source} recorded, but its job could not be queued: {Error}", delivery.DeliveryId,
                source.Id, e.GetType().Name);
        }
        return TypedResults.Accepted((string?)null, new HookReceiptDto(delivery.DeliveryId, Accepted));

        IResult Unauthorized() => Refuse("unauthorized", StatusCodes.Status401Unauthorized, "Delivery not authenticated",
            kind == TrackerKind.Jira
                ? "X-Hub-Signature is missing or is not the HMAC-SHA256 of the body with the source's hook secret."
                : "The delivery does not carry the source's hook secret (in the configured header, or as the basic-auth password).");

        IResult Refuse(string outcome, int status, string title, string detail)
        {
            AlignmentTelemetry.RecordHookDelivery(source?.Id ?? "unknown", outcome);
            logger.LogWarning("Webhook for {Source} refused ({Status}, {Outcome})", source?.Id ?? "an unknown source", status, outcome);
            return TypedResults.Problem(title: title, detail: detail, statusCode: status);
        }
    }

    /// <summary>The raw body, or null when it is larger than <paramref name="max"/> bytes (by its Content-Length, or while reading).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, long max, CancellationToken ct)
    {
        if (request.ContentLength > max) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
