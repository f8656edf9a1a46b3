using System.Text.Json;

namespace Alignment.UnitTests.Sprints;

/// <summary>
/// Figures from history in the trackers' own shapes, through the real converters: Jira changelog Sprint id lists and
/// story-point items, Azure DevOps reporting revisions (IterationPath, estimate, state) against inclusive finish dates.
/// </summary>
public sealed class SprintFiguresFromTrackerHistoryTests
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly JiraConversionContext JiraContext = new()
    {
        Source = new SourceOptions { Id = "jira", Kind = TrackerKind.Jira, BaseUrl = "https://pay.atlassian.net" },
        AllSources = [],
        TeamId = "payments",
        Fields = new JiraFieldIds("customfield_10016", "customfield_10020", null, null),
        StatusCategories = new Dictionary<string, StatusCategory> { ["10000"] = StatusCategory.Todo, ["3"] = StatusCategory.InProgress, ["10001"] = StatusCategory.Done },
    };

    private static JiraHistory History(string id, string at, params JiraChangeItem[] items) => new() { Id = id, Created = At(at), Items = [.. items] };
    private static JiraChangeItem Sprint(string from, string to) => new() { Field = "Sprint", FieldType = "custom", FieldId = "customfield_10020", From = from, To = to };
    private static JiraChangeItem Points(string? from, string? to) => new() { Field = "Story Points", FieldType = "custom", FieldId = "customfield_10016", FromText = from, ToText = to };
    private static JiraChangeItem Status(string from, string to) => new() { Field = "status", FieldType = "jira", FieldId = "status", From = from, To = to };

    private static ItemHistory JiraItem(string id, double? points, StatusCategory status, string[] sprints, params JiraHistory[] histories) => new()
    {
        ExternalId = id, CreatedAt = At("2026-05-20T09:00:00Z"), Points = points, Status = status, SprintIds = sprints,
        Events = JiraConverter.ToEvents(id, histories, JiraContext).ToList(),
    };

    [Fact]
    public void Jira_sprint_id_lists_estimates_and_statuses_replay_into_velocity_chart_figures()
    {
        var s38 = new SprintWindow("38", "PAY Sprint 38", SprintState.Closed, At("2026-06-01T08:00:00Z"), At("2026-06-15T08:00:00Z"), At("2026-06-15T10:00:00Z"));
        var s40 = new SprintWindow("40", "PAY Sprint 40", SprintState.Closed, At("2026-06-15T11:00:00Z"), At("2026-06-29T08:00:00Z"), At("2026-06-29T09:00:00Z"));
        // Committed with a first estimate set from null before the start, re-estimated after it, carried over at completion
        // (Jira keeps the closed sprint in the field), done in the next sprint.
        var carried = JiraItem("10002", 5, StatusCategory.Done, ["38", "40"],
            History("1", "2026-05-28T09:00:00Z", Sprint("", "38"), Points(null, "3")),
            History("2", "2026-06-03T09:00:00Z", Points("3", "5")),
            History("3", "2026-06-10T09:00:00Z", Status("10000", "3")),
            History("4", "2026-06-15T10:00:00Z", Sprint("38", "38, 40")),
            History("5", "2026-06-20T09:00:00Z", Status("3", "10001")));
        // Added, removed and re-added mid-sprint, done before the end.
        var readded = JiraItem("10003", 2, StatusCategory.Done, ["38"],
            History("6", "2026-06-05T09:00:00Z", Sprint("", "38")),
            History("7", "2026-06-07T09:00:00Z", Sprint("38", "")),
            History("8", "2026-06-09T09:00:00Z", Sprint("", "38")),
            History("9", "2026-06-12T09:00:00Z", Status("10000", "10001")));
        // Committed, then moved to another board's sprint.
        var moved = JiraItem("10004", 8, StatusCategory.Todo, ["77"],
            History("10", "2026-05-30T09:00:00Z", Sprint("", "38")),
            History("11", "2026-06-08T09:00:00Z", Sprint("38", "77")));

        var r = SprintCalculator.Calculate([s38, s40], [carried, readded, moved], At("2026-07-01T00:00:00Z"));
        var f38 = r[0].Figures;
        Assert.Equal((11.0, 2), (f38.CommittedPoints, f38.CommittedCount));
        Assert.Equal((2.0, 1), (f38.AddedPoints, f38.AddedCount));
        Assert.Equal((8.0, 1), (f38.RemovedPoints, f38.RemovedCount));
        Assert.Equal((2.0, 1), (f38.CompletedPoints, f38.CompletedCount));
        Assert.Equal((5.0, 1), (f38.CarriedOverPoints, f38.CarriedOverCount));
        Assert.Equal(2.0 / 11.0, f38.SayDo);
        var f40 = r[1].Figures;
        Assert.Equal((5.0, 1, 5.0, 1), (f40.CommittedPoints, f40.CommittedCount, f40.CompletedPoints, f40.CompletedCount));
        Assert.Equal(1, Assert.Single(r[1].Outcomes).CarryCount);
    }

    private static AzureDevOpsTeamContext AdoTeam()
    {
        static T Load<T>(string name, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
            JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AzureDevOps", "Payloads", name)), type)!;
        return new AzureDevOpsTeamContext
        {
            Team = new TeamOptions { Id = "ledger", Name = "Ledger", Source = "ado", AzureDevOps = new() { Project = "Finance", Team = "Ledger" } },
            Project = "Finance",
            Process = AzureDevOpsProcess.From(Load("backlogconfiguration-agile.json", AzureDevOpsJson.Default.AdoBacklogConfiguration), null),
            Iterations = Load("iterations.json", AzureDevOpsJson.Default.AdoListAdoIteration).Value,
            Areas = [new AdoArea("Finance\\Ledger", true)],
        };
    }

    private static string Rev(int id, int rev, string at, string state, string path, double? points) =>
        $$"""{ "id": {{id}}, "rev": {{rev}}, "fields": { "System.Id": {{id}}, "System.Rev": {{rev}}, "System.ChangedDate": "{{at}}", "System.WorkItemType": "User Story", "System.State": "{{state}}", "System.IterationPath": "{{path.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "System.AreaPath": "Finance\\Ledger"{{(points is { } p ? $", \"Microsoft.VSTS.Scheduling.StoryPoints\": {p.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "")}} } }""";

    [Fact]
    public void Azure_DevOps_revisions_replay_against_the_inclusive_finish_date()
    {
        const string s11 = "a1b2c3d4-0011-4f6e-9d3a-111111111111", s12 = "a1b2c3d4-0012-4f6e-9d3a-222222222222";
        var page = "{ \"values\": [" + string.Join(",",
            // 101: committed, not done, moved to Sprint 12 the morning after Sprint 11's last day, re-estimated after Sprint 12 started.
            Rev(101, 1, "2026-10-01T08:00:00Z", "New", "Finance\\Sprint 11", 3),
            Rev(101, 2, "2026-10-17T09:00:00Z", "New", "Finance\\Sprint 12", 3),
            Rev(101, 3, "2026-10-20T10:00:00Z", "Active", "Finance\\Sprint 12", 5),
            // 102: closed in the evening of the inclusive finish day: completed.
            Rev(102, 1, "2026-10-01T08:00:00Z", "New", "Finance\\Sprint 11", 2),
            Rev(102, 2, "2026-10-16T18:00:00Z", "Closed", "Finance\\Sprint 11", 2),
            // 103: unestimated, closed at midnight after the finish day (too late), moved at Sprint 12's start.
            Rev(103, 1, "2026-10-01T08:00:00Z", "New", "Finance\\Sprint 11", null),
            Rev(103, 2, "2026-10-17T00:00:00Z", "Closed", "Finance\\Sprint 11", null),
            Rev(103, 3, "2026-10-19T00:00:00Z", "Closed", "Finance\\Sprint 12", null)) + "] }";
        var revisions = JsonSerializer.Deserialize(page, AzureDevOpsJson.Default.AdoRevisionsPage)!.Values;
        var team = AdoTeam();
        var sprintByPath = team.Iterations.ToDictionary(i => i.Path!, i => i.Id.ToLowerInvariant(), StringComparer.OrdinalIgnoreCase);
        var last = new Dictionary<int, AdoRevisionState>();
        var events = revisions.SelectMany(r => AzureDevOpsConverter.ConvertRevision(r, team, sprintByPath, last, "ado", false, fromStart: true)).ToList();
        ItemHistory Item(string id, double? points, StatusCategory status, string sprint) => new()
        {
            ExternalId = id, CreatedAt = At("2026-10-01T08:00:00Z"), Points = points, Status = status, SprintIds = [sprint],
            Events = events.Where(e => e.ItemExternalId == id).ToList(),
        };

        // Finish date 2026-10-16 (inclusive) is stored as the next midnight.
        var sprint11 = new SprintWindow(s11, "Sprint 11", SprintState.Closed, At("2026-10-05T00:00:00Z"), At("2026-10-17T00:00:00Z"), null);
        var sprint12 = new SprintWindow(s12, "Sprint 12", SprintState.Active, At("2026-10-19T00:00:00Z"), At("2026-10-31T00:00:00Z"), null);
        var r = SprintCalculator.Calculate([sprint11, sprint12],
            [Item("101", 5, StatusCategory.InProgress, s12), Item("102", 2, StatusCategory.Done, s11), Item("103", null, StatusCategory.Done, s12)],
            At("2026-10-25T00:00:00Z"));

        var f11 = r[0].Figures;
        Assert.Equal((5.0, 3, 1), (f11.CommittedPoints, f11.CommittedCount, f11.UnestimatedCount));
        Assert.Equal((2.0, 1), (f11.CompletedPoints, f11.CompletedCount));
        Assert.Equal((0, 0), (f11.AddedCount, f11.RemovedCount));
        Assert.Equal((3.0, 2), (f11.CarriedOverPoints, f11.CarriedOverCount));
        var f12 = r[1].Figures; // active: so far
        Assert.Equal((3.0, 2), (f12.CommittedPoints, f12.CommittedCount));
        Assert.Equal(1, f12.CompletedCount);
        Assert.All(r[1].Outcomes, o => Assert.Equal(1, o.CarryCount));
    }
}
