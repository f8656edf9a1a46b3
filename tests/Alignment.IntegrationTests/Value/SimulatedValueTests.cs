using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    [Fact]
    public async Task Mi_value_lists_wsjf_with_inversion_flags_as_json_and_csv_explains_an_item_and_scopes_a_product_owner()
    {
        string? annTeam = null;
        await using var org = await SimulatedOrg.StartAsync(db, Valued, configure: c =>
        {
            var team = c["Teams"]!.AsArray().First(t => t!["Source"]!.GetValue<string>() == "ado")!;
            annTeam = team["Id"]!.GetValue<string>();
            team["ProductOwner"]!["Email"] = "ann@example.com";
        });
        Assert.All(await org.SyncAsync(), r => Assert.True(r.Status == SyncStatus.Succeeded, r.Error));
        await org.Host.Services.AnalyzeAsync();

        var pmo = org.Host.Client(TestHost.PmoKey);
        var all = (await pmo.GetFromJsonAsync<JsonElement>("/api/mi/value")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains("WSJF", (await pmo.GetFromJsonAsync<JsonElement>("/api/mi/value")).GetProperty("definition").GetString());
        var flagged = all.Where(i => i.GetProperty("rankedTooLow").GetBoolean()).ToList();
        Assert.NotEmpty(flagged);
        var one = flagged[0];
        Assert.True(one.GetProperty("wsjfRank").GetInt32() < one.GetProperty("rank").GetInt32());
        Assert.NotEmpty(one.GetProperty("inversionWith").EnumerateArray());
        Assert.Equal(Math.Round(one.GetProperty("costOfDelay").GetDouble() / one.GetProperty("jobSize").GetDouble(), 2), one.GetProperty("wsjf").GetDouble(), 2);
        Assert.Contains(all, i => i.GetProperty("type").GetString() == WorkItemType.Feature.Name());

        var csv = await pmo.GetStringAsync("/api/mi/value?format=csv");
        Assert.StartsWith("team,type,source,key,title,rank,wsjfRank,wsjf,", csv);
        Assert.Equal(all.Count + 1, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        var explain = await pmo.GetFromJsonAsync<JsonElement>(one.GetProperty("explain").GetString());
        Assert.Equal("wsjf", explain.GetProperty("figure").GetString());
        Assert.Equal(one.GetProperty("wsjf").GetDouble(), explain.GetProperty("value").GetProperty("wsjf").GetDouble());

        var ann = org.Host.Client(TestHost.AnnKey);
        var own = (await ann.GetFromJsonAsync<JsonElement>("/api/mi/value")).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(own);
        Assert.All(own, i => Assert.Equal(annTeam, i.GetProperty("team").GetString()));
        var other = all.First(i => i.GetProperty("team").GetString() != annTeam);
        Assert.Equal(HttpStatusCode.NotFound, (await ann.GetAsync(other.GetProperty("explain").GetString())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ann.GetAsync("/api/mi/epics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await org.Host.Client(TestHost.ManagementKey).GetAsync("/api/mi/value")).StatusCode);

        // The product owner's digest has "Reconsider the order" with the item ranked too low, the one above it, and the move.
        var team = one.GetProperty("team").GetString();
        var email = org.Config["Teams"]!.AsArray().First(t => t!["Id"]!.GetValue<string>() == team)!["ProductOwner"]!["Email"]!.GetValue<string>();
        var preview = await pmo.GetStringAsync($"/api/advice/{Uri.EscapeDataString(email)}/preview");
        Assert.Contains("Reconsider the order", preview);
        var key = one.GetProperty("key").GetString()!;
        Assert.Contains($">{key}</a>", preview);
        Assert.Contains($"move {key} from position {one.GetProperty("rank").GetInt32()}", preview);
        Assert.Contains(one.GetProperty("inversionWith")[0].GetString()!, preview);
    }
}
