using static Alignment.UnitTests.Jira.JiraPayloads;

namespace Alignment.UnitTests.Jira;

/// <summary>Value fields (<c>Sources:N:Fields</c>) on Jira: resolved by id or name through the field list, read from the issue's custom fields.</summary>
public sealed class JiraValueFieldTests
{
    private static readonly ValueFieldIds Ids = new("customfield_10050", "customfield_10051", "customfield_10052", "customfield_10053", "customfield_10054");

    private static JiraConversionContext Context(ValueFieldIds ids) => CloudContext() with { Fields = CloudFields with { Values = ids } };

    [Fact]
    public void Resolves_configured_value_fields_by_id_or_by_name_and_leaves_an_unknown_name_unread()
    {
        var fields = Read("fields-value.json", JiraJsonContext.Default.ListJiraField);
        var configured = new SourceFieldOptions { BusinessValue = "customfield_10050", TimeCriticality = "time criticality", RiskReduction = "RR | OE", JobSize = "Size of job" }
            .Resolve(TrackerKind.Jira);
        var resolved = JiraValueFields.Resolve(configured, fields);
        Assert.Equal(new ValueFieldIds("customfield_10050", "customfield_10051", "customfield_10052", null, null), resolved);
        Assert.Contains("JobSize 'Size of job' not found", JiraValueFields.Describe(configured, resolved));
        Assert.True(JiraValueFields.NeedFieldList(configured));
        Assert.False(JiraValueFields.NeedFieldList(new ValueFieldIds("customfield_1", null, null, null, null)));
    }

    [Fact]
    public void Jira_has_no_default_value_fields() => Assert.False(new SourceFieldOptions().Resolve(TrackerKind.Jira).Any);

    [Fact]
    public void Reads_numbers_numeric_strings_and_numeric_select_options_and_asks_for_the_fields()
    {
        var item = JiraConverter.ToWorkItem(Issue("cloud-value-fields.json", "PAY-101"), Context(Ids));
        Assert.Equal(new ItemValue(13, 8, 5, null, 120000), item.Value);
        Assert.Contains("customfield_10054", (CloudFields with { Values = Ids }).IssueFields(includeEpicLink: false));
    }

    [Fact]
    public void Without_value_fields_configured_an_item_has_no_value() =>
        Assert.Null(JiraConverter.ToWorkItem(Issue("cloud-value-fields.json", "PAY-101"), CloudContext()).Value);

    [Fact]
    public void A_non_numeric_value_keeps_the_item_and_quarantines_the_problem_by_key_and_field()
    {
        var batch = JiraConverter.ToBatch(Issues("cloud-value-fields.json"), new Dictionary<string, List<JiraHistory>>(), new Dictionary<string, List<JiraRemoteLink>>(), Context(Ids));
        Assert.Equal(["PAY-101", "PAY-102"], batch.Items.Select(i => i.Key));
        Assert.Equal(new ItemValue(null, null, null, 3, null), batch.Items[1].Value);
        var q = Assert.Single(batch.Quarantined);
        Assert.Equal("PAY-102", q.Key);
        Assert.Equal("10102", q.ExternalId);
        Assert.Equal("$.fields.customfield_10050, $.fields.customfield_10051", q.Path);
        Assert.Contains("value field BusinessValue (customfield_10050) expected a number", q.Reason);
        Assert.Contains("'high'", q.Reason);
        Assert.Contains("TimeCriticality", q.Reason);
    }
}
