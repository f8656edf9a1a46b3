using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Application.Pipeline;

/// <summary>What one analysis run did: <see cref="Skipped"/> (another run held the lock), or <see cref="Completed"/> with its figures.</summary>
public sealed record AnalysisRunResult(bool Skipped, int Items, int Findings, int Opened, int Reopened, int Resolved,
    IReadOnlyDictionary<Severity, int> OpenBySeverity, double LoadMs, double AnalyzeMs, double StoreMs)
{
    public double TotalMs => LoadMs + AnalyzeMs + StoreMs;

    public static AnalysisRunResult SkippedRun() =>
        new(Skipped: true, Items: 0, Findings: 0, Opened: 0, Reopened: 0, Resolved: 0, OpenBySeverity: new Dictionary<Severity, int>(), LoadMs: 0, AnalyzeMs: 0, StoreMs: 0);

    public static AnalysisRunResult Completed(int items, FindingChanges changes, IReadOnlyDictionary<Severity, int> openBySeverity,
        double loadMs, double analyzeMs, double storeMs) =>
        new(Skipped: false, Items: items, Findings: changes.Findings, Opened: changes.Opened, Reopened: changes.Reopened, Resolved: changes.Resolved,
            OpenBySeverity: openBySeverity, LoadMs: loadMs, AnalyzeMs: analyzeMs, StoreMs: storeMs);
}

/// <summary>
/// The analysis step of the pipeline: loads a snapshot, runs every analyzer and writes the findings in one transaction, under an
/// advisory lock (one analysis at a time across hosts). Rules: docs/rules.md.
/// </summary>
public sealed class AnalysisStep(NpgsqlDataSource db, IOptions<AlignmentOptions> options, TimeProvider clock, ILogger<AnalysisStep> logger)
{
    public const string LockName = "alignment:analysis";

    public async Task<AnalysisRunResult> RunAsync(string trigger, CancellationToken ct)
    {
        await using var guard = await Database.TryLockAsync(db, LockName, ct);
        if (guard is null)
        {
            logger.LogInformation("Analysis ({Trigger}) skipped: another run holds the lock", trigger);
            return AnalysisRunResult.SkippedRun();
        }
        var started = clock.GetUtcNow();
        var sw = Stopwatch.StartNew();
        var loadPhases = new List<string>();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var snapshot = await SnapshotLoader.LoadAsync(conn, started, ct, (name, ms) => loadPhases.Add($"{name}={ms:0}"),
            SyncSourceScope.From(options.Value));
        var loadMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var phases = new List<string>();
        var result = Analyzer.Run(snapshot, options.Value.Analysis, (name, ms) => phases.Add($"{name}={ms:0}"));
        var analyzeMs = sw.Elapsed.TotalMilliseconds;
        logger.LogInformation("Analysis phases (ms): load={LoadMs:0} ({LoadPhases}) analyze={AnalyzeMs:0} ({Phases})",
            loadMs, string.Join(" ", loadPhases), analyzeMs, string.Join(" ", phases));
        sw.Restart();
        var storePhases = new List<string>();
        var changes = await FindingStore.WriteAsync(conn, tx, result, started, ct, (name, ms) => storePhases.Add($"{name}={ms:0}"));
        await MiSnapshots.WriteValueAsync(conn, tx, new MiValue(started, MiValue.WsjfDefinition, result.Value ?? []), ct);
        logger.LogInformation("Analysis store phases (ms): {Phases}", string.Join(" ", storePhases));
        var storeMs = sw.Elapsed.TotalMilliseconds;
        var open = await FindingStore.OpenBySeverityAsync(conn, tx, ct);
        await FindingStore.RecordRunAsync(conn, tx, new AnalysisRunRow(trigger, started, clock.GetUtcNow(), snapshot.Items.Count, changes,
            loadMs, analyzeMs, storeMs), ct);
        await tx.CommitAsync(ct);
        AlignmentTelemetry.RecordFindings(result.Findings.Select(f => (f.Rule, f.Severity)));
        logger.LogInformation("Analysis ({Trigger}): {Items} items, {Findings} findings ({Opened} opened, {Reopened} reopened, {Resolved} resolved) in {Ms:0} ms",
            trigger, snapshot.Items.Count, changes.Findings, changes.Opened, changes.Reopened, changes.Resolved, loadMs + analyzeMs + storeMs);
        return AnalysisRunResult.Completed(snapshot.Items.Count, changes, open, loadMs, analyzeMs, storeMs);
    }
}
