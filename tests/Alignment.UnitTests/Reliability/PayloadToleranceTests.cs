using System.Text;
using System.Text.Json;

namespace Alignment.UnitTests.Reliability;

/// <summary>What a tracker payload may get wrong, and what each oddity does (docs/reliability.md, "What is tolerated").</summary>
public sealed class PayloadToleranceTests
{
    [Fact]
    public void A_well_formed_body_of_the_wrong_shape_is_a_type_mismatch_with_path_and_value()
    {
        var body = """{"maxResults":50,"startAt":0,"isLast":true,"values":[{"id":1.5,"state":"active","name":"S1"}]}"""u8.ToArray();
        var e = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(body, JiraJsonContext.Default.JiraSprintPage));

        Assert.True(JsonShape.IsWellFormed(body));
        Assert.Equal("expected a whole number at $.values[0].id, got 1.5", JsonShape.Mismatch(e, body, JiraJsonContext.Default.JiraSprintPage));
    }

    [Fact]
    public void A_string_where_an_object_is_expected_is_named()
    {
        var body = """{"issues":[],"isLast":"soon"}"""u8.ToArray();
        var e = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(body, JiraJsonContext.Default.JiraSearchJqlResponse));

        Assert.Equal("expected true or false at $.isLast, got \"soon\"", JsonShape.Mismatch(e, body, JiraJsonContext.Default.JiraSearchJqlResponse));
    }

    [Theory]
    [InlineData("""{"values":[{"id":1""")]
    [InlineData("""{"values":[]""")]
    [InlineData("""{"a":1}}""")]
    [InlineData("")]
    public void A_cut_off_body_is_not_well_formed(string body) => Assert.False(JsonShape.IsWellFormed(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Text_the_store_cannot_hold_becomes_the_replacement_character()
    {
        Assert.Equal("a\uFFFDb", StoreText.Clean("a\0b"));
        Assert.Equal("x\uFFFD", StoreText.Clean("x\uD800"));
        Assert.Equal("\uFFFDy", StoreText.Clean("\uDC00y"));
        Assert.Equal("ok \U0001F600", StoreText.Clean("ok \U0001F600"));
        Assert.Same("plain", StoreText.Clean("plain"));
    }

    [Fact]
    public void Json_escapes_jsonb_refuses_are_replaced_and_escaped_backslashes_respected()
    {
        Assert.Equal("""{"s":"a\uFFFDb"}""", StoreText.CleanJson("""{"s":"a\u0000b"}"""));
        Assert.Equal("""{"s":"\uFFFD!"}""", StoreText.CleanJson("""{"s":"\ud800!"}"""));
        Assert.Equal("""{"s":"\ud83d\ude00"}""", StoreText.CleanJson("""{"s":"\ud83d\ude00"}"""));
        Assert.Equal("""{"s":"\\u0000"}""", StoreText.CleanJson("""{"s":"\\u0000"}"""));
        using var doc = JsonDocument.Parse(StoreText.CleanJson("""{"s":"\udc00\u0000"}"""));
        Assert.Equal("\uFFFD\uFFFD", doc.RootElement.GetProperty("s").GetString());
    }

    [Fact]
    public void One_unreadable_element_fails_alone_with_its_id_key_path_and_reason()
    {
        using var doc = JsonDocument.Parse("""
            [{"id":"1","key":"PAY-1","fields":{"summary":"ok"}},
             {"id":"2","key":"PAY-2","fields":{"summary":"ok","created":1e20}},
             {"id":"3","key":"PAY-3","fields":{"summary":42}},
             {"key":"PAY-4","fields":{}}]
            """);
        var failures = new List<ItemFailure>();

        var issues = ItemReader.Read(doc.RootElement.EnumerateArray().ToList(), "POST rest/api/3/issue/bulkfetch", "$.issues",
            e => JiraIssue.FromJson(e, "POST rest/api/3/issue/bulkfetch"), failures, JiraJsonContext.Default.JiraIssue);

        Assert.Equal(["PAY-1"], issues.Select(i => i.Key));
        Assert.Equal([("2", "PAY-2", "$.fields.created"), ("3", "PAY-3", "$.fields.summary"), ("$.issues[3]", "PAY-4", "$.id")],
            failures.Select(f => (f.ExternalId, f.Key, f.Path)));
        Assert.StartsWith("expected a timestamp", failures[0].Reason);
        Assert.Contains("at $.issues[1].fields.created, got 1e20", failures[0].Reason);
        Assert.Equal("expected a string at $.issues[2].fields.summary, got 42", failures[1].Reason);
        Assert.All(failures, f => Assert.Equal("POST rest/api/3/issue/bulkfetch", f.Request));
    }

    [Fact]
    public void A_lone_surrogate_escape_is_read_as_the_replacement_character()
    {
        using var doc = JsonDocument.Parse("""[{"id":"1","key":"PAY-1","fields":{"summary":"a\ud800b","labels":["x\udc00"]}}]""");
        var failures = new List<ItemFailure>();

        var issues = ItemReader.Read(doc.RootElement.EnumerateArray().ToList(), "r", "$.issues", e => JiraIssue.FromJson(e, "r"), failures);

        Assert.Empty(failures);
        Assert.Equal("a\uFFFDb", StoreText.Clean(Assert.Single(issues).Fields.Summary));
    }

    [Fact]
    public void An_unreadable_work_item_fails_alone()
    {
        using var doc = JsonDocument.Parse("""[{"id":7,"rev":1,"fields":{"System.Title":"ok"}},{"id":"eight","fields":{}},{"id":9}]""");
        var failures = new List<ItemFailure>();

        var items = ItemReader.Read(doc.RootElement.EnumerateArray().ToList(), "POST p/_apis/wit/workitemsbatch", "$.value",
            e => e.Deserialize(AzureDevOpsJson.Default.AdoWorkItem)!, failures);

        Assert.Equal([7], items.Select(i => i.Id));
        Assert.Equal(["eight", "9"], failures.Select(f => f.ExternalId));
    }

    private static JiraConversionContext Context(Dictionary<string, string>? names = null) => new()
    {
        Source = new SourceOptions { Id = "jira", Kind = TrackerKind.Jira, BaseUrl = "https://pay.atlassian.net" },
        AllSources = [], TeamId = "payments", Fields = new JiraFieldIds(null, null, null, null),
        IssueTypeNames = names ?? new Dictionary<string, string>(),
    };

    [Theory]
    [InlineData("10001", "故事", 0, WorkItemType.Story)]
    [InlineData("10002", "任务", 0, WorkItemType.Task)]
    [InlineData("10003", "缺陷", 0, WorkItemType.Bug)]
    [InlineData("10000", "长篇故事", 1, WorkItemType.Epic)]
    [InlineData("10009", "未知", 0, WorkItemType.Other)]
    public void A_localized_issue_type_is_typed_by_its_untranslated_name(string id, string name, int level, WorkItemType expected)
    {
        var names = new Dictionary<string, string> { ["10000"] = "Epic", ["10001"] = "Story", ["10002"] = "Task", ["10003"] = "Bug" };
        Assert.Equal(expected, JiraConverter.MapType(new JiraIssueType { Id = id, Name = name, HierarchyLevel = level }, names));
    }

    [Theory]
    [InlineData("Duplicate", LinkKind.Duplicates)]
    [InlineData("Cloners", LinkKind.Clones)]
    public void Duplicate_and_clone_links_keep_their_direction_from_either_end(string type, LinkKind kind)
    {
        // Data Center: on PAY-1 "duplicates" PAY-2 (outward); on PAY-2 "is duplicated by" PAY-1 (inward).
        string Issue(string id, string key, string side, string otherId, string otherKey) => $$$"""
            {"id":"{{{id}}}","key":"{{{key}}}","fields":{"summary":"s","issuetype":{"id":"1","name":"Bug"},
             "issuelinks":[{"id":"500","type":{"id":"10002","name":"{{{type}}}","inward":"is duplicated by","outward":"duplicates"},
                            "{{{side}}}Issue":{"id":"{{{otherId}}}","key":"{{{otherKey}}}"}}]}}
            """;
        JiraIssue Read(string json) { using var d = JsonDocument.Parse(json); return JiraIssue.FromJson(d.RootElement.Clone()); }

        var fromOne = JiraConverter.ToLinks(Read(Issue("1", "PAY-1", "outward", "2", "PAY-2")), Context()).Single().Link;
        var fromTwo = JiraConverter.ToLinks(Read(Issue("2", "PAY-2", "inward", "1", "PAY-1")), Context()).Single().Link;

        Assert.Equal((kind, "PAY-1", "PAY-2"), (fromOne.Kind, fromOne.FromKey, fromOne.ToKey));
        Assert.Equal((kind, "PAY-1", "PAY-2"), (fromTwo.Kind, fromTwo.FromKey, fromTwo.ToKey));
    }

    [Fact]
    public void An_issue_type_without_a_name_quarantines_the_issue_not_the_batch()
    {
        using var doc = JsonDocument.Parse("""
            [{"id":"1","key":"PAY-1","fields":{"summary":"a","issuetype":{"id":"10001","name":null}}},
             {"id":"2","key":"PAY-2","fields":{"summary":"b","issuetype":{"id":"10001","name":"Story"}}}]
            """);
        var issues = doc.RootElement.EnumerateArray().Select(e => JiraIssue.FromJson(e.Clone(), "POST rest/api/3/issue/bulkfetch")).ToList();

        var batch = JiraConverter.ToBatch(issues, new Dictionary<string, List<JiraHistory>>(), new Dictionary<string, List<JiraRemoteLink>>(), Context());

        Assert.Equal(["PAY-2"], batch.Items.Select(i => i.Key));
        var q = Assert.Single(batch.Quarantined);
        Assert.Equal(("1", "PAY-1", "$.fields.issuetype.name"), (q.ExternalId, q.Key, q.Path));
        Assert.Equal("POST rest/api/3/issue/bulkfetch", q.Request);
    }

    [Fact]
    public void An_identifier_too_long_for_an_index_quarantines_the_item()
    {
        var huge = new string('x', 5000);
        using var doc = JsonDocument.Parse($$$$"""
            [{"id":"1","key":"PAY-1","fields":{"summary":"a","parent":{"id":"9","key":"{{{{huge}}}}"}}},
             {"id":"2","key":"PAY-2","fields":{"summary":"b"}}]
            """);
        var issues = doc.RootElement.EnumerateArray().Select(e => JiraIssue.FromJson(e.Clone(), "r")).ToList();

        var batch = JiraConverter.ToBatch(issues, new Dictionary<string, List<JiraHistory>>(), new Dictionary<string, List<JiraRemoteLink>>(), Context());

        Assert.Equal(["PAY-2"], batch.Items.Select(i => i.Key));
        Assert.Contains("parent key is 5000 characters long", Assert.Single(batch.Quarantined).Reason);
    }

    [Fact]
    public void A_sprint_without_a_name_is_tolerated()
    {
        var sprint = JiraConverter.ToSprint(new JiraSprintDto { Id = 4, Name = null!, State = "active" }, "jira");
        Assert.Equal(("4", ""), (sprint.ExternalId, sprint.Name));
    }
}
