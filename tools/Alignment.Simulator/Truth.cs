using System.Globalization;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>Velocity-chart figures for one sprint.</summary>
internal readonly record struct SprintFigures(
    double Committed, double Completed, double Added, double Removed,
    int CommittedCount, int CompletedCount, int AddedCount, int RemovedCount);

public sealed partial class SimulatedOrganisation
{
    internal static string TrackerName(Tracker t) => t == Tracker.Jira ? "jira" : "azureDevOps";

    internal static string Iso(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Replays the history of every item that ever touched the sprint. Committed: in the sprint at its start
    /// (events at or before the start), estimate as at the start. Completed: in the sprint and done at its end
    /// (events strictly before the completion), estimate as at the end. Added: entered after the start
    /// (a remove and re-add included). Removed: in at the start or added, and not in at the end.
    /// Added and removed points use the estimate as at the end. For the active sprint, "end" is now.
    /// </summary>
    internal SprintFigures Compute(Sprint s)
    {
        long end = s.State == SprintState.Closed ? s.Complete : long.MaxValue;
        double committed = 0, completed = 0, added = 0, removed = 0;
        int cc = 0, dc = 0, ac = 0, rc = 0;
        if (s.State == SprintState.Future) return default;
        foreach (var it in s.Touched)
        {
            bool inNow = false, inStart = false, startCaptured = false, wasAdded = false, inEnd = false, endCaptured = false;
            int pts = it.Points0, st = it.Status0, ptsStart = -1, ptsEnd = -1, stEnd = 0;
            foreach (var ev in it.Events)
            {
                if (!startCaptured && ev.At > s.Start) { inStart = inNow; ptsStart = pts; startCaptured = true; }
                if (ev.At >= end) { inEnd = inNow; ptsEnd = pts; stEnd = st; endCaptured = true; break; }
                switch (ev.Kind)
                {
                    case EvKind.Sprint:
                        if (ev.A == s.Index) inNow = false;
                        if (ev.B == s.Index) { inNow = true; if (ev.At > s.Start) wasAdded = true; }
                        break;
                    case EvKind.Points: pts = ev.B; break;
                    case EvKind.Status: st = ev.B; break;
                }
            }
            if (!startCaptured) { inStart = inNow; ptsStart = pts; }
            if (!endCaptured) { inEnd = inNow; ptsEnd = pts; stEnd = st; }
            if (inStart) { committed += Math.Max(0, ptsStart); cc++; }
            if (wasAdded) { added += Math.Max(0, ptsEnd); ac++; }
            if (inEnd && Statuses.IsDone(stEnd)) { completed += Math.Max(0, ptsEnd); dc++; }
            if ((inStart || wasAdded) && !inEnd) { removed += Math.Max(0, ptsEnd); rc++; }
        }
        return new SprintFigures(committed, completed, added, removed, cc, dc, ac, rc);
    }

    internal static string SprintState2(SprintState s) => s switch { SprintState.Closed => "closed", SprintState.Active => "active", _ => "future" };

    private static void WriteRef(Utf8JsonWriter w, Item it)
    {
        w.WriteStartObject();
        w.WriteString("tracker", TrackerName(it.Tracker));
        w.WriteString("key", it.Key);
        w.WriteEndObject();
    }

    internal void WriteTruth(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("now", Iso(NowMs));
        w.WriteStartArray("teams");
        foreach (var t in Teams) WriteTruthTeam(w, t);
        w.WriteEndArray();
        w.WriteStartArray("items");
        foreach (var it in Items) WriteTruthItem(w, it);
        w.WriteEndArray();
        w.WriteStartArray("sprints");
        foreach (var s in Sprints) WriteTruthSprint(w, s);
        w.WriteEndArray();
        WriteTruthLinks(w);
        w.WriteStartArray("problems");
        WriteProblems(w);
        WriteBudgetProblems(w);
        w.WriteEndArray();
        WriteTruthBudgets(w);
        if (Options.Value) WriteValueTruth(w);
        if (Options.Intervals) WriteIntervalTruth(w);
        w.WriteEndObject();
    }

    private static void WriteTruthTeam(Utf8JsonWriter w, Team t)
    {
        w.WriteStartObject();
        w.WriteString("id", t.Id);
        w.WriteString("name", t.Name);
        w.WriteString("tracker", TrackerName(t.Tracker));
        w.WriteString("project", t.Project);
        if (t.Tracker == Tracker.Jira) w.WriteNumber("board", t.Board);
        else
        {
            w.WriteString("team", t.Name);
            w.WriteString("areaPath", t.AreaPath);
        }
        w.WriteNumber("sprintDays", t.SprintDays);
        w.WriteNumber("velocity", t.Velocity);
        w.WriteBoolean("overcommits", t.Overcommits);
        w.WriteEndObject();
    }

    private static void WriteTruthItem(Utf8JsonWriter w, Item it)
    {
        w.WriteStartObject();
        w.WriteString("tracker", TrackerName(it.Tracker));
        w.WriteString("key", it.Key);
        w.WriteString("externalId", it.Id.ToString(CultureInfo.InvariantCulture));
        w.WriteString("type", Statuses.TruthType(it.Type));
        if (it.Points >= 0) w.WriteNumber("storyPoints", it.Points); else w.WriteNull("storyPoints");
        if (it.Parent is { } p) w.WriteString("parentKey", p.Key); else w.WriteNull("parentKey");
        w.WriteString("team", it.Team.Id);
        w.WriteString("statusCategory", Statuses.TruthCategory(it.Status));
        if (OpenSprint(it) is { } os) w.WriteString("sprint", os.Tracker() == Tracker.Jira ? os.JiraId.ToString(CultureInfo.InvariantCulture) : os.AdoId.ToString()); else w.WriteNull("sprint");
        if (it.Due is { } due) w.WriteString("dueDate", due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private void WriteTruthSprint(Utf8JsonWriter w, Sprint s)
    {
        var f = Compute(s);
        w.WriteStartObject();
        w.WriteString("team", s.Team.Id);
        w.WriteString("tracker", TrackerName(s.Team.Tracker));
        w.WriteString("id", s.Team.Tracker == Tracker.Jira ? s.JiraId.ToString(CultureInfo.InvariantCulture) : s.AdoId.ToString());
        w.WriteString("name", s.Name);
        w.WriteString("state", SprintState2(s.State));
        w.WriteString("start", Iso(s.Start));
        w.WriteString("end", Iso(s.End));
        w.WriteString("startDate", s.StartDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteString("finishDate", s.FinishDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (s.State == SprintState.Closed) w.WriteString("completed", Iso(s.Complete)); else w.WriteNull("completed");
        w.WriteNumber("committedPoints", f.Committed);
        w.WriteNumber("completedPoints", f.Completed);
        w.WriteNumber("addedPoints", f.Added);
        w.WriteNumber("removedPoints", f.Removed);
        w.WriteNumber("committedCount", f.CommittedCount);
        w.WriteNumber("completedCount", f.CompletedCount);
        w.WriteNumber("addedCount", f.AddedCount);
        w.WriteNumber("removedCount", f.RemovedCount);
        w.WriteEndObject();
    }

    /// <summary>Blocking links as dependencies (dependent, blocker) and relates links as pairs.</summary>
    private void WriteTruthLinks(Utf8JsonWriter w)
    {
        w.WriteStartArray("dependencies");
        foreach (var l in LinkList.Where(l => l.Kind == LinkKind.Blocks))
        {
            w.WriteStartObject();
            w.WritePropertyName("dependent"); WriteRef(w, l.To);
            w.WritePropertyName("blocker"); WriteRef(w, l.From);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("relates");
        foreach (var l in LinkList.Where(l => l.Kind == LinkKind.Relates))
        {
            w.WriteStartObject();
            w.WritePropertyName("a"); WriteRef(w, l.From);
            w.WritePropertyName("b"); WriteRef(w, l.To);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void WriteProblem(Utf8JsonWriter w, string kind, IEnumerable<Team> teams, IEnumerable<Item> items, string note)
    {
        w.WriteStartObject();
        w.WriteString("kind", kind);
        w.WriteStartArray("teams");
        foreach (var t in teams.Distinct()) w.WriteStringValue(t.Id);
        w.WriteEndArray();
        w.WriteStartArray("items");
        foreach (var it in items) WriteRef(w, it);
        w.WriteEndArray();
        w.WriteString("note", note);
        w.WriteEndObject();
    }

    private void WriteProblems(Utf8JsonWriter w)
    {
        foreach (var t in Teams)
        {
            var active = t.Sprints.Find(s => s.State == SprintState.Active);
            if (active is null) continue;
            var closed = t.Sprints.Where(s => s.State == SprintState.Closed).TakeLast(3).ToList();
            if (closed.Count == 0) continue;
            double velocity = closed.Average(s => Compute(s).Completed);
            double committed = Compute(active).Committed;
            if (velocity > 0 && committed > 1.4 * velocity)
                WriteProblem(w, "overcommit", [t], [], string.Create(CultureInfo.InvariantCulture,
                    $"{active.Name}: committed {committed} points against a velocity of {velocity:0.#} (average completed over the last {closed.Count} closed sprints)"));
        }
        foreach (var l in LinkList)
        {
            if (l.Kind != LinkKind.Blocks) continue;
            var dep = l.To; var blocker = l.From;
            if (!IsOpen(dep) || !IsOpen(blocker) || OpenSprint(dep) is not { } sd) continue;
            var sb = OpenSprint(blocker);
            if (sb is null)
                WriteProblem(w, "unscheduledBlocker", [dep.Team, blocker.Team], [dep, blocker],
                    $"{dep.Key} ({sd.Name}) is blocked by {blocker.Key}, which is in no sprint and not done");
            else if (sb.FinishDay > sd.FinishDay)
                WriteProblem(w, "lateBlocker", [dep.Team, blocker.Team], [dep, blocker],
                    $"{dep.Key} ({sd.Name}, ends {sd.FinishDay:yyyy-MM-dd}) is blocked by {blocker.Key} ({sb.Name}, ends {sb.FinishDay:yyyy-MM-dd})");
        }
        if (CycleItems.Count > 0)
            WriteProblem(w, "cycle", CycleItems.Select(i => i.Team), CycleItems,
                string.Join(" blocks ", CycleItems.Append(CycleItems[0]).Select(i => i.Key)));
    }

    internal void WriteConfig(Utf8JsonWriter w, string jiraBaseUrl, string adoBaseUrl)
    {
        w.WriteStartObject();
        w.WriteStartObject("Alignment");
        w.WriteStartArray("Sources");
        w.WriteStartObject();
        w.WriteString("Id", "jira"); w.WriteString("Kind", "Jira"); w.WriteString("BaseUrl", jiraBaseUrl);
        w.WriteStartObject("Auth"); w.WriteString("Scheme", "Basic"); w.WriteString("User", Options.JiraUser); w.WriteString("Token", Options.JiraToken); w.WriteEndObject();
        if (Options.Value)
        {
            // By id and by name (resolved through /field), as a site would configure them.
            w.WriteStartObject("Fields");
            w.WriteString("BusinessValue", "customfield_10050"); w.WriteString("TimeCriticality", "Time Criticality");
            w.WriteString("RiskReduction", "Risk Reduction | Opportunity Enablement"); w.WriteString("JobSize", "Job Size"); w.WriteString("Budget", "customfield_10054");
            w.WriteEndObject();
        }
        WriteSourceIntervals(w, "FixVersions");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("Id", "ado"); w.WriteString("Kind", "AzureDevOps"); w.WriteString("BaseUrl", adoBaseUrl);
        w.WriteStartObject("Auth"); w.WriteString("Scheme", "Pat"); w.WriteString("Token", Options.AdoPat); w.WriteEndObject();
        if (Options.Value)
        {
            // Business value and time criticality are the built-in fields (the default); the others are custom fields.
            w.WriteStartObject("Fields");
            w.WriteString("RiskReduction", "Custom.RiskReduction"); w.WriteString("JobSize", "Custom.JobSize"); w.WriteString("Budget", "Custom.Budget");
            w.WriteEndObject();
        }
        WriteSourceIntervals(w, "Iterations");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("Teams");
        foreach (var t in Teams)
        {
            w.WriteStartObject();
            w.WriteString("Id", t.Id);
            w.WriteString("Name", t.Name);
            if (t.Tracker == Tracker.Jira)
            {
                w.WriteString("Source", "jira");
                w.WriteStartObject("Jira"); w.WriteNumber("Board", t.Board); w.WriteString("Project", t.Project); w.WriteEndObject();
            }
            else
            {
                w.WriteString("Source", "ado");
                w.WriteStartObject("AzureDevOps"); w.WriteString("Project", t.Project); w.WriteString("Team", t.Name); w.WriteEndObject();
            }
            w.WriteStartObject("ProductOwner"); w.WriteString("Name", t.PoName); w.WriteString("Email", t.PoEmail); w.WriteEndObject();
            if (t.Tracker == Tracker.Jira && Options.JiraCapacity) WriteJiraCapacity(w, t);
            WriteTeamCosts(w, t);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteFinanceConfig(w);
        if (Options.Intervals && !Options.IntervalsInTrackers) WriteIntervalConfig(w);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The members with the hours per day the Azure DevOps iterations give theirs (AdoApi.Iterations: 6, the last of more than five 4).</summary>
    private static void WriteJiraCapacity(Utf8JsonWriter w, Team t)
    {
        w.WriteStartObject("Capacity");
        w.WriteStartArray("Members");
        for (var m = 0; m < t.Members.Count; m++)
        {
            w.WriteStartObject();
            w.WriteString("Name", t.Members[m].DisplayName);
            w.WriteNumber("HoursPerDay", m == t.Members.Count - 1 && t.Members.Count > 5 ? 4 : 6);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("FocusFactor", 1);
        w.WriteEndObject();
    }
}

internal static class SprintExtensions
{
    public static Tracker Tracker(this Sprint s) => s.Team.Tracker;
}
