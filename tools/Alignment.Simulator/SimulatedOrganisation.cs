namespace Alignment.Simulator;

/// <summary>
/// A deterministic generated organisation: teams on Jira and on Azure DevOps, their sprints, items with
/// full change history, links, and the ground truth derived from that history.
/// </summary>
public sealed partial class SimulatedOrganisation
{
    private const long Minute = 60_000;
    private const long Hour = 60 * Minute;
    private const long Day = 24 * Hour;

    private static readonly (string Name, string Key)[] TeamNames =
    [
        ("Payments", "PAY"), ("Ledger", "LED"), ("Billing", "BIL"), ("Onboarding", "ONB"), ("Risk", "RSK"),
        ("Treasury", "TRE"), ("Reporting", "REP"), ("Identity", "IDN"), ("Cards", "CRD"), ("Lending", "LND"),
        ("Fraud", "FRD"), ("Compliance", "CMP"), ("Pricing", "PRC"), ("Accounts", "ACC"), ("Savings", "SAV"),
        ("Mobile", "MOB"), ("Web", "WEB"), ("Data", "DAT"), ("Platform", "PLT"), ("Search", "SRC"),
        ("Messaging", "MSG"), ("Notifications", "NTF"), ("Insurance", "INS"), ("Tax", "TAX"), ("Invoicing", "INV"),
        ("Procurement", "PRO"), ("Payroll", "PYR"), ("Audit", "AUD"), ("Loyalty", "LOY"), ("Wallet", "WAL"),
    ];

    private static readonly string[] FirstNames = ["Ada", "Ben", "Chloe", "Dev", "Emma", "Femi", "Grace", "Hugo", "Ines", "Jon", "Kira", "Liam", "Maya", "Noor", "Omar", "Pia", "Raj", "Sara", "Tom", "Uma", "Vik", "Wen", "Yara", "Zoe"];
    private static readonly string[] LastNames = ["Adams", "Berg", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Khan", "Lopez", "Meyer", "Novak", "Okafor", "Patel", "Quinn", "Rossi", "Silva", "Tanaka", "Ueda", "Visser", "Wong", "Young"];
    private static readonly int[] PointScale = [1, 2, 3, 5, 8, 13];

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
        foreach (var t in org.Teams) org.Run(t, org.NowMs);
        org.CreateLinks();
        org.BuildRevisionLog();
        return org;
    }

    // ---------------------------------------------------------------- teams and sprints

