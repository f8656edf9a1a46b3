using Microsoft.Extensions.DependencyInjection;

namespace Alignment.Trackers.Collecting;

/// <summary>
/// Gives the transport of a configured source: its resilient named HttpClient and its shared budget, waiting (deadlines,
/// back-offs, Retry-After) on the host's <see cref="TimeProvider"/>.
/// </summary>
public sealed class TrackerApiFactory(IHttpClientFactory clients, SourceBudgets budgets, IFailedPayloadSink sink, TimeProvider clock)
{
    public TrackerApi Create(SourceOptions source) =>
        new(clients.CreateClient(TrackerHttpRegistration.ClientName(source.Id)),
            budgets.Get(source.Id, source.Sync.MaxConcurrency, source.Sync.MaxRequestsPerSecond), sink, Policy(source.Sync), clock);

    /// <summary>The deadlines and size limit of one source's requests (docs/reliability.md, "Deadlines").</summary>
    public static TrackerRequestPolicy Policy(SourceSyncOptions sync) => new(
        sync.MaxRetries,
        TimeSpan.FromSeconds(Math.Max(1, sync.RequestTimeoutSeconds)),
        TimeSpan.FromSeconds(Math.Max(sync.RequestTimeoutSeconds, sync.RequestTotalSeconds)),
        (long)Math.Max(1, sync.MaxResponseMegabytes) << 20);

    /// <summary>Registers one named client per configured source (token read from its environment variable now, never logged).</summary>
    public static void Register(IServiceCollection services, IEnumerable<SourceOptions> sources)
    {
        foreach (var s in sources)
        {
            if (!Uri.TryCreate(s.BaseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri)) continue; // the validator reports it
            services.AddTrackerHttpClient(new TrackerHttpSettings(
                s.Id, baseUri,
                TrackerHttpRegistration.Authorization(s.Auth.Scheme.ToString(), s.Auth.User, s.Auth.ResolveToken()),
                s.Sync.MaxConcurrency, s.Sync.MaxRequestsPerSecond));
        }
    }
}
