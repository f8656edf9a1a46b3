using System.CommandLine;

namespace Alignment.Host.Cli;

/// <summary>The verbs of the <c>alignment</c> executable (README, "Commands"). The simulator, the demo and the benchmark are in <c>alignment-dev</c> (tools/).</summary>
public static class Verbs
{
    public static readonly Option<string?> Config = new("--config")
    {
        Description = "An extra JSON configuration file layered over appsettings.json and the environment",
        Recursive = true,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Alignment: cross-team alignment for an Agile PMO (Jira + Azure DevOps → PostgreSQL → findings, advice, MI)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        root.Options.Add(Config);
        root.SetAction((r, ct) => UnknownVerb(r) is { } verb
            ? Unknown(verb)
            : Guard(() => ServeVerb.RunAsync(r, args, worker: false, ct)));

        var serve = new Command("serve", "HTTP API + dashboard + Hangfire server (the default)") { TreatUnmatchedTokensAsErrors = false };
        serve.SetAction((r, ct) => Guard(() => ServeVerb.RunAsync(r, args, worker: false, ct)));
        root.Subcommands.Add(serve);

        var worker = new Command("worker", "Hangfire server only, for scale-out replicas (serves /health/* only)") { TreatUnmatchedTokensAsErrors = false };
        worker.SetAction((r, ct) => Guard(() => ServeVerb.RunAsync(r, args, worker: true, ct)));
        root.Subcommands.Add(worker);

        var migrate = new Command("migrate", "Apply the database migrations and exit");
        migrate.SetAction((r, ct) => Guard(() => MigrateVerb.RunAsync(r, ct)));
        root.Subcommands.Add(migrate);

        root.Subcommands.Add(SyncVerb.Create());
        root.Subcommands.Add(AnalyzeVerb.Create());
        root.Subcommands.Add(AdviceVerb.Create());
        root.Subcommands.Add(HooksVerb.Create());
        return await root.Parse(args).InvokeAsync();
    }

    /// <summary>
    /// The root command serves when given no verb, and passes unknown options on as configuration (<c>--urls</c>,
    /// <c>--Alignment:…</c>). A first word that is not an option is a mistyped or moved verb: it must not start a server.
    /// </summary>
    private static string? UnknownVerb(ParseResult r) =>
        r.UnmatchedTokens.FirstOrDefault() is { } first && r.Tokens.Count > 0 && r.Tokens[0].Value == first && !first.StartsWith('-') ? first : null;

    private static async Task<int> Unknown(string verb)
    {
        var moved = verb is "simulate" or "demo" or "bench"
            ? $" ('{verb}' is in the developer tools: alignment-dev {verb}, or ./dev.sh {verb})" : "";
        await Console.Error.WriteLineAsync($"alignment: unknown command '{verb}'{moved}; see alignment --help");
        return 2;
    }

    /// <summary>Turns configuration mistakes into one clear message and exit code 2.</summary>
    public static async Task<int> Guard(Func<Task<int>> run)
    {
        try { return await run(); }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync("alignment: configuration error:" + Environment.NewLine + "  " + e.Message.ReplaceLineEndings(Environment.NewLine + "  "));
            return 2;
        }
        catch (InvalidDataException e) when (UnreadableConfigFile(e) is { } message)
        {
            await Console.Error.WriteLineAsync("alignment: configuration error: " + message);
            return 2;
        }
        catch (Npgsql.NpgsqlException e) when (e is not Npgsql.PostgresException)
        {
            await Console.Error.WriteLineAsync($"alignment: cannot reach PostgreSQL (ConnectionStrings:Alignment): {e.Message}");
            return 3;
        }
    }

    /// <summary>
    /// One line for a configuration file (<c>--config</c> or appsettings) that is not valid JSON, as the configuration
    /// providers report it: an <see cref="InvalidDataException"/> naming the file around the parser's error. Null for any other
    /// <see cref="InvalidDataException"/>.
    /// </summary>
    internal static string? UnreadableConfigFile(InvalidDataException e)
    {
        if (e.InnerException is not FormatException format) return null;
        // "Failed to load configuration from file '/path/file.json'." — the file is the quoted part.
        var (open, close) = (e.Message.IndexOf('\''), e.Message.LastIndexOf('\''));
        var file = close > open + 1 ? e.Message[(open + 1)..close] : e.Message;
        if (format.InnerException is System.Text.Json.JsonException { LineNumber: { } line, BytePositionInLine: { } position } json)
        {
            var reason = json.Message;
            foreach (var marker in new[] { " Path: ", " LineNumber: " })
                if (reason.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0) reason = reason[..at];
            return $"{file}: not valid JSON at line {line + 1}, position {position + 1}: {reason.Trim().TrimEnd('.', ' ', '|')}";
        }
        return $"{file}: {format.Message}"; // e.g. a key given twice
    }
}
