using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Analysis;

/// <summary>
/// The simulated organisation with finance (<see cref="SimulatorOptions.Finance"/>: team costs with one rate change, budgets, planted
/// overruns in <c>/_sim/truth</c>), synced and analysed for real: every planted overrun is a BUDGET-OVERRUN finding and no other epic is.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SimulatedBudgetTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly SimulatorOptions Small = new() { Teams = 6, Items = 900, Links = 90, Seed = 7, Finance = true };

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Every_planted_budget_overrun_is_found_and_no_budget_overrun_that_was_not_planted()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Small);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        var truth = await org.TruthAsync();

        // The configuration carries costs for every team, one of them with a rate change.
        var costs = org.Config["Teams"]!.AsArray().Select(t => t!["Costs"]!.AsArray().Count).ToList();
        Assert.All(costs, c => Assert.True(c >= 1));
        Assert.Contains(2, costs);

        static (string, string) Ref(JsonElement e) => (e.GetProperty("tracker").GetString() == "jira" ? "jira" : "ado", e.GetProperty("key").GetString()!);
        var budgets = truth.GetProperty("budgets").EnumerateArray().ToList();
        var planted = budgets.Where(b => b.GetProperty("plantedOverrun").GetBoolean()).Select(Ref).ToHashSet();
        var notPlanted = budgets.Where(b => !b.GetProperty("plantedOverrun").GetBoolean()).Select(Ref).ToHashSet();
        Assert.Equal(2, planted.Count); // one per tracker
        Assert.NotEmpty(notPlanted);
        Assert.Equal(planted, truth.GetProperty("problems").EnumerateArray()
            .Where(p => p.GetProperty("kind").GetString() == "budgetOverrun").Select(p => Ref(p.GetProperty("items")[0])).ToHashSet());

        var found = (await db.QueryAsync<(string Severity, string Items)>(
                "SELECT severity, items::text FROM analysis.findings WHERE rule = 'BUDGET-OVERRUN'"))
            .Select(f => (f.Severity, Item: JsonDocument.Parse(f.Items).RootElement.EnumerateArray().Select(i => (i.GetProperty("source").GetString()!, i.GetProperty("key").GetString()!)).Single()))
            .ToList();
        foreach (var f in found) output.WriteLine($"BUDGET-OVERRUN {f.Severity} {f.Item}");
        Assert.Equal(planted, found.Select(f => f.Item).ToHashSet());

        using var board = org.Host.Client(TestHost.ManagementKey);
        var mi = await board.GetFromJsonAsync<JsonElement>("/api/mi/finance");
        Assert.All(mi.GetProperty("teams").EnumerateArray(), t => Assert.True(t.GetProperty("months").EnumerateArray().Sum(m => m.GetProperty("spend").GetDouble()) > 0,
            $"{t.GetProperty("team").GetString()} has no spend"));
        var epics = mi.GetProperty("epics").EnumerateArray().ToDictionary(e => (e.GetProperty("source").GetString()!, e.GetProperty("key").GetString()!));
        Assert.All(planted, p => Assert.Equal("overBudget", epics[p].GetProperty("budgetStatus").GetString()));
        Assert.All(notPlanted, p => Assert.Contains(epics[p].GetProperty("budgetStatus").GetString(), new[] { "withinBudget", "unknown" }));
    }
}
