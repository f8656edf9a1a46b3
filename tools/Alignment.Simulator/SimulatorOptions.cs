namespace Alignment.Simulator;

/// <summary>Which faults the simulator may inject when <see cref="SimulatorOptions.FaultRate"/> is above zero.</summary>
[Flags]
public enum FaultKinds
{
    None = 0,
    /// <summary>429 with <c>Retry-After: 1</c> (ADO: TF400733 body).</summary>
    RateLimit = 1,
    /// <summary>500.</summary>
    ServerError = 2,
    /// <summary>503 with <c>Retry-After: 1</c>.</summary>
    Unavailable = 4,
    /// <summary>200 with the JSON body cut off half-way.</summary>
    Truncated = 8,
    /// <summary>Sleeps 2 s, then answers normally.</summary>
    Slow = 16,
    All = RateLimit | ServerError | Unavailable | Truncated | Slow,
}

public sealed record SimulatorOptions
{
    /// <summary>Total teams; about half Jira, half Azure DevOps (at least one of each when Teams ≥ 2).</summary>
    public int Teams { get; init; } = 12;

    /// <summary>Total work items across the organisation (epics, features, stories, bugs, tasks).</summary>
    public int Items { get; init; } = 2400;

    /// <summary>Dependency links; -1 means Items / 10.</summary>
    public int Links { get; init; } = -1;

    public int Seed { get; init; } = 42;

    /// <summary>
    /// Team costs (one rate change), epic budgets and planted budget overruns in the configuration and the truth (<c>Finance.cs</c>). Off by
    /// default, so the default organisation (pinned byte for byte by the tests) and the benchmark's stay as they were; the demo turns it on.
    /// </summary>
    public bool Finance { get; init; }

    /// <summary>
    /// Capacity for the Jira teams in the configuration (<c>Teams[].Capacity</c>: their members, 6 hours a day, the last of a team of more
    /// than five 4, focus factor 1), the hours the Azure DevOps teams' iterations carry; Jira has no capacity API. Off by default, so the
    /// default organisation's configuration (pinned by the tests) stays as it was; the demo turns it on, so every team has capacity.
    /// </summary>
    public bool JiraCapacity { get; init; }

    /// <summary>
    /// Value fields on epics and features (business value, time criticality, risk reduction, job size, budget) in each tracker's shape,
    /// with planted rank-vs-value inversions in <c>/_sim/truth</c>. Off by default: the default organisation's output is pinned.
    /// </summary>
    public bool Value { get; init; }

    /// <summary>
    /// Planning intervals (<c>Intervals.cs</c>): nine closed sprints of history, four six-week intervals in the configuration (two finished, the
    /// current one, one to come), each team planning all of its sprints of an interval before it starts, three planted slips (unplanned work,
    /// a blocked dependency, a carry-over), and the expected predictability per team and finished interval in <c>/_sim/truth</c>. Off by
    /// default: the default organisation's output is pinned, and the benchmark's stays as it was; the demo turns it on.
    /// </summary>
    public bool Intervals { get; init; }

    /// <summary>
    /// With <see cref="Intervals"/>: the intervals are recorded in the trackers instead of the configuration — the Azure DevOps sprints of an
    /// interval sit under an iteration node named after it (<c>Project\Team\PI-2\Sprint 5</c>), the Jira projects have a fix version per
    /// interval with its dates (and a release version the sources' <c>Intervals:Match</c> leaves out), and <c>/_sim/config</c> sets
    /// <c>Sources:N:Intervals</c> rather than <c>PlanningIntervals</c>. The truth is the same.
    /// </summary>
    public bool IntervalsInTrackers { get; init; }

    /// <summary>Share of tracker API requests (not /_sim) answered with a fault.</summary>
    public double FaultRate { get; init; }

    /// <summary>Fault kinds to choose from (evenly) when a request is faulted.</summary>
    public FaultKinds FaultKinds { get; init; } = FaultKinds.All;

    public string JiraUser { get; init; } = "sim@example.com";
    public string JiraToken { get; init; } = "sim-jira-token";
    public string AdoPat { get; init; } = "sim-ado-pat";

    /// <summary>Webhook deliveries to send when items change (<see cref="SimulatorHookOptions"/>); null: none.</summary>
    public SimulatorHookOptions? Hooks { get; init; }

    /// <summary>Simulated "now" (a Monday).</summary>
    public DateTimeOffset Now { get; init; } = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Before the first client, serve the requests a sync sends to itself until the runtime has compiled the serving code
    /// (a tracker that has been up for a while); null: from <see cref="WarmUp.DefaultFromItems"/> items on.
    /// </summary>
    public bool? WarmUp { get; init; }

    /// <summary>The longest <see cref="WarmUp"/> may take (it stops earlier once nothing is compiled any more); lowered in tests.</summary>
    internal TimeSpan WarmUpLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>WIQL result limit (Azure DevOps uses 20,000); lowered in tests.</summary>
    internal int WiqlLimit { get; init; } = 20_000;
}
