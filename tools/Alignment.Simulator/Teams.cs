namespace Alignment.Simulator;

/// <summary>Generation of the teams (trackers, projects, members) and their sprint calendars.</summary>
public sealed partial class SimulatedOrganisation
{
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

    /// <summary>Teams alternate between Jira and Azure DevOps; each has its own random source, drawn in the order of the steps.</summary>
    private void CreateTeams()
    {
        int jiraOrdinal = 0, adoOrdinal = 0;
        var nowDay = DateOnly.FromDateTime(Options.Now.UtcDateTime);
        for (int i = 0; i < Options.Teams; i++)
        {
            var tracker = i % 2 == 0 ? Tracker.Jira : Tracker.Ado;
            var team = NewTeam(i, tracker, tracker == Tracker.Jira ? jiraOrdinal++ : adoOrdinal++);
            AddMembers(team);
            AddSprints(team, nowDay);
            Teams.Add(team);
        }
    }

    /// <summary>The team's name, tracker coordinates (board or project and area), cadence and commitment habits.</summary>
    private Team NewTeam(int i, Tracker tracker, int ordinal)
    {
        var (baseName, baseKey) = TeamNames[i % TeamNames.Length];
        int round = i / TeamNames.Length;
        string name = round == 0 ? baseName : $"{baseName} {round + 1}";
        string key = round == 0 ? baseKey : $"{baseKey}{round + 1}";
        var trng = new Random(unchecked(Options.Seed * 7919 + i * 104_729));
        var team = new Team
        {
            Index = i,
            Id = tracker == Tracker.Jira ? key.ToLowerInvariant() : name.ToLowerInvariant().Replace(' ', '-'),
            Name = name,
            Key = key,
            Tracker = tracker,
            Rng = trng,
            Ordinal = ordinal,
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
        return team;
    }

    /// <summary>Four to eight members; the first is the product owner.</summary>
    private static void AddMembers(Team team)
    {
        var trng = team.Rng;
        int i = team.Index;
        int members = 4 + trng.Next(0, 5);
        for (int m = 0; m < members; m++)
        {
            string first = FirstNames[trng.Next(FirstNames.Length)], last = LastNames[trng.Next(LastNames.Length)];
            string email = $"{first}.{last}.{i}{m}@example.com".ToLowerInvariant();
            team.Members.Add(new Member($"{first} {last}", email, $"712020:{NewGuid(trng):N}"[..30], NewGuid(trng)));
        }
        team.PoName = team.Members[0].DisplayName;
        team.PoEmail = team.Members[0].Email;
    }

    /// <summary>
    /// Consecutive sprints on the team's cadence: <see cref="HistorySprints"/> before the one starting on or before the current day, and two
    /// after it (six before by default; nine with the planning intervals, for two finished intervals of history).
    /// </summary>
    private void AddSprints(Team team, DateOnly nowDay)
    {
        var trng = team.Rng;
        int i = team.Index;
        // Sprint cadence: Monday or Wednesday starts, two or three weeks, different phases.
        var startDow = i % 3 == 1 ? DayOfWeek.Wednesday : DayOfWeek.Monday;
        var d = nowDay;
        while (d.DayOfWeek != startDow) d = d.AddDays(-1);
        d = d.AddDays(-7 * trng.Next(0, team.SprintDays / 7));
        var activeStart = SprintStartInstant(team, d);
        if (activeStart > NowMs) d = d.AddDays(-team.SprintDays);
        int number = 5 + trng.Next(0, 30);
        for (int k = 0; k < HistorySprints + 3; k++)
            AddSprint(team, d.AddDays((k - HistorySprints) * team.SprintDays), number + k);
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
            IntervalNode = Options.IntervalsInTrackers && t.Tracker == Tracker.Ado ? IntervalOf(d)?.Id : null,
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

    /// <summary>When a sprint is planned: shortly before it starts, or with the planning intervals on, with its interval's first sprint (PI planning).</summary>
    private long PlanAt(Sprint s) => PlannedWith(s) is { } first ? BasePlanAt(first) : BasePlanAt(s);

    private static long BasePlanAt(Sprint s) => s.Start - Hour - (long)((s.Index * 7919L % 19) * Hour);

    internal static Guid NewGuid(Random r)
    {
        Span<byte> b = stackalloc byte[16];
        r.NextBytes(b);
        b[7] = (byte)((b[7] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        return new Guid(b);
    }
}
