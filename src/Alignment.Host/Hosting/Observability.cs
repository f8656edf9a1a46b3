using Hangfire.Common;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Alignment.Host.Hosting;

/// <summary>
/// OpenTelemetry for <c>serve</c> and <c>worker</c>: the <c>Alignment</c> meter (syncs, tracker budget),
/// ASP.NET Core and HttpClient metrics, a Prometheus scrape endpoint (<c>Alignment:Observability:MetricsPath</c>,
/// anonymous), traces of HTTP requests, tracker calls, SQL and sync runs exported over OTLP when
/// <c>Alignment:Observability:OtlpEndpoint</c> is set, and JSON console logs with scopes
/// (<c>SyncRunId</c>, <c>SourceId</c>, <c>JobId</c>) when <c>Alignment:Observability:JsonLogs</c> is true.
/// </summary>
public static class Observability
{
    public const string ServiceName = "alignment";

    public static WebApplicationBuilder AddAlignmentObservability(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection($"{AlignmentOptions.Section}:{nameof(AlignmentOptions.Observability)}").Get<ObservabilityOptions>()
            ?? new ObservabilityOptions();
        var metricsPath = options.MetricsPath?.Trim() ?? "";
        if (metricsPath.Length > 0 && !metricsPath.StartsWith('/'))
            throw new ConfigurationException($"Alignment:Observability:MetricsPath: '{metricsPath}' must start with '/'");
        Uri? otlp = null;
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)
            && (!Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out otlp) || (otlp.Scheme != "http" && otlp.Scheme != "https")))
            throw new ConfigurationException($"Alignment:Observability:OtlpEndpoint: '{options.OtlpEndpoint}' is not an absolute http(s) URL");

        if (options.JsonLogs)
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(m =>
            {
                m.AddMeter(AlignmentTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (metricsPath.Length > 0) m.AddPrometheusExporter();
                if (otlp is not null) m.AddOtlpExporter(o => o.Endpoint = otlp);
            });
        if (otlp is not null)
            otel.WithTracing(t => t
                .AddSource(AlignmentTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                    !http.Request.Path.StartsWithSegments("/health") && (metricsPath.Length == 0 || !http.Request.Path.StartsWithSegments(metricsPath)))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => o.Endpoint = otlp));

        // The scrape endpoint runs before authentication (a branch at the start of the pipeline): anonymous on purpose.
        if (metricsPath.Length > 0)
            builder.Services.AddSingleton<IStartupFilter>(new PrometheusStartupFilter(metricsPath));

        // A span per mediator message, so a trace reads HTTP → mediator → SQL and tracker calls.
        builder.Services.AddScoped(typeof(Mediator.IPipelineBehavior<,>), typeof(MediatorTracingBehavior<,>));

        // Every Hangfire job logs inside a scope with its job id (the sync runner adds SyncRunId and SourceId).
        builder.Services.Replace(ServiceDescriptor.Singleton<Hangfire.Common.IJobFilterProvider>(
            sp => new JobScopeFilterProvider(sp.GetRequiredService<ILoggerFactory>())));
        return builder;
    }

    private sealed class PrometheusStartupFilter(string path) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(path);
            next(app);
        };
    }

    /// <summary>Hangfire's global filters plus one that opens a logging scope with the job id.</summary>
    private sealed class JobScopeFilterProvider(ILoggerFactory loggers) : IJobFilterProvider
    {
        private readonly JobFilter _scope = new(new JobScopeFilter(loggers.CreateLogger("Alignment.Jobs")), JobFilterScope.Global, null);

        public IEnumerable<JobFilter> GetFilters(Job job) => Hangfire.Common.JobFilterProviders.Providers.GetFilters(job).Append(_scope);
    }

    private sealed class JobScopeFilter(ILogger logger) : IServerFilter
    {
        private const string Key = "alignment:log-scope";

        public void OnPerforming(PerformingContext context) =>
            context.Items[Key] = logger.BeginScope("Job {JobId} {Job}",
                context.BackgroundJob.Id, $"{context.BackgroundJob.Job.Type.Name}.{context.BackgroundJob.Job.Method.Name}");

        public void OnPerformed(PerformedContext context)
        {
            if (context.Items.TryGetValue(Key, out var scope)) (scope as IDisposable)?.Dispose();
        }
    }
}
