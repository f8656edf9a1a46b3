using Hangfire;

namespace Alignment.Host.Jobs;

public sealed partial class RecurringJobRegistrar
{
    public const string HooksPendingId = "hooks:pending", HooksPendingCron = "* * * * *";

    /// <summary><c>hooks:pending</c> every minute while a source has webhooks: deliveries due again after a failure, or whose job was lost.</summary>
    private void RegisterHooks(HashSet<string> wanted)
    {
        if (options.Value.Sources.Any(s => s.Hooks.Enabled))
        {
            manager.AddOrUpdate<HookJob>(HooksPendingId, j => j.RunDueAsync(CancellationToken.None), HooksPendingCron,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            wanted.Add(HooksPendingId);
        }
        else manager.RemoveIfExists(HooksPendingId);
    }
}
