namespace Alignment.Simulator;

/// <summary>
/// A deterministic generated organisation: teams on Jira and on Azure DevOps, their sprints, items with
/// full change history, links, and the ground truth derived from that history. Generated in steps, one file
/// each: teams and sprints (<c>Teams.cs</c>), items (<c>Items.cs</c>), their histories (<c>Simulation.cs</c>),
/// links (<c>Links.cs</c>); the ground truth is in <c>Truth.cs</c>.
/// </summary>
public sealed partial class SimulatedOrganisation
{
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    private readonly Random _rng;
    private int _eventCounter = 100_000;
    private int _nextJiraIssueId = 10_000;
    private int _nextAdoId = 1;
    private int _nextJiraSprintId = 1;
    private int _nextNodeId = 1000;
    private long _seq;
    private List<(Item Item, int Rev)>? _capture;

    internal SimulatorOptions Options { get; }
    internal List<Team> Teams { get; } = [];
    internal List<Item> Items { get; } = [];
    internal List<Sprint> Sprints { get; } = [];
    internal List<Link> LinkList { get; } = [];
    internal List<Item> CycleItems { get; } = [];
    internal Dictionary<int, Item> JiraById { get; } = [];
    internal Dictionary<string, Item> JiraByKey { get; } = new(StringComparer.OrdinalIgnoreCase);
    internal Dictionary<int, Item> AdoById { get; } = [];
    internal Dictionary<int, Sprint> JiraSprintById { get; } = [];
    /// <summary>Every ADO revision in changed-date order (rev 1 = creation).</summary>
    internal List<(Item Item, int Rev)> AdoRevisionLog { get; } = [];
    internal ReaderWriterLockSlim Lock { get; } = new(LockRecursionPolicy.NoRecursion);
    internal long NowMs { get; private set; }

    /// <summary>Bumped by every change (<see cref="Advance"/>): what was rendered from an older version is stale.</summary>
    internal long Version { get; private set; }

    /// <summary>The simulated current time.</summary>
    public DateTimeOffset Now => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    public int TeamCount => Teams.Count;
    public int ItemCount => Items.Count;
    public int LinkCount => LinkList.Count;

    private SimulatedOrganisation(SimulatorOptions o)
    {
        Options = o;
        _rng = new Random(o.Seed);
        NowMs = o.Now.ToUnixTimeMilliseconds();
    }

    public static SimulatedOrganisation Generate(SimulatorOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Teams < 1) throw new ArgumentOutOfRangeException(nameof(o), "Teams must be at least 1.");
        var org = new SimulatedOrganisation(o);
        org.CreateTeams();
        org.CreateItems();
        org.AssignValues();
        foreach (var t in org.Teams) org.Run(t, org.NowMs);
        org.CreateLinks();
        org.BuildRevisionLog();
        if (o.Finance) org.PlanFinance();
        return org;
    }
}
