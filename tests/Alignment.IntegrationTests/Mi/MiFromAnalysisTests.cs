using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alignment.IntegrationTests.Mi;

/// <summary>
/// After an analysis the pipeline builds the MI from the analysis's own rows (epics, epic items, dependencies, forecasts) instead of
/// reading them again (<see cref="MiBuilder.FromAnalysis"/>). On the simulated organisation, after a full and after an incremental
/// analysis, those rows and the four documents built from them equal what the store gives.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class MiFromAnalysisTests(TestDatabase db) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(0)]   // a full analysis
    [InlineData(360)] // an incremental one after sprints closed and started
    public async Task The_MI_built_from_the_analysis_equals_the_MI_read_from_the_store(int hours)
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions(), time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        var run = await org.Host.Services.AnalyzeAsync();
        if (hours > 0)
        {
            using (var http = new HttpClient())
                (await http.PostAsync($"{org.Sim.BaseUrl}/_sim/advance?hours={hours}", null)).EnsureSuccessStatusCode();
            clock.Advance(TimeSpan.FromHours(hours));
            Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
            run = await org.Host.Services.AnalyzeAsync();
            Assert.True(run.Incremental);
        }
        Assert.NotNull(run.Mi);

        await using var conn = await db.DataSource.OpenConnectionAsync();
        var stored = await MiBuilder.LoadAsync(conn, default);
        var taken = await MiBuilder.LoadAsync(conn, default, run.Mi);
        Assert.NotEmpty(stored.Epics);
        Assert.NotEmpty(stored.EpicItems);
        Assert.NotEmpty(stored.Dependencies);
        Assert.Contains(stored.Dependencies, d => d.FromSprintStateName is not null && d.ToSprintStateName is not null);
        Assert.Equal(stored.Epics, taken.Epics); // the same order too
        Assert.Equal(Sorted(stored.EpicItems), Sorted(taken.EpicItems));
        Assert.Equal(stored.EpicItems.Count, taken.EpicItems.Count);
        Assert.Equal(Sorted(stored.Dependencies), Sorted(taken.Dependencies));
        Assert.Equal(stored.Dependencies.Count, taken.Dependencies.Count);
        Assert.Equal(stored.Forecasts.OrderBy(f => f.Key).ToList(), taken.Forecasts.OrderBy(f => f.Key).ToList());
        Assert.Equal(stored.ForecastsAvailable, taken.ForecastsAvailable);

        var windows = MiWindows.Of(org.Host.Services.GetRequiredService<IOptions<AlignmentOptions>>().Value.Analysis);
        var (a, b) = (MiBuilder.Build(stored, clock.GetUtcNow(), windows), MiBuilder.Build(taken, clock.GetUtcNow(), windows));
        Assert.Equal(Json(a), Json(b));
    }

    private static List<string> Sorted<T>(IEnumerable<T> rows) => rows.Select(r => r!.ToString()!).Order(StringComparer.Ordinal).ToList();

    private static string Json(MiSnapshot s) => JsonSerializer.Serialize(new object[] { s.Overview, s.Teams, s.Epics, s.Dependencies }, MiSnapshots.Json);
}
