using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.IntegrationTests.Mi;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// The dependencies page (<c>wwwroot/deps.js</c>) against GET /api/mi/dependencies on the hand-built store: the team × team matrix
/// (rows wait for columns), the "at risk only" filter on matrix, graph and edge table, and team names, not ids, in the edge table.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DependencyMatrixBrowserTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        await MiStore.SeedAsync(db);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed record Edge(string From, string To, int Dependencies, int AtRisk, bool IsAtRisk);

    [Fact]
    public async Task Matrix_filter_and_edge_table_show_the_apis_edges_by_team_name()
    {
        var api = await _host.Client(TestHost.PmoKey).GetFromJsonAsync<JsonElement>("/api/mi/dependencies");
        var names = api.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("team").GetString()!, n => n.GetProperty("name").GetString()!);
        var edges = api.GetProperty("edges").EnumerateArray().Select(e => new Edge(e.GetProperty("from").GetString()!, e.GetProperty("to").GetString()!,
            e.GetProperty("dependencies").GetInt32(), e.GetProperty("atRisk").GetInt32(), e.GetProperty("isAtRisk").GetBoolean())).ToList();
        var risky = edges.Where(e => e.IsAtRisk).ToList();
        Assert.NotEmpty(risky);
        Assert.All(names, n => Assert.NotEqual(n.Key, n.Value)); // ids and names differ, or the names check proves nothing

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardBrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(_host.BaseAddress.ToString().TrimEnd('/') + "/");
        await page.FillAsync("#api-key", TestHost.PmoKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#org-velocity");
        await page.ClickAsync("#nav a[data-section=dependencies]");
        await page.WaitForSelectorAsync("#deps-edges table");

        // The edge table: team names in the first two columns, one row per edge.
        await AssertEdgeTableAsync(page, edges, names);

        // The matrix: a cell per edge, at row "from" and column "to", its count (at-risk count marked), highlighted when at risk.
        await page.SelectOptionAsync("#deps-view", "matrix");
        await page.WaitForSelectorAsync("#deps-matrix");
        Assert.Equal(edges.Count, await page.Locator("#deps-matrix td button.cell").CountAsync());
        foreach (var e in edges)
        {
            var cell = page.Locator($"#deps-matrix td[data-from='{e.From}'][data-to='{e.To}']");
            Assert.Equal(e.AtRisk > 0 ? $"{e.Dependencies} ({e.AtRisk}!)" : e.Dependencies.ToString(), (await cell.InnerTextAsync()).Trim());
            Assert.Equal(e.AtRisk > 0, (await cell.GetAttributeAsync("class"))!.Contains("risk"));
            Assert.Contains($"{names[e.From]} waits for {names[e.To]}", await cell.Locator("button").GetAttributeAsync("title"));
            Assert.Equal(names[e.From], (await page.Locator($"#deps-matrix tbody th[data-team='{e.From}']").InnerTextAsync()).Trim());
            Assert.Equal(names[e.To], (await page.Locator($"#deps-matrix thead th[data-team='{e.To}']").InnerTextAsync()).Trim());
        }
        Assert.Equal(edges.Sum(e => e.Dependencies).ToString(), (await page.Locator("#deps-matrix tfoot td").Last.InnerTextAsync()).Trim());
        // A cell opens the edge's items in the explain drawer.
        await page.Locator($"#deps-matrix td[data-from='{risky[0].From}'][data-to='{risky[0].To}'] button").ClickAsync();
        await page.WaitForSelectorAsync("#drawer table");
        Assert.Contains($"{names[risky[0].From]} → {names[risky[0].To]}", await page.InnerTextAsync("#drawer h2"));
        await page.ClickAsync("#drawer button[aria-label=Close]");

        // At risk only: the matrix, the edge table and the graph keep only the at-risk edges.
        await page.CheckAsync("#deps-at-risk");
        Assert.Equal(risky.Count, await page.Locator("#deps-matrix td button.cell").CountAsync());
        Assert.Equal(risky.Sum(e => e.Dependencies).ToString(), (await page.Locator("#deps-matrix tfoot td").Last.InnerTextAsync()).Trim());
        await AssertEdgeTableAsync(page, risky, names);
        await page.SelectOptionAsync("#deps-view", "graph");
        await page.WaitForSelectorAsync("svg.graph");
        Assert.Equal(risky.Count, await page.Locator("svg.graph path.edge").CountAsync());
        Assert.Equal(risky.Count, await page.Locator("svg.graph path.at-risk").CountAsync());
        await page.UncheckAsync("#deps-at-risk");
        Assert.Equal(edges.Count, await page.Locator("svg.graph path.edge").CountAsync());
        await AssertEdgeTableAsync(page, edges, names);
        Assert.Empty(errors);
    }

    private static async Task AssertEdgeTableAsync(IPage page, List<Edge> edges, Dictionary<string, string> names)
    {
        var rows = page.Locator("#deps-edges tbody tr");
        Assert.Equal(edges.Count, await rows.CountAsync());
        var shown = new List<(string, string, string)>();
        for (var i = 0; i < edges.Count; i++)
        {
            var cells = rows.Nth(i).Locator("td");
            shown.Add(((await cells.Nth(0).InnerTextAsync()).Trim(), (await cells.Nth(1).InnerTextAsync()).Trim(), (await cells.Nth(2).InnerTextAsync()).Trim()));
        }
        var expected = edges.Select(e => (names[e.From], names[e.To], e.Dependencies.ToString())).Order().ToList();
        Assert.Equal(expected, shown.Order().ToList());
    }
}
