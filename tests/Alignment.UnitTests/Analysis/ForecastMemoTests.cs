using System.Text.Json;

namespace Alignment.UnitTests.Analysis;

/// <summary>
/// The forecast memo of the incremental analysis (docs/architecture.md, "Incremental analysis"): with the previous run's memo and the
/// changed items, every forecast must equal a fresh run's — whatever the change: a blocker upstream, a link stated only by the blocker,
/// an item arriving that resolves a dangling link, a story moving epics, a team's velocity — and an epic nothing touched is not
/// computed again.
/// </summary>
public sealed class ForecastMemoTests
{
    private static readonly double[] Velocity = [18, 22, 20, 25, 15, 21];

    /// <summary>Three teams on two trackers; E1 (a) waits on B1 (b), which waits on C1 (c); S3 links to X9 (b), which is not synced in the base.</summary>
    private static AnalysisSnapshot Org(string variant)
    {
        var b = new SnapshotBuilder()
            .Team("a", "jira", velocity: Velocity).Team("b", "ado", velocity: variant == "velocity" ? [5, 6, 4, 5, 6, 5] : Velocity)
            .Team("c", "jira", days: 7, velocity: Velocity)
            .Item("jira", "E1", "a", type: WorkItemType.Epic, points: null)
            .Item("jira", "S1", "a", parent: "E1", points: 8)
            .Item("jira", "S2", "a", parent: variant == "storyMoves" ? "E3" : "E1", points: 5)
            .Item("jira", "S3", "a", parent: "E1", points: 3)
            .Item("ado", "E2", "b", type: WorkItemType.Epic, points: null)
            .Item("ado", "B1", "b", parent: "E2", points: 13)
            .Item("jira", "E3", "c", type: WorkItemType.Epic, points: null)
            .Item("jira", "C1", "c", parent: "E3", points: 5, status: variant == "blockerDone" ? StatusCategory.Done : StatusCategory.Todo)
            .Item("jira", "C2", "c", parent: "E3", points: 8)
            .Item("jira", "E4", "c", type: WorkItemType.Epic, points: null, due: variant == "unrelated" ? new DateOnly(2025, 6, 1) : null)
            .Item("jira", "C4", "c", parent: "E4", points: 2)
            .DependsOn("jira", "S1", "ado", "B1")
            .DependsOn("ado", "B1", "jira", "C1")
            .DependsOn("jira", "S3", "jira", "X9");
        if (variant == "linkFromBlockerSide") b.DependsOn("jira", "S2", "jira", "C2");
        if (variant == "newItemResolvesLink") b.Item("jira", "X9", "b", points: 13);
        return b.Build();
    }

    public static TheoryData<string, string[]> Changes() => new()
    {
        { "blockerDone", ["jira/C1"] },
        { "linkFromBlockerSide", ["jira/S2", "jira/C2"] }, // both ends of the new link (SnapshotImage.ChangedKeys)
        { "newItemResolvesLink", ["jira/X9"] },
        { "storyMoves", ["jira/S2"] },
        { "velocity", [] },
        { "unrelated", ["jira/E4"] },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Forecasts_from_the_memo_equal_a_fresh_run(string variant, string[] changed)
    {
        var options = new AnalysisOptions();
        var before = Analyzer.Run(Org("base"), options, null, null);
        var after = Org(variant);
        var fresh = Analyzer.Run(after, options);
        var keys = changed.Select(c => c.Split('/')).Select(p => (p[0], p[1])).ToHashSet();
        var incremental = Analyzer.Run(after, options, null, new AnalysisDelta(before.ForecastMemo!, keys));

        Assert.Equal(Json(fresh), Json(incremental));
        Assert.NotEqual(Json(before), Json(fresh)); // the change moves some forecast: the test could fail
        if (variant == "unrelated")
        {
            Assert.Equal(1, incremental.ForecastMemo!.Computed); // E4 alone
            Assert.Same(before.Forecasts[("jira", "E1")], incremental.Forecasts[("jira", "E1")]);
        }
    }

    [Fact]
    public void Another_day_computes_every_forecast_again()
    {
        var options = new AnalysisOptions();
        var before = Analyzer.Run(Org("base"), options, null, null);
        var tomorrow = Org("base") with { Now = SnapshotBuilder.Now.AddDays(1) };
        var incremental = Analyzer.Run(tomorrow, options, null, new AnalysisDelta(before.ForecastMemo!, new HashSet<(string, string)>()));
        Assert.Equal(incremental.Forecasts.Count, incremental.ForecastMemo!.Computed);
        Assert.Equal(Json(Analyzer.Run(tomorrow, options)), Json(incremental));
    }

    private static string Json(AnalysisResult r) => string.Join("\n", r.Forecasts.OrderBy(f => f.Key.Source, StringComparer.Ordinal)
        .ThenBy(f => f.Key.Key, StringComparer.Ordinal).Select(f => JsonSerializer.Serialize(f.Value, AnalysisJsonContext.Default.EpicForecast)));
}
