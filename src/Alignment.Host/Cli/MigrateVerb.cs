using System.CommandLine;

namespace Alignment.Host.Cli;

public static class MigrateVerb
{
    public static async Task<int> RunAsync(ParseResult parse, CancellationToken ct)
    {
        using var host = CliHost.Build(parse);
        var applied = await host.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        Console.WriteLine(applied == 0 ? "Database schema is current." : $"Applied {applied} migration(s); the schema is current.");
        return 0;
    }
}
