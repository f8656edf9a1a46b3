using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Alignment.UnitTests.AzureDevOps;

public sealed class AzureDevOpsConverterTests
{
    private static readonly AzureDevOpsJson Json = AzureDevOpsJson.Default;

    private static readonly SourceOptions Ado = new() { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = "https://dev.azure.com/contoso" };
    private static readonly SourceOptions Jira = new() { Id = "jira", Kind = TrackerKind.Jira, BaseUrl = "https://contoso.atlassian.net" };
    private static readonly IReadOnlyList<SourceOptions> Sources = [Ado, Jira];

    private static T Load<T>(string name, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AzureDevOps", "Payloads", name)), type)
        ?? throw new InvalidOperationException(name);

    private static AzureDevOpsTeamContext Team(string project, string backlogConfig, string? teamName = null) => new()
    {
        Team = new TeamOptions { Id = "ledger", Name = teamName ?? "Ledger", Source = "ado", AzureDevOps = new() { Project = project, Team = teamName ?? "Ledger" } },
        Project = project,
        Process = AzureDevOpsProcess.From(Load(backlogConfig, Json.AdoBacklogConfiguration), null),
        Iterations = Load("iterations.json", Json.AdoListAdoIteration).Value,
        Areas = [new AdoArea(project + "\\Ledger", true)],
    };

    private static IReadOnlyList<AdoWorkItem> Items(string name) => Load(name, Json.AdoListAdoWorkItem).Value.OfType<AdoWorkItem>().ToList();

    [Fact]
    public void Agile_user_story_reads_story_points_rank_parent_sprint_and_dates()
    {
        var item = AzureDevOpsConverter.ConvertItem(Items("workitemsbatch-agile.json")[0], Team("Finance", "backlogconfiguration-agile.json"), Ado);

        Assert.Equal("101", item.Key);
        Assert.Equal("https://dev.azure.com/contoso/Finance/_workitems/edit/101", item.Url);
        Assert.Equal(WorkItemType.Story, item.Type);
        Assert.Equal("User Story", item.OriginalType);
        Assert.Equal("Active", item.Status);
        Assert.Equal(StatusCategory.InProgress, item.StatusCategory);
        Assert.Equal(5.0, item.StoryPoints);
        Assert.Equal("90", item.ParentKey);
        Assert.Equal("a1b2c3d4-0012-4f6e-9d3a-222222222222", item.SprintId);
        Assert.Equal(["a1b2c3d4-0012-4f6e-9d3a-222222222222"], item.SprintIds);
        Assert.Equal("10001999868863.000000", item.Rank);
        Assert.Equal("2", item.Priority);
        Assert.Equal("Dana Reyes", item.Assignee);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 12, 30, 45, 120, TimeSpan.Zero), item.UpdatedAt);
        Assert.Equal(new DateOnly(2026, 11, 20), item.DueDate);
        Assert.Equal(["ledger", "q4-commit"], item.Labels);
        Assert.Equal("ledger", item.TeamId);
    }

    [Fact]
    public void Item_on_the_project_root_iteration_is_in_no_sprint_and_resolved_is_in_progress_unless_configured()
    {
        var bug = Items("workitemsbatch-agile.json")[1];
        var team = Team("Finance", "backlogconfiguration-agile.json");

        var item = AzureDevOpsConverter.ConvertItem(bug, team, Ado);
        Assert.Null(item.SprintId);
        Assert.Empty(item.SprintIds);
        Assert.Equal(WorkItemType.Bug, item.Type);
        Assert.Equal(StatusCategory.InProgress, item.StatusCategory);
        Assert.Equal(new DateTimeOffset(2026, 10, 30, 16, 0, 0, TimeSpan.Zero), item.ResolvedAt);

        var resolvedIsDone = new SourceOptions { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = Ado.BaseUrl, AzureDevOps = { ResolvedIsDone = true } };
        Assert.Equal(StatusCategory.Done, AzureDevOpsConverter.ConvertItem(bug, team, resolvedIsDone).StatusCategory);
    }

    [Fact]
    public void Scrum_product_backlog_item_reads_effort_and_backlog_priority()
    {
        var team = Team("Payments", "backlogconfiguration-scrum.json") with
        {
            Iterations = [new AdoIteration { Id = "B0000000-0000-0000-0000-000000000007", Name = "Sprint 7", Path = "Payments\\Release 3\\Sprint 7" }],
        };
        var item = AzureDevOpsConverter.ConvertItem(Items("workitemsbatch-scrum.json")[0], team, Ado);

        Assert.Equal(WorkItemType.Story, item.Type);
        Assert.Equal("Product Backlog Item", item.OriginalType);
        Assert.Equal(8.0, item.StoryPoints);
        Assert.Equal(StatusCategory.InProgress, item.StatusCategory);
        Assert.Equal("1500", item.ParentKey);
        Assert.Equal("b0000000-0000-0000-0000-000000000007", item.SprintId);
        Assert.Equal("10000000000012.500000", item.Rank);
        Assert.True(string.CompareOrdinal(AzureDevOpsConverter.Rank(12.5), AzureDevOpsConverter.Rank(100)) < 0);
        double[] orders = [-2000.5, -3, -0.25, 0, 0.25, 7, 12.5, 100, 1e9];
        var ranks = orders.Select(AzureDevOpsConverter.Rank).ToList();
        Assert.Equal(ranks, ranks.Order(StringComparer.Ordinal)); // negative BacklogPriority sorts before positive, in numeric order
    }

    [Fact]
    public void Custom_type_on_the_requirement_backlog_is_a_story_and_unknown_types_are_other()
    {
        var process = AzureDevOpsProcess.From(Load("backlogconfiguration-agile.json", Json.AdoBacklogConfiguration), null);
        Assert.Equal(WorkItemType.Story, process.TypeOf("Spike"));
        Assert.Equal(WorkItemType.Epic, process.TypeOf("Epic"));
        Assert.Equal(WorkItemType.Other, process.TypeOf("Test Case"));
    }

    [Fact]
    public void Dependency_seen_from_both_ends_gives_one_edge_where_the_successor_depends_on_the_predecessor()
    {
        var links = AzureDevOpsConverter.DistinctLinks(Items("workitemsbatch-agile.json")
            .SelectMany(i => AzureDevOpsConverter.ConvertLinks(i, Ado, Sources)));

        var dependency = Assert.Single(links, l => l.Kind == LinkKind.Dependency && l.ToSourceId == "ado");
        // 101 has Successor 102 (101 blocks 102); 102 has Predecessor 101: stored as 102 depends on 101.
        Assert.Equal("102", dependency.FromKey);
        Assert.Equal("101", dependency.ToKey);
        Assert.Equal(LinkOrigin.TrackerLink, dependency.Origin);
        Assert.Single(links, l => l.Kind == LinkKind.Relates && l.ToSourceId == "ado" && new[] { l.FromKey, l.ToKey }.Order().SequenceEqual(["101", "102"]));
        Assert.DoesNotContain(links, l => l.ToKey == "90"); // the parent is not a link
    }

    [Fact]
    public void Hyperlink_to_a_jira_browse_url_with_depends_on_comment_is_a_cross_tracker_dependency()
    {
        var links = AzureDevOpsConverter.ConvertLinks(Items("workitemsbatch-agile.json")[0], Ado, Sources).ToList();

        var cross = Assert.Single(links, l => l.ToSourceId == "jira");
        Assert.Equal(LinkKind.Dependency, cross.Kind);
        Assert.Equal(LinkOrigin.Hyperlink, cross.Origin);
        Assert.Equal(("ado", "101"), (cross.FromSourceId, cross.FromKey));
        Assert.Equal("PAY-42", cross.ToKey);
        Assert.Equal("https://contoso.atlassian.net/browse/PAY-42", cross.ToUrl);
    }

    [Fact]
    public void Hyperlink_comment_blocks_reverses_the_edge_and_no_words_make_it_relates()
    {
        AdoWorkItem With(string? comment) => new()
        {
            Id = 7, Fields = [],
            Relations = [new AdoRelation
            {
                Rel = "Hyperlink", Url = "https://contoso.atlassian.net/browse/PAY-1",
                Attributes = comment is null ? null : new() { ["comment"] = JsonDocument.Parse("\"" + comment + "\"").RootElement.Clone() },
            }],
        };
        var blocks = Assert.Single(AzureDevOpsConverter.ConvertLinks(With("blocks"), Ado, Sources));
        Assert.Equal(("jira", "PAY-1", "ado", "7"), (blocks.FromSourceId, blocks.FromKey, blocks.ToSourceId, blocks.ToKey));
        Assert.Equal(LinkKind.Relates, Assert.Single(AzureDevOpsConverter.ConvertLinks(With(null), Ado, Sources)).Kind);
    }

    [Fact]
    public void Inclusive_finish_date_becomes_the_next_midnight_and_timeframe_sets_the_state()
    {
        var sprints = Load("iterations.json", Json.AdoListAdoIteration).Value.Select(i => AzureDevOpsConverter.ConvertIteration(i, "ado")).ToList();

        var past = sprints[0];
        Assert.Equal("a1b2c3d4-0011-4f6e-9d3a-111111111111", past.ExternalId);
        Assert.Equal(SprintState.Closed, past.State);
        Assert.Equal(new DateTimeOffset(2026, 10, 5, 0, 0, 0, TimeSpan.Zero), past.StartAt);
        Assert.Equal(new DateTimeOffset(2026, 10, 17, 0, 0, 0, TimeSpan.Zero), past.EndAt);
        Assert.Equal(past.EndAt, past.CompletedAt);
        Assert.Equal("Finance\\Sprint 11", past.Path);

        Assert.Equal(SprintState.Active, sprints[1].State);
        Assert.Null(sprints[1].CompletedAt);
        Assert.Equal(SprintState.Future, sprints[2].State);
        Assert.Null(sprints[3].StartAt);
        Assert.Null(sprints[3].EndAt);
    }

    [Theory]
    [InlineData("capacities-7x.json")]
    [InlineData("capacities-6.0.json")]
    public void Capacity_counts_working_days_less_team_and_member_days_off_in_both_shapes(string payload)
    {
        var sprint = Load("iterations.json", Json.AdoListAdoIteration).Value[1];
        var settings = Load("teamsettings.json", Json.AdoTeamSettings);

        var rows = AzureDevOpsConverter.ConvertCapacities("ledger", sprint, Load(payload, Json.AdoCapacities),
            Load("teamdaysoff.json", Json.AdoTeamDaysOff), settings.WorkingDays);

        var dana = Assert.Single(rows, r => r.Member == "Dana Reyes");
        // 19–30 Oct 2026: 10 working days, less the team's Monday 26th, less Dana's Thursday and Friday.
        Assert.Equal(7, dana.AvailableDays);
        Assert.Equal(2, dana.DaysOff);
        Assert.Equal(6, dana.HoursPerDay);
        Assert.Equal("a1b2c3d4-0012-4f6e-9d3a-222222222222", dana.SprintExternalId);
        if (payload == "capacities-7x.json")
            Assert.Equal(9, Assert.Single(rows, r => r.Member == "Sam Okafor").AvailableDays);
    }

    [Fact]
    public void Revisions_give_sprint_moves_estimate_changes_and_status_category_changes()
    {
        var team = Team("Finance", "backlogconfiguration-agile.json");
        var sprintByPath = team.Iterations.ToDictionary(i => i.Path!, i => i.Id.ToLowerInvariant(), StringComparer.OrdinalIgnoreCase);
        var last = new Dictionary<int, AdoRevisionState>();
        var events = Load("revisions.json", Json.AdoRevisionsPage).Values.Where(r => r.Id == 101)
            .SelectMany(r => AzureDevOpsConverter.ConvertRevision(r, team, sprintByPath, last, "ado", false, fromStart: true)).ToList();

        Assert.Collection(events,
            e => { Assert.Equal((ItemEventKind.SprintAdded, "1:System.IterationPath:added"), (e.Kind, e.EventId)); Assert.Equal("a1b2c3d4-0011-4f6e-9d3a-111111111111", e.To); },
            e => { Assert.Equal(ItemEventKind.SprintRemoved, e.Kind); Assert.Equal("a1b2c3d4-0011-4f6e-9d3a-111111111111", e.From); },
            e => { Assert.Equal(ItemEventKind.SprintAdded, e.Kind); Assert.Equal("a1b2c3d4-0012-4f6e-9d3a-222222222222", e.To); Assert.Equal(new DateTimeOffset(2026, 10, 17, 9, 0, 0, TimeSpan.Zero), e.At); },
            e => { Assert.Equal((ItemEventKind.EstimateChanged, "3", "5", "3:Microsoft.VSTS.Scheduling.StoryPoints"), (e.Kind, e.From, e.To, e.EventId)); },
            e => { Assert.Equal((ItemEventKind.StatusChanged, "todo", "inProgress", "3:System.State"), (e.Kind, e.From, e.To, e.EventId)); });
        Assert.Equal(4, last[101].Rev);
    }

    [Fact]
    public void First_revision_seen_on_a_resumed_stream_gives_no_sprint_added_unless_it_is_the_first_revision()
    {
        var team = Team("Finance", "backlogconfiguration-agile.json");
        var sprintByPath = team.Iterations.ToDictionary(i => i.Path!, i => i.Id.ToLowerInvariant(), StringComparer.OrdinalIgnoreCase);
        var revs = Load("revisions.json", Json.AdoRevisionsPage).Values;

        Assert.Empty(AzureDevOpsConverter.ConvertRevision(revs[3], team, sprintByPath, [], "ado", false, fromStart: false));
        Assert.Single(AzureDevOpsConverter.ConvertRevision(revs[0], team, sprintByPath, [], "ado", false, fromStart: false));
    }

    [Fact]
    public void Wiql_ors_team_areas_escapes_quotes_and_uses_a_half_open_window()
    {
        var wiql = AzureDevOpsCollector.Wiql("O'Brien", "System.AreaPath",
            [new AdoArea("O'Brien\\Ledger", true), new AdoArea("O'Brien\\Shared", false)],
            new DateTimeOffset(2026, 11, 1, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));

        Assert.Equal("SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = 'O''Brien' AND ([System.AreaPath] UNDER 'O''Brien\\Ledger' OR [System.AreaPath] = 'O''Brien\\Shared') AND [System.ChangedDate] >= '2026-11-01T10:00:00.000Z' AND [System.ChangedDate] < '2026-11-02T10:00:00.000Z' ORDER BY [System.Id]", wiql);
    }
}
