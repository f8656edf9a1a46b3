using System.CommandLine;
using Alignment.DevTools.Benchmark;
using Alignment.Host.Cli;

namespace Alignment.DevTools.Cli;

/// <summary><c>alignment-dev bench</c>: the benchmark (README, "Benchmark") against a simulated organisation in a scratch database.</summary>
public static class BenchVerb
{
    private static readonly Option<int> Teams = new("--teams") { Description = "Teams, about half on each tracker", DefaultValueFactory = _ => 200 };
    private static readonly Option<int> Items = new("--items") { Description = "Work items across the organisation", DefaultValueFactory = _ => 200_000 };
    private static readonly Option<int> Links = new("--links") { Description = "Dependency links", DefaultValueFactory = _ => 20_000 };
    private static readonly Option<int> Seed = new("--seed") { Description = "Simulator seed", DefaultValueFactory = _ => 42 };
    private static readonly Option<string?> Json = new("--json") { Description = "Also write the results as JSON to this file" };
    private static readonly Option<bool> Keep = new("--keep") { Description = "Keep the scratch database alignment_bench_* for inspection" };
    private static readonly Option<bool> Sequential = new("--sequential") { Description = "Sync the sources one after the other (default: in parallel)" };

    public static Command Create()
    {
        var cmd = new Command("bench", "Benchmark: initial sync, COPY baseline, unchanged incremental sync, analysis and MI burst of a simulated organisation, each against a floor measured in the same run")
        {
            Teams, Items, Links, Seed, Json, Keep, Sequential,
        };
        cmd.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, ct)));
        return cmd;
    }

    private static Task<int> RunAsync(ParseResult r, CancellationToken ct)
    {
        var o = new BenchOptions(r.GetValue(Teams), r.GetValue(Items), r.GetValue(Links), r.GetValue(Seed),
            r.GetValue(Json), r.GetValue(Keep), r.GetValue(Sequential));
        if (o.Teams < 2) throw new ConfigurationException("--teams: at least 2 (one per tracker)");
        if (o.Items < o.Teams) throw new ConfigurationException("--items: at least one item per team");
        if (o.Links < 0) throw new ConfigurationException("--links: 0 or more");
        var connection = Environment.GetEnvironmentVariable("ConnectionStrings__" + Database.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connection))
            throw new ConfigurationException("ConnectionStrings:Alignment: required (set ConnectionStrings__Alignment, or run through ./dev.sh bench)");
        return BenchmarkRunner.RunAsync(o, connection, ct);
    }
}
