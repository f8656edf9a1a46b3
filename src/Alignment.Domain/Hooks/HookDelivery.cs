namespace Alignment.Domain.Hooks;

/// <summary>
/// What one tracker webhook delivery names (docs/webhooks.md): which items, sprints, boards and projects changed, never the new values —
/// those are re-read from the tracker. <see cref="DeliveryId"/> is the tracker's own id (Jira's <c>X-Atlassian-Webhook-Identifier</c>,
/// Azure DevOps' event <c>id</c>), the same on every retry of one delivery.
/// </summary>
public sealed record HookDelivery(string SourceId, string DeliveryId, string EventType)
{
    /// <summary>Tracker ids of the items the event is about (Jira issue id, Azure DevOps work item id).</summary>
    public IReadOnlyList<string> ItemIds { get; init; } = [];
    /// <summary>Their keys where the payload gives them (Jira <c>PAY-12</c>).</summary>
    public IReadOnlyList<string> ItemKeys { get; init; } = [];
    public IReadOnlyList<string> SprintIds { get; init; } = [];
    public IReadOnlyList<string> BoardIds { get; init; } = [];
    /// <summary>Jira project keys, Azure DevOps project names.</summary>
    public IReadOnlyList<string> Projects { get; init; } = [];
    /// <summary>An item was deleted: its teams are read in full, which marks what vanished.</summary>
    public bool Deleted { get; init; }
}

/// <summary>A recorded delivery waiting to be processed.</summary>
public sealed record PendingHookDelivery(long Id, HookDelivery Delivery, DateTimeOffset ReceivedAt, int Attempts);

/// <summary>How a delivery ended: waiting (or waiting again after a failure), handled by a targeted sync, or given up (polling heals it).</summary>
public enum HookDeliveryStatus { Pending, Processed, Failed }

/// <summary>The hooks state of one source for <c>GET /api/sources</c>.</summary>
public sealed record HookSourceState(string SourceId, DateTimeOffset? LastDelivery, DateTimeOffset? LastProcessed, int Pending, int Failed);
