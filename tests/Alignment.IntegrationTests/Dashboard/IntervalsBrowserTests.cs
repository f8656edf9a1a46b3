using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// The "Intervals" page (<c>wwwroot/intervals.js</c>) against GET /api/mi/intervals on the simulated organisation with its planning intervals:
/// it opens on the latest finished interval; the organisation's predictability cards, each team's row (planned, delivered, predictability),
/// the chart's planned and delivered points and the slipped epics and features with their reasons are the API's; the running interval shows
/// the forecast and marks the teams at risk.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class IntervalsBrowserTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_intervals_page_shows_the_apis_planned_delivered_and_slips_per_team()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Intervals = true, Teams = 6, Items = 1500 }, time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        using var http = org.Host.Client(TestHost.ManagementKey);
        var api = (await http.GetFromJsonAsync<JsonElement>("/api/mi/intervals")).GetProperty("intervals").EnumerateArray()
            .ToDictionary(i => i.GetProperty("id").GetString()!);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardBrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(org.Host.BaseAddress.ToString().TrimEnd('/') + "/");
        await page.FillAsync("#api-key", TestHost.ManagementKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#org-velocity");
        await page.ClickAsync("#nav a[data-section=intervals]");
        await page.WaitForSelectorAsync("#interval-teams table");

        Assert.Equal("PI-2", await page.InputValueAsync("#interval-select")); // the latest finished interval
        await AssertIntervalAsync(page, api["PI-2"]);
        Assert.True(await page.Locator("#interval-slips tbody tr").CountAsync() > 0, "something slipped in PI-2");

        // A team's items open in the explain drawer: its planned items and unplanned work, as the explain API lists them.
        var first = api["PI-2"].GetProperty("teams")[0];
        var items = await http.GetFromJsonAsync<JsonElement>(first.GetProperty("figures").GetProperty("predictabilityPoints").GetProperty("explain").GetString());
        await page.Locator("#interval-teams tbody tr").First.Locator("button").ClickAsync();
        await page.WaitForSelectorAsync("#drawer table");
        Assert.Contains(first.GetProperty("name").GetString()!, await page.InnerTextAsync("#drawer h2"));
        Assert.Equal(items.GetProperty("rows").GetArrayLength(), await page.Locator("#drawer tbody tr").CountAsync());
        await page.ClickAsync("#drawer button[aria-label=Close]");

        await page.SelectOptionAsync("#interval-select", "PI-1");
        await AssertIntervalAsync(page, api["PI-1"]);

        await page.SelectOptionAsync("#interval-select", "PI-3");
        await AssertIntervalAsync(page, api["PI-3"]);
        var atRisk = api["PI-3"].GetProperty("teams").EnumerateArray()
            .Where(t => t.GetProperty("forecast").ValueKind == JsonValueKind.Object && t.GetProperty("forecast").GetProperty("atRisk").GetBoolean()).ToList();
        Assert.Equal(atRisk.Count, await page.Locator("#interval-teams .badge.atRisk").CountAsync());
        Assert.Empty(errors);
    }

    /// <summary>The cards, the team rows, the chart and the slips of one interval are the API's.</summary>
    private static async Task AssertIntervalAsync(IPage page, JsonElement iv)
    {
        await page.WaitForFunctionAsync("id => document.querySelector('#interval-select').value === id", iv.GetProperty("id").GetString());
        var o = iv.GetProperty("organisation");
        Assert.Equal(Pct(o.GetProperty("predictabilityCount")), (await page.Locator("#interval-cards .card").Nth(0).Locator(".card-value").InnerTextAsync()).Trim());
        Assert.Equal(Pct(o.GetProperty("predictabilityPoints")), (await page.Locator("#interval-cards .card").Nth(1).Locator(".card-value").InnerTextAsync()).Trim());

        var teams = iv.GetProperty("teams").EnumerateArray().ToList();
        var rows = page.Locator("#interval-teams tbody tr");
        Assert.Equal(teams.Count, await rows.CountAsync());
        for (var i = 0; i < teams.Count; i++)
        {
            var t = teams[i];
            var f = t.GetProperty("figures");
            var cells = rows.Nth(i).Locator("td");
            Assert.Equal(t.GetProperty("name").GetString(), (await cells.Nth(0).InnerTextAsync()).Trim());
            Assert.Equal($"{f.GetProperty("plannedCount").GetInt32()} · {Num(f.GetProperty("plannedPoints").GetDouble())} pts", (await cells.Nth(3).InnerTextAsync()).Trim());
            Assert.Equal($"{f.GetProperty("deliveredCount").GetInt32()} · {Num(f.GetProperty("deliveredPoints").GetDouble())} pts", (await cells.Nth(4).InnerTextAsync()).Trim());
            Assert.Equal(Pct(f.GetProperty("predictabilityCount")), (await cells.Nth(5).InnerTextAsync()).Trim());
            Assert.Equal(Pct(f.GetProperty("predictabilityPoints")), (await cells.Nth(6).InnerTextAsync()).Trim());
        }

        // The chart: planned and delivered points of each team the interval has started for, in the table's order.
        var started = teams.Where(t => t.GetProperty("phase").GetString() != "notStarted").ToList();
        var chart = await page.EvaluateAsync<JsonElement>("() => { const c = Chart.getChart('interval-chart'); return { labels: c.data.labels, planned: c.data.datasets[0].data, delivered: c.data.datasets[1].data }; }");
        Assert.Equal(started.Select(t => t.GetProperty("name").GetString()), chart.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(started.Select(t => t.GetProperty("figures").GetProperty("plannedPoints").GetDouble()), chart.GetProperty("planned").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(started.Select(t => t.GetProperty("figures").GetProperty("deliveredPoints").GetDouble()), chart.GetProperty("delivered").EnumerateArray().Select(v => v.GetDouble()));

        // The slips: one row per slipped epic or feature, with its team, key and reasons.
        var slips = teams.SelectMany(t => t.GetProperty("slipped").EnumerateArray().Select(s => (Team: t.GetProperty("name").GetString()!, Key: s.GetProperty("key").GetString()!,
            Reasons: string.Join("|", s.GetProperty("reasons").EnumerateArray().Select(r => Reason(r.GetString()!)))))).ToList();
        var slipRows = page.Locator("#interval-slips tbody tr");
        Assert.Equal(slips.Count, await slipRows.CountAsync());
        var shown = new List<(string, string, string)>();
        for (var i = 0; i < slips.Count; i++)
        {
            var cells = slipRows.Nth(i).Locator("td");
            var reasons = await cells.Nth(5).Locator(".badge").AllInnerTextsAsync();
            shown.Add(((await cells.Nth(0).InnerTextAsync()).Trim(), (await cells.Nth(1).InnerTextAsync()).Trim(), string.Join("|", reasons.Select(r => r.Trim()))));
        }
        Assert.Equal(slips.Order().ToList(), shown.Order().ToList());
    }

    private static string Reason(string r) => r switch
    {
        "blockedByTeam" => "blocked by another team", "carriedOver" => "carried over", "unplannedWork" => "unplanned work", _ => r,
    };

    private static string Pct(JsonElement figure) =>
        figure.GetProperty("value").ValueKind == JsonValueKind.Null ? "—" : $"{Math.Round(figure.GetProperty("value").GetDouble() * 100, MidpointRounding.AwayFromZero)} %";

    private static string Num(double v) => v.ToString("#,0.#", CultureInfo.InvariantCulture);
}
