using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;

namespace Alignment.IntegrationTests.Mi;

/// <summary>
/// <c>Analysis:VelocitySprints</c> and <c>Analysis:SayDoSprints</c> reach every figure through the real host: the MI (team,
/// organisation and explain), the planning pack's velocity and the retrospective's say/do trend (VelocitySprints long), on <see cref="MiStore"/>.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ConfiguredWindowTests(TestDatabase db) : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        _host = await TestHost.StartAsync(db, new
        {
            Sources = new[] { Configs.JiraSource("http://127.0.0.1:9/jira"), Configs.AdoSource("http://127.0.0.1:9/ado/org") },
            Teams = new[] { Configs.JiraTeam("payments", "Payments", "PAY", 12), Configs.AdoTeam("ledger", "Ledger", "Finance", "Ledger") },
            Auth = new { ApiKeys = TestHost.ApiKeys },
            Analysis = new { VelocitySprints = 3, SayDoSprints = 2 },
        });
        await MiStore.SeedAsync(db);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> Get(string path, string key)
    {
        using var c = _host.Client(key);
        using var r = await c.GetAsync(path);
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static double Value(JsonElement parent, string figure) => parent.GetProperty(figure).GetProperty("value").GetDouble();

    [Fact]
    public async Task The_mi_says_do_over_the_configured_sprints_and_velocity_over_its_own_window()
    {
        var teams = await Get("/api/mi/teams", TestHost.ManagementKey);
        var pay = teams.GetProperty("teams").EnumerateArray().Single(t => t.GetProperty("id").GetString() == "payments");

        // Payments' closed sprints committed 10, 10, 20, 10 and completed 8, 10, 10, 5: the last two give 15 ÷ 30 (three gave 0.625).
        Assert.Equal(0.5, Value(pay, "sayDo"), 9);
        Assert.Contains("last 2 closed sprints", pay.GetProperty("sayDo").GetProperty("definition").GetString());
        // Velocity over the last three: 10, 10, 5 → P50 10, trend −2.5; capacity 10 × 8 ÷ 10 days (four sprints gave P50 9, trend −0.9).
        Assert.Equal(10, Value(pay, "velocityP50"), 9);
        Assert.Equal(-2.5, Value(pay, "velocityTrend"), 9);
        Assert.Equal(8, Value(pay, "capacityPoints"), 9);

        var explain = await Get("/api/mi/teams/payments/explain?figure=sayDo", TestHost.ManagementKey);
        Assert.Equal(["s3", "s4"], explain.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("sprint").GetString()));

        // The organisation: payments 15 ÷ 30 plus ledger 16 ÷ 20; the velocity series has three points, not four.
        var overview = await Get("/api/mi/overview", TestHost.ManagementKey);
        Assert.Equal(31.0 / 50, Value(overview, "sayDo"), 9);
        Assert.Equal(3, overview.GetProperty("velocity").GetArrayLength());
    }

    [Fact]
    public async Task The_planning_pack_and_the_retrospective_use_the_configured_windows()
    {
        var planning = await Get("/api/teams/payments/planning", TestHost.PmoKey);
        var velocity = planning.GetProperty("velocity");
        Assert.Equal([10.0, 10, 5], velocity.GetProperty("completed").EnumerateArray().Select(x => x.GetDouble()));
        Assert.Equal(3, velocity.GetProperty("sprints").GetInt32());
        Assert.Equal(10, velocity.GetProperty("p50").GetDouble(), 9);

        var retro = await Get("/api/teams/payments/retrospective", TestHost.PmoKey);
        // The trend is a series per sprint, like the velocity: as many closed sprints as Analysis:VelocitySprints.
        Assert.Equal(["s2", "s3", "s4"], retro.GetProperty("sayDoTrend").EnumerateArray().Select(p => p.GetProperty("sprintId").GetString()));
    }
}
