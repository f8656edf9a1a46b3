using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Analysis;

/// <summary>
/// The incremental analysis (docs/architecture.md, "Incremental analysis") against a full one on the same store: the simulated
/// organisation is synced and analysed, moves on (<c>/_sim/advance</c>: sprints close and start, items change, new ones arrive), is
/// synced incrementally and analysed incrementally; then a full analysis on the same store and clock must find nothing to change, and
/// the findings table must be the same byte for byte. With ALIGNMENT_INCREMENTAL_ORG=teams,items (e.g. 200,200000) the test runs that
/// organisation instead (the benchmark's size).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class IncrementalAnalysisTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData(6)]   // the same day: the forecast memo keeps the epics nothing touched
    [InlineData(72)]
    [InlineData(360)] // sprints close and start
    public async Task After_the_organisation_moves_on_the_incremental_analysis_leaves_exactly_what_a_full_one_does(int hours)
    {
        var spec = Environment.GetEnvironmentVariable("ALIGNMENT_INCREMENTAL_ORG") is { Length: > 0 } s ? s.Split(',') : null;
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db,
            spec is null ? new SimulatorOptions() : new SimulatorOptions { Teams = int.Parse(spec[0], CultureInfo.InvariantCulture), Items = int.Parse(spec[1], CultureInfo.InvariantCulture) },
            time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        var first = await org.Host.Services.AnalyzeAsync();
        Assert.False(first.Incremental); // nothing in memory yet

        using (var http = new HttpClient())
            (await http.PostAsync($"{org.Sim.BaseUrl}/_sim/advance?hours={hours}", null)).EnsureSuccessStatusCode();
        clock.Advance(TimeSpan.FromHours(hours));
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));

        var incremental = await org.Host.Services.AnalyzeAsync();
        Assert.True(incremental.Incremental, "the second run patches the first run's snapshot");
        Assert.InRange(incremental.ChangedItems!.Value, 1, incremental.Items / 2);
        Assert.True(incremental.Opened + incremental.Resolved > 0, "the organisation moved: some findings open or resolve");
        var afterIncremental = await FindingsAsync();
        var forecastsIncremental = await ForecastsAsync();

        var full = await org.Host.Services.AnalyzeFullAsync();
        Assert.False(full.Incremental);
        Assert.Equal((0, 0, 0), (full.Opened, full.Reopened, full.Resolved));
        Assert.Equal(incremental.Findings, full.Findings);
        var afterFull = await FindingsAsync();
        var computed = int.Parse(Regex.Match(incremental.Phases, @"forecastsComputed=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var epics = await db.ScalarAsync<long>("SELECT count(*) FROM analysis.epic_forecasts");
        if (hours < 12) Assert.InRange(computed, 0, epics - 1); // the memo kept some
        output.WriteLine($"{hours} hours: {computed} of {epics} forecasts computed again; {incremental.ChangedItems} of {incremental.Items} items changed; {incremental.Findings} findings " +
                         $"({incremental.Opened} opened, {incremental.Resolved} resolved); incremental {incremental.TotalMs:0} ms, full {full.TotalMs:0} ms; " +
                         $"findings {afterFull.Hash}");
        Assert.Equal(afterFull.Rows, afterIncremental.Rows);
        Assert.Equal(afterFull.Hash, afterIncremental.Hash);
        // The forecasts too (the memo kept the unchanged ones, with the time they were computed).
        Assert.Equal(await ForecastsAsync(), forecastsIncremental);
        Assert.InRange(incremental.Phases.Length, 1, int.MaxValue);
    }

    [Fact]
    public async Task A_full_sync_that_finds_nothing_new_changes_nothing_and_another_process_run_in_between_is_merged_in_full()
    {
        var clock = new FakeTimeProvider(Now);
        await using var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions(), time: clock);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();
        var before = await FindingsAsync();

        // Another process's analysis writes in between (here: a second host on the same database): this process's memory of what it
        // wrote is no longer the table's state, so its next run merges everything; the table still ends as a full run leaves it.
        await using (var other = await TestHost.StartAsync(db, org.Config, clock))
            Assert.False((await other.Services.AnalyzeAsync()).Incremental);
        // A full sync that finds every item again changes nothing the analysis reads.
        Assert.All(await org.SyncAsync(full: true), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        var again = await org.Host.Services.AnalyzeAsync();
        Assert.True(again.Incremental);
        Assert.Equal((0, 0, 0), (again.Opened, again.Reopened, again.Resolved));
        Assert.Equal(before.Hash, (await FindingsAsync()).Hash);
    }

    /// <summary>Every stored forecast without the time it was computed, in key order.</summary>
    private async Task<List<string>> ForecastsAsync()
    {
        var rows = new List<string>();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT source_id || '/' || epic_key || ' ' || coalesce(team_id, '') || ' ' || (forecast - 'computedAt')::text
              FROM analysis.epic_forecasts ORDER BY source_id COLLATE "C", epic_key COLLATE "C"
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(r.GetString(0));
        Assert.NotEmpty(rows);
        return rows;
    }

    /// <summary>Every finding's stored content and lifecycle status (not its ids and times), in fingerprint order, and their hash.</summary>
    private async Task<(List<string> Rows, string Hash)> FindingsAsync()
    {
        var rows = new List<string>();
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT fingerprint, rule, severity, status, team_id, array_to_string(related_teams, ','), items::text, title, evidence::text, action,
                   score::text, resolved_at IS NULL
              FROM analysis.findings ORDER BY fingerprint COLLATE "C"
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            rows.Add(string.Join("\u001f", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture))));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))));
        return (rows, hash);
    }
}
