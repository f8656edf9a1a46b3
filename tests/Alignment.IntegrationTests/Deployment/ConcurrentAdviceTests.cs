using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Alignment.IntegrationTests.Infrastructure;
using Alignment.Simulator;
using netDumbster.smtp;

namespace Alignment.IntegrationTests.Deployment;

/// <summary>
/// The advice part of the scale-out drill: two processes compose and send the same week's digests at the same
/// time, on one database; the outbox's unique (product owner, period) key lets exactly one digest per product owner out.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ConcurrentAdviceTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    private static int FreePort() => AlignmentProcess.FreePort();

    private Task<(int Code, string Output)> Alignment(params string[] args) => AlignmentProcess.RunAsync(db.ConnectionString, args);

    [Fact]
    public async Task Two_processes_sending_the_weekly_advice_at_once_send_one_digest_per_product_owner()
    {
        var port = FreePort();
        using var smtp = SimpleSmtpServer.Start(port);
        string file;
        int owners;
        await using (var org = await SimulatedOrg.StartAsync(db, new SimulatorOptions { Teams = 4, Items = 400, Links = 40, Seed = 11 }))
        {
            await org.SyncAsync(); // sync, sprint figures and analysis: there are findings to advise on
            var config = JsonNode.Parse(JsonSerializer.Serialize(org.Config))!.AsObject();
            config["Advice"] = new JsonObject
            {
                ["SendEmptyDigest"] = true,
                ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = port, ["Security"] = "None", ["From"] = "Alignment <pmo@example.com>" },
            };
            file = TestHost.WriteConfig(config);
            owners = org.Config["Teams"]!.AsArray().Select(t => t!["ProductOwner"]!["Email"]!.GetValue<string>()).Distinct().Count();
            // The simulator must keep answering while the processes start (they mirror the configuration, not the trackers).
            var runs = await Task.WhenAll(Alignment("advice", "--config", file), Alignment("advice", "--config", file));
            Assert.All(runs, r => Assert.True(r.Code == 0, r.Output));
        }

        var recipients = smtp.ReceivedEmail.Select(m => m.ToAddresses.Single().Address.ToLowerInvariant()).ToList();
        Assert.Equal(owners, recipients.Count);
        Assert.Equal(owners, recipients.Distinct().Count());
        Assert.Equal((long)owners, await db.ScalarAsync<long>("SELECT count(*) FROM ops.advice_outbox WHERE status = 'sent'"));
    }
}
