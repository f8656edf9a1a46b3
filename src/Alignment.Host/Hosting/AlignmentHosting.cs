using Mediator;

namespace Alignment.Host.Hosting;

public static class AlignmentHosting
{
    /// <summary>Layers <c>--config FILE</c> over appsettings and the environment (and under the command line).</summary>
    public static void AddConfigFile(this IConfigurationManager configuration, string? file, string[] args)
    {
        if (file is null) return;
        var full = Path.GetFullPath(file);
        if (!File.Exists(full)) throw new ConfigurationException($"--config: the file '{file}' does not exist");
        configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }

    /// <summary>Every Alignment service (Alignment.Application) plus the mediator for the HTTP reads, with logging and timing.</summary>
    public static IServiceCollection AddAlignment(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAlignmentServices(configuration);
        services.AddMediator(o =>
        {
            o.ServiceLifetime = ServiceLifetime.Scoped;
            o.PipelineBehaviors = [typeof(LoggingBehavior<,>)];
        });
        return services;
    }
}

/// <summary>Logs every message with its duration; failures with their type (never payloads).</summary>
public sealed class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            var response = await next(message, ct);
            logger.LogDebug("{Message} handled in {Ms:0.0} ms", typeof(TMessage).Name, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning("{Message} failed after {Ms:0.0} ms: {Error}", typeof(TMessage).Name,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, e.GetType().Name);
            throw;
        }
    }
}
