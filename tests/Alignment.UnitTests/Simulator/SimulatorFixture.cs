using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Alignment.Simulator;

namespace Alignment.UnitTests.Simulator;

/// <summary>One small simulator shared by the tests in a class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public static readonly SimulatorOptions Options = new() { Teams = 6, Items = 900, Seed = 7, WiqlLimit = 100 };

    public RunningSimulator Sim { get; private set; } = null!;
    public HttpClient Jira { get; private set; } = null!;
    public HttpClient Ado { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sim = await SimulatorServer.StartAsync(Options, port: 0);
        Jira = new HttpClient { BaseAddress = new Uri(Sim.JiraBaseUrl + "/") };
        Jira.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Options.JiraUser}:{Options.JiraToken}")));
        Ado = new HttpClient { BaseAddress = new Uri(Sim.AdoBaseUrl + "/") };
        Ado.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($":{Options.AdoPat}")));
        Anonymous = new HttpClient { BaseAddress = new Uri(Sim.BaseUrl + "/") };
    }

    public async Task DisposeAsync()
    {
        Jira.Dispose();
        Ado.Dispose();
        Anonymous.Dispose();
        await Sim.DisposeAsync();
    }

    public static StringContent Body(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    public async Task<JsonElement> Truth()
    {
        using var doc = JsonDocument.Parse(await Anonymous.GetStringAsync("_sim/truth"));
        return doc.RootElement.Clone();
    }
}
