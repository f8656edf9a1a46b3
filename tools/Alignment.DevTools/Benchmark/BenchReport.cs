using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Alignment.DevTools.Benchmark;

/// <summary>The initial sync; CPU seconds of this process (the sync) and of the simulator's over the same interval.</summary>
public sealed record InitialSyncFigures(double Seconds, long Items, long Requests, long MinimumRequests, double PeakRssMb,
    double SyncCpuSeconds, double SimulatorCpuSeconds)
{
    public double ItemsPerSecond => Seconds > 0 ? Items / Seconds : 0;
}

/// <summary>The unchanged incremental sync and its floor: the same requests replayed by a bare client (<see cref="RequestFloor"/>).</summary>
public sealed record IncrementalSyncFigures(double Seconds, long Requests, double RequestFloorSeconds);

/// <summary>The analysis and its floor: its SELECTs as binary COPY, read and discarded (<see cref="ReadFloor"/>).</summary>
public sealed record AnalyzeFigures(double Seconds, int Findings, double ReadFloorSeconds, long ReadFloorBytes, string Phases = "");

/// <summary>
/// The analysis after about 1 % of the items changed (<c>/_sim/advance</c>, then an incremental sync): its time (analysis, MI, alerts, as
/// <see cref="AnalyzeFigures"/>), the items the change log named, and whether it ran incrementally.
/// </summary>
public sealed record AnalyzeIncrementalFigures(double Seconds, int ChangedItems, bool Incremental, double SyncSeconds, string Phases = "")
{
    /// <summary>The sprint figures' refresh between the sync and the analysis (not part of <see cref="Seconds"/>).</summary>
    public double FiguresSeconds { get; init; }
    public long SyncRequests { get; init; }
}

