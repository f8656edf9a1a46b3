using Microsoft.Extensions.Configuration;

namespace Alignment.UnitTests.Configuration;

/// <summary>Validation of the value settings: Sources:N:Fields (Azure DevOps reference names) and Analysis:ValueTopN / InversionRatio.</summary>
public sealed class ValueOptionsTests
{
    private static List<string> Failures(params (string Key, string Value)[] values)
    {
        Environment.SetEnvironmentVariable("ALIGNMENT_TEST_VALUE_PAT", "x");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new[]
        {
            ("Alignment:Sources:0:Id", "ado"), ("Alignment:Sources:0:Kind", "AzureDevOps"), ("Alignment:Sources:0:BaseUrl", "https://dev.azure.com/contoso"),
            ("Alignment:Sources:0:Auth:Scheme", "Pat"), ("Alignment:Sources:0:Auth:TokenEnv", "ALIGNMENT_TEST_VALUE_PAT"),
        }.Concat(values).Select(v => KeyValuePair.Create(v.Item1, (string?)v.Item2))).Build();
        var options = config.GetSection(AlignmentOptions.Section).Get<AlignmentOptions>() ?? new AlignmentOptions();
        return new AlignmentOptionsValidator(config).Validate(null, options).Failures?.ToList() ?? [];
    }

    [Fact]
    public void Defaults_and_reference_names_are_valid() =>
        Assert.Empty(Failures(("Alignment:Sources:0:Fields:RiskReduction", "Custom.RiskReduction"), ("Alignment:Sources:0:Fields:BusinessValue", "")));

    [Fact]
    public void A_display_name_for_an_azure_devops_field_names_the_key()
    {
        var f = Assert.Single(Failures(("Alignment:Sources:0:Fields:JobSize", "Job Size")));
        Assert.StartsWith("Alignment:Sources:0:Fields:JobSize: 'Job Size' is not an Azure DevOps field reference name", f);
    }

    [Fact]
    public void An_unknown_value_field_key_is_reported() =>
        Assert.Contains(Failures(("Alignment:Sources:0:Fields:Value", "Custom.Value")), f => f.StartsWith("Alignment:Sources:0:Fields:Value", StringComparison.Ordinal));

    [Theory]
    [InlineData("1")]
    [InlineData("0.5")]
    [InlineData("101")]
    public void The_inversion_ratio_must_be_above_1(string ratio) =>
        Assert.Contains(Failures(("Alignment:Analysis:InversionRatio", ratio)), f => f.StartsWith("Alignment:Analysis:InversionRatio:", StringComparison.Ordinal));

    [Fact]
    public void The_value_top_n_must_be_positive() =>
        Assert.Contains(Failures(("Alignment:Analysis:ValueTopN", "0")), f => f.StartsWith("Alignment:Analysis:ValueTopN: 0 must be between 1 and 1000", StringComparison.Ordinal));
}
