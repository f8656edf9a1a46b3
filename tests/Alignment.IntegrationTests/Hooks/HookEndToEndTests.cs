using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.Time.Testing;
using LinkKind = Alignment.Simulator.LinkKind;
using SprintState = Alignment.Simulator.SprintState;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Hooks;

/// <summary>
/// Webhooks end to end (docs/webhooks.md): the simulator sends real-shaped deliveries to the real host, whose Hangfire job makes the targeted
/// sync and runs the pipeline. The host's clock is a fake one at the simulator's time, so the tracker's and the host's "now" agree.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class HookEndToEndTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly SimulatorOptions Small = new() { Teams = 6, Items = 900, Links = 90, Seed = 7 };

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(SimulatedOrg Org, FakeTimeProvider Clock)> StartAsync(SimulatorHookOptions hooks)
    {
        var clock = new FakeTimeProvider(Small.Now);
        var org = await SimulatedOrg.StartAsync(db, Small, time: clock, configure: c =>
        {
            foreach (var s in c["Sources"]!.AsArray()) s!["Hooks"] = HookClient.Section(ado: s["Kind"]!.GetValue<string>() == "AzureDevOps");
        });
        org.Sim.Hooks = new HookSender(org.Sim.Organisation, hooks with
        {
            JiraUrl = org.Host.BaseAddress + "hooks/jira/jira", AdoUrl = org.Host.BaseAddress + "hooks/azure-devops/ado",
            Secret = HookClient.Secret, AdoHeader = HookClient.AdoHeader,
        }, () => org.Sim.JiraBaseUrl);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        return (org, clock);
    }

    /// <summary>An open Jira blocker of another team's item in an active sprint, planned to finish no later than that sprint.</summary>
    private static (Item Dependent, Item Blocker) BlockerInTime(SimulatedOrg org)
    {
        foreach (var l in org.Sim.Organisation.LinkList.Where(l => l.Kind == LinkKind.Blocks))
        {
            var (dependent, blocker) = (l.To, l.From);
            if (blocker.Tracker != Tracker.Jira || dependent.Team == blocker.Team) continue;
            if (!SimulatedOrganisation.IsOpen(dependent) || !SimulatedOrganisation.IsOpen(blocker)) continue;
            if (SimulatedOrganisation.OpenSprint(dependent) is not { State: SprintState.Active } sd || SimulatedOrganisation.OpenSprint(blocker) is not { } sb) continue;
            if (sb.FinishDay <= sd.FinishDay) return (dependent, blocker);
        }
        throw new Xunit.Sdk.XunitException("the simulated organisation has no blocker planned in time");
    }

    private static string Source(Item it) => it.Tracker == Tracker.Jira ? "jira" : "ado";

    /// <summary>The severity of the open DEP-LATE finding on this pair, as the findings API shows it; null when there is none.</summary>
    private static async Task<string?> DepLateAsync(HttpClient pmo, Item dependent, Item blocker)
    {
        var page = await pmo.GetFromJsonAsync<JsonElement>("/api/findings?rule=DEP-LATE&limit=500");
        foreach (var f in page.GetProperty("items").EnumerateArray())
        {
            var items = f.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("source").GetString(), i.GetProperty("key").GetString())).ToList();
            if (items.Contains((Source(dependent), dependent.Key)) && items.Contains((Source(blocker), blocker.Key))) return f.GetProperty("severity").GetString();
        }
        return null;
    }

    [Fact]
    public async Task A_blocker_moved_to_a_later_sprint_raises_DEP_LATE_through_its_webhook_without_a_poll()
    {
        var (org, _) = await StartAsync(new SimulatorHookOptions());
        await using var _ = org;
        var runsBefore = await db.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM ops.sync_runs");
        var (dependent, blocker) = BlockerInTime(org);
        using var pmo = org.Host.Client(TestHost.PmoKey);
        var before = await DepLateAsync(pmo, dependent, blocker);
        Assert.True(before is null or "info", $"{blocker.Key} is already late for {dependent.Key}: {before}");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(await org.Sim.MoveToLaterSprintAsync(blocker.Key, 2)); // the simulator sends the signed Jira delivery
        string? after = null;
        await HookClient.EventuallyAsync(async () => (after = await DepLateAsync(pmo, dependent, blocker)) is "warning" or "critical",
            $"DEP-LATE on {dependent.Key} blocked by {blocker.Key}");
        output.WriteLine($"{blocker.Key} postponed: DEP-LATE ({after}) on {dependent.Key} visible after {watch.ElapsedMilliseconds} ms");

        // The finding is visible once the analysis commits; the delivery is marked processed when the rest of its pass (MI, alerts) is done.
        await HookClient.EventuallyAsync(async () =>
                await db.ScalarAsync<string>("SELECT string_agg(DISTINCT status, ',') FROM ops.hook_deliveries") == "processed",
            "every delivery processed");
        // No poll ran: every sync since is the webhook's targeted one, of the blocker's team only.
        var runs = await db.QueryAsync<(string Trigger, string Source, string Status)>(
            "SELECT trigger, source_id, status FROM ops.sync_runs WHERE id > @runsBefore", new { runsBefore });
        Assert.NotEmpty(runs);
        Assert.All(runs, r => Assert.Equal(("hook", "jira", "succeeded"), r));
        var teams = await db.QueryAsync<string>("SELECT DISTINCT jsonb_array_elements(team_results)->>'teamId' FROM ops.sync_runs WHERE id > @runsBefore", new { runsBefore });
        output.WriteLine("targeted teams: " + string.Join(", ", teams));

        // Azure DevOps, the secret in the subscription's header: the moved work item's iteration is re-read.
        var ado = org.Sim.Organisation.Items.First(i => i.Tracker == Tracker.Ado && SimulatedOrganisation.IsOpen(i)
            && SimulatedOrganisation.OpenSprint(i) is { State: SprintState.Active });
        var sprintBefore = await db.ScalarAsync<string>("SELECT sprint_id FROM core.work_items WHERE source_id = 'ado' AND key = @Key", new { ado.Key });
        Assert.True(await org.Sim.MoveToLaterSprintAsync(ado.Key, 1));
        var expected = SimulatedOrganisation.OpenSprint(ado)!.AdoId.ToString().ToLowerInvariant();
        Assert.NotEqual(expected, sprintBefore);
        await HookClient.EventuallyAsync(async () =>
            await db.ScalarAsync<string>("SELECT sprint_id FROM core.work_items WHERE source_id = 'ado' AND key = @Key", new { ado.Key }) == expected,
            $"work item {ado.Key} in its new iteration");
    }

    [Fact]
    public async Task Duplicate_and_out_of_order_deliveries_leave_the_store_as_a_full_sync_does()
    {
        var (org, clock) = await StartAsync(new SimulatorHookOptions { DuplicateRate = 0.3, ReorderRate = 0.3, Seed = 3 });
        await using var _ = org;
        clock.Advance(TimeSpan.FromHours(24));
        await org.Sim.AdvanceAsync(TimeSpan.FromHours(24));
        var (sent, duplicated, reordered, _, refused) = org.Sim.HookCounts;
        output.WriteLine($"deliveries: {sent} sent, {duplicated} duplicated, {reordered} reordered, {refused} refused");
        Assert.True(duplicated > 0 && reordered > 0 && refused == 0);
        await AllProcessedAsync(sent - duplicated);
        Assert.Equal(sent - duplicated, await db.ScalarAsync<long>("SELECT count(*) FROM ops.hook_deliveries"));
        var hooked = await DumpAsync();

        // A poll now finds nothing the deliveries' targeted syncs had not written.
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        Assert.Equal(hooked.Order(StringComparer.Ordinal), (await DumpAsync()).Order(StringComparer.Ordinal));
        await AssertAsAFullSyncAsync(org, hooked);
    }

    [Fact]
    public async Task Dropped_deliveries_are_healed_by_the_next_poll()
    {
        var (org, clock) = await StartAsync(new SimulatorHookOptions { DropRate = 0.6, Seed = 5 });
        await using var _ = org;
        clock.Advance(TimeSpan.FromHours(24));
        await org.Sim.AdvanceAsync(TimeSpan.FromHours(24));
        var (sent, _, _, dropped, refused) = org.Sim.HookCounts;
        output.WriteLine($"deliveries: {sent} sent, {dropped} dropped");
        Assert.True(dropped > 0 && refused == 0);
        await AllProcessedAsync(sent);
        var hooked = await DumpAsync();

        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error)); // the poll
        var polled = await DumpAsync();
        output.WriteLine($"rows the poll added or changed: {polled.Except(hooked).Count()}");
        await AssertAsAFullSyncAsync(org, polled);
    }

    /// <summary>
    /// A full sync changes nothing of <paramref name="before"/> but Azure DevOps history: an incremental read of the revisions stream (a poll
    /// as much as a targeted sync) cannot tell the first transition of an item in its window without the item's earlier revision, which a
    /// full read of the stream has (a limitation of the incremental sync, not of webhooks: a poll without any delivery shows the same rows).
    /// </summary>
    private async Task AssertAsAFullSyncAsync(SimulatedOrg org, List<string> before)
    {
        Assert.All(await org.SyncAsync(full: true), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        var full = await DumpAsync();
        Assert.Equal(full.Where(r => !r.StartsWith("event|", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            before.Where(r => !r.StartsWith("event|", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Empty(before.Except(full));
        var onlyFull = full.Except(before).ToList();
        output.WriteLine($"history rows only the full read has: {onlyFull.Count}");
        Assert.All(onlyFull, r => Assert.StartsWith("event|ado|", r));
    }

    private async Task<List<string>> DumpAsync()
    {
        var rows = new List<string>();
        rows.AddRange(await db.QueryAsync<string>("SELECT concat_ws('|', 'item', source_id, key, type, title, status, status_category, story_points, team_id, sprint_id, parent_key, rank, deleted, sprint_ids) FROM core.work_items"));
        rows.AddRange(await db.QueryAsync<string>("SELECT concat_ws('|', 'sprint', source_id, external_id, name, state, start_at, end_at, completed_at) FROM core.sprints"));
        rows.AddRange(await db.QueryAsync<string>("SELECT concat_ws('|', 'teamsprint', team_id, sprint_id) FROM core.team_sprints"));
        rows.AddRange(await db.QueryAsync<string>("SELECT concat_ws('|', 'member', sprint_id, item_external_id) FROM core.sprint_items"));
        rows.AddRange(await db.QueryAsync<string>("SELECT concat_ws('|', 'event', source_id, item_external_id, event_id, kind, from_value, to_value, at) FROM core.item_events"));
        rows.AddRange(await db.QueryAsync<string>("SELECT concat_ws('|', 'cap', team_id, sprint_id, member, hours_per_day, available_days, days_off) FROM core.capacities"));
        rows.AddRange(await db.QueryAsync<string>("SELECT DISTINCT concat_ws('|', 'link', from_key, to_key, kind) FROM core.links"));
        return rows;
    }

    private Task AllProcessedAsync(long deliveries) => HookClient.EventuallyAsync(async () =>
        await db.ScalarAsync<long>("SELECT count(*) FROM ops.hook_deliveries WHERE status = 'processed'") == deliveries,
        $"{deliveries} deliveries processed", TimeSpan.FromMinutes(3));
}
