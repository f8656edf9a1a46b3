using System.Net.Http.Headers;
using System.Text.Json;
using Alignment.Host.Cli;
using Alignment.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>The real <c>alignment serve</c> host on a free loopback port, configured by a JSON file like a user's <c>--config</c>.</summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string PmoKey = "test-pmo-key", AdminKey = "test-admin-key", ManagementKey = "test-management-key",
        AnnKey = "test-ann-key", BramKey = "test-bram-key";

    private readonly WebApplication _app;
    private readonly string _configFile;

    private TestHost(WebApplication app, string configFile, Uri baseAddress)
    {
        _app = app;
        _configFile = configFile;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public IServiceProvider Services => _app.Services;

    public static object ApiKeys => new object[]
    {
        new { Name = "pmo", Role = "pmo", Sha256 = ApiKeyAuthenticationHandler.Hash(PmoKey) },
        new { Name = "admin", Role = "admin", Sha256 = ApiKeyAuthenticationHandler.Hash(AdminKey) },
        new { Name = "board", Role = "management", Sha256 = ApiKeyAuthenticationHandler.Hash(ManagementKey) },
        new { Name = "ann", Role = "productOwner", Sha256 = ApiKeyAuthenticationHandler.Hash(AnnKey), Email = "ann@example.com" },
        new { Name = "bram", Role = "productOwner", Sha256 = ApiKeyAuthenticationHandler.Hash(BramKey), Email = "bram@example.com" },
    };

    /// <summary>
    /// Writes <paramref name="alignment"/> as the <c>Alignment</c> section of a config file and starts the host on it, with
    /// <paramref name="time"/> as its clock when given (a FakeTimeProvider).
    /// </summary>
    public static Task<TestHost> StartAsync(TestDatabase db, object alignment, TimeProvider? time = null) => StartAsync(db.ConnectionString, alignment, time);

    /// <summary>The same on any (migrated) database, e.g. a private cluster a test stops and starts.</summary>
    public static async Task<TestHost> StartAsync(string connectionString, object alignment, TimeProvider? time = null)
    {
        var file = WriteConfig(alignment);
        var app = ServeVerb.Build(
            ["--urls", "http://127.0.0.1:0", $"--ConnectionStrings:Alignment={connectionString}", "--Logging:LogLevel:Default=Warning"],
            file, worker: false, time is null ? null : b => b.Services.AddSingleton(time));
        await app.Services.GetRequiredService<StoreSeeder>().SeedAsync(app.Services.GetRequiredService<IOptions<AlignmentOptions>>().Value, default);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestHost(app, file, new Uri(address));
    }

    public static string WriteConfig(object alignment)
    {
        var file = Path.Combine(Path.GetTempPath(), $"alignment-test-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new { Alignment = alignment }));
        return file;
    }

    public HttpClient Client(string? apiKey = null)
    {
        var c = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null) c.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        c.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(_configFile);
    }
}
