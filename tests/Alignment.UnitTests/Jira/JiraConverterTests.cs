using System.Text.Json;
using static Alignment.UnitTests.Jira.JiraPayloads;

namespace Alignment.UnitTests.Jira;

public sealed class JiraConverterTests
{
    private static readonly Dictionary<string, List<JiraHistory>> NoHistory = [];
    private static readonly Dictionary<string, List<JiraRemoteLink>> NoRemote = [];

    [Fact]
    public void Reads_ids_and_next_page_token_from_search_jql_page()
    {
        var page = Read("cloud-search-jql-page.json", JiraJsonContext.Default.JiraSearchJqlResponse);

        Assert.Equal(["10001", "10002", "10003"], page.Issues.Select(i => i.Id));
        Assert.False(page.IsLast);
        Assert.Equal("CAEaAggDIgA=", page.NextPageToken);
    }

    [Fact]
    public void Converts_story_with_parent_epic_sprints_points_rank_and_people_fields()
    {
        var item = JiraConverter.ToWorkItem(Issue("cloud-bulkfetch.json", "PAY-2"), CloudContext());

        Assert.Equal("10002", item.ExternalId);
        Assert.Equal("PAY-2", item.Key);
        Assert.Equal("https://pay.atlassian.net/browse/PAY-2", item.Url);
        Assert.Equal(WorkItemType.Story, item.Type);
        Assert.Equal("Story", item.OriginalType);
        Assert.Equal("Refund to original card", item.Title);
        Assert.Equal(StatusCategory.InProgress, item.StatusCategory);
        Assert.Equal("PAY-1", item.ParentKey);
        Assert.Equal(5.0, item.StoryPoints);
        Assert.Equal("0|i0000f:", item.Rank);
        Assert.Equal(["38", "40"], item.SprintIds);
        Assert.Equal("40", item.SprintId);
        Assert.Equal("payments", item.TeamId);
        Assert.Equal("High", item.Priority);
        Assert.Equal("Ana Lima", item.Assignee);
        Assert.Equal(["refunds", "q3"], item.Labels);
        Assert.Equal(new DateOnly(2022, 8, 1), item.DueDate);
        Assert.Null(item.ResolvedAt);
    }

    [Fact]
    public void Maps_hierarchy_level_one_to_epic()
    {
        var item = JiraConverter.ToWorkItem(Issue("cloud-bulkfetch.json", "PAY-1"), CloudContext());

        Assert.Equal(WorkItemType.Epic, item.Type);
        Assert.Null(item.ParentKey);
        Assert.Empty(item.SprintIds);
        Assert.Null(item.SprintId);
        Assert.Null(item.StoryPoints);
    }

    [Theory]
    [InlineData("Feature", 1, false, WorkItemType.Feature)]
    [InlineData("Initiative", 1, false, WorkItemType.Epic)]
    [InlineData("Sub-task", -1, true, WorkItemType.Task)]
    [InlineData("Bug", 0, false, WorkItemType.Bug)]
    [InlineData("Spike", 0, false, WorkItemType.Other)]
    public void Maps_issue_types_by_hierarchy_level_and_name(string name, int level, bool subtask, WorkItemType expected) =>
        Assert.Equal(expected, JiraConverter.MapType(new JiraIssueType { Name = name, HierarchyLevel = level, Subtask = subtask }));

    [Fact]
    public void Maps_localized_status_name_by_category_key()
    {
        var item = JiraConverter.ToWorkItem(Issue("cloud-bulkfetch.json", "PAY-3"), CloudContext());

        Assert.Equal("已完成", item.Status);
        Assert.Equal(StatusCategory.Done, item.StatusCategory);
        Assert.Equal(new DateTimeOffset(2022, 7, 1, 12, 0, 0, TimeSpan.Zero), item.ResolvedAt);
    }

    [Fact]
    public void Latest_closed_sprint_is_current_when_no_sprint_is_open()
    {
        var item = JiraConverter.ToWorkItem(Issue("cloud-bulkfetch.json", "PAY-3"), CloudContext());

        Assert.Equal("38", item.SprintId);
    }

