using Alignment.IntegrationTests.Infrastructure;
using Alignment.IntegrationTests.Mi;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// The spend panel (<c>wwwroot/finance.js</c>) in a real browser on the finance store of <see cref="FinanceEndpointTests"/>: management
/// sees the stacked spend chart and the budget table; a product owner only their teams' epics, no chart. Both pass axe-core (WCAG 2.1 AA).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SpendPanelBrowserTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, FinanceEndpointTests.Config(), new FakeTimeProvider(FinanceEndpointTests.Now));
        await FinanceEndpointTests.SeedAsync(db);
        await _host.Services.AnalyzeAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(IPage Page, List<string> Errors)> SignedInAsync(IBrowser browser, string key)
    {
        var page = await Axe.NewPageAsync(browser, 1400); // axe-core is injected, past the CSP
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(_host.BaseAddress.ToString().TrimEnd('/') + "/");
        await page.FillAsync("#api-key", key);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#nav a[data-section=value]");
        await page.ClickAsync("#nav a[data-section=value]"); // the "Value & cost" page holds the spend panel
        await page.WaitForSelectorAsync("#spend-panel table");
        return (page, errors);
    }

    [Fact]
    public async Task Management_sees_the_spend_chart_and_budgets_and_a_product_owner_only_their_epics()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardBrowserTests.LaunchAsync(playwright);

        var (page, errors) = await SignedInAsync(browser, TestHost.ManagementKey);
        await page.WaitForSelectorAsync("#spend-chart");
        var painted = await page.EvaluateAsync<int>("""
            () => {
              const c = document.getElementById("spend-chart");
              if (!c || !c.width) return 0;
              const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
              return n;
            }
            """);
        Assert.True(painted > 500, "the spend chart has not drawn");
        var text = await page.InnerTextAsync("#spend-panel");
        Assert.Contains("Spend (EUR)", text);
        Assert.Contains("PAY-1", text);
        Assert.Contains("over budget", text);
        Assert.Contains("11,000 EUR", text);   // PAY-1's cost to date
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "spend-panel-management.png"), FullPage = true });
        var violations = (await Axe.ViolationsAsync(page, "value & cost with spend (management)")).ToList();

        var (owner, ownerErrors) = await SignedInAsync(browser, TestHost.AnnKey);
        var ownerText = await owner.InnerTextAsync("#spend-panel");
        Assert.Equal(0, await owner.Locator("#spend-chart").CountAsync());
        Assert.Contains("PAY-1", ownerText);
        Assert.DoesNotContain("Item 100", ownerText);
        violations.AddRange(await Axe.ViolationsAsync(owner, "value & cost with spend (product owner)"));
        Axe.AssertNone(violations);
        Assert.Empty(errors);
        Assert.Empty(ownerErrors);
        output.WriteLine(text);
    }
}
