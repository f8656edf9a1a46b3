using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// The trend panel (<c>wwwroot/trends.js</c>) on the overview and on a team's page, on the simulated organisation after one analysis
/// (so the history holds back-filled weeks and today): the chart's labels and values are the history API's weekly points, for each
/// figure picked and each period.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class TrendBrowserTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_trend_charts_show_the_history_APIs_weekly_points()
    {
        var now = DateTimeOffset.UtcNow;
        var clock = new FakeTimeProvider(now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Teams = 4, Items = 800, Now = now.AddHours(-1) }, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        using var http = org.Host.Client(TestHost.PmoKey);
        var team = (await http.GetFromJsonAsync<JsonElement>("/api/mi/teams")).GetProperty("teams")[0].GetProperty("id").GetString()!;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardBrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(org.Host.BaseAddress.ToString().TrimEnd('/') + "/");
        await page.FillAsync("#api-key", TestHost.PmoKey);
        await page.ClickAsync("#signin button[type=submit]");

        await page.WaitForSelectorAsync("#trend-chart");
        var shown = await AssertChartIsTheApisAsync(page, http, percent: true);
        Assert.Contains("figure=sayDo", shown);
        Assert.Contains("interval=week", shown);
        Assert.DoesNotContain("team=", shown);

        await page.SelectOptionAsync("#trend-figure", "velocityP50");
        await RedrawnAsync(page, shown);
        var halfYear = await AssertChartIsTheApisAsync(page, http, percent: false);
        Assert.Contains("figure=velocityP50", halfYear);
        await page.SelectOptionAsync("#trend-weeks", "52");
        await RedrawnAsync(page, halfYear);
        var year = await AssertChartIsTheApisAsync(page, http, percent: false);
        Assert.True(await Points(http, year) >= 4, $"the simulated organisation's back-filled year has weekly points: {year}");

        await page.GotoAsync(org.Host.BaseAddress.ToString().TrimEnd('/') + $"/#/teams/{Uri.EscapeDataString(team)}");
        await page.WaitForSelectorAsync("#trend-chart");
        var teamPath = await AssertChartIsTheApisAsync(page, http, percent: true);
        Assert.Contains($"team={Uri.EscapeDataString(team)}", teamPath);
        Assert.Empty(errors);
    }

    /// <summary>The chart's labels and values against the API answer at the path the chart was drawn from; returns that path.</summary>
    private static async Task<string> AssertChartIsTheApisAsync(IPage page, HttpClient http, bool percent)
    {
        var path = (await page.GetAttributeAsync("#trend-chart", "data-source"))!;
        var chart = await page.EvaluateAsync<JsonElement>(
            "() => { const c = Chart.getChart(document.getElementById('trend-chart')); return { labels: c.data.labels, data: c.data.datasets[0].data }; }");
        var api = await http.GetFromJsonAsync<JsonElement>(path);
        var points = api.GetProperty("points").EnumerateArray().ToList();
        Assert.NotEmpty(points);
        Assert.Equal(points.Select(p => p.GetProperty("at").GetString()), chart.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        var data = chart.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(points.Count, data.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var v = points[i].GetProperty("value");
            if (v.ValueKind == JsonValueKind.Null) { Assert.Equal(JsonValueKind.Null, data[i].ValueKind); continue; }
            var expected = percent ? Math.Round(v.GetDouble() * 1000) / 10 : v.GetDouble();
            Assert.Equal(expected, data[i].GetDouble(), 6);
        }
        return path;
    }

    private static Task RedrawnAsync(IPage page, string before) =>
        page.WaitForFunctionAsync("old => { const c = document.getElementById('trend-chart'); return c && c.dataset.source !== old && Chart.getChart(c); }", before);

    private static async Task<int> Points(HttpClient http, string path) =>
        (await http.GetFromJsonAsync<JsonElement>(path)).GetProperty("points").GetArrayLength();
}
