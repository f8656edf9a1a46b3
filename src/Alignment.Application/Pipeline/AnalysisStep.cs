using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Alignment.Application.Pipeline;

/// <summary>
/// What one analysis run did: <see cref="Skipped"/> (another run held the lock), or <see cref="Completed"/> with its figures.
/// <see cref="ChangedItems"/> is set when the run patched the previous run's snapshot with that many changed items (incremental).
/// </summary>
public sealed record AnalysisRunResult(bool Skipped, int Items, int Findings, int Opened, int Reopened, int Resolved,
    IReadOnlyDictionary<Severity, int> OpenBySeverity, double LoadMs, double AnalyzeMs, double StoreMs, int? ChangedItems = null)
{
    /// <summary>Each phase's milliseconds, as the run's log line gives them ("load=… (items=…) analyze=… (…) store=… (…)").</summary>
    public string Phases { get; init; } = "";

    /// <summary>The MI rows this run holds in memory (<see cref="MiBuilder.FromAnalysis"/>), for the MI refresh that follows it.</summary>
    public MiBuilder.AnalysisRows? Mi { get; init; }

    public double TotalMs => LoadMs + AnalyzeMs + StoreMs;
    public bool Incremental => ChangedItems is not null;

    public static AnalysisRunResult SkippedRun() =>
        new(Skipped: true, Items: 0, Findings: 0, Opened: 0, Reopened: 0, Resolved: 0, OpenBySeverity: new Dictionary<Severity, int>(), LoadMs: 0, AnalyzeMs: 0, StoreMs: 0);

    public static AnalysisRunResult Completed(int items, FindingChanges changes, IReadOnlyDictionary<Severity, int> openBySeverity,
        double loadMs, double analyzeMs, double storeMs, int? changedItems) =>
        new(Skipped: false, Items: items, Findings: changes.Findings, Opened: changes.Opened, Reopened: changes.Reopened, Resolved: changes.Resolved,
            OpenBySeverity: openBySeverity, LoadMs: loadMs, AnalyzeMs: analyzeMs, StoreMs: storeMs, ChangedItems: changedItems);
}

