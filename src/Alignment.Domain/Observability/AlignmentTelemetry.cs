using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Alignment.Domain.Observability;

/// <summary>
/// The <c>Alignment</c> meter and activity source: what a sync did, per source. Exported by the host
/// through OpenTelemetry (Prometheus scrape endpoint, OTLP); without a listener recording costs nothing.
/// Prometheus names: <c>alignment_sync_duration_seconds</c>, <c>alignment_sync_items_read_total</c>,
/// <c>alignment_sync_items_changed_total</c>, <c>alignment_tracker_requests_total</c>,
/// <c>alignment_tracker_retries_total</c>, <c>alignment_tracker_rate_limit_waits_total</c>.
/// </summary>
public static class AlignmentTelemetry
{
    public const string Name = "Alignment";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> SyncDuration = Meter.CreateHistogram(
        "alignment.sync.duration", "s", "Duration of a sync run, by source and status (succeeded, failed, skipped)",
        tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600] });
    public static readonly Counter<long> ItemsRead = Meter.CreateCounter<long>(
        "alignment.sync.items_read", "{item}", "Work items read from the tracker");
    public static readonly Counter<long> ItemsChanged = Meter.CreateCounter<long>(
        "alignment.sync.items_changed", "{item}", "Work items inserted, updated or marked deleted in the store");
    public static readonly Counter<long> TrackerRequests = Meter.CreateCounter<long>(
        "alignment.tracker.requests", "{request}", "Logical tracker requests");
    public static readonly Counter<long> TrackerRetries = Meter.CreateCounter<long>(
        "alignment.tracker.retries", "{retry}", "Tracker request attempts beyond the first (429, 5xx, time-outs, truncated bodies)");
    public static readonly Counter<long> RateLimitWaits = Meter.CreateCounter<long>(
        "alignment.tracker.rate_limit_waits", "{wait}", "Times a source's budget slowed down on rate-limit headers or Retry-After");

    // For the analysis and advice features to record into (not wired yet: analysis is in progress, advice e-mails do not exist).
    public static readonly Counter<long> Findings = Meter.CreateCounter<long>(
        "alignment.analysis.findings", "{finding}", "Findings produced by analysis runs, by rule and severity");
    public static readonly Counter<long> Digests = Meter.CreateCounter<long>(
        "alignment.advice.digests", "{digest}", "Advice digests, by outcome (sent, failed)");

    public static readonly Counter<long> HookDeliveries = Meter.CreateCounter<long>(
        "alignment.hook.deliveries", "{delivery}", "Tracker webhook deliveries, by source and outcome (accepted, duplicate, unauthorized, tooLarge, malformed, unknownSource)");

    /// <summary>Counts one webhook delivery by source (the configured id, or <c>unknown</c>) and outcome.</summary>
    public static void RecordHookDelivery(string source, string outcome) =>
        HookDeliveries.Add(1, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Counts the findings of one analysis run by rule and severity.</summary>
    public static void RecordFindings(IEnumerable<(RuleId Rule, Severity Severity)> findings)
    {
        foreach (var g in findings.GroupBy(f => f))
            Findings.Add(g.Count(), new("rule", DomainNames.Name(g.Key.Rule)), new("severity", DomainNames.Name(g.Key.Severity)));
    }

    /// <summary>Counts one digest that was sent, or failed to send.</summary>
    public static void RecordDigest(bool sent) => Digests.Add(1, new KeyValuePair<string, object?>("outcome", sent ? "sent" : "failed"));

    /// <summary>The span around one sync run.</summary>
    public static Activity? StartSync(SyncRequest request)
    {
        var activity = ActivitySource.StartActivity("sync " + request.SourceId, ActivityKind.Internal);
        activity?.SetTag("alignment.source", request.SourceId);
        activity?.SetTag("alignment.sync.full", request.Full);
        activity?.SetTag("alignment.sync.trigger", request.Trigger);
        if (request.TeamId is not null) activity?.SetTag("alignment.team", request.TeamId);
        return activity;
    }

    /// <summary>Records a finished (or skipped) run: duration by status, items, and the source budget it used.</summary>
    public static void RecordRun(SyncRunResult run, Activity? activity = null)
    {
        var status = run.Status.Name();
        var source = new KeyValuePair<string, object?>("source", run.SourceId);
        SyncDuration.Record(run.Duration.TotalSeconds, source, new("status", status));
        if (run.ItemsRead > 0) ItemsRead.Add(run.ItemsRead, source);
        if (run.ItemsChanged > 0) ItemsChanged.Add(run.ItemsChanged, source);
        if (run.Requests > 0) TrackerRequests.Add(run.Requests, source);
        if (run.Retries > 0) TrackerRetries.Add(run.Retries, source);
        if (run.RateLimitWaits > 0) RateLimitWaits.Add(run.RateLimitWaits, source);
        if (activity is null) return;
        activity.SetTag("alignment.sync.run_id", run.RunId);
        activity.SetTag("alignment.sync.status", status);
        activity.SetTag("alignment.sync.items_read", run.ItemsRead);
        activity.SetTag("alignment.sync.items_changed", run.ItemsChanged);
        activity.SetTag("alignment.sync.requests", run.Requests);
        if (run.Status == SyncStatus.Failed) activity.SetStatus(ActivityStatusCode.Error, run.Error);
    }
}
