using Alignment.IntegrationTests.Infrastructure;
using Npgsql;

namespace Alignment.IntegrationTests.Store;

[Collection(DatabaseCollection.Name)]
public sealed class WorkItemWriterTests(TestDatabase db) : IAsyncLifetime
{
    private WorkItemWriter _writer = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _writer = new WorkItemWriter(db.DataSource);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO core.sources (id, kind, base_url) VALUES ('jira', 'jira', 'https://x.atlassian.net');
            INSERT INTO core.teams (id, name, source_id, scope) VALUES ('pay', 'Payments', 'jira', '{}');
            """, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static WorkItem Item(string key, double? points = 3, string title = "t", params string[] sprints) => new()
    {
        SourceId = "jira", ExternalId = key.Replace("PAY-", "100"), Key = key, Url = $"https://x.atlassian.net/browse/{key}",
        Type = WorkItemType.Story, OriginalType = "Story", Title = title, Status = "To Do", StatusCategory = StatusCategory.Todo,
        StoryPoints = points, TeamId = "pay", SprintIds = sprints, SprintId = sprints.LastOrDefault(),
        CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), UpdatedAt = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero),
    };

    private static WorkItemLink DependsOn(WorkItem reporter, string from, string to) => new()
    {
        ReporterSourceId = "jira", ReporterExternalId = reporter.ExternalId, FromSourceId = "jira", FromKey = from,
        ToSourceId = "jira", ToKey = to, Kind = LinkKind.Dependency, Origin = LinkOrigin.TrackerLink,
    };

    [Fact]
    public async Task Writing_the_same_batch_twice_changes_nothing_the_second_time()
    {
        var batch = new SyncBatch { Items = [Item("PAY-1"), Item("PAY-2")] };
        var first = await _writer.WriteAsync("jira", "pay", batch, default);
        var second = await _writer.WriteAsync("jira", "pay", batch, default);
        Assert.Equal(2, first.ItemsChanged);
        Assert.Equal(0, second.ItemsChanged);
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
    }

    [Fact]
    public async Task A_key_the_tracker_gives_to_another_item_moves_to_it_and_two_items_may_swap_keys()
    {
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1", title: "first"), Item("PAY-2", title: "second")] }, default);
        var logged = await db.ScalarAsync<long>("SELECT max(seq) FROM ops.item_changes");
        // The project was created again: PAY-1 is now a new issue (id 9001); the old one (1001) is gone or elsewhere.
        var r = await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1", title: "reborn") with { ExternalId = "9001" }] }, default);
        Assert.Equal(1, r.ItemsChanged);
        Assert.Equal("9001", await db.ScalarAsync<string>("SELECT external_id FROM core.work_items WHERE key = 'PAY-1'"));
        Assert.Equal("PAY-1~1001", await db.ScalarAsync<string>("SELECT key FROM core.work_items WHERE external_id = '1001'"));

        // Two items exchange keys within one batch: both written, no unique-key failure.
        await _writer.WriteAsync("jira", "pay", new SyncBatch
        {
            Items = [Item("PAY-2", title: "was 1") with { ExternalId = "9001" }, Item("PAY-1", title: "was 2") with { ExternalId = "1002" }],
        }, default);
        Assert.Equal(("9001", "1002"), (await db.ScalarAsync<string>("SELECT external_id FROM core.work_items WHERE key = 'PAY-2'"),
            await db.ScalarAsync<string>("SELECT external_id FROM core.work_items WHERE key = 'PAY-1'")));
        // The row that lost its key (and was not in the batch) is in the change log, so the next incremental analysis reads it again.
        Assert.True(await db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM ops.item_changes WHERE seq > @logged AND '1001' = ANY(external_ids))", new { logged }));
    }

    [Fact]
    public async Task Duplicate_rows_in_one_batch_keep_the_last_one()
    {
        var batch = new SyncBatch { Items = [Item("PAY-1", title: "old"), Item("PAY-1", title: "new")] };
        await _writer.WriteAsync("jira", "pay", batch, default);
        Assert.Equal("new", await db.ScalarAsync<string>("SELECT title FROM core.work_items WHERE key = 'PAY-1'"));
    }

    [Fact]
    public async Task A_changed_estimate_counts_as_one_change()
    {
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1"), Item("PAY-2")] }, default);
        var r = await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1", 8), Item("PAY-2")] }, default);
        Assert.Equal(1, r.ItemsChanged);
        Assert.Equal(8.0, await db.ScalarAsync<double>("SELECT story_points FROM core.work_items WHERE key = 'PAY-1'"));
    }

    [Fact]
    public async Task Sprint_membership_follows_the_items_sprint_field()
    {
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1", sprints: ["1", "2"])] }, default);
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1", sprints: ["2", "3"])] }, default);
        var sprints = await db.QueryAsync<string>("SELECT sprint_id FROM core.sprint_items ORDER BY sprint_id");
        Assert.Equal(["2", "3"], sprints);
    }

    [Fact]
    public async Task A_link_no_longer_reported_by_its_item_is_removed()
    {
        var a = Item("PAY-1");
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [a], Links = [DependsOn(a, "PAY-1", "PAY-2"), DependsOn(a, "PAY-1", "PAY-3")] }, default);
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [a], Links = [DependsOn(a, "PAY-1", "PAY-3")] }, default);
        var targets = await db.QueryAsync<string>("SELECT to_key FROM core.links ORDER BY to_key");
        Assert.Equal(["PAY-3"], targets);
    }

    [Fact]
    public async Task Remote_links_stay_when_a_batch_did_not_read_them()
    {
        var a = Item("PAY-1");
        var remote = DependsOn(a, "PAY-1", "77") with { ToSourceId = "ado", Origin = LinkOrigin.RemoteLink };
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [a], Links = [DependsOn(a, "PAY-1", "PAY-2"), remote] }, default);

        // The item is done now: its remote links are not read again, its issue links are.
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [a], Links = [], RemoteLinksNotRead = [a.ExternalId] }, default);

        var left = await db.QueryAsync<string>("SELECT origin FROM core.links");
        Assert.Equal(["remoteLink"], left);
    }

    [Fact]
    public async Task A_failing_batch_leaves_nothing_behind_and_keeps_the_watermark()
    {
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1")], WatermarkAfter = "100" }, default);
        // A raw payload PostgreSQL refuses as jsonb fails the batch after its items were staged.
        var bad = new RawPayload("jira", Item("PAY-2").ExternalId, "{ not json");
        await Assert.ThrowsAnyAsync<Exception>(() =>
            _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-3"), Item("PAY-2")], Raw = [bad], WatermarkAfter = "200" }, default));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM core.work_items"));
        Assert.Equal("100", await db.ScalarAsync<string>("SELECT value FROM ops.watermarks WHERE source_id = 'jira' AND team_id = 'pay'"));
    }

    [Fact]
    public async Task Text_postgresql_refuses_is_stored_as_the_replacement_character()
    {
        var item = Item("PAY-2") with { Title = "contains a NUL \0 byte", Labels = ["lone \uD800"] };

        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [item], Raw = [new RawPayload("jira", item.ExternalId, "{\"s\":\"\\u0000\"}")] }, default);

        Assert.Equal("contains a NUL \uFFFD byte", await db.ScalarAsync<string>("SELECT title FROM core.work_items WHERE key = 'PAY-2'"));
        Assert.Equal("lone \uFFFD", await db.ScalarAsync<string>("SELECT labels[1] FROM core.work_items WHERE key = 'PAY-2'"));
        Assert.Equal("\uFFFD", await db.ScalarAsync<string>("SELECT payload->>'s' FROM raw.item_payloads"));
    }

    [Fact]
    public async Task Vanished_items_are_marked_deleted_after_a_full_read()
    {
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-1"), Item("PAY-2")] }, default);
        var marked = await _writer.MarkVanishedAsync("jira", "pay", ["1001"], default);
        Assert.Equal(1, marked);
        Assert.True(await db.ScalarAsync<bool>("SELECT deleted FROM core.work_items WHERE key = 'PAY-2'"));
        await _writer.WriteAsync("jira", "pay", new SyncBatch { Items = [Item("PAY-2")] }, default);
        Assert.False(await db.ScalarAsync<bool>("SELECT deleted FROM core.work_items WHERE key = 'PAY-2'"));
    }
}
