
namespace Alignment.UnitTests.Jira;

public sealed class JiraCollectorQueryTests
{
    [Fact]
    public void Full_read_orders_the_project_by_id() =>
        Assert.Equal("project = \"PAY\" ORDER BY id ASC", JiraCollector.BuildJql(new JiraTeamOptions { Project = "PAY" }, null));

    [Fact]
    public void Incremental_read_compares_updated_with_epoch_milliseconds() =>
        Assert.Equal("project = \"PAY\" AND updated >= 1732877091000 ORDER BY id ASC",
            JiraCollector.BuildJql(new JiraTeamOptions { Project = "PAY" }, 1732877091000));

    [Fact]
    public void Team_jql_narrows_the_project_clause() =>
        Assert.Equal("project = \"PAY\" AND (component = Refunds) AND updated >= 5 ORDER BY id ASC",
            JiraCollector.BuildJql(new JiraTeamOptions { Project = "PAY", Jql = "component = Refunds" }, 5));

    [Theory]
    [InlineData("1732877091000", 1732877091000L)]
    [InlineData("2024-11-29T10:44:51Z", 1732877091000L)]
    [InlineData(null, null)]
    public void Reads_watermarks_as_epoch_milliseconds(string? watermark, long? expected) =>
        Assert.Equal(expected, JiraCollector.WatermarkMillis(watermark));
}
