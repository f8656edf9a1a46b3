using Alignment.IntegrationTests.Freshness;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.IntegrationTests.Mi;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// WCAG 2.1 AA for the dashboard: axe-core (<see cref="Axe"/>) on every page and view, as the PMO (who sees the team data) and as
/// management (who sees the findings counts instead of the list), with the stale-data banner and the explain drawer open; the intervals
/// page on a seeded intervals document (<see cref="Intervals.IntervalSeed"/>), finished and running.
/// Any violation fails, listed by view, rule, impact and element.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class DashboardAccessibilityTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private TestHost _host = null!;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, Intervals.IntervalSeed.WithIntervals(Configs.TwoTeams()), _clock);
        await MiStore.SeedAsync(db);
        await SeedValueAsync();
        await Intervals.IntervalSeed.WriteAsync(db, _clock.GetUtcNow());
        var now = _clock.GetUtcNow();
        // A failed source: the banner is on every page while axe looks.
        await SyncStateSeed.StateAsync(db, "jira", "payments", "failed", now.AddMinutes(-5), now.AddDays(-2), "401 Unauthorized");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private string Root => _host.BaseAddress.ToString().TrimEnd('/');

    [Fact]
    public async Task Every_page_and_view_of_the_dashboard_passes_axe_wcag21_aa()
    {
        Axe.ScriptPath(); // fails first, and clearly, without axe-core
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await DashboardBrowserTests.LaunchAsync(playwright);
        var page = await Axe.NewPageAsync(browser);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var found = new List<string>();
        async Task Check(string view) { var v = await Axe.ViolationsAsync(page, view); found.AddRange(v); output.WriteLine($"{view}: {v.Count}"); }

        await page.GotoAsync(Root + "/");
        await page.WaitForSelectorAsync("#api-key");
        await Check("sign-in");
        await page.FillAsync("#api-key", TestHost.PmoKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#org-velocity");
        await page.WaitForSelectorAsync("#sync-banner[data-state=stale]");
        await Check("overview");
        await page.Locator(".card", new() { HasText = "Say / do" }).Locator("button.explain").ClickAsync();
        await page.WaitForSelectorAsync("#drawer table");
        await Check("overview with the explain drawer");

        await Route(page, "teams", "text=Predictability and capacity");
        await Check("teams");
        await Route(page, "teams/payments", "#team-velocity");
        await page.WaitForSelectorAsync("text=In the active sprint");
        await Check("team page");
        await Route(page, "teams/payments/planning", "main .panel");
        await Check("planning pack");
        await Route(page, "teams/payments/retrospective", "main .panel, main .notice");
        await Check("retrospective pack");
        await Route(page, "epics", "text=Roll-up with forecasts");
        await Check("epics");
        await Route(page, "dependencies", "#deps-picture svg.graph, #deps-matrix");
        await page.SelectOptionAsync("#deps-view", "graph");
        await page.WaitForSelectorAsync("svg.graph");
        await Check("dependencies: graph");
        await page.SelectOptionAsync("#deps-view", "matrix");
        await page.WaitForSelectorAsync("#deps-matrix");
        await Check("dependencies: matrix");
        await page.CheckAsync("#deps-at-risk");
        await Check("dependencies: matrix, at risk only");
        await Route(page, "findings", "main table");
        await Check("findings");
        await Route(page, "value", "#value-table td");
        await Check("value & cost");
        await Route(page, "intervals", "#interval-slips td");
        await Check("intervals: finished, with slips");
        await page.SelectOptionAsync("#interval-select", Intervals.IntervalSeed.Running);
        await page.WaitForSelectorAsync("#interval-teams .badge.atRisk");
        await Check("intervals: running, a team at risk");

        // Management reads the MI only: the findings page shows counts by rule.
        await page.Context.ClearCookiesAsync();
        await page.GotoAsync(Root + "/");
        await page.FillAsync("#api-key", TestHost.ManagementKey);
        await page.ClickAsync("#signin button[type=submit]");
        await page.WaitForSelectorAsync("#org-velocity");
        await Route(page, "findings", "text=Counts by rule");
        await Check("findings (management)");

        Axe.AssertNone(found);
        Assert.Empty(errors);
    }

    private async Task Route(IPage page, string hash, string ready)
    {
        await page.GotoAsync($"{Root}/#/{hash}");
        await page.WaitForSelectorAsync(ready, new() { Timeout = 10000 });
        await page.WaitForSelectorAsync("main .loading", new() { State = WaitForSelectorState.Detached });
    }

    private async Task SeedValueAsync()
    {
        var now = _clock.GetUtcNow();
        MiValueItem Item(string key, int rank, double? wsjf, bool low = false, bool high = false, string[]? with = null) =>
            new("jira", key, "Epic " + key, "https://jira.example/browse/" + key, WorkItemType.Epic, "payments", StatusCategory.Todo,
                rank, null, 5, 3, 1, 9, wsjf is null ? null : 9 / wsjf, "field", wsjf, null, low, high, with ?? [], $"/api/mi/value/jira/{key}/explain");
        var doc = new MiValue(now, MiValue.WsjfDefinition,
            [Item("PAY-1", 1, 3), Item("PAY-2", 2, 1, high: true, with: ["PAY-3"]), Item("PAY-3", 3, 4.5, low: true, with: ["PAY-2"]), Item("PAY-4", 4, null)]);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await MiSnapshots.WriteValueAsync(conn, tx, doc, default);
        await tx.CommitAsync();
    }
}
