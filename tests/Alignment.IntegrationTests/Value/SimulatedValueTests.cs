using System.Text.Json;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Xunit.Abstractions;

namespace Alignment.IntegrationTests.Value;

/// <summary>
/// Value fields end to end on the simulated organisation with its value fields on (Jira custom fields by id and by name, Azure DevOps
/// built-in and custom reference names): the values arrive in core.work_items, and PRIO-INVERSION and VALUE-MISSING find exactly what the
/// simulator planted (<c>/_sim/truth</c> <c>value</c>).
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SimulatedValueTests(TestDatabase db, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly SimulatorOptions Valued = new() { Teams = 6, Items = 1200, Links = 60, Seed = 11, Value = true };

    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static string Source(string tracker) => tracker == "jira" ? "jira" : "ado";

    private sealed record ValueRow(string SourceId, string Key, string Type, double? BusinessValue, double? TimeCriticality, double? RiskReduction,
        double? JobSize, double? Budget);

    [Fact]
    public async Task Values_arrive_in_the_store_and_every_planted_inversion_is_found_and_nothing_else()
    {
        await using var org = await SimulatedOrg.StartAsync(db, Valued);
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        var truth = await org.TruthAsync();

        // The values as the trackers hold them (Jira time criticality is a select option whose value is the number).
        var rows = (await db.QueryAsync<ValueRow>("""
            SELECT source_id AS sourceid, key, type, business_value AS businessvalue, time_criticality AS timecriticality,
                   risk_reduction AS riskreduction, job_size AS jobsize, budget FROM core.work_items
            """)).ToList();
        var valued = rows.Where(r => r.BusinessValue is not null).ToList();
        Assert.Contains(valued, r => r.SourceId == "jira" && r.TimeCriticality is not null && r.JobSize is not null && r.Budget is not null);
        Assert.Contains(valued, r => r.SourceId == "ado" && r.Type == WorkItemType.Feature.Name() && r.RiskReduction is not null && r.Budget is null);
        Assert.All(valued, r => Assert.Contains(r.Type, new[] { WorkItemType.Epic.Name(), WorkItemType.Feature.Name() }));
        Assert.All(rows.Where(r => r.Type == WorkItemType.Story.Name()), r => Assert.Null(r.BusinessValue));

        await org.Host.Services.AnalyzeAsync();
        var findings = (await db.QueryAsync<(string Rule, string? Team, string Items)>(
            "SELECT rule, team_id, items::text FROM analysis.findings WHERE rule IN (@a, @b)",
            new { a = RuleId.PrioInversion.Name(), b = RuleId.ValueMissing.Name() })).ToList();
        static List<(string Source, string Key)> Keys(string items) =>
            JsonDocument.Parse(items).RootElement.EnumerateArray().Select(i => (i.GetProperty("source").GetString()!, i.GetProperty("key").GetString()!)).ToList();

        var value = truth.GetProperty("value");
        var planted = value.GetProperty("inversions").EnumerateArray()
            .Select(i => (Source(i.GetProperty("tracker").GetString()!), i.GetProperty("key").GetString()!)).ToHashSet();
        var reported = findings.Where(f => f.Rule == RuleId.PrioInversion.Name()).Select(f => Keys(f.Items)[0]).ToHashSet();
        output.WriteLine($"{planted.Count} planted inversions, {reported.Count} reported");
        Assert.True(planted.Count >= 4, $"the simulated organisation plants inversions ({planted.Count})");
        Assert.True(planted.SetEquals(reported),
            $"planted not found: {string.Join(", ", planted.Except(reported))}; reported but not planted: {string.Join(", ", reported.Except(planted))}");

        var missing = value.GetProperty("valueMissing").EnumerateArray()
            .Select(m => (m.GetProperty("team").GetString()!, string.Join(",", m.GetProperty("keys").EnumerateArray().Select(k => k.GetString())))).ToHashSet();
        var flagged = findings.Where(f => f.Rule == RuleId.ValueMissing.Name()).Select(f => (f.Team!, string.Join(",", Keys(f.Items).Select(k => k.Key)))).ToHashSet();
        Assert.NotEmpty(missing);
        Assert.True(missing.SetEquals(flagged), $"expected {string.Join("; ", missing)}; found {string.Join("; ", flagged)}");
    }
}