    private void CreateTeams()
    {
        int jiraOrdinal = 0, adoOrdinal = 0;
        var nowDay = DateOnly.FromDateTime(Options.Now.UtcDateTime);
        for (int i = 0; i < Options.Teams; i++)
        {
            var (baseName, baseKey) = TeamNames[i % TeamNames.Length];
            int round = i / TeamNames.Length;
            string name = round == 0 ? baseName : $"{baseName} {round + 1}";
            string key = round == 0 ? baseKey : $"{baseKey}{round + 1}";
            var tracker = i % 2 == 0 ? Tracker.Jira : Tracker.Ado;
            var trng = new Random(unchecked(Options.Seed * 7919 + i * 104_729));
            var team = new Team
            {
                Index = i,
                Id = tracker == Tracker.Jira ? key.ToLowerInvariant() : name.ToLowerInvariant().Replace(' ', '-'),
                Name = name,
                Key = key,
                Tracker = tracker,
                Rng = trng,
                Ordinal = tracker == Tracker.Jira ? jiraOrdinal++ : adoOrdinal++,
            };
            if (tracker == Tracker.Jira)
            {
                team.Project = key;
                team.Board = 100 + team.Ordinal;
                team.OffsetMinutes = (i / 2 % 4) switch { 0 => 0, 1 => 60, 2 => 120, _ => -300 };
            }
            else
            {
                if (team.Ordinal % 3 == 2) team.Project = "Platform";
                team.AreaPath = $"{team.Project}\\{name}";
                team.BacklogIterationId = NewGuid(trng);
                team.BacklogIterationNodeId = _nextNodeId++;
            }
            team.SprintDays = i % 5 == 4 ? 21 : 14;
            team.Velocity = 18 + trng.Next(0, 23);
            team.Overcommits = i % 5 == 2;
            team.CommitFactor = team.Overcommits ? 1.7 + trng.NextDouble() * 0.4 : 0.9 + trng.NextDouble() * 0.2;
            int members = 4 + trng.Next(0, 5);
            for (int m = 0; m < members; m++)
            {
                string first = FirstNames[trng.Next(FirstNames.Length)], last = LastNames[trng.Next(LastNames.Length)];
                string email = $"{first}.{last}.{i}{m}@example.com".ToLowerInvariant();
                team.Members.Add(new Member($"{first} {last}", email, $"712020:{NewGuid(trng):N}"[..30], NewGuid(trng)));
            }
            team.PoName = team.Members[0].DisplayName;
            team.PoEmail = team.Members[0].Email;

            // Sprint cadence: Monday or Wednesday starts, two or three weeks, different phases.
            var startDow = i % 3 == 1 ? DayOfWeek.Wednesday : DayOfWeek.Monday;
            var d = nowDay;
            while (d.DayOfWeek != startDow) d = d.AddDays(-1);
            d = d.AddDays(-7 * trng.Next(0, team.SprintDays / 7));
            var activeStart = SprintStartInstant(team, d);
            if (activeStart > NowMs) d = d.AddDays(-team.SprintDays);
            int number = 5 + trng.Next(0, 30);
            for (int k = 0; k < 9; k++)
                AddSprint(team, d.AddDays((k - 6) * team.SprintDays), number + k);
            Teams.Add(team);
        }
    }

    private static long SprintStartInstant(Team t, DateOnly d) =>
        new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds() + (t.Tracker == Tracker.Jira ? 8 * Hour : 0);

    private static long DayMs(DateOnly d) => new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    private Sprint AddSprint(Team t, DateOnly d, int number)
    {
        var next = d.AddDays(t.SprintDays);
        var finish = next.AddDays(-1);
        while (finish.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) finish = finish.AddDays(-1);
        var s = new Sprint
        {
            Index = Sprints.Count,
            Team = t,
            Ordinal = t.Sprints.Count,
            Number = number,
            Name = t.Tracker == Tracker.Jira ? $"{t.Key} Sprint {number}" : $"Sprint {number}",
            StartDay = d,
            FinishDay = finish,
            Start = SprintStartInstant(t, d),
        };
        if (t.Tracker == Tracker.Jira)
        {
            s.JiraId = _nextJiraSprintId++;
            s.End = DayMs(finish) + 17 * Hour;
            s.Complete = s.End + (5 + t.Rng.Next(0, 115)) * Minute;
            JiraSprintById[s.JiraId] = s;
        }
        else
        {
            s.AdoId = NewGuid(t.Rng);
            s.AdoNodeId = _nextNodeId++;
            s.End = DayMs(finish) + Day;
            s.Complete = s.End;
            if (s.Ordinal % 4 == 3)
            {
                var off = d.AddDays(2 + t.Rng.Next(0, 5));
                while (off.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) off = off.AddDays(1);
                s.TeamDaysOff.Add(off);
            }
        }
        s.CreatedAt = s.Start - 10 * Day - t.Rng.Next(0, 600) * Minute;
        t.Sprints.Add(s);
        Sprints.Add(s);
        return s;
    }

    private long PlanAt(Sprint s) => s.Start - Hour - (long)((s.Index * 7919L % 19) * Hour);

