using Alignment.Host.Jobs;
using Hangfire;
using Hangfire.PostgreSql;

namespace Alignment.Host.Hosting;

public static class JobsHosting
{
    /// <summary>Hangfire on the same PostgreSQL (schema <c>hangfire</c>); with <paramref name="server"/>, this process also runs jobs.</summary>
    public static IServiceCollection AddAlignmentJobs(this IServiceCollection services, string connectionString, bool server, int workers = 0)
    {
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromSeconds(2),
                InvisibilityTimeout = TimeSpan.FromHours(2),
                // LISTEN/NOTIFY: a queued job starts at once instead of at the next poll (a webhook's targeted sync, docs/webhooks.md).
                EnableLongPolling = true,
            }));
        services.AddTransient<SyncJob>();
        services.AddTransient<HookJob>();
        if (server)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = workers > 0 ? workers : Math.Max(2, Environment.ProcessorCount * 2);
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                o.Queues = ["default"];
            });
            services.AddHostedService<RecurringJobRegistrar>();
            services.AddHostedService<AbandonedRunSweeper>();
        }
        return services;
    }

    /// <summary>
    /// The Hangfire dashboard at <c>/hangfire</c>, behind the same <see cref="Policies.Operations"/> policy as the operations API
    /// (PMO and admin keys, header or the dashboard cookie; OIDC tokens with those roles) instead of a dashboard filter of its own.
    /// </summary>
    public static WebApplication MapAlignmentJobDashboard(this WebApplication app)
    {
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Operations, "/hangfire", new DashboardOptions
        {
            Authorization = [], // the endpoint's policy decides; Hangfire's default (local requests only) would refuse the rest
            // Hangfire's own anti-forgery support (IAntiforgery is registered by CookieAntiforgery): its pages carry the token
            // and every POST of the dashboard must send it back, whatever authenticated it.
            IgnoreAntiforgeryToken = false,
            DisplayStorageConnectionString = false,
            DashboardTitle = "Alignment jobs",
        });
        return app;
    }
}
