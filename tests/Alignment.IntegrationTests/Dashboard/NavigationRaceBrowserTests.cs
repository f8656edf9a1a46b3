using Alignment.IntegrationTests.Infrastructure;
using Alignment.IntegrationTests.Mi;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// A page still loading when the user moves on must not replace the page they moved to (app.js renders each navigation through its own
/// view). The overview's answer is held back until the teams page is shown, then released.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class NavigationRaceBrowserTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams(), new FakeTimeProvider(DateTimeOffset.UtcNow));
        await MiStore.SeedAsync(db);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_slow_page_does_not_overwrite_the_page_the_user_moved_to()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardBrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var root = _host.BaseAddress.ToString().TrimEnd('/');
        await page.GotoAsync(root + "/#/teams");
        await page.FillAsync("#api-key", TestHost.PmoKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("text=Predictability and capacity");

        var held = new TaskCompletionSource();
        var requested = new TaskCompletionSource();
        await page.RouteAsync("**/api/mi/overview", async route =>
        {
            requested.TrySetResult();
            await held.Task;
            await route.ContinueAsync();
        });
        await page.ClickAsync("#nav a[data-section=overview]");
        await requested.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await page.ClickAsync("#nav a[data-section=teams]");
        await page.WaitForSelectorAsync("text=Predictability and capacity");
        // Once the overview's answer arrives, the stale overview builds its content (its trend panel asks for the history while the
        // content is put together, right before it would be shown): wait for that request, then the teams page must still be there.
        var staleRender = page.WaitForRequestAsync("**/api/mi/history**");
        held.SetResult();
        await staleRender;
        await page.EvaluateAsync("() => new Promise(r => setTimeout(r, 0))");
        Assert.Contains("Predictability and capacity", await page.InnerTextAsync("main"));
        Assert.DoesNotContain("Organisation overview", await page.InnerTextAsync("main"));
    }
}