    internal static Guid NewGuid(Random r)
    {
        Span<byte> b = stackalloc byte[16];
        r.NextBytes(b);
        b[7] = (byte)((b[7] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        return new Guid(b);
    }

    // ---------------------------------------------------------------- items

    private void CreateItems()
    {
        int teams = Teams.Count;
        long historyStart = Teams.Min(t => t.Sprints[0].Start) - 2 * Day;
        var all = new List<Item>(Options.Items);
        var epicsByTracker = new Dictionary<Tracker, List<Item>> { [Tracker.Jira] = [], [Tracker.Ado] = [] };
        var featuresByTeam = new Dictionary<Team, List<Item>>();
        var perTeam = new List<(Team Team, int Epics, int Features, int Tasks, int Others)>();
        for (int i = 0; i < teams; i++)
        {
            var t = Teams[i];
            int n = Options.Items / teams + (i < Options.Items % teams ? 1 : 0);
            int epics = Math.Min(n, Math.Max(1, (int)Math.Round(n * 0.03)));
            int features = t.Tracker == Tracker.Ado ? Math.Min(n - epics, Math.Max(1, (int)Math.Round(n * 0.05))) : 0;
            int tasks = Math.Min(n - epics - features, (int)Math.Round(n * 0.04));
            perTeam.Add((t, epics, features, tasks, n - epics - features - tasks));
        }
        // Epics first (so children can pick them), then features, then the rest.
        foreach (var (t, epics, _, _, _) in perTeam)
            for (int k = 0; k < epics; k++)
            {
                var it = NewItem(t, ItemType.Epic, historyStart - 150 * Day + t.Rng.NextInt64(50 * Day));
                it.Status0 = t.Rng.NextDouble() < 0.2 ? 4 : t.Rng.NextDouble() < 0.8 ? 2 : 0;
                if (t.Rng.NextDouble() < 0.7)
                {
                    var due = DateOnly.FromDateTime(Options.Now.UtcDateTime).AddDays(-30 + t.Rng.Next(0, 150));
                    while (due.DayOfWeek != DayOfWeek.Friday) due = due.AddDays(1);
                    it.Due = due;
                }
                epicsByTracker[t.Tracker].Add(it);
                all.Add(it);
            }
        foreach (var (t, _, features, _, _) in perTeam)
        {
            var list = featuresByTeam[t] = [];
            for (int k = 0; k < features; k++)
            {
                var it = NewItem(t, ItemType.Feature, historyStart - 100 * Day + t.Rng.NextInt64(40 * Day));
                it.Status0 = t.Rng.NextDouble() < 0.15 ? 4 : t.Rng.NextDouble() < 0.7 ? 2 : 0;
                it.Parent = PickEpic(t, epicsByTracker[t.Tracker]);
                if (t.Rng.NextDouble() < 0.3) it.Due = epicsByTracker[t.Tracker][0].Due;
                list.Add(it);
                all.Add(it);
            }
        }
        foreach (var (t, _, _, tasks, rest) in perTeam)
        {
            var stories = new List<Item>();
            for (int k = 0; k < rest; k++)
            {
                var it = NewItem(t, t.Rng.NextDouble() < 0.22 ? ItemType.Bug : ItemType.Story, historyStart - 60 * Day + t.Rng.NextInt64(59 * Day));
                it.Status0 = t.Rng.NextDouble() < 0.3 && (t.Tracker == Tracker.Jira || t.Scrum) ? 1 : 0;
                it.Points0 = t.Rng.NextDouble() < 0.08 ? -1 : PointScale[Math.Min(5, (int)Math.Floor(Math.Abs(NextGaussian(t.Rng)) * 2.2))];
                if (t.Rng.NextDouble() >= 0.05)
                {
                    if (t.Tracker == Tracker.Ado && featuresByTeam.TryGetValue(t, out var fs) && fs.Count > 0 && t.Rng.NextDouble() < 0.85)
                    {
                        // Mostly own team's features, sometimes another ADO team's.
                        var pool = t.Rng.NextDouble() < 0.8 ? fs : featuresByTeam.Values.Where(v => v.Count > 0).ElementAt(t.Rng.Next(featuresByTeam.Values.Count(v => v.Count > 0)));
                        it.Parent = pool[t.Rng.Next(pool.Count)];
                    }
                    else it.Parent = PickEpic(t, epicsByTracker[t.Tracker]);
                }
                stories.Add(it);
                all.Add(it);
            }
            for (int k = 0; k < tasks; k++)
            {
                var it = NewItem(t, ItemType.Task, historyStart - 40 * Day + t.Rng.NextInt64(39 * Day));
                if (t.Tracker == Tracker.Jira)
                {
                    it.Points0 = t.Rng.NextDouble() < 0.5 ? -1 : PointScale[t.Rng.Next(0, 3)];
                    it.Parent = PickEpic(t, epicsByTracker[t.Tracker]);
                }
                else if (stories.Count > 0)
                    it.Parent = stories[t.Rng.Next(stories.Count)];
                all.Add(it);
            }
        }
        // Ids ascend with creation time, as in the real trackers.
        all.Sort((a, b) => a.Created.CompareTo(b.Created));
        foreach (var it in all) Register(it);
        foreach (var t in Teams)
        {
            t.Items.Sort((a, b) => a.Index.CompareTo(b.Index));
            foreach (var it in t.Items)
                if (it.Type is ItemType.Story or ItemType.Bug || (it.Type == ItemType.Task && t.Tracker == Tracker.Jira))
                {
                    it.InBacklog = true;
                    t.Backlog.Add(it);
                }
        }
    }

    private Item NewItem(Team t, ItemType type, long created)
    {
        var it = new Item { Team = t, Type = type, Tracker = t.Tracker, Created = created - created % 1000 + t.Rng.Next(0, 1000) };
        it.Priority = (byte)(1 + Math.Min(3, (int)Math.Abs(NextGaussian(t.Rng) * 1.3)));
        it.Assignee = t.Rng.NextDouble() < 0.2 ? -1 : t.Rng.Next(t.Members.Count);
        t.Items.Add(it);
        return it;
    }

    private void Register(Item it)
    {
        var t = it.Team;
        it.Index = Items.Count;
        Items.Add(it);
        it.Points = it.Points0;
        it.Status = it.Status0;
        it.Rank = t.NextRank++;
        if (it.Tracker == Tracker.Jira)
        {
            it.Id = _nextJiraIssueId++;
            it.Number = it.Rank + 1;
            JiraById[it.Id] = it;
            JiraByKey[it.Key] = it;
        }
        else
        {
            it.Id = _nextAdoId++;
            AdoById[it.Id] = it;
            if (it.Parent is { } p) (p.Children ??= []).Add(it);
        }
    }

    private static Item? PickEpic(Team t, List<Item> epics)
    {
        if (epics.Count == 0) return null;
        var own = epics.Where(e => e.Team == t).ToList();
        if (own.Count > 0 && t.Rng.NextDouble() < 0.7) return own[t.Rng.Next(own.Count)];
        return epics[t.Rng.Next(epics.Count)];
    }

    private static double NextGaussian(Random r)
    {
        double u1 = 1.0 - r.NextDouble(), u2 = r.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    internal string Title(Item it)
    {
        string[] verbs = ["Add", "Fix", "Refactor", "Support", "Improve", "Remove", "Migrate", "Validate", "Expose", "Document"];
        string[] nouns = ["settlement report", "payment retry", "ledger export", "audit trail", "login flow", "fee calculation", "statement PDF", "webhook", "currency rounding", "batch import", "limits check", "reconciliation job"];
        return it.Type switch
        {
            ItemType.Epic => $"{it.Team.Name} initiative {it.Rank + 1}: {nouns[it.Index % nouns.Length]}",
            ItemType.Feature => $"Feature: {nouns[(it.Index * 7) % nouns.Length]} ({it.Rank + 1})",
            _ => $"{verbs[(it.Index * 31) % verbs.Length]} {nouns[(it.Index * 17 + 3) % nouns.Length]} #{it.Rank + 1}",
        };
    }
}
