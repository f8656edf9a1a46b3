using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using Microsoft.Extensions.DependencyInjection;
using netDumbster.smtp;

namespace Alignment.IntegrationTests.Sync;

/// <summary>
/// The one post-sync pipeline (docs/architecture.md, "The pipeline") as the jobs and the CLI call it: on the simulated
/// organisation with a real SMTP server, one pass runs sync → sprint figures → analysis → MI → alerts, in that order.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PipelineTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task One_sync_pass_runs_every_step_in_order_and_critical_alerts_go_out()
    {
        var port = AlignmentProcess.FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions());
        var config = await SimulatedOrg.ConfigAsync(sim);
        config["Advice"] = JsonNode.Parse(JsonSerializer.Serialize(new
        {
            Cron = "", Smtp = new { Host = "127.0.0.1", Port = port, Security = "None", From = "Alignment <pmo@example.com>" },
        }));
        await using var host = await TestHost.StartAsync(db, config);
        var requests = config["Sources"]!.AsArray().Select(s => new SyncRequest(s!["Id"]!.GetValue<string>(), Full: true, Trigger: "test")).ToList();

        var pass = await host.Services.GetRequiredService<AlignmentPipeline>().SyncAsync(requests, null, default);

        Assert.All(pass.Syncs, s => Assert.True(s.Status == SyncStatus.Succeeded, s.Error));
        Assert.True(pass.Analysis is { Skipped: false, Findings: > 0 });
        var lastSync = await db.ScalarAsync<DateTime>("SELECT max(finished_at) FROM ops.sync_runs");
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM analysis.sprint_figures") > 0);
        var analysisStarted = await db.ScalarAsync<DateTime>("SELECT started_at FROM analysis.runs");
        var analysisFinished = await db.ScalarAsync<DateTime>("SELECT finished_at FROM analysis.runs");
        Assert.True(analysisStarted >= lastSync, "the analysis follows the syncs");
        Assert.True(await db.ScalarAsync<DateTime>("SELECT min(computed_at) FROM analysis.mi_snapshots WHERE kind <> 'value'") >= analysisFinished,
            "the MI follows the analysis");
        // The value document is the analysis's own output, written in its transaction as of its snapshot.
        Assert.Equal(analysisStarted, await db.ScalarAsync<DateTime>("SELECT computed_at FROM analysis.mi_snapshots WHERE kind = 'value'"));
        var alerts = await db.ScalarAsync<long>("SELECT count(*) FROM ops.advice_outbox WHERE kind = 'alert'");
        Assert.True(alerts > 0, "the simulated organisation has fresh critical dependency findings: their product owners are alerted");
        Assert.Equal(alerts, smtp.ReceivedEmailCount);
    }

    [Fact]
    public async Task A_pass_whose_syncs_were_all_skipped_does_not_analyse()
    {
        await using var sim = await SimulatorServer.StartAsync(new SimulatorOptions { Teams = 2, Items = 40 });
        var config = await SimulatedOrg.ConfigAsync(sim);
        await using var host = await TestHost.StartAsync(db, config);
        var source = config["Sources"]![0]!["Id"]!.GetValue<string>();
        // Another process holds the source's lock: this pass's sync is skipped, and nothing after it runs.
        await using var held = await Database.TryLockAsync(db.DataSource, "sync:" + source, default);

        var pass = await host.Services.GetRequiredService<AlignmentPipeline>().SyncAsync([new SyncRequest(source, Trigger: "test")], null, default);

        Assert.Equal(SyncStatus.Skipped, Assert.Single(pass.Syncs).Status);
        Assert.Null(pass.Analysis);
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM analysis.runs"));
    }
}
