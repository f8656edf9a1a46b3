using Alignment.Host.Jobs;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Authentication;

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
            }));
        services.AddTransient<SyncJob>();
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

    public static WebApplication MapAlignmentJobDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new RoleDashboardFilter()],
            // Hangfire's own anti-forgery support (IAntiforgery is registered by CookieAntiforgery): its pages carry the token
            // and every POST of the dashboard must send it back, whatever authenticated it.
            IgnoreAntiforgeryToken = false,
            DisplayStorageConnectionString = false,
            DashboardTitle = "Alignment jobs",
        });
        return app;
    }

    /// <summary>The dashboard is for PMO and admin keys (header or the dashboard cookie).</summary>
    private sealed class RoleDashboardFilter : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var user = http.User;
            if (user.Identity?.IsAuthenticated != true)
            {
                var result = await http.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
                if (result.Succeeded) user = result.Principal!;
            }
            return user.IsInRole(Core.Reporting.Viewer.Admin) || user.IsInRole(Core.Reporting.Viewer.Pmo);
        }
    }
}
