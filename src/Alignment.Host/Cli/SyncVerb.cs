using System.CommandLine;
using Spectre.Console;

namespace Alignment.Host.Cli;

/// <summary><c>alignment sync [--source ID] [--team ID] [--full]</c>: migrate, sync once with a live progress line, print a summary.</summary>
public static class SyncVerb
{
    private static readonly Option<string?> Source = new("--source") { Description = "Only this source (default: every configured source)" };
    private static readonly Option<string?> Team = new("--team") { Description = "Only this team" };
    private static readonly Option<bool> Full = new("--full") { Description = "Re-read everything and mark items no longer returned as deleted" };

    public static Command Create()
    {
        var cmd = new Command("sync", "Migrate, sync once, and print a summary; exit 0 on success") { Source, Team, Full };
        cmd.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, ct)));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        try
        {
            using var host = CliHost.Build(parse);
            var options = host.Options();
            await host.Services.GetRequiredService<Migrator>().MigrateAsync(ct);

            var sourceId = parse.GetValue(Source);
            var teamId = parse.GetValue(Team);
            if (teamId is not null && sourceId is null)
                sourceId = options.Teams.FirstOrDefault(t => t.Id == teamId)?.Source
                    ?? throw new ConfigurationException($"--team: '{teamId}' is not a configured team (Alignment:Teams)");
            if (sourceId is not null && options.Source(sourceId) is null)
                throw new ConfigurationException($"--source: '{sourceId}' is not a configured source (Alignment:Sources)");
            var sources = sourceId is null ? options.Sources.Select(s => s.Id).ToList() : [sourceId];
            if (sources.Count == 0)
            {
                AnsiConsole.MarkupLine("[yellow]No sources are configured (Alignment:Sources); nothing to sync.[/]");
                return 0;
            }

            var pipeline = host.Services.GetRequiredService<AlignmentPipeline>();
            PipelineResult? pass = null;
            await AnsiConsole.Status().StartAsync("Syncing…", async ctx =>
            {
                var progress = new Progress<SyncProgress>(p => ctx.Status(
                    Markup.Escape($"{p.SourceId} {(p.TeamId.Length > 0 ? "team " + p.TeamId : "")} {p.Phase}: {p.ItemsRead} read, {p.ItemsChanged} changed")));
                pass = await pipeline.SyncAsync(sources.Select(s => new SyncRequest(s, teamId, parse.GetValue(Full), "cli")).ToList(), progress, ct);
            });
            var results = pass!.Syncs;
            Print(results);
            // The analysis followed, after a failed run too: SYNC-STALE then tells the PMO (docs/reliability.md).
            if (pass.Analysis is { } analysis) Console.WriteLine(AnalyzeVerb.Line(analysis));
            // partial (items quarantined, a team failed) still brought the rest up to date: exit 0, the problem printed.
            return results.All(r => r.Status != SyncStatus.Failed) ? 0 : 1;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync("alignment sync: " + e.Message);
            return 2;
        }
    }

    private static string StatusMarkup(SyncStatus s) => s switch
    {
        SyncStatus.Succeeded => "[green]succeeded[/]",
        SyncStatus.Skipped or SyncStatus.Partial => $"[yellow]{s.Name()}[/]",
        _ => $"[red]{s.Name()}[/]",
    };

    private static void Print(IReadOnlyList<SyncRunResult> results)
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 120); // logs, CI
        var teams = new Table().Border(TableBorder.Rounded).Title("Teams")
            .AddColumns("Source", "Team", "Mode", "Status", "Items read", "Changed", "Deleted", "Sprints", "Quarantined");
        foreach (var r in results)
            foreach (var t in r.Teams)
                teams.AddRow(Markup.Escape(r.SourceId), Markup.Escape(t.TeamId.Length == 0 ? "(source-wide)" : t.TeamId), t.Full ? "full" : "incremental",
                    StatusMarkup(t.Status), t.ItemsRead.ToString(), t.ItemsChanged.ToString(), t.ItemsDeleted.ToString(), t.Sprints.ToString(), t.Quarantined.ToString());
        AnsiConsole.Write(teams);

        var runs = new Table().Border(TableBorder.Rounded).Title("Runs")
            .AddColumns("Source", "Run", "Tracker", "Status", "Requests", "Retries", "Waits", "Time");
        foreach (var r in results)
            runs.AddRow(Markup.Escape(r.SourceId), r.RunId.ToString(), Markup.Escape(r.Deployment?.Split(';')[0] ?? "-"),
                StatusMarkup(r.Status),
                r.Requests.ToString(), r.Retries.ToString(), r.RateLimitWaits.ToString(), $"{r.Duration.TotalSeconds:0.0} s");
        AnsiConsole.Write(runs);
        foreach (var r in results.Where(r => r.Deployment?.Contains(';') == true))
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(r.SourceId)}: {Markup.Escape(r.Deployment!)}[/]");
        foreach (var r in results.Where(r => r.Error is not null))
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(r.SourceId)}:[/] {Markup.Escape(r.Error!)}");
    }
}
