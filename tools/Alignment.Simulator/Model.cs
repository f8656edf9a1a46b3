namespace Alignment.Simulator;

internal enum Tracker : byte { Jira, Ado }

internal enum ItemType : byte { Epic, Feature, Story, Bug, Task }

internal enum SprintState : byte { Future, Active, Closed }

internal enum EvKind : byte
{
    /// <summary>A = sprint left (or -1), B = sprint entered (or -1). ADO: iteration = B, or the backlog when B = -1.</summary>
    Sprint,
    /// <summary>A = from (-1 = none), B = to.</summary>
    Points,
    /// <summary>A = from status code, B = to status code.</summary>
    Status,
    /// <summary>A = link index (issue link / ADO relation added).</summary>
    Link,
    /// <summary>A = link index (Jira remote link added).</summary>
    RemoteLink,
}

/// <summary>One change: a Jira change history or an ADO revision.</summary>
internal struct Ev
{
    public long At; // unix ms
    public EvKind Kind;
    public int A;
    public int B;
    public int Id;
}

internal sealed class Team
{
    public int Index;
    public int Ordinal; // among teams of the same tracker
    public required string Id;
    public required string Name;
    public required string Key; // Jira project key (Jira) or short key
    public Tracker Tracker;
    public string Project = "Finance";
    /// <summary>Project Platform uses the Scrum process (Product Backlog Item, Effort); Finance uses Agile.</summary>
    public bool Scrum => Tracker == Tracker.Ado && Project == "Platform";
    public int Board; // Jira
    public string AreaPath = ""; // ADO
    public Guid BacklogIterationId; // ADO
    public int BacklogIterationNodeId; // ADO
    public int SprintDays;
    public double Velocity;
    public double CommitFactor;
    public bool Overcommits;
    public int OffsetMinutes; // Jira timestamp offset
    public List<Sprint> Sprints = [];
    public List<Item> Backlog = []; // candidates, rank order
    public List<Item> Items = [];
    public List<Member> Members = [];
    public required Random Rng;
    public List<Ev2> Pending = []; // planned events not yet applied (time > now)
    public int NextSprintToPlan;
    public int NextSprintToClose;
    public int NextRank;
    public string PoName = "";
    public string PoEmail = "";
}

internal readonly record struct Member(string DisplayName, string Email, string AccountId, Guid Guid);

/// <summary>A planned event for an item.</summary>
internal struct Ev2
{
    public Item Item;
    public Ev Ev;
}

internal sealed class Sprint
{
    public int Index; // global
    public required Team Team;
    public int Ordinal; // within team
    public int Number;
    public int JiraId;
    public Guid AdoId;
    public int AdoNodeId;
    public required string Name;
    public DateOnly StartDay;
    public DateOnly FinishDay; // inclusive last working day
    public long Start; // instant (ms)
    public long End; // Jira planned end; ADO end instant (finish + 1 day)
    public long Complete; // Jira: actual completion; ADO: = End
    public long CreatedAt;
    public SprintState State;
    public HashSet<Item> Members = [];
    public HashSet<Item> Touched = [];
    public List<DateOnly> TeamDaysOff = [];

    /// <summary>The iteration node between the team's node and the sprint (the planning interval, <see cref="SimulatorOptions.IntervalsInTrackers"/>).</summary>
    public string? IntervalNode;

    public string AdoPath => IntervalNode is null ? $"{Team.AreaPath}\\{Name}" : $"{Team.AreaPath}\\{IntervalNode}\\{Name}";
}

internal sealed class Item
{
    public int Index;
    public Tracker Tracker;
    public required Team Team;
    public ItemType Type;
    public int Id;
    public int Number; // Jira key number
    public Item? Parent;
    public List<Item>? Children;
    public int Points0 = -1;
    public int Status0;
    public int Points = -1;
    public int Status;
    public long Created;
    public DateOnly? Due;
    public int Rank;
    public int Assignee = -1;
    public byte Priority;
    public List<Ev> Events = [];
    public List<Sprint>? JiraSprints; // current sprint set, Jira
    public Sprint? Iteration; // ADO current iteration (null = backlog)
    public List<int>? Links;
    public bool InBacklog;
    /// <summary>Value fields (<see cref="SimulatorOptions.Value"/>); null: the item carries none.</summary>
    public SimValue? Value;

