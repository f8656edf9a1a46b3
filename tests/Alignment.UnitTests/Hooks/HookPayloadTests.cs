using System.Text;
using Alignment.Application.Hooks;

namespace Alignment.UnitTests.Hooks;

/// <summary>What a delivery names, and how it is authenticated (docs/webhooks.md), on payloads in the trackers' documented shapes.</summary>
public sealed class HookPayloadTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Names_the_issue_and_its_project_of_a_Jira_issue_event_and_keeps_the_identifier()
    {
        var d = HookPayloads.Jira("jira", B("""
            {"timestamp":1,"webhookEvent":"jira:issue_updated","issue":{"id":"10002","key":"PAY-3","fields":{"summary":"ignored"}},
             "changelog":{"items":[{"field":"Sprint","from":"1","to":"2"}]}}
            """), "wh-1");
        Assert.Equal(("wh-1", "jira:issue_updated"), (d.DeliveryId, d.EventType));
        Assert.Equal(["10002"], d.ItemIds);
        Assert.Equal(["PAY-3"], d.ItemKeys);
        Assert.Equal(["PAY"], d.Projects);
        Assert.False(d.Deleted);
    }

    [Fact]
    public void Names_both_ends_of_a_link_the_sprint_and_board_and_marks_deletions()
    {
        var link = HookPayloads.Jira("jira", B("""{"webhookEvent":"issuelink_created","issueLink":{"id":10001,"sourceIssueId":10002,"destinationIssueId":10003}}"""), null);
        Assert.Equal(["10002", "10003"], link.ItemIds);
        Assert.StartsWith("sha256:", link.DeliveryId); // Data Center sends no identifier: an identical retry is the same delivery
        var sprint = HookPayloads.Jira("jira", B("""{"webhookEvent":"sprint_started","sprint":{"id":2,"state":"active","originBoardId":12}}"""), "s");
        Assert.Equal(["2"], sprint.SprintIds);
        Assert.Equal(["12"], sprint.BoardIds);
        Assert.True(HookPayloads.Jira("jira", B("""{"webhookEvent":"jira:issue_deleted","issue":{"id":"5","key":"PAY-5"}}"""), "d").Deleted);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"issue":{"id":"1"}}""")]
    [InlineData("""{"webhookEvent":"jira:issue_updated"}""")]
    [InlineData("""{"webhookEvent":"jira:issue_updated","issue":{"key":"PAY-1"}}""")]
    public void Refuses_what_is_not_a_Jira_webhook(string body) =>
        Assert.Throws<HookPayloadException>(() => HookPayloads.Jira("jira", B(body), "x"));

    [Fact]
    public void Reads_the_work_item_of_an_Azure_DevOps_update_from_workItemId_and_of_others_from_the_resource_id()
    {
        var updated = HookPayloads.AzureDevOps("ado", B("""
            {"id":"e1","eventType":"workitem.updated","resource":{"id":4,"workItemId":150,"rev":4,
             "revision":{"id":150,"rev":4,"fields":{"System.TeamProject":"Finance"}}}}
            """));
        Assert.Equal(("e1", "workitem.updated"), (updated.DeliveryId, updated.EventType));
        Assert.Equal(["150"], updated.ItemIds);
        Assert.Equal(["Finance"], updated.Projects);
        var deleted = HookPayloads.AzureDevOps("ado", B("""{"id":"e2","eventType":"workitem.deleted","resource":{"id":151,"fields":{"System.TeamProject":"Finance"}}}"""));
        Assert.Equal(["151"], deleted.ItemIds);
        Assert.True(deleted.Deleted);
        Assert.Throws<HookPayloadException>(() => HookPayloads.AzureDevOps("ado", B("""{"eventType":"workitem.updated","resource":{"workItemId":1}}""")));
        Assert.Throws<HookPayloadException>(() => HookPayloads.AzureDevOps("ado", B("""{"id":"e3","eventType":"workitem.updated","resource":{}}""")));
    }

    [Fact]
    public void A_Jira_signature_is_the_HMAC_of_the_raw_bytes()
    {
        var body = B("""{"webhookEvent":"jira:issue_updated"}""");
        // HMAC-SHA256("It's a Secret to Everybody", body) as GitHub and Jira compute it, checked against the library's own.
        var signature = HookSignatures.JiraSign(body, "It's a Secret to Everybody");
        Assert.Equal(71, signature.Length);
        Assert.True(HookSignatures.JiraValid(body, signature, "It's a Secret to Everybody"));
        Assert.True(HookSignatures.JiraValid(body, signature.ToUpperInvariant().Replace("SHA256=", "sha256="), "It's a Secret to Everybody"));
        Assert.False(HookSignatures.JiraValid(B("""{"webhookEvent":"jira:issue_updated" }"""), signature, "It's a Secret to Everybody"));
        Assert.False(HookSignatures.JiraValid(body, signature, "another secret"));
        Assert.False(HookSignatures.JiraValid(body, "sha1=" + signature[7..], "It's a Secret to Everybody"));
        Assert.False(HookSignatures.JiraValid(body, "sha256=zz", "It's a Secret to Everybody"));
    }

    [Fact]
    public void GitHub_documented_example_signature_verifies()
    {
        // docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
        Assert.True(HookSignatures.JiraValid(B("Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "It's a Secret to Everybody"));
    }

    [Fact]
    public void Azure_DevOps_carries_the_secret_in_the_header_or_as_the_basic_auth_password()
    {
        const string secret = "a-long-shared-secret";
        Assert.True(HookSignatures.AzureDevOpsValid("X-Hook", secret, null, secret));
        Assert.False(HookSignatures.AzureDevOpsValid("X-Hook", secret + "x", null, secret));
        Assert.False(HookSignatures.AzureDevOpsValid("X-Hook", null, "Basic " + Convert.ToBase64String(B("u:" + secret)), secret));
        Assert.True(HookSignatures.AzureDevOpsValid(null, null, "Basic " + Convert.ToBase64String(B("anyone:" + secret)), secret));
        Assert.False(HookSignatures.AzureDevOpsValid(null, null, "Basic " + Convert.ToBase64String(B("anyone:nope")), secret));
        Assert.False(HookSignatures.AzureDevOpsValid(null, null, "Basic %%%", secret));
        Assert.False(HookSignatures.AzureDevOpsValid(null, null, null, secret));
    }
}