/// <summary>
/// The analysis step of the pipeline: loads a snapshot, runs every analyzer and writes the findings in one transaction, under an
/// advisory lock (one analysis at a time across hosts). Rules: docs/rules.md. Unless asked for a full run, it starts from what this
/// process's previous run read and wrote (<see cref="AnalysisMemory"/>): it reads again only the items the change log names since then,
/// and writes only the findings and forecasts that differ — with the same result as a full run on the same store
/// (docs/architecture.md, "Incremental analysis").
/// </summary>
public sealed class AnalysisStep(NpgsqlDataSource db, IOptions<AlignmentOptions> options, AnalysisMemory memory, TimeProvider clock,
    ILogger<AnalysisStep> logger)
{
    public const string LockName = "alignment:analysis";

    /// <summary>Above this share of the items changed, reading everything is cheaper than patching.</summary>
    public const double MaxPatchShare = 0.2;

    public Task<AnalysisRunResult> RunAsync(string trigger, CancellationToken ct) => RunAsync(trigger, full: false, ct);

    public async Task<AnalysisRunResult> RunAsync(string trigger, bool full, CancellationToken ct)
    {
        await using var guard = await Database.TryLockAsync(db, LockName, ct);
        if (guard is null)
        {
            logger.LogInformation("Analysis ({Trigger}) skipped: another run holds the lock", trigger);
            return AnalysisRunResult.SkippedRun();
        }
        var before = full || !options.Value.Analysis.Incremental ? null : memory.Current;
        memory.Forget(); // remembered again only when this run commits
        var started = clock.GetUtcNow();
        var sw = Stopwatch.StartNew();
        var loadPhases = new List<string>();
        void LoadPhase(string name, double ms) => loadPhases.Add(FormattableString.Invariant($"{name}={ms:0}"));
        await using var conn = await db.OpenConnectionAsync(ct);
        var (tx, position) = await ItemChangeLog.BeginAsync(conn, ct);
        await using var _ = tx;
        var (image, changedItems) = await ImageAsync(conn, tx, before, position, LoadPhase, ct);
        var snapshot = await SnapshotLoader.LoadAsync(conn, started, ct, LoadPhase, SyncSourceScope.From(options.Value), image);
        var finance = FinanceInput.From(options.Value, FinanceInput.FromTrackers(snapshot.Items));
        if (finance.Configured) snapshot = snapshot with { Finance = finance, Completions = await MiFinanceBuilder.LoadCompletionsAsync(conn, ct) };
        if (await IntervalRecorder.RecordAsync(conn, tx, snapshot,
                await TrackerIntervalReader.IntervalsAsync(conn, tx, options.Value, ct), ct) is { } intervals)
        {
            snapshot = snapshot with { Intervals = intervals.Input };
            LoadPhase("intervalPlans", intervals.Recorded.Plans);
            LoadPhase("intervalOutcomes", intervals.Recorded.Outcomes);
        }
        var loadMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var phases = new List<string>();
        var delta = changedItems is not null && before?.Forecasts is { } memo && image.ChangedKeys is { } keys ? new AnalysisDelta(memo, keys) : null;
        var result = Analyzer.Run(snapshot, options.Value.Analysis, (name, ms) => phases.Add(FormattableString.Invariant($"{name}={ms:0}")), delta);
        var analyzeMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var storePhases = new List<string>();
        // The previous run's writes are the baseline only if no other run (another process, another host) has written since.
        var written = before is not null && before.RunId == await FindingStore.LatestRunAsync(conn, tx, ct) ? before.Written : null;
        void StorePhase(string name, double ms) => storePhases.Add(FormattableString.Invariant($"{name}={ms:0}"));
        var (changes, nowWritten) = await FindingStore.WriteAsync(conn, tx, result, started, ct, StorePhase, written);
        var open = await WriteDocumentsAsync(conn, tx, result, started, StorePhase, ct);
        var storeMs = sw.Elapsed.TotalMilliseconds;
        var runId = await FindingStore.RecordRunAsync(conn, tx, new AnalysisRunRow(trigger, started, clock.GetUtcNow(), snapshot.Items.Count, changes,
            loadMs, analyzeMs, storeMs, changedItems), ct);
        await tx.CommitAsync(ct);
        if (options.Value.Analysis.Incremental) memory.Remember(new AnalysisMemory.State(image, position.Through, runId, nowWritten, result.ForecastMemo));
        AlignmentTelemetry.RecordFindings(result.Findings.Select(f => (f.Rule, f.Severity)));
        var phaseLine = FormattableString.Invariant(
            $"load={loadMs:0} ({string.Join(" ", loadPhases)}) analyze={analyzeMs:0} ({string.Join(" ", phases)}) store={storeMs:0} ({string.Join(" ", storePhases)})");
        logger.LogInformation("Analysis ({Trigger}, {Mode}): {Phases}", trigger, changedItems is { } n ? $"incremental, {n} changed items" : "full", phaseLine);
        logger.LogInformation("Analysis ({Trigger}): {Items} items, {Findings} findings ({Opened} opened, {Reopened} reopened, {Resolved} resolved) in {Ms:0} ms",
            trigger, snapshot.Items.Count, changes.Findings, changes.Opened, changes.Reopened, changes.Resolved, loadMs + analyzeMs + storeMs);
        return AnalysisRunResult.Completed(snapshot.Items.Count, changes, open, loadMs, analyzeMs, storeMs, changedItems) with
        {
            Phases = phaseLine, Mi = MiBuilder.FromAnalysis(snapshot, result.Forecasts),
        };
    }

    /// <summary>The analysis's MI documents (finance, value) in its transaction, the open findings by severity, and the change log pruned.</summary>
    private async Task<IReadOnlyDictionary<Severity, int>> WriteDocumentsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisResult result,
        DateTimeOffset started, Action<string, double> phase, CancellationToken ct)
    {
        var step = Stopwatch.StartNew();
        var finance = result.Finance is { } costs ? MiFinanceBuilder.Build(costs, options.Value, started) : null;
        phase("financeBuild", step.Elapsed.TotalMilliseconds);
        step.Restart();
        await MiFinanceBuilder.WriteAsync(conn, tx, finance, ct, phase);
        phase("financeWrite", step.Elapsed.TotalMilliseconds);
        step.Restart();
        await MiSnapshots.WriteValueAsync(conn, tx, new MiValue(started, MiValue.WsjfDefinition, result.Value ?? []), ct);
        phase("valueDocument", step.Elapsed.TotalMilliseconds);
        if (result.Intervals is { } intervals) await MiSnapshots.WriteIntervalsAsync(conn, tx, intervals, ct);
        step.Restart();
        var open = await FindingStore.OpenBySeverityAsync(conn, tx, ct);
        phase("openCounts", step.Elapsed.TotalMilliseconds);
        step.Restart();
        await ItemChangeLog.PruneAsync(conn, tx, started, ct);
        phase("prune", step.Elapsed.TotalMilliseconds);
        return open;
    }

    /// <summary>
    /// The previous run's image patched with the items changed since (and how many), when there is one and the change log still reaches
    /// back to it and few enough items changed; otherwise the whole store read (null changed items).
    /// </summary>
    private static async Task<(SnapshotImage Image, int? ChangedItems)> ImageAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisMemory.State? before,
        ChangeLogPosition position, Action<string, double> phase, CancellationToken ct)
    {
        if (before is not null && before.Through >= position.PrunedThrough)
        {
            var sw = Stopwatch.StartNew();
            var changes = await ItemChangeLog.ReadAsync(conn, tx, before.Through, position.Through, ct);
            phase("changeLog", sw.Elapsed.TotalMilliseconds);
            if (changes.Count <= MaxPatchShare * before.Image.Items.Count)
            {
                sw.Restart();
                var patched = await SnapshotLoader.PatchImageAsync(conn, before.Image, changes, ct);
                phase("patch", sw.Elapsed.TotalMilliseconds);
                return (patched, changes.Count);
            }
        }
        return (await SnapshotLoader.LoadImageAsync(conn, ct, phase), null);
    }
}