    public string Key => Tracker == Tracker.Jira ? $"{Team.Key}-{Number}" : Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public long Updated => Events.Count > 0 ? Events[^1].At : Created;
    public int Rev => Events.Count + 1;
    public bool InSprint(Sprint s) => Tracker == Tracker.Jira ? JiraSprints?.Contains(s) == true : Iteration == s;
    public bool InOpenSprint => Tracker == Tracker.Jira
        ? JiraSprints?.Exists(x => x.State != SprintState.Closed) == true
        : Iteration is { State: not SprintState.Closed };
}

internal enum LinkKind : byte { Blocks, Relates }

/// <summary>A link: for Blocks, <see cref="From"/> blocks <see cref="To"/>.</summary>
internal sealed class Link
{
    public int Index;
    public LinkKind Kind;
    public required Item From;
    public required Item To;
    public int JiraId;
    public long Created;
    public bool CrossTracker => From.Tracker != To.Tracker;
}

internal static class Statuses
{
    // code: 0 To Do, 1 Backlog, 2 In Progress, 3 Ready for QA, 4 Done, 5 Released, 6 Removed (ADO only)
    public static readonly string[] JiraName = ["To Do", "Backlog", "In Progress", "Ready for QA", "Done", "Released", "Won't Do"];
    public static readonly string[] JiraId = ["10000", "10005", "3", "10006", "10001", "10007", "10008"];
    public static readonly string[] AdoState = ["New", "New", "Active", "Resolved", "Closed", "Closed", "Removed"];

    public static bool IsDone(int code) => code is 4 or 5;

    public static string TruthCategory(int code) => code switch
    {
        0 or 1 => "todo",
        2 or 3 => "inProgress",
        4 or 5 => "done",
        _ => "removed",
    };

    public static string JiraCategoryKey(int code) => code switch { 0 or 1 => "new", 2 or 3 => "indeterminate", _ => "done" };
    public static int JiraCategoryId(int code) => code switch { 0 or 1 => 2, 2 or 3 => 4, _ => 3 };
    public static string JiraCategoryName(int code) => code switch { 0 or 1 => "To Do", 2 or 3 => "In Progress", _ => "Done" };
    public static string JiraCategoryColor(int code) => code switch { 0 or 1 => "blue-gray", 2 or 3 => "yellow", _ => "green" };

    public static string AdoStateFor(ItemType type, int code, bool scrum)
    {
        if (!scrum) return type == ItemType.Task && code == 3 ? "Active" : AdoState[code];
        return (type, code) switch
        {
            (_, 6) => "Removed",
            (_, 4 or 5) => "Done",
            (ItemType.Task, 0 or 1) => "To Do",
            (ItemType.Task or ItemType.Epic or ItemType.Feature, _) when code >= 2 => "In Progress",
            (ItemType.Epic or ItemType.Feature, _) => "New",
            (_, 0) => "New",
            (_, 1) => "Approved",
            _ => "Committed",
        };
    }

    public static string AdoTypeName(ItemType t, bool scrum = false) => t switch
    {
        ItemType.Epic => "Epic",
        ItemType.Feature => "Feature",
        ItemType.Story => scrum ? "Product Backlog Item" : "User Story",
        ItemType.Bug => "Bug",
        _ => "Task",
    };

    public static string JiraTypeName(ItemType t) => t switch
    {
        ItemType.Epic => "Epic",
        ItemType.Bug => "Bug",
        ItemType.Task => "Task",
        _ => "Story",
    };

    public static string JiraTypeId(ItemType t) => t switch
    {
        ItemType.Epic => "10000",
        ItemType.Bug => "10004",
        ItemType.Task => "10002",
        _ => "10001",
    };

    public static string TruthType(ItemType t) => t switch
    {
        ItemType.Epic => "epic",
        ItemType.Feature => "feature",
        ItemType.Story => "story",
        ItemType.Bug => "bug",
        _ => "task",
    };
}
