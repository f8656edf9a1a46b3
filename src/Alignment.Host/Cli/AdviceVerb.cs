using System.CommandLine;
using Mediator;

namespace Alignment.Host.Cli;

/// <summary><c>alignment advice [--dry-run DIR]</c>: compose this week's digests and send them through the outbox, or write them as files.</summary>
public static class AdviceVerb
{
    public static readonly Option<string?> DryRun = new("--dry-run")
    {
        Description = "Write each digest to this directory as an .eml file (and an .html file to open in a browser) instead of sending",
    };

    public static Command Create()
    {
        var cmd = new Command("advice", "Compose this week's prioritisation-advice digests and send them (once per product owner per week)") { DryRun };
        cmd.TreatUnmatchedTokensAsErrors = false;
        cmd.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, ct)));
        return cmd;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        using var host = CliHost.Build(parse);
        var options = host.Options();
        var dir = parse.GetValue(DryRun);
        if (dir is null && string.IsNullOrWhiteSpace(options.Advice.Smtp.Host))
            throw new ConfigurationException("Alignment:Advice:Smtp:Host: required to send the digests (or use --dry-run DIR to write them as files)");
        await host.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        // The product owners come from the configured teams: mirror them first, as serve does.
        await host.Services.GetRequiredService<StoreSeeder>().SeedAsync(options, ct);
        await using var scope = host.Services.CreateAsyncScope();
        var r = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
            new RunAdviceCommand("cli", dir is null ? null : Path.GetFullPath(dir), RetryNow: true), ct);
        if (r.Skipped) { Console.WriteLine("Advice: skipped (another advice run is in progress)"); return 0; }
        if (dir is not null)
        {
            Console.WriteLine($"Advice {r.Period}: {r.Files.Count} digests written to {Path.GetFullPath(dir)} ({r.Owners} product owners, {r.Empty} with nothing to act on, {r.OptedOut} opted out)");
            foreach (var f in r.Files) Console.WriteLine("  " + f);
            return 0;
        }
        Console.WriteLine($"Advice {r.Period}: {r.Owners} product owners, {r.Queued} digests queued ({r.AlreadyQueued} already this week, {r.Empty} empty, {r.OptedOut} opted out); {r.Sent} sent, {r.Failed} failed");
        return r.Failed > 0 ? 1 : 0;
    }
}
