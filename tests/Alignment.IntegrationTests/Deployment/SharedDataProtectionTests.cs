using Alignment.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Alignment.IntegrationTests.Deployment;

/// <summary>API replicas share one data-protection key ring in PostgreSQL, so a dashboard form posted to another pod still validates.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SharedDataProtectionTests(TestDatabase db) : IAsyncLifetime
{
    public Task InitializeAsync() => db.ResetAsync();
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_value_protected_by_one_replica_is_read_by_another()
    {
        await using var first = await TestHost.StartAsync(db, Configs.TwoTeams());
        await using var second = await TestHost.StartAsync(db, Configs.TwoTeams());

        var token = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("hello");
        var read = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(token);

        Assert.Equal("hello", read);
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM ops.data_protection_keys") >= 1);
    }
}
