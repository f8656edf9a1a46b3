namespace Alignment.Domain.Observability;

/// <summary>The Prometheus metric names the host exposes after a sync; tests and dashboards use them.</summary>
public static class MetricNames
{
    public const string SyncDuration = "alignment_sync_duration_seconds";
    public const string ItemsRead = "alignment_sync_items_read_total";
    public const string ItemsChanged = "alignment_sync_items_changed_total";
    public const string TrackerRequests = "alignment_tracker_requests_total";
    public const string TrackerRetries = "alignment_tracker_retries_total";
    public const string RateLimitWaits = "alignment_tracker_rate_limit_waits_total";
    public const string Findings = "alignment_analysis_findings_total";
    public const string Digests = "alignment_advice_digests_total";
    /// <summary>Webhook deliveries by source and outcome (accepted, duplicate, unauthorized, tooLarge, malformed, unknownSource).</summary>
    public const string HookDeliveries = "alignment_hook_deliveries_total";
}