/// <summary>The result of one <c>alignment bench</c> run: the JSON of README, "Benchmark" and the printed table.</summary>
public sealed record BenchReport(
    int Teams, int Items, int Links,
    InitialSyncFigures InitialSync, CopyBaseline.Result CopyBaseline, IncrementalSyncFigures IncrementalSync, AnalyzeFigures? Analyze, MiBurst.Result? Mi,
    AnalyzeIncrementalFigures? AnalyzeIncremental = null)
{
    // Targets (README, "Benchmark"): each figure against a floor measured in the same run, since absolute times on a shared machine are noise.
    public double CopyRatio => InitialSync.Seconds > 0 ? CopyBaseline.Seconds / InitialSync.Seconds : 0;
    public bool CopyRatioMet => CopyRatio >= 0.5;
    public double SimulatorCpuRatio => Quotient(InitialSync.SimulatorCpuSeconds, InitialSync.SyncCpuSeconds);
    public bool SimulatorCpuMet => SimulatorCpuRatio <= 0.1;
    public bool RequestsMet => InitialSync.Requests <= 1.05 * InitialSync.MinimumRequests;
    public bool RssMet => InitialSync.PeakRssMb < 400;
    public bool IncrementalRequestsMet => IncrementalSync.Requests <= 2L * Teams;
    public double IncrementalFloorRatio => Quotient(IncrementalSync.Seconds, IncrementalSync.RequestFloorSeconds);
    public bool IncrementalFloorMet => IncrementalFloorRatio <= 1.5;
    public double AnalyzeFloorRatio => Analyze is null ? double.NaN : Quotient(Analyze.Seconds, Analyze.ReadFloorSeconds);
    public bool AnalyzeFloorMet => AnalyzeFloorRatio <= 2;
    public double IncrementalAnalyzeRatio => Analyze is null || AnalyzeIncremental is null ? double.NaN : Quotient(AnalyzeIncremental.Seconds, Analyze.Seconds);
    public bool IncrementalAnalyzeMet => AnalyzeIncremental is { Incremental: true } && IncrementalAnalyzeRatio <= 0.1;
    /// <summary>Tracker webhook → targeted sync → pipeline (docs/webhooks.md); target p99 &lt; 5 s.</summary>
    public WebhookLatency.Result? WebhookLatency { get; init; }
    public bool WebhookLatencyMet => WebhookLatency is { } h && h.P99Ms < 5000;
    public double MiFloorRatio => Mi is null ? double.NaN : Quotient(Mi.P99Ms, Mi.HealthP99Ms);
    public bool MiFloorMet => MiFloorRatio <= 1.5;

    public void WriteJson(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("teams", Teams);
        w.WriteNumber("items", Items);
        w.WriteNumber("links", Links);
        w.WriteStartObject("initialSync");
        w.WriteNumber("seconds", Round(InitialSync.Seconds));
        w.WriteNumber("itemsPerSecond", Round(InitialSync.ItemsPerSecond));
        w.WriteNumber("requests", InitialSync.Requests);
        w.WriteNumber("minimumRequests", InitialSync.MinimumRequests);
        w.WriteNumber("peakRssMb", Round(InitialSync.PeakRssMb));
        w.WriteNumber("syncCpuSeconds", Round(InitialSync.SyncCpuSeconds));
        w.WriteNumber("simulatorCpuSeconds", Round(InitialSync.SimulatorCpuSeconds));
        w.WriteEndObject();
        w.WriteStartObject("copyBaseline");
        w.WriteNumber("seconds", Round(CopyBaseline.Seconds));
        w.WriteNumber("rowsPerSecond", Round(CopyBaseline.RowsPerSecond));
        w.WriteEndObject();
        w.WriteStartObject("incrementalSync");
        w.WriteNumber("seconds", Round(IncrementalSync.Seconds));
        w.WriteNumber("requests", IncrementalSync.Requests);
        w.WriteNumber("requestFloorSeconds", Precise(IncrementalSync.RequestFloorSeconds));
        w.WriteEndObject();
        if (Analyze is null) w.WriteNull("analyze");
        else
        {
            w.WriteStartObject("analyze");
            w.WriteNumber("seconds", Round(Analyze.Seconds));
            w.WriteNumber("findings", Analyze.Findings);
            w.WriteNumber("readFloorSeconds", Precise(Analyze.ReadFloorSeconds));
            w.WriteEndObject();
        }
        if (Mi is null) w.WriteNull("mi");
        else
        {
            w.WriteStartObject("mi");
            w.WriteNumber("requests", Mi.Requests);
            w.WriteNumber("p50Ms", Round(Mi.P50Ms));
            w.WriteNumber("p99Ms", Round(Mi.P99Ms));
            w.WriteNumber("healthP50Ms", Round(Mi.HealthP50Ms));
            w.WriteNumber("healthP99Ms", Round(Mi.HealthP99Ms));
            w.WriteEndObject();
        }
        if (AnalyzeIncremental is null) w.WriteNull("analyzeIncremental");
        else
        {
            w.WriteStartObject("analyzeIncremental");
            w.WriteNumber("changedItems", AnalyzeIncremental.ChangedItems);
            w.WriteNumber("seconds", Round(AnalyzeIncremental.Seconds));
            w.WriteBoolean("incremental", AnalyzeIncremental.Incremental);
            w.WriteEndObject();
        }
        WriteWebhookLatency(w);
        w.WriteEndObject();
    }

    private void WriteWebhookLatency(Utf8JsonWriter w)
    {
        if (WebhookLatency is not { } h)
        {
            w.WriteNull("webhookLatency");
            return;
        }
        w.WriteStartObject("webhookLatency");
        w.WriteNumber("deliveries", h.Deliveries);
        w.WriteNumber("p50Ms", Round(h.P50Ms));
        w.WriteNumber("p99Ms", Round(h.P99Ms));
        w.WriteNumber("itemP50Ms", Round(h.ItemP50Ms));
        w.WriteNumber("itemP99Ms", Round(h.ItemP99Ms));
        w.WriteNumber("coalesceWindowMs", Round(h.CoalesceWindowMs));
        w.WriteNumber("syncs", h.Syncs);
        w.WriteEndObject();
    }

    public void Print()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"alignment bench: {Teams} teams, {Items} items, {Links} links")
            .AddColumns("Section", "Seconds", "Floor", "Rate", "Requests", "Peak RSS, CPU", "Target");
        table.AddRow("initial sync", S(InitialSync.Seconds), $"{S(CopyBaseline.Seconds)} s (COPY)", $"{N(InitialSync.ItemsPerSecond)} items/s",
            $"{InitialSync.Requests} (minimum {InitialSync.MinimumRequests}, ×{Ratio(InitialSync.Requests, InitialSync.MinimumRequests)})",
            $"{N(InitialSync.PeakRssMb)} MB\nsync CPU {S(InitialSync.SyncCpuSeconds)} s\nsimulator CPU {S(InitialSync.SimulatorCpuSeconds)} s",
            $"{Mark(RequestsMet)} requests ≤ 1.05 × minimum\n{Mark(RssMet)} peak RSS < 400 MB");
        table.AddRow("COPY baseline", S(CopyBaseline.Seconds), "", $"{N(CopyBaseline.RowsPerSecond)} rows/s", $"{CopyBaseline.Rows} rows", "",
            $"{Mark(CopyRatioMet)} copy ÷ sync {F(CopyRatio)} ≥ 0.5\n{Mark(SimulatorCpuMet)} sim CPU ÷ sync CPU {F(SimulatorCpuRatio)} ≤ 0.1");
        table.AddRow("incremental (unchanged)", S(IncrementalSync.Seconds), $"{S(IncrementalSync.RequestFloorSeconds)} s", "",
            $"{IncrementalSync.Requests} ({Ratio(IncrementalSync.Requests, Teams)} per team)", "",
            $"{Mark(IncrementalRequestsMet)} requests ≤ 2 × teams\n{Mark(IncrementalFloorMet)} sync ÷ floor {F(IncrementalFloorRatio)} ≤ 1.5");
        if (Analyze is null) table.AddRow("analyze", "-", "", "", "", "", "[grey]not measured[/]");
        else table.AddRow("analyze", S(Analyze.Seconds), $"{S(Analyze.ReadFloorSeconds)} s", $"{N(Items / Math.Max(Analyze.Seconds, 1e-9))} items/s",
            $"{Analyze.Findings} findings", "", $"{Mark(AnalyzeFloorMet)} analyze ÷ floor {F(AnalyzeFloorRatio)} ≤ 2");
        if (AnalyzeIncremental is null) table.AddRow("analyze, incremental", "-", "", "", "", "", "[grey]not measured[/]");
        else table.AddRow("analyze, incremental", S(AnalyzeIncremental.Seconds), Analyze is null ? "" : $"{S(Analyze.Seconds)} s (full)",
            $"{AnalyzeIncremental.ChangedItems} items changed ({F(100.0 * AnalyzeIncremental.ChangedItems / Math.Max(1, Items))} %)",
            $"after a sync of {S(AnalyzeIncremental.SyncSeconds)} s ({AnalyzeIncremental.SyncRequests} requests) and sprint figures of {S(AnalyzeIncremental.FiguresSeconds)} s", AnalyzeIncremental.Incremental ? "" : "[red]ran in full[/]",
            $"{Mark(IncrementalAnalyzeMet)} incremental ÷ full {F(IncrementalAnalyzeRatio)} ≤ 0.1");
        if (Mi is null) table.AddRow("mi", "-", "", "", "", "", "[grey]not measured[/]");
        else table.AddRow("MI overview burst", "", $"health p50 {Ms(Mi.HealthP50Ms)} ms,\np99 {Ms(Mi.HealthP99Ms)} ms",
            $"p50 {Ms(Mi.P50Ms)} ms,\np99 {Ms(Mi.P99Ms)} ms", $"{Mi.Requests} (50 at once)", "",
            $"{Mark(MiFloorMet)} p99 ÷ health p99 {F(MiFloorRatio)} ≤ 1.5");
        if (WebhookLatency is not { } hooks) table.AddRow("webhook latency", "-", "", "", "", "", "[grey]not measured[/]");
        else table.AddRow("webhook → pipeline done", "", $"item visible p50 {Ms(hooks.ItemP50Ms)} ms,\np99 {Ms(hooks.ItemP99Ms)} ms",
            $"p50 {Ms(hooks.P50Ms)} ms,\np99 {Ms(hooks.P99Ms)} ms", $"{hooks.Deliveries} deliveries, {hooks.Syncs} targeted syncs",
            $"coalescing {Ms(hooks.CoalesceWindowMs)} ms", $"{Mark(WebhookLatencyMet)} p99 < 5 s");
        AnsiConsole.Write(table);
        PrintNotes();
    }

    private void PrintNotes()
    {
        AnsiConsole.MarkupLine("[grey]COPY per table: " + Markup.Escape(string.Join(", ", CopyBaseline.SecondsPerTable.Select(kv =>
            $"{kv.Key} {CopyBaseline.RowsPerTable.GetValueOrDefault(kv.Key)} rows {S(kv.Value)} s"))) + "[/]");
        AnsiConsole.MarkupLine("[grey]Peak RSS is the process's high-water mark (VmHWM) read after the initial sync; the simulator runs in its own process. "
            + "CPU is user + system time of each process during the initial sync.[/]");
        if (Analyze is not null) AnsiConsole.MarkupLine("[grey]analysis phases (ms): " + Markup.Escape(Analyze.Phases) + "[/]");
        if (AnalyzeIncremental is not null) AnsiConsole.MarkupLine("[grey]incremental analysis phases (ms): " + Markup.Escape(AnalyzeIncremental.Phases) + "[/]");
        AnsiConsole.MarkupLine("[grey]Targets are ratios to floors measured in this run. Floors: initial sync = the COPY baseline; incremental = the same requests sent again by a bare HttpClient at Sync:MaxConcurrency per source; "
            + $"analyze = the analysis's SELECTs as binary COPY ({N((Analyze?.ReadFloorBytes ?? 0) / 1024.0)} KiB), read and discarded; "
            + "MI = the same burst against /health/live of the same host.[/]");
    }

    private static double Round(double v) => Math.Round(v, 3);
    /// <summary>Floors of a small run can be under a millisecond: microseconds, so that they never round to 0.</summary>
    private static double Precise(double v) => Math.Round(v, 6);
    private static string S(double s) => s.ToString("0.00", CultureInfo.InvariantCulture);
    private static string N(double v) => v.ToString("#,0", CultureInfo.InvariantCulture);
    private static string Ratio(long a, long b) => b > 0 ? ((double)a / b).ToString("0.00", CultureInfo.InvariantCulture) : "-";
    private static double Quotient(double a, double b) => b > 0 ? a / b : double.PositiveInfinity;
    private static string F(double ratio) => double.IsFinite(ratio) ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "∞";
    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);
    private static string Mark(bool ok) => ok ? "[green]✓[/]" : "[red]✗[/]";
}
