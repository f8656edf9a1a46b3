using System.CommandLine;
using Mediator;

namespace Alignment.Host.Cli;

/// <summary><c>alignment analyze</c>: migrate, run the analyzers once over the store, print the findings count.</summary>
public static class AnalyzeVerb
{
    public static Command Create()
    {
        var full = new Option<bool>("--full")
        {
            Description = "Read the whole store (a one-shot run always does; the option says so and is what the weekly analyze-full job runs)",
        };
        var cmd = new Command("analyze", "Run the analyzers once and print the findings count") { full };
        cmd.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, r.GetValue(full), ct)));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, bool full, CancellationToken ct)
    {
        using var host = CliHost.Build(parse);
        _ = host.Options();
        await host.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        var r = await host.Services.GetRequiredService<AlignmentPipeline>().AnalyzeAsync("cli", full, ct);
        Console.WriteLine(Line(r));
        return 0;
    }

    /// <summary>One line for humans: "Findings: 12 open (2 critical, 7 warning, 3 info); 3 new, 1 resolved; 120,000 items in 640 ms".</summary>
    public static string Line(AnalysisRunResult r)
    {
        if (r.Skipped) return "Findings: analysis skipped (another analysis is running)";
        var open = r.OpenBySeverity;
        return System.FormattableString.Invariant(
            $"Findings: {open.Values.Sum()} open ({open.GetValueOrDefault(Severity.Critical)} critical, {open.GetValueOrDefault(Severity.Warning)} warning, {open.GetValueOrDefault(Severity.Info)} info); {r.Opened} new, {r.Reopened} reopened, {r.Resolved} resolved; {r.Items} items analysed ({(r.ChangedItems is { } n ? $"incremental, {n} changed" : "full")}) in {r.TotalMs:0} ms");
    }
}
