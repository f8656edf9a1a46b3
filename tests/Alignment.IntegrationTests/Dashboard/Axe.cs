using Microsoft.Playwright;

namespace Alignment.IntegrationTests.Dashboard;

/// <summary>
/// axe-core (WCAG 2.0/2.1 A and AA rules) in a Playwright page. <c>./dev.sh test</c> installs the pinned npm package into
/// <c>.dev/axe</c> (ensure_axe); the script is injected from there, so no page of the dashboard loads it itself.
/// </summary>
internal static class Axe
{
    public static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

    /// <summary>.dev/axe/node_modules/axe-core/axe.min.js under the checkout (the folder holding dev.sh).</summary>
    public static string ScriptPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "dev.sh"))) dir = dir.Parent;
        var path = Path.Combine(dir?.FullName ?? ".", ".dev", "axe", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(path), $"{path} is missing: run the tests through ./dev.sh test, which installs axe-core into .dev/axe");
        return path;
    }

    /// <summary>
    /// A page for axe: the host's Content-Security-Policy (script-src 'self') refuses the injected script tag, so this page bypasses it;
    /// the dashboard's other browser tests run under the policy.
    /// </summary>
    public static Task<IPage> NewPageAsync(IBrowser browser, int height = 1000) =>
        browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = height }, BypassCSP = true });

    /// <summary>
    /// The violations on the page as it is now, one line per element: "view: rule (impact) selector: what to fix". The script is
    /// injected once per document (a hash route keeps it; a full navigation does not).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page, string view)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await page.AddScriptTagAsync(new() { Path = ScriptPath() });
        var lines = await page.EvaluateAsync<string[]>("""
            async tags => {
              const r = await axe.run(document, { runOnly: { type: "tag", values: tags } });
              return r.violations.flatMap(v => v.nodes.map(n =>
                `${v.id} (${v.impact}) ${n.target.join(" ")}: ${(n.failureSummary || v.help).replace(/\s+/g, " ").trim()}`));
            }
            """, Tags);
        return lines.Select(l => $"{view}: {l}").ToList();
    }

    /// <summary>Fails with every violation, grouped by view, when there is any.</summary>
    public static void AssertNone(IReadOnlyCollection<string> violations) =>
        Assert.True(violations.Count == 0, $"{violations.Count} accessibility violations (axe-core, WCAG 2.1 A/AA):\n" + string.Join("\n", violations));
}
