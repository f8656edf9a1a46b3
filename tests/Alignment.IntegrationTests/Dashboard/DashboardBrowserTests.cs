using Alignment.IntegrationTests.Freshness;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.IntegrationTests.Mi;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser: Playwright for .NET driving Debian's Chromium (no browser download; ./dev.sh test installs
/// the chromium package). Screenshots are kept under .dev/test-results/dashboard/.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DashboardBrowserTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private TestHost _host = null!;
    // The store is built around the real date; the host's clock starts there and moves only when a test says so.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Configs.TwoTeams(), _clock);
        await MiStore.SeedAsync(db);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Debian's chromium, headless, as every browser test of the dashboard launches it.</summary>
    internal static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the tests through ./dev.sh test, which installs Debian's chromium package");
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [Fact]
    public async Task Banner_names_a_failed_source_and_is_gone_when_every_source_is_fresh()
    {
        var now = _clock.GetUtcNow();
        const string error = "401 Unauthorized <img src=x onerror=alert(1)>";
        await SyncStateSeed.StateAsync(db, "jira", "payments", "failed", now.AddMinutes(-5), now.AddDays(-2), error);
        await SyncStateSeed.StateAsync(db, "ado", "ledger", "succeeded", now.AddMinutes(-5), now.AddMinutes(-5));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var dialogs = 0;
        var errors = new List<string>();
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        page.PageError += (_, e) => errors.Add(e);
        var root = _host.BaseAddress.ToString().TrimEnd('/');

        await page.GotoAsync(root + "/");
        await page.FillAsync("#api-key", TestHost.ManagementKey);
        await page.ClickAsync("#signin button[type=submit]");

        // jira's payments failed: the banner names the source, its status and team, and shows the tracker's error as text.
        await page.WaitForSelectorAsync("#sync-banner[data-state=stale]");
        await Shot(page, ScreenshotDirectory(), "stale-banner");
        Assert.True(await page.IsVisibleAsync("#sync-banner"));
        var text = await page.InnerTextAsync("#sync-banner");
        Assert.Contains("jira (failed, teams payments", text);
        Assert.Contains("last success " + now.AddDays(-2).ToString("yyyy-MM-dd"), text);
        Assert.Contains(error, text);
        Assert.DoesNotContain("ado", text);
        Assert.Equal(0, await page.Locator("#sync-banner img").CountAsync());
        // It is on every page, not only the overview.
        await page.GotoAsync(root + "/#/epics");
        await page.WaitForSelectorAsync("text=Roll-up with forecasts");
        await page.WaitForSelectorAsync("#sync-banner[data-state=stale]");

        // The next run succeeds: no banner.
        await SyncStateSeed.StateAsync(db, "jira", "payments", "succeeded", now.AddMinutes(1), now.AddMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(2));
        await page.GotoAsync(root + "/#/teams");
        await page.WaitForSelectorAsync("#sync-banner[data-state=fresh]", new() { State = WaitForSelectorState.Attached });
        Assert.False(await page.IsVisibleAsync("#sync-banner"));
        Assert.Equal("", (await page.InnerTextAsync("#sync-banner")).Trim());

        Assert.Equal(0, dialogs);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Overview_and_team_page_render_with_data_charts_and_tracker_text_as_text()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var dialogs = 0;
        var errors = new List<string>();
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        page.PageError += (_, e) => errors.Add(e);
        var screenshots = ScreenshotDirectory();
        var root = _host.BaseAddress.ToString().TrimEnd('/');

        // Sign in with a management key (kept in the SameSite=Strict alignment-key cookie).
        await page.GotoAsync(root + "/");
        await page.FillAsync("#api-key", TestHost.ManagementKey);
        await page.ClickAsync("#signin button[type=submit]");
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == "alignment-key");
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);

        // Overview: figures from the hand-built store, the team table, and a drawn chart.
        await page.WaitForSelectorAsync("#org-velocity");
        await Shot(page, screenshots, "overview");
        var main = await page.InnerTextAsync("main");
        Assert.Contains("Commitment vs capacity", main, StringComparison.OrdinalIgnoreCase);   // labels are upper-cased by CSS
        Assert.Contains("99 %", main);                 // 15 of 15.2 points
        Assert.Contains("68 %", main);                 // say/do 41/60
        Assert.Contains("Payments", main);
        Assert.Contains("Ledger", main);
        Assert.True(await PaintedPixels(page, "org-velocity") > 500, "the organisation velocity chart has not drawn");
        Assert.True(await PaintedPixels(page, "findings-by-rule") > 100, "the findings chart has not drawn");

        // The explain drawer lists the rows behind a figure.
        await page.Locator(".card", new() { HasText = "Say / do" }).Locator("button.explain").ClickAsync();
        await page.WaitForSelectorAsync("#drawer table");
        Assert.Contains("/api/mi/teams/payments/explain?figure=sayDo", await page.InnerTextAsync("#drawer"));   // each team's share, with its own explain link

        // Team page: velocity committed vs completed, say/do, capacity, and the active sprint's items, titles as text.
        await page.GotoAsync(root + "/#/teams/payments");
        await page.WaitForSelectorAsync("#team-velocity");
        await page.WaitForSelectorAsync("text=In the active sprint");
        await Shot(page, screenshots, "team");
        main = await page.InnerTextAsync("main");
        Assert.Contains("63 %", main);                 // say/do 0.625
        Assert.Contains("139 %", main);                // capacity use 10 / 7.2
        Assert.True(await PaintedPixels(page, "team-velocity") > 500, "the team velocity chart has not drawn");
        Assert.True(await PaintedPixels(page, "team-capacity") > 100, "the team capacity chart has not drawn");
        Assert.Contains(MiStore.XssTitle, main);
        Assert.Equal(0, await page.Locator("main img").CountAsync());

        // Epics and dependencies render too; the tracker title stays text there as well.
        await page.GotoAsync(root + "/#/epics");
        await page.WaitForSelectorAsync("text=Roll-up with forecasts");
        Assert.Contains(MiStore.XssTitle, await page.InnerTextAsync("main"));
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        await Shot(page, screenshots, "epics");
        await page.GotoAsync(root + "/#/dependencies");
        await page.WaitForSelectorAsync("svg.graph path.at-risk");
        await Shot(page, screenshots, "dependencies");
        await page.GotoAsync(root + "/#/findings");
        await page.WaitForSelectorAsync("text=Counts by rule", new() { Timeout = 10000 });
        await Shot(page, screenshots, "findings");

        Assert.Equal(0, dialogs);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_dashboards_api_module_sends_the_antiforgery_token_with_a_post_and_a_forged_post_is_refused()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run the tests through ./dev.sh test, which installs Debian's chromium package");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        var root = _host.BaseAddress.ToString().TrimEnd('/');
        await page.GotoAsync(root + "/");
        await page.FillAsync("#api-key", TestHost.PmoKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#org-velocity");
        var id = await db.ScalarAsync<long>("SELECT id FROM analysis.findings WHERE fingerprint = 'f1'");

        // What another site's form or script could do with the cookie alone: refused, nothing changes.
        var forged = await page.EvaluateAsync<int>("id => fetch(`/api/findings/${id}/acknowledge`, { method: 'POST', credentials: 'same-origin' }).then(r => r.status)", id);
        Assert.Equal(400, forged);
        Assert.Equal("open", await db.ScalarAsync<string>("SELECT status FROM analysis.findings WHERE id = @id", new { id }));

        // The dashboard's own module (api.js) fetches the token and sends it.
        var status = await page.EvaluateAsync<string>("async id => (await (await import('/api.js')).post(`/api/findings/${id}/acknowledge`)).status", id);
        Assert.Equal("acknowledged", status);
        Assert.Equal("acknowledged", await db.ScalarAsync<string>("SELECT status FROM analysis.findings WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Value_page_charts_wsjf_against_rank_highlights_the_inversion_and_lists_the_items_as_text()
    {
        var now = _clock.GetUtcNow();
        const string title = "Payouts <img src=x onerror=alert(1)>";
        MiValueItem Item(string key, int rank, double? wsjf, bool low = false, bool high = false, string[]? with = null) =>
            new("jira", key, key == "PAY-3" ? title : "Epic " + key, "https://jira.example/browse/" + key, WorkItemType.Epic, "payments", StatusCategory.Todo,
                rank, null, 5, 3, 1, 9, wsjf is null ? null : 9 / wsjf, "field", wsjf, null, low, high, with ?? [], $"/api/mi/value/jira/{key}/explain");
        var doc = new MiValue(now, MiValue.WsjfDefinition,
            [Item("PAY-1", 1, 3), Item("PAY-2", 2, 1, high: true, with: ["PAY-3"]), Item("PAY-3", 3, 4.5, low: true, with: ["PAY-2"]), Item("PAY-4", 4, null)]);
        await using (var conn = await db.DataSource.OpenConnectionAsync())
        await using (var tx = await conn.BeginTransactionAsync())
        {
            await MiSnapshots.WriteValueAsync(conn, tx, doc, default);
            await tx.CommitAsync();
        }
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var errors = new List<string>();
        var dialogs = 0;
        page.PageError += (_, e) => errors.Add(e);
        page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        var root = _host.BaseAddress.ToString().TrimEnd('/');
        await page.GotoAsync(root + "/");
        await page.FillAsync("#api-key", TestHost.ManagementKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("text=Overview");
        await page.ClickAsync("#nav a[data-section=value]");
        await page.WaitForSelectorAsync("text=Epics and features by rank");
        await page.WaitForSelectorAsync("#value-table td");
        await Shot(page, ScreenshotDirectory(), "value");

        Assert.Contains("4 epics and features, 3 with WSJF, 1 ranked too low", await page.InnerTextAsync("main"));
        Assert.True(await PaintedPixels(page, "value-chart") > 500, "the WSJF-vs-rank chart is drawn");
        // Chart.js's datasets: the inversion is the one red point.
        Assert.Equal(1, await page.EvaluateAsync<int>("() => Chart.getChart('value-chart').data.datasets[1].data.length"));
        Assert.Equal(2, await page.EvaluateAsync<int>("() => Chart.getChart('value-chart').data.datasets[0].data.length"));
        var table = await page.InnerTextAsync("#value-table");
        Assert.Contains("below PAY-2", table);
        Assert.Contains("above PAY-3", table);
        Assert.Contains(title, table);
        Assert.Equal(0, await page.Locator("#value-table img").CountAsync());
        Assert.Equal(1, await page.Locator("#spend-panel").CountAsync());
        await page.SelectOptionAsync("#value-backlog", "payments|epic");
        Assert.Equal(4, await page.Locator("#value-table tbody tr").CountAsync());
        Assert.Empty(errors);
        Assert.Equal(0, dialogs);
    }

    private static async Task<int> PaintedPixels(IPage page, string canvasId) => await page.EvaluateAsync<int>("""
        id => {
          const c = document.getElementById(id);
          if (!c || !c.width || !c.height) return 0;
          const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n;
        }
        """, canvasId);

    private async Task Shot(IPage page, string dir, string name)
    {
        var path = Path.Combine(dir, $"dashboard-{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        Console.WriteLine($"screenshot: {path}");
    }

    /// <summary>.dev/test-results/dashboard under the checkout (the directory ./dev.sh test collects results in).</summary>
    private static string ScreenshotDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "dev.sh"))) dir = dir.Parent;
        var path = Path.Combine(dir?.FullName ?? Path.GetTempPath(), ".dev", "test-results", "dashboard");
        Directory.CreateDirectory(path);
        return path;
    }
}
