namespace Alignment.Domain.Analysis;

/// <summary>A team's data-hygiene figures (the HYGIENE rule's inputs): can the data support velocity, forecasts and findings?</summary>
public sealed record HygieneScorecard(
    string Team, int Items, int OpenItems, int Stories, int UnestimatedStories, double UnestimatedShare, int DoneItems,
    int ItemsWithSprint, double SprintFieldUse, int InProgressStale, int OpenOrphans, int SourceItemsWithoutTeam,
    int ClosedSprintsWithFigures, IReadOnlyList<string> Problems, DateTimeOffset ComputedAt)
{
    public bool Healthy => Problems.Count == 0;

    public static Dictionary<string, HygieneScorecard> Compute(SnapshotIndex x)
    {
        var o = x.Options;
        var staleBefore = x.Now.AddDays(-o.StaleDays);
        var withoutTeam = x.Snapshot.Items.Where(i => i.Team is null && !i.IsRemoved).GroupBy(i => i.Source).ToDictionary(g => g.Key, g => g.Count());
        var byTeam = x.Snapshot.Items.Where(i => i.Team is not null).GroupBy(i => i.Team!).ToDictionary(g => g.Key, g => g.ToList());
        var result = new Dictionary<string, HygieneScorecard>();
        foreach (var team in x.Snapshot.Teams)
        {
            var items = byTeam.GetValueOrDefault(team.Id) ?? [];
            var live = items.Where(i => !i.IsRemoved).ToList();
            var stories = live.Where(i => i.IsStoryLike).ToList();
            var unestimated = stories.Count(i => i.Points is null);
            var share = stories.Count == 0 ? 0 : (double)unestimated / stories.Count;
            var done = live.Count(i => i.IsDone);
            var withSprint = live.Count(i => i.SprintIds.Length > 0 || i.SprintId is not null);
            var work = live.Where(i => i.Type is not (WorkItemType.Epic or WorkItemType.Feature)).ToList();
            var sprintUse = work.Count == 0 ? 0 : (double)work.Count(i => i.SprintIds.Length > 0 || i.SprintId is not null) / work.Count;
            var problems = new List<string>();
            if (stories.Count > 0 && share > o.HygieneUnestimatedShare)
                problems.Add($"{share:P0} of the stories have no estimate (threshold {o.HygieneUnestimatedShare:P0})");
            if (live.Count >= 10 && done == 0) problems.Add("no item is in a done status: the done status may never be used or is mapped wrongly");
            if (work.Count >= 10 && sprintUse == 0) problems.Add("no item has a sprint: the sprint field is unused or not synced");
            result[team.Id] = new HygieneScorecard(team.Id, live.Count, live.Count(i => i.IsOpen), stories.Count, unestimated, Evidence.Round(share), done,
                withSprint, Evidence.Round(sprintUse),
                live.Count(i => i.StatusCategory == StatusCategory.InProgress && i.UpdatedAt < staleBefore),
                live.Count(i => i.IsOpen && i.Type is WorkItemType.Story or WorkItemType.Feature && (i.ParentKey is null || x.Parent(i) is null)),
                withoutTeam.GetValueOrDefault(team.Source), x.Velocity[team.Id].Count, problems, x.Now);
        }
        return result;
    }

    public static IEnumerable<Finding> Findings(SnapshotIndex x, IReadOnlyDictionary<string, HygieneScorecard> cards)
    {
        foreach (var (team, card) in cards.OrderBy(c => c.Key, StringComparer.Ordinal))
            if (!card.Healthy)
                yield return new Finding
                {
                    Rule = RuleId.Hygiene, Severity = Severity.Warning, Team = team,
                    Title = $"{x.TeamName(team)}: the data cannot support the figures ({string.Join("; ", card.Problems)})",
                    Evidence = new HygieneEvidence(card),
                    Action = "Fix the tracker data: estimate the stories, map or use the done status, and plan work in sprints.", Score = 20, Subject = team,
                };
        foreach (var g in x.Snapshot.Items.Where(i => i.Team is null && i.IsOpen).GroupBy(i => i.Source).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var sample = g.OrderBy(i => i.Key, StringComparer.Ordinal).Take(20).ToList();
            yield return new Finding
            {
                Rule = RuleId.Hygiene, Severity = Severity.Warning, Items = sample.Select(ItemRef.Of).ToList(),
                Title = $"{g.Count()} open item(s) of source '{g.Key}' belong to no team",
                Evidence = new TeamlessItemsEvidence(g.Key, g.Count(), Evidence.Items(x, sample)),
                Action = "Assign the items to a team's board or area path, or narrow the team's scope.", Score = 15, Subject = "source:" + g.Key,
            };
        }
    }
}