    [Theory]
    [InlineData("2022-07-16T06:30:23.341+0800", "2022-07-15T22:30:23.341Z")]
    [InlineData("2022-06-02T11:00:00.000-0530", "2022-06-02T16:30:00.000Z")]
    [InlineData("2022-06-15T09:00:00.000-07:00", "2022-06-15T16:00:00.000Z")]
    [InlineData("2022-06-01T02:00:00.000Z", "2022-06-01T02:00:00.000Z")]
    public void Parses_timestamps_with_and_without_offset_colon(string json, string utc)
    {
        var value = JsonSerializer.Deserialize($"\"{json}\"", JiraJsonContext.Default.JiraHistory.Options.GetTypeInfo(typeof(DateTimeOffset)));

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), (DateTimeOffset)value!);
    }

    [Fact]
    public void Reads_issue_timestamps_with_offset_without_colon()
    {
        var issue = Issue("cloud-bulkfetch.json", "PAY-2");

        Assert.Equal(new DateTimeOffset(2022, 7, 16, 6, 30, 23, 341, TimeSpan.FromHours(8)), issue.Fields.Updated);
        Assert.Equal(TimeSpan.FromHours(8), issue.Fields.Updated!.Value.Offset);
    }

    [Fact]
    public void Reads_blocker_direction_from_outward_issue()
    {
        // PAY-2 carries outwardIssue PAY-3 on "Blocks": PAY-2 blocks PAY-3, so PAY-3 depends on PAY-2.
        var links = JiraConverter.ToLinks(Issue("cloud-bulkfetch.json", "PAY-2"), CloudContext()).Select(l => l.Link).ToList();

        var dependency = Assert.Single(links, l => l.Kind == LinkKind.Dependency);
        Assert.Equal("PAY-3", dependency.FromKey);
        Assert.Equal("PAY-2", dependency.ToKey);
        Assert.Equal("jira", dependency.ToSourceId);
        Assert.Equal("10002", dependency.ReporterExternalId);
        Assert.Equal(LinkOrigin.TrackerLink, dependency.Origin);
    }

    [Fact]
    public void Reads_blocker_direction_from_inward_issue()
    {
        // PAY-3 carries inwardIssue PAY-2: PAY-3 is blocked by PAY-2.
        var link = Assert.Single(JiraConverter.ToLinks(Issue("cloud-bulkfetch.json", "PAY-3"), CloudContext())).Link;

        Assert.Equal(LinkKind.Dependency, link.Kind);
        Assert.Equal("PAY-3", link.FromKey);
        Assert.Equal("PAY-2", link.ToKey);
    }

    [Fact]
    public void Link_seen_from_both_ends_normalizes_to_one_dependency_edge()
    {
        var batch = JiraConverter.ToBatch(Issues("cloud-bulkfetch.json"), NoHistory, NoRemote, CloudContext());

        var edge = Assert.Single(batch.Links, l => l.Kind == LinkKind.Dependency);
        Assert.Equal(("PAY-3", "PAY-2"), (edge.FromKey, edge.ToKey));
    }

    [Fact]
    public void Other_link_types_are_relates_from_the_reporting_item()
    {
        var links = JiraConverter.ToLinks(Issue("cloud-bulkfetch.json", "PAY-2"), CloudContext()).Select(l => l.Link);

        var relates = Assert.Single(links, l => l.Kind == LinkKind.Relates);
        Assert.Equal(("PAY-2", "PAY-7"), (relates.FromKey, relates.ToKey));
    }

    [Fact]
    public void Link_types_match_configured_names_or_ids_case_insensitively()
    {
        var options = new JiraSourceOptions { DependencyLinkTypes = ["10000"], DuplicateLinkTypes = ["duplicate"] };

        Assert.Equal(LinkKind.Dependency, JiraConverter.LinkKindOf(new JiraLinkType { Id = "10000", Name = "Bloquea" }, options));
        Assert.Equal(LinkKind.Duplicates, JiraConverter.LinkKindOf(new JiraLinkType { Id = "10002", Name = "DUPLICATE" }, options));
        Assert.Equal(LinkKind.Relates, JiraConverter.LinkKindOf(new JiraLinkType { Id = "10001", Name = "Blocks" }, options));
    }

    [Fact]
    public void Sprint_changelog_id_lists_become_added_and_removed_events()
    {
        var histories = Read("cloud-changelog-bulkfetch.json", JiraJsonContext.Default.JiraChangelogBulkResponse).IssueChangeLogs.Single().ChangeHistories;

        var events = JiraConverter.ToEvents("10002", histories, CloudContext())
            .Where(e => e.Kind is ItemEventKind.SprintAdded or ItemEventKind.SprintRemoved).ToList();

        Assert.Equal(
            [("10500:customfield_10020:0", ItemEventKind.SprintAdded, null, "38"),
             ("10501:customfield_10020:0", ItemEventKind.SprintAdded, null, "40"),
             ("10501:customfield_10020:1", ItemEventKind.SprintAdded, null, "41"),
             ("10502:customfield_10020:0", ItemEventKind.SprintRemoved, "41", null)],
            events.Select(e => (e.EventId, e.Kind, e.From, e.To)));
        Assert.All(events, e => Assert.Equal("10002", e.ItemExternalId));
    }

    [Fact]
    public void Changelog_created_is_read_from_epoch_seconds_and_iso_strings()
    {
        var histories = Read("cloud-changelog-bulkfetch.json", JiraJsonContext.Default.JiraChangelogBulkResponse).IssueChangeLogs.Single().ChangeHistories;

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1654077600), histories[0].Created);
        Assert.Equal(new DateTimeOffset(2022, 6, 16, 2, 0, 0, TimeSpan.Zero), histories[2].Created.ToUniversalTime());
    }

    [Fact]
    public void Story_point_changes_matched_by_field_id_become_estimate_events()
    {
        var histories = Read("cloud-changelog-bulkfetch.json", JiraJsonContext.Default.JiraChangelogBulkResponse).IssueChangeLogs.Single().ChangeHistories;

        var e = Assert.Single(JiraConverter.ToEvents("10002", histories, CloudContext()), e => e.Kind == ItemEventKind.EstimateChanged);
        Assert.Equal(("3", "5"), (e.From, e.To));
        Assert.Equal("10502:customfield_10016:0", e.EventId);
    }

    [Fact]
    public void Status_changes_carry_categories_from_status_ids()
    {
        var histories = Read("cloud-changelog-bulkfetch.json", JiraJsonContext.Default.JiraChangelogBulkResponse).IssueChangeLogs.Single().ChangeHistories;
        var statuses = new Dictionary<string, StatusCategory>();
        JiraConverter.AddStatusCategories(statuses, Read("statuses.json", JiraJsonContext.Default.ListJiraStatus));

        var e = Assert.Single(JiraConverter.ToEvents("10002", histories, CloudContext(statuses)), e => e.Kind == ItemEventKind.StatusChanged);
        Assert.Equal(("todo", "inProgress"), (e.From, e.To));
        Assert.Equal("10503:status:0", e.EventId);
    }

    [Fact]
    public void Re_reading_history_yields_the_same_event_ids()
    {
        var histories = Read("cloud-changelog-bulkfetch.json", JiraJsonContext.Default.JiraChangelogBulkResponse).IssueChangeLogs.Single().ChangeHistories;

        var first = JiraConverter.ToEvents("10002", histories, CloudContext()).Select(e => e.EventId).ToList();
        var second = JiraConverter.ToEvents("10002", histories, CloudContext()).Select(e => e.EventId).ToList();

        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Distinct().Count());
    }

    [Fact]
    public void Remote_issue_link_history_marks_items_whose_remote_links_are_read()
    {
        var histories = Read("cloud-changelog-bulkfetch.json", JiraJsonContext.Default.JiraChangelogBulkResponse).IssueChangeLogs.Single().ChangeHistories;

        Assert.True(JiraConverter.HasRemoteLinkHistory(histories));
        Assert.False(JiraConverter.HasRemoteLinkHistory(histories.Take(3)));
    }

    [Fact]
    public void Remote_link_to_azure_devops_work_item_that_blocks_this_item_becomes_a_dependency()
    {
        var issue = Issue("cloud-bulkfetch.json", "PAY-2");
        var remote = Read("remotelinks.json", JiraJsonContext.Default.ListJiraRemoteLink);

        var links = JiraConverter.ToRemoteLinks(issue, remote, CloudContext()).ToList();

        var dependency = Assert.Single(links, l => l.Kind == LinkKind.Dependency);
        Assert.Equal(("jira", "PAY-2"), (dependency.FromSourceId, dependency.FromKey));
        Assert.Equal(("ado", "123"), (dependency.ToSourceId, dependency.ToKey));
        Assert.Equal("https://dev.azure.com/contoso/Payments/_workitems/edit/123", dependency.ToUrl);
        Assert.Equal(LinkOrigin.RemoteLink, dependency.Origin);
        Assert.Equal("10002", dependency.ReporterExternalId);
    }

    [Fact]
    public void Remote_link_outside_configured_sources_is_kept_unresolved_as_relates()
    {
        var links = JiraConverter.ToRemoteLinks(Issue("cloud-bulkfetch.json", "PAY-2"), Read("remotelinks.json", JiraJsonContext.Default.ListJiraRemoteLink), CloudContext());

        var external = Assert.Single(links, l => l.Kind == LinkKind.Relates);
        Assert.Null(external.ToSourceId);
        Assert.Equal("https://wiki.example.com/display/PAY/Refunds", external.ToKey);
        Assert.Equal(external.ToKey, external.ToUrl);
    }

    [Fact]
    public void Remote_link_saying_this_item_blocks_the_other_makes_the_other_dependent()
    {
        var remote = new List<JiraRemoteLink> { new() { Id = 1, Relationship = "blocks", Object = new() { Url = "https://dev.azure.com/contoso/Payments/_workitems/edit/77" } } };

        var link = Assert.Single(JiraConverter.ToRemoteLinks(Issue("cloud-bulkfetch.json", "PAY-2"), remote, CloudContext()));

        Assert.Equal(LinkKind.Dependency, link.Kind);
        Assert.Equal(("ado", "77"), (link.FromSourceId, link.FromKey));
        Assert.Equal(("jira", "PAY-2"), (link.ToSourceId, link.ToKey));
    }

    [Fact]
    public void Batch_keeps_each_issue_raw_json()
    {
        var batch = JiraConverter.ToBatch(Issues("cloud-bulkfetch.json"), NoHistory, NoRemote, CloudContext());

        Assert.Equal(["10001", "10002", "10003"], batch.Raw.Select(r => r.ExternalId));
        using var doc = JsonDocument.Parse(batch.Raw[1].Payload);
        Assert.Equal("PAY-2", doc.RootElement.GetProperty("key").GetString());
        Assert.Null(batch.WatermarkAfter);
    }

    [Fact]
    public void Data_center_search_reads_sprint_strings_epic_link_and_embedded_changelog()
    {
        var issues = Issues("dc-search.json");
        var batch = JiraConverter.ToBatch(issues, NoHistory, NoRemote, DcContext());

        var story = batch.Items.Single(i => i.Key == "SP-10");
        Assert.Equal(WorkItemType.Story, story.Type);
        Assert.Equal("SP-1", story.ParentKey);
        Assert.Equal(["1", "2"], story.SprintIds);
        Assert.Equal("2", story.SprintId);
        Assert.Equal(3.0, story.StoryPoints);
        Assert.Equal("In Arbeit", story.Status);
        Assert.Equal(StatusCategory.InProgress, story.StatusCategory);
        Assert.Equal("https://jira.example.org/browse/SP-10", story.Url);

        var epic = batch.Items.Single(i => i.Key == "SP-1");
        Assert.Equal(WorkItemType.Epic, epic.Type);
        Assert.Null(epic.ParentKey);

        var link = Assert.Single(batch.Links);
        Assert.Equal((LinkKind.Dependency, "SP-10", "SP-3"), (link.Kind, link.FromKey, link.ToKey));

        var sprintEvents = batch.Events.Where(e => e.Kind == ItemEventKind.SprintAdded).Select(e => (e.EventId, e.To)).OrderBy(x => x.EventId).ToList();
        Assert.Equal([("30001:Sprint:0", "1"), ("30002:Sprint:0", "2")], sprintEvents);
        var estimate = Assert.Single(batch.Events, e => e.Kind == ItemEventKind.EstimateChanged);
        Assert.Equal(((string?)null, "3"), (estimate.From, estimate.To));
    }

    [Fact]
    public void Parses_data_center_sprint_strings_with_null_literals_and_upper_case_state()
    {
        var sprint = JiraFieldValues.FromString(
            "com.atlassian.greenhopper.service.sprint.Sprint@1c3e5a7b[id=1,rapidViewId=2,state=CLOSED,name=SP Sprint 1, part=2,goal=<null>,startDate=2018-01-01T10:00:00.000+01:00,endDate=<null>,completeDate=<null>,sequence=1]");

        Assert.NotNull(sprint);
        Assert.Equal(1, sprint.Id);
        Assert.Equal("closed", sprint.State);
        Assert.Equal("SP Sprint 1, part=2", sprint.Name);
        Assert.Equal(new DateTimeOffset(2018, 1, 1, 9, 0, 0, TimeSpan.Zero), sprint.StartDate);
        Assert.Null(sprint.EndDate);
    }

    [Fact]
    public void Board_configuration_names_the_story_point_field_and_rank()
    {
        var config = Read("board-configuration.json", JiraJsonContext.Default.JiraBoardConfiguration);

        Assert.Equal("customfield_10016", config.Estimation?.Field?.FieldId);
        Assert.Equal(10019, config.Ranking?.RankCustomFieldId);
    }

    [Fact]
    public void Board_sprints_convert_with_lower_case_states_and_dates()
    {
        var page = Read("board-sprints.json", JiraJsonContext.Default.JiraSprintPage);

        var sprints = page.Values.Select(s => JiraConverter.ToSprint(s, "jira")).ToList();

        Assert.True(page.IsLast);
        Assert.Equal([SprintState.Closed, SprintState.Active, SprintState.Future], sprints.Select(s => s.State));
        Assert.Equal(new DateTimeOffset(2022, 6, 15, 8, 12, 0, TimeSpan.Zero), sprints[0].CompletedAt);
        Assert.Equal(new DateTimeOffset(2022, 6, 15, 16, 0, 0, TimeSpan.Zero), sprints[1].StartAt);
        Assert.Equal("Refunds", sprints[1].Goal);
        Assert.Null(sprints[0].Goal);
        Assert.Null(sprints[2].StartAt);
        Assert.Equal("41", sprints[2].ExternalId);
    }

    [Fact]
    public void Discovers_fields_by_schema_and_skips_original_story_points()
    {
        var fields = JiraCollector.Discover(Read("fields.json", JiraJsonContext.Default.ListJiraField));

        Assert.Equal(new JiraFieldIds("customfield_10016", "customfield_10020", "customfield_10014", "customfield_10019"), fields);
    }

    [Fact]
    public void Discovers_classic_story_points_by_name_when_no_story_point_schema_exists()
    {
        List<JiraField> fields =
        [
            new() { Id = "customfield_10030", Name = "Original story points", Schema = new() { Type = "number", Custom = "com.atlassian.jpo:jpo-custom-field-original-story-points" } },
            new() { Id = "customfield_10026", Name = "Story Points", Schema = new() { Type = "number", Custom = "com.atlassian.jira.plugin.system.customfieldtypes:float" } },
        ];

        Assert.Equal("customfield_10026", JiraCollector.Discover(fields).StoryPoints);
    }
}
