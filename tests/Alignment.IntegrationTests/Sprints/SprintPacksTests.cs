using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Sprints;

/// <summary>The retrospective and planning packs and the absences API over a simulated organisation, through HTTP.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SprintPacksTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly SimulatorOptions Org = new() { Teams = 6, Items = 900, Links = 90, Seed = 7 };
    private static readonly string[] Members = ["Ann", "Bram", "Carla"];

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The simulated organisation, with three capacity members configured on every Jira team, synced once.</summary>
    private async Task<(RunningSimulator Sim, TestHost Host, JsonElement Truth)> StartAsync()
    {
        var sim = await SimulatorServer.StartAsync(Org);
        using var http = new HttpClient();
        var config = JsonNode.Parse(await http.GetStringAsync(sim.BaseUrl + "/_sim/config"))!["Alignment"]!.AsObject();
        foreach (var s in config["Sources"]!.AsArray())
            s!["Sync"] = new JsonObject { ["Cron"] = "", ["FullCron"] = "", ["MaxRetries"] = 3, ["RequestTimeoutSeconds"] = 10 };
        foreach (var t in config["Teams"]!.AsArray().Where(t => t!["Source"]!.GetValue<string>() == "jira"))
            t!["Capacity"] = JsonNode.Parse(JsonSerializer.Serialize(new { Members = Members.Select(m => new { Name = m }), FocusFactor = 0.8 }));
        config["Auth"] = JsonNode.Parse(JsonSerializer.Serialize(new { ApiKeys = TestHost.ApiKeys }));
        var host = await TestHost.StartAsync(db, config);
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
            foreach (var s in new[] { "jira", "ado" })
                Assert.Equal(SyncStatus.Succeeded, (await scope.ServiceProvider.SyncOneAsync(new SyncRequest(s, Trigger: "test"))).Status);
        }
        return (sim, host, await http.GetFromJsonAsync<JsonElement>(sim.BaseUrl + "/_sim/truth"));
    }

    private static IEnumerable<JsonElement> Sprints(JsonElement truth, string team) =>
        truth.GetProperty("sprints").EnumerateArray().Where(s => s.GetProperty("team").GetString() == team);

    [Fact]
    public async Task The_retrospective_of_a_simulated_sprint_lists_its_carried_over_items_and_the_scope_added_after_the_start()
    {
        var (sim, host, truth) = await StartAsync();
        await using var simulator = sim;
        await using var running = host;
        using var client = host.Client(TestHost.PmoKey);

        // A closed sprint with both carried-over and added items.
        var (team, sprint) = await db.ScalarAsync<string>("""
            SELECT team_id || '|' || sprint_id FROM analysis.sprint_item_outcomes GROUP BY team_id, sprint_id
            HAVING bool_or(carried_over) AND bool_or(added) ORDER BY team_id, sprint_id LIMIT 1
            """) is { } pair ? (pair.Split('|')[0], pair.Split('|')[1]) : throw new InvalidOperationException("no sprint with carry-over and added scope");
        var expectedCarried = await db.QueryAsync<string>("""
            SELECT w.key FROM analysis.sprint_item_outcomes o JOIN core.work_items w ON w.source_id = o.source_id AND w.external_id = o.item_external_id
            WHERE o.team_id = @team AND o.sprint_id = @sprint AND o.carried_over ORDER BY 1
            """, new { team, sprint });
        var t = Sprints(truth, team).Single(s => s.GetProperty("id").GetString() == sprint);

        var pack = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/retrospective?sprint={sprint}");
        var s = pack.GetProperty("sprint");
        Assert.Equal(t.GetProperty("committedPoints").GetDouble(), s.GetProperty("committedPoints").GetDouble());
        Assert.Equal(t.GetProperty("completedPoints").GetDouble(), s.GetProperty("completedPoints").GetDouble());
        var added = pack.GetProperty("added").EnumerateArray().ToList();
        Assert.Equal(t.GetProperty("addedCount").GetInt32(), added.Count);
        Assert.Equal(t.GetProperty("addedPoints").GetDouble(), added.Sum(a => a.TryGetProperty("storyPoints", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 0));
        var carried = pack.GetProperty("carriedOver").EnumerateArray().Select(c => c.GetProperty("key").GetString()!).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(carried);
        Assert.Equal(expectedCarried.Order(StringComparer.Ordinal), carried);
        Assert.Equal(carried.Count, s.GetProperty("carriedOverCount").GetInt32());
        // A carried-over item is in the team's next sprint: committed there, and counted as carried into it.
        var next = Sprints(truth, team).OrderBy(x => x.GetProperty("start").GetString(), StringComparer.Ordinal)
            .SkipWhile(x => x.GetProperty("id").GetString() != sprint).Skip(1).First().GetProperty("id").GetString();
        Assert.Equal(carried.Count, await db.ScalarAsync<long>("""
            SELECT count(*) FROM analysis.sprint_item_outcomes o JOIN core.work_items w ON w.source_id = o.source_id AND w.external_id = o.item_external_id
            WHERE o.team_id = @team AND o.sprint_id = @next AND o.committed AND o.carry_count >= 1 AND w.key = ANY(@carried)
            """, new { team, next, carried = carried.ToArray() }));
        Assert.True(pack.GetProperty("sayDoTrend").GetArrayLength() >= 1);
        Assert.Equal(JsonValueKind.Array, pack.GetProperty("findingsRaised").ValueKind);
        Assert.Equal(JsonValueKind.Array, pack.GetProperty("blockersThatHit").ValueKind);

        // A blocker that hit: a sprint item depending on another team's item that has never been done.
        var hit = (await db.QueryAsync<(string Team, string Sprint, string Item, string Blocker)>("""
            SELECT o.team_id, o.sprint_id, w.key, b.key
            FROM analysis.sprint_item_outcomes o
            JOIN core.sprints s ON s.source_id = o.source_id AND s.external_id = o.sprint_id AND s.state = 'closed'
            JOIN core.work_items w ON w.source_id = o.source_id AND w.external_id = o.item_external_id
            JOIN core.links l ON l.from_source_id = w.source_id AND l.from_key = w.key AND l.kind = 'dependency'
            JOIN core.work_items b ON b.source_id = l.to_source_id AND b.key = l.to_key AND b.team_id IS DISTINCT FROM o.team_id
            WHERE (o.committed OR o.added) AND b.status_category <> 'done'
              AND NOT EXISTS (SELECT 1 FROM core.item_events e WHERE e.source_id = b.source_id AND e.item_external_id = b.external_id
                              AND e.kind = 'statusChanged' AND e.to_value = 'done')
            ORDER BY 1, 2, 3, 4 LIMIT 1
            """)).Single();
        var hitPack = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{hit.Team}/retrospective?sprint={hit.Sprint}");
        Assert.Contains(hitPack.GetProperty("blockersThatHit").EnumerateArray(),
            b => b.GetProperty("itemKey").GetString() == hit.Item && b.GetProperty("blockerKey").GetString() == hit.Blocker);

        // Without ?sprint= it is the team's last closed sprint; an unknown sprint is a 404 problem.
        var last = Sprints(truth, team).Where(x => x.GetProperty("state").GetString() == "closed").MaxBy(x => x.GetProperty("start").GetString(), StringComparer.Ordinal);
        var latest = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{team}/retrospective");
        Assert.Equal(last.GetProperty("id").GetString(), latest.GetProperty("sprint").GetProperty("id").GetString());
        using var missing = await client.GetAsync($"/api/teams/{team}/retrospective?sprint=nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_planning_pack_velocity_range_and_capacity_match_the_sprint_figures_and_absences_reduce_jira_capacity()
    {
        var (sim, host, truth) = await StartAsync();
        await using var simulator = sim;
        await using var running = host;
        using var client = host.Client(TestHost.PmoKey);

        foreach (var team in truth.GetProperty("teams").EnumerateArray())
            await AssertPlanningPackAsync(client, truth, team);

        // Absences: pmo registers one on a Jira team, the next sprint loses the member's working days in it.
        var jira = truth.GetProperty("teams").EnumerateArray().First(x => x.GetProperty("tracker").GetString() == "jira").GetProperty("id").GetString()!;
        var before = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{jira}/planning");
        var start = DateOnly.FromDateTime(before.GetProperty("nextSprint").GetProperty("start").GetDateTimeOffset().UtcDateTime);
        var firstMonday = Enumerable.Range(0, 7).Select(start.AddDays).First(d => d.DayOfWeek == DayOfWeek.Monday);
        using var created = await client.PostAsJsonAsync($"/api/teams/{jira}/absences",
            new { member = "Bram", from = firstMonday.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = firstMonday.AddDays(6).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), note = "leave" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var absence = await created.Content.ReadFromJsonAsync<JsonElement>();
        var after = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{jira}/planning");
        Assert.Equal(before.GetProperty("capacityDays").GetDouble() - 5 * 0.8, after.GetProperty("capacityDays").GetDouble(), 9);
        var listed = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{jira}/absences");
        Assert.Equal("Bram", Assert.Single(listed.EnumerateArray()).GetProperty("member").GetString());

        using var invalid = await client.PostAsJsonAsync($"/api/teams/{jira}/absences", new { member = "", from = "2026-03-10", to = "2026-03-01" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("to", out _));
        using (var owner = host.Client(TestHost.AnnKey))
        using (var forbidden = await owner.PostAsJsonAsync($"/api/teams/{jira}/absences", new { member = "x", from = "2026-03-01", to = "2026-03-01" }))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        using var deleted = await client.DeleteAsync($"/api/teams/{jira}/absences/{absence.GetProperty("id").GetInt64()}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var restored = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{jira}/planning");
        Assert.Equal(before.GetProperty("capacityDays").GetDouble(), restored.GetProperty("capacityDays").GetDouble(), 9);
        using var gone = await client.DeleteAsync($"/api/teams/{jira}/absences/{absence.GetProperty("id").GetInt64()}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    /// <summary>One team's planning pack: the velocity range over its last closed sprints as the truth has them, and its capacity.</summary>
    private async Task AssertPlanningPackAsync(HttpClient client, JsonElement truth, JsonElement team)
    {
        var id = team.GetProperty("id").GetString()!;
        var pack = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{id}/planning");
        var sprints = await client.GetFromJsonAsync<JsonElement>($"/api/teams/{id}/sprints");
        var closed = sprints.EnumerateArray().Where(x => x.GetProperty("state").GetString() == "closed").Take(6).Reverse().ToList();
        var completed = closed.Select(x => x.GetProperty("completedPoints").GetDouble()).ToList();
        var v = pack.GetProperty("velocity");
        Assert.Equal(completed, v.GetProperty("completed").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal(Stats.Percentile(completed, 0.15)!.Value, v.GetProperty("p15").GetDouble(), 9);
        Assert.Equal(Stats.Percentile(completed, 0.50)!.Value, v.GetProperty("p50").GetDouble(), 9);
        Assert.Equal(Stats.Percentile(completed, 0.85)!.Value, v.GetProperty("p85").GetDouble(), 9);
        // The same figures the truth gives for those sprints.
        var truthCompleted = Sprints(truth, id).Where(x => x.GetProperty("state").GetString() == "closed")
            .OrderBy(x => x.GetProperty("start").GetString(), StringComparer.Ordinal).TakeLast(6).Select(x => x.GetProperty("completedPoints").GetDouble());
        Assert.Equal(truthCompleted, completed);

        var next = pack.GetProperty("nextSprint");
        Assert.Equal(JsonValueKind.Object, next.ValueKind);
        var capacity = pack.GetProperty("capacityDays").GetDouble();
        var sprint = sprints.EnumerateArray().Single(x => x.GetProperty("id").GetString() == next.GetProperty("id").GetString());
        if (team.GetProperty("tracker").GetString() == "jira")
        {
            var days = CapacityCalculator.WorkingDays(sprint.GetProperty("start").GetDateTimeOffset(), sprint.GetProperty("end").GetDateTimeOffset(),
                CapacityCalculator.DefaultWorkingDays).Count();
            Assert.Equal(Members.Length * days * 0.8, capacity, 9);
            // The closed sprints' capacities are in the figures, and the suggested load scales P50 by the capacity ratio.
            var average = closed.Average(x => x.GetProperty("capacityDays").GetDouble());
            Assert.Equal(average, pack.GetProperty("averageCapacityDays").GetDouble(), 9);
            Assert.Equal(v.GetProperty("p50").GetDouble() * capacity / average, pack.GetProperty("suggestedLoad").GetDouble(), 9);
        }
        else
        {
            var stored = await db.ScalarAsync<double>(
                "SELECT sum(available_days * hours_per_day / 8.0) FROM core.capacities WHERE team_id = @id AND sprint_id = @sprint",
                new { id, sprint = next.GetProperty("id").GetString() });
            Assert.Equal(stored, capacity, 9);
            Assert.True(capacity > 0);
        }
    }
}
