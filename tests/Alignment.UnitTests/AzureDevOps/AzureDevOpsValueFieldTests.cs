using System.Text.Json;

namespace Alignment.UnitTests.AzureDevOps;

/// <summary>Value fields on Azure DevOps: reference names in the work item's <c>fields</c>; business value and time criticality by default.</summary>
public sealed class AzureDevOpsValueFieldTests
{
    private static readonly SourceOptions Plain = new() { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = "https://dev.azure.com/contoso" };
    private static readonly SourceOptions Custom = new()
    {
        Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = "https://dev.azure.com/contoso",
        Fields = new SourceFieldOptions { RiskReduction = "Custom.RiskReduction", JobSize = "Custom.JobSize", Budget = "Custom.Budget" },
    };

    private static IReadOnlyList<AdoWorkItem> Items() => JsonSerializer.Deserialize(
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AzureDevOps", "Payloads", "workitemsbatch-value.json")),
        AzureDevOpsJson.Default.AdoListAdoWorkItem)!.Value.OfType<AdoWorkItem>().ToList();

    private static AzureDevOpsTeamContext Team() => new()
    {
        Team = new TeamOptions { Id = "ledger", Name = "Ledger", Source = "ado", AzureDevOps = new() { Project = "Finance", Team = "Ledger" } },
        Project = "Finance",
        Process = AzureDevOpsProcess.From(JsonSerializer.Deserialize(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "AzureDevOps", "Payloads", "backlogconfiguration-agile.json")),
            AzureDevOpsJson.Default.AdoBacklogConfiguration)!, null),
        Iterations = [],
        Areas = [new AdoArea("Finance\\Ledger", true)],
    };

    [Fact]
    public void Reads_business_value_and_time_criticality_by_default()
    {
        var item = AzureDevOpsConverter.ConvertItem(Items()[0], Team(), Plain);
        Assert.Equal(new ItemValue(300, 2.5, null, null, null), item.Value);
    }

    [Fact]
    public void Reads_the_configured_custom_fields()
    {
        var item = AzureDevOpsConverter.ConvertItem(Items()[0], Team(), Custom);
        Assert.Equal(new ItemValue(300, 2.5, 8, 13, 250000.5), item.Value);
    }

    [Fact]
    public void An_empty_setting_turns_a_default_field_off()
    {
        var off = new SourceOptions { Id = "ado", Kind = TrackerKind.AzureDevOps, BaseUrl = "https://x", Fields = new() { BusinessValue = "", TimeCriticality = "" } };
        Assert.Null(AzureDevOpsConverter.ConvertItem(Items()[0], Team(), off).Value);
    }

    [Fact]
    public void A_non_numeric_value_is_reported_by_field_and_the_item_kept()
    {
        var problems = new List<ValueFieldReader.Problem>();
        var item = AzureDevOpsConverter.ConvertItem(Items()[1], Team(), Custom, problems);
        Assert.Equal(new ItemValue(40, null, null, null, null), item.Value);
        var p = Assert.Single(problems);
        Assert.Equal("RiskReduction", p.Input);
        Assert.Equal("$.fields['Custom.RiskReduction']", p.Path);
        Assert.Contains("got string 'n/a'", p.Reason);
    }
}
