using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Alignment.DevTools.Benchmark;

public sealed record InitialSyncFigures(double Seconds, long Items, long Requests, long MinimumRequests, double PeakRssMb)
{
    public double ItemsPerSecond => Seconds > 0 ? Items / Seconds : 0;
}

public sealed record IncrementalSyncFigures(double Seconds, long Requests);

public sealed record AnalyzeFigures(double Seconds, int Findings);

/// <summary>The result of one <c>alignment bench</c> run: the JSON of README, "Benchmark" and the printed table.</summary>
public sealed record BenchReport(
    int Teams, int Items, int Links,
    InitialSyncFigures InitialSync, CopyBaseline.Result CopyBaseline, IncrementalSyncFigures IncrementalSync, AnalyzeFigures? Analyze, MiBurst.Result? Mi)
{
    // Targets (the benchmark issue).
    public double CopyRatio => InitialSync.Seconds > 0 ? CopyBaseline.Seconds / InitialSync.Seconds : 0;
    public bool CopyRatioMet => CopyRatio >= 0.5;
    public bool RequestsMet => InitialSync.Requests <= 1.05 * InitialSync.MinimumRequests;
    public bool IncrementalMet => IncrementalSync.Requests <= 2L * Teams && IncrementalSync.Seconds < 2;
    public bool RssMet => InitialSync.PeakRssMb < 400;

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
        w.WriteEndObject();
        w.WriteStartObject("copyBaseline");
        w.WriteNumber("seconds", Round(CopyBaseline.Seconds));
        w.WriteNumber("rowsPerSecond", Round(CopyBaseline.RowsPerSecond));
        w.WriteEndObject();
        w.WriteStartObject("incrementalSync");
        w.WriteNumber("seconds", Round(IncrementalSync.Seconds));
        w.WriteNumber("requests", IncrementalSync.Requests);
        w.WriteEndObject();
        if (Analyze is null) w.WriteNull("analyze");
        else
        {
            w.WriteStartObject("analyze");
            w.WriteNumber("seconds", Round(Analyze.Seconds));
            w.WriteNumber("findings", Analyze.Findings);
            w.WriteEndObject();
        }
        if (Mi is null) w.WriteNull("mi");
        else
        {
            w.WriteStartObject("mi");
            w.WriteNumber("requests", Mi.Requests);
            w.WriteNumber("p50Ms", Round(Mi.P50Ms));
            w.WriteNumber("p99Ms", Round(Mi.P99Ms));
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    public void Print()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"alignment bench: {Teams} teams, {Items} items, {Links} links")
            .AddColumns("Section", "Seconds", "Rate", "Requests", "Peak RSS", "Target");
        table.AddRow("initial sync", S(InitialSync.Seconds), $"{N(InitialSync.ItemsPerSecond)} items/s",
            $"{InitialSync.Requests} (minimum {InitialSync.MinimumRequests}, ×{Ratio(InitialSync.Requests, InitialSync.MinimumRequests)})",
            $"{N(InitialSync.PeakRssMb)} MB",
            $"{Mark(RequestsMet)} requests ≤ 1.05 × minimum   {Mark(RssMet)} peak RSS < 400 MB");
        table.AddRow("COPY baseline", S(CopyBaseline.Seconds), $"{N(CopyBaseline.RowsPerSecond)} rows/s", $"{CopyBaseline.Rows} rows", "",
            $"{Mark(CopyRatioMet)} copy / sync = {CopyRatio.ToString("0.00", CultureInfo.InvariantCulture)} ≥ 0.5");
        table.AddRow("incremental (unchanged)", S(IncrementalSync.Seconds), "",
            $"{IncrementalSync.Requests} ({Ratio(IncrementalSync.Requests, Teams)} per team)", "",
            $"{Mark(IncrementalMet)} ≤ 2 requests per team and < 2 s");
        if (Analyze is null) table.AddRow("analyze", "-", "", "", "", "[grey]not measured[/]");
        else table.AddRow("analyze", S(Analyze.Seconds), $"{N(Items / Math.Max(Analyze.Seconds, 1e-9))} items/s", $"{Analyze.Findings} findings", "",
            $"{Mark(Analyze.Seconds < 1)} full analysis < 1 s");
        if (Mi is null) table.AddRow("mi", "-", "", "", "", "[grey]not measured[/]");
        else table.AddRow("MI overview burst", "", $"p50 {Mi.P50Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms, p99 {Mi.P99Ms.ToString("0.0", CultureInfo.InvariantCulture)} ms", $"{Mi.Requests} (50 at once)", "",
            $"{Mark(Mi.P99Ms < 20)} p99 < 20 ms at 50 concurrent");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("[grey]COPY per table: " + Markup.Escape(string.Join(", ", CopyBaseline.SecondsPerTable.Select(kv =>
            $"{kv.Key} {CopyBaseline.RowsPerTable.GetValueOrDefault(kv.Key)} rows {S(kv.Value)} s"))) + "[/]");
        AnsiConsole.MarkupLine("[grey]Peak RSS is the process's high-water mark (VmHWM) read after the initial sync; the simulator runs in its own process.[/]");
    }

    private static double Round(double v) => Math.Round(v, 3);
    private static string S(double s) => s.ToString("0.00", CultureInfo.InvariantCulture);
    private static string N(double v) => v.ToString("#,0", CultureInfo.InvariantCulture);
    private static string Ratio(long a, long b) => b > 0 ? ((double)a / b).ToString("0.00", CultureInfo.InvariantCulture) : "-";
    private static string Mark(bool ok) => ok ? "[green]✓[/]" : "[red]✗[/]";
}
