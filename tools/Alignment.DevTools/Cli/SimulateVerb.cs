using System.CommandLine;
using Alignment.Simulator;

namespace Alignment.DevTools.Cli;

/// <summary><c>alignment simulate</c>: serves a generated Jira + Azure DevOps organisation until Ctrl+C.</summary>
public static class SimulateVerb
{
    public static readonly Option<int> Port = new("--port") { Description = "Port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 5090 };
    public static readonly Option<int> Teams = new("--teams") { Description = "Teams, about half on each tracker", DefaultValueFactory = _ => 12 };
    public static readonly Option<int> Items = new("--items") { Description = "Work items across the organisation", DefaultValueFactory = _ => 2400 };
    public static readonly Option<int> Links = new("--links") { Description = "Dependency links (-1 = items / 10)", DefaultValueFactory = _ => -1 };
    public static readonly Option<int> Seed = new("--seed") { Description = "Seed; the same seed gives the same organisation", DefaultValueFactory = _ => 42 };
    public static readonly Option<DateTimeOffset?> Now = new("--now")
    {
        Description = "The simulated 'now' (ISO 8601); default the real clock to the minute, so sprints, ages and incremental syncs match the host's clock",
    };
    public static readonly Option<bool> Finance = new("--finance")
    {
        Description = "Team costs (one rate change), epic budgets and planted budget overruns in the configuration and /_sim/truth (the demo always has them)",
    };
    public static readonly Option<bool> Intervals = new("--intervals")
    {
        Description = "Planning intervals: nine closed sprints of history, four six-week intervals (two finished) in the configuration, planted slips and the expected predictability in /_sim/truth (the demo always has them)",
    };
    public static readonly Option<bool> IntervalsInTrackers = new("--intervals-in-trackers")
    {
        Description = "With --intervals: record the intervals in the trackers (Azure DevOps iteration nodes above the sprints, Jira fix versions) and configure the sources to read them (Sources:N:Intervals) instead of Alignment:PlanningIntervals",
    };
    public static readonly Option<double> FaultRate = new("--fault-rate") { Description = "Share of tracker requests answered with 429, 500/503, a slow or a truncated response", DefaultValueFactory = _ => 0 };

    public static Command Create()
    {
        var cmd = new Command("simulate", "Serve a generated Jira + Azure DevOps organisation over the real REST shapes") { Port, Teams, Items, Links, Seed, Now, FaultRate, Finance, Intervals, IntervalsInTrackers };
        foreach (var option in SimulateHookOptions.All) cmd.Options.Add(option);
        cmd.SetAction((r, ct) => Verbs.Guard(() => RunAsync(r, ct)));
        return cmd;
    }

    public static SimulatorOptions Options(ParseResult r)
    {
        var o = new SimulatorOptions
        {
            Teams = r.GetValue(Teams), Items = r.GetValue(Items), Links = r.GetValue(Links), Seed = r.GetValue(Seed), FaultRate = r.GetValue(FaultRate),
            Finance = r.GetValue(Finance),
            Intervals = r.GetValue(Intervals) || r.GetValue(IntervalsInTrackers),
            IntervalsInTrackers = r.GetValue(IntervalsInTrackers),
            Now = r.GetValue(Now) ?? DefaultNow(DateTimeOffset.UtcNow),
            // The demo shows WSJF and the rank-vs-value advice: value fields on, mapped in /_sim/config.
            Value = true,
            Hooks = SimulateHookOptions.From(r),
        };
        if (o.Teams < 1) throw new ConfigurationException("--teams: at least 1");
        if (o.Items < o.Teams) throw new ConfigurationException("--items: at least one item per team");
        if (o.FaultRate is < 0 or > 1) throw new ConfigurationException("--fault-rate: a share between 0 and 1");
        return o;
    }

    /// <summary>
    /// The real clock, to the whole minute: the simulated organisation's present is the syncing host's present. It was "today 09:00" (the
    /// same all day), which put the simulator hours behind the host's clock: a Jira incremental sync asks for <c>updated</c> since its
    /// run's start (less the overlap), so after <c>/_sim/advance</c> every change simulated between 09:00 and the real time was never
    /// asked for (the benchmark's incremental analysis saw 0 changed items before 09:00 UTC).
    /// </summary>
    public static DateTimeOffset DefaultNow(DateTimeOffset clock) =>
        new(clock.UtcTicks - clock.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static async Task<int> RunAsync(ParseResult r, CancellationToken ct)
    {
        var options = Options(r);
        await using var sim = await SimulatorServer.StartAsync(options, r.GetValue(Port), ct);
        Console.WriteLine($"Simulator listening on {sim.BaseUrl}");
        Console.WriteLine($"  Jira Cloud:    {sim.JiraBaseUrl}   (Basic {options.JiraUser} / {options.JiraToken})");
        Console.WriteLine($"  Azure DevOps:  {sim.AdoBaseUrl}   (PAT {options.AdoPat})");
        Console.WriteLine($"  ground truth:  {sim.BaseUrl}/_sim/truth   configuration: {sim.BaseUrl}/_sim/config   advance time: POST {sim.BaseUrl}/_sim/advance?days=14");
        Console.WriteLine($"  {sim.Organisation.TeamCount} teams, {sim.Organisation.ItemCount} items, {sim.Organisation.LinkCount} links (seed {options.Seed}); Ctrl+C stops.");
        try { await Task.Delay(Timeout.Infinite, ct); } catch (OperationCanceledException) { }
        return 0;
    }
}
