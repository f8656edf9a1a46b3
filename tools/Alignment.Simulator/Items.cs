namespace Alignment.Simulator;

/// <summary>Generation of the items: epics, features, stories and bugs, tasks, with their parents, ids and ranks.</summary>
public sealed partial class SimulatedOrganisation
{
    private static readonly int[] PointScale = [1, 2, 3, 5, 8, 13];

    /// <summary>Epics first (so children can pick them), then features, then stories, bugs and tasks; then ids in creation order.</summary>
    private void CreateItems()
    {
        long historyStart = Teams.Min(t => t.Sprints[0].Start) - 2 * Day;
        var all = new List<Item>(Options.Items);
        var epicsByTracker = new Dictionary<Tracker, List<Item>> { [Tracker.Jira] = [], [Tracker.Ado] = [] };
        var featuresByTeam = new Dictionary<Team, List<Item>>();
        var perTeam = ItemCounts();
        foreach (var (t, epics, _, _, _) in perTeam)
            CreateEpics(t, epics, historyStart, epicsByTracker[t.Tracker], all);
        foreach (var (t, _, features, _, _) in perTeam)
            CreateFeatures(t, features, historyStart, epicsByTracker[t.Tracker], featuresByTeam[t] = [], all);
        foreach (var (t, _, _, tasks, rest) in perTeam)
        {
            var stories = CreateStories(t, rest, historyStart, epicsByTracker[t.Tracker], featuresByTeam, all);
            CreateTasks(t, tasks, historyStart, epicsByTracker[t.Tracker], stories, all);
        }
        RegisterAll(all);
    }

    /// <summary>The items of each team (an even share), by type: about 3% epics, 5% features (Azure DevOps only), 4% tasks.</summary>
    private List<(Team Team, int Epics, int Features, int Tasks, int Others)> ItemCounts()
    {
        int teams = Teams.Count;
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
        return perTeam;
    }

    private void CreateEpics(Team t, int count, long historyStart, List<Item> epics, List<Item> all)
    {
        for (int k = 0; k < count; k++)
        {
            var it = NewItem(t, ItemType.Epic, historyStart - 150 * Day + t.Rng.NextInt64(50 * Day));
            it.Status0 = t.Rng.NextDouble() < 0.2 ? 4 : t.Rng.NextDouble() < 0.8 ? 2 : 0;
            if (t.Rng.NextDouble() < 0.7)
            {
                var due = DateOnly.FromDateTime(Options.Now.UtcDateTime).AddDays(-30 + t.Rng.Next(0, 150));
                while (due.DayOfWeek != DayOfWeek.Friday) due = due.AddDays(1);
                it.Due = due;
            }
            epics.Add(it);
            all.Add(it);
        }
    }

    private void CreateFeatures(Team t, int count, long historyStart, List<Item> epics, List<Item> features, List<Item> all)
    {
        for (int k = 0; k < count; k++)
        {
            var it = NewItem(t, ItemType.Feature, historyStart - 100 * Day + t.Rng.NextInt64(40 * Day));
            it.Status0 = t.Rng.NextDouble() < 0.15 ? 4 : t.Rng.NextDouble() < 0.7 ? 2 : 0;
            it.Parent = PickEpic(t, epics);
            if (t.Rng.NextDouble() < 0.3) it.Due = epics[0].Due;
            features.Add(it);
            all.Add(it);
        }
    }

    /// <summary>Stories and bugs (about 22% bugs), most with an estimate and a parent.</summary>
    private List<Item> CreateStories(Team t, int count, long historyStart, List<Item> epics, Dictionary<Team, List<Item>> featuresByTeam, List<Item> all)
    {
        var stories = new List<Item>();
        for (int k = 0; k < count; k++)
        {
            var it = NewItem(t, t.Rng.NextDouble() < 0.22 ? ItemType.Bug : ItemType.Story, historyStart - 60 * Day + t.Rng.NextInt64(59 * Day));
            it.Status0 = t.Rng.NextDouble() < 0.3 && (t.Tracker == Tracker.Jira || t.Scrum) ? 1 : 0;
            it.Points0 = t.Rng.NextDouble() < 0.08 ? -1 : PointScale[Math.Min(5, (int)Math.Floor(Math.Abs(NextGaussian(t.Rng)) * 2.2))];
            if (t.Rng.NextDouble() >= 0.05) it.Parent = StoryParent(t, epics, featuresByTeam);
            stories.Add(it);
            all.Add(it);
        }
        return stories;
    }

    /// <summary>On Azure DevOps mostly a feature, else an epic.</summary>
    private static Item? StoryParent(Team t, List<Item> epics, Dictionary<Team, List<Item>> featuresByTeam)
    {
        if (t.Tracker == Tracker.Ado && featuresByTeam.TryGetValue(t, out var fs) && fs.Count > 0 && t.Rng.NextDouble() < 0.85)
        {
            // Mostly own team's features, sometimes another ADO team's.
            var pool = t.Rng.NextDouble() < 0.8 ? fs : featuresByTeam.Values.Where(v => v.Count > 0).ElementAt(t.Rng.Next(featuresByTeam.Values.Count(v => v.Count > 0)));
            return pool[t.Rng.Next(pool.Count)];
        }
        return PickEpic(t, epics);
    }

    /// <summary>Tasks: on Jira estimated and under an epic, on Azure DevOps under a story of the team.</summary>
    private void CreateTasks(Team t, int count, long historyStart, List<Item> epics, List<Item> stories, List<Item> all)
    {
        for (int k = 0; k < count; k++)
        {
            var it = NewItem(t, ItemType.Task, historyStart - 40 * Day + t.Rng.NextInt64(39 * Day));
            if (t.Tracker == Tracker.Jira)
            {
                it.Points0 = t.Rng.NextDouble() < 0.5 ? -1 : PointScale[t.Rng.Next(0, 3)];
                it.Parent = PickEpic(t, epics);
            }
            else if (stories.Count > 0)
                it.Parent = stories[t.Rng.Next(stories.Count)];
            all.Add(it);
        }
    }

    /// <summary>Ids ascend with creation time, as in the real trackers; stories, bugs (and Jira tasks) go to the backlog.</summary>
    private void RegisterAll(List<Item> all)
    {
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
