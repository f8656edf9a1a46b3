using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Alignment.Application;

/// <summary>A configuration value that stops the host; the message names the key.</summary>
public sealed class ConfigurationException(string message) : Exception(message);

public static class AlignmentServices
{
    /// <summary>Options, the one data source, migrations, the tracker clients of every configured source, and the pipeline.</summary>
    public static IServiceCollection AddAlignmentServices(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(Database.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ConfigurationException(
                "ConnectionStrings:Alignment: required (set ConnectionStrings__Alignment, or run through ./dev.sh which starts a local PostgreSQL)");
        try { _ = new Npgsql.NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { throw new ConfigurationException($"ConnectionStrings:Alignment: not a valid PostgreSQL connection string ({e.Message})"); }

        var section = configuration.GetSection(AlignmentOptions.Section);
        AlignmentOptions bound;
        try { bound = section.Get<AlignmentOptions>() ?? new AlignmentOptions(); }
        catch (InvalidOperationException e) { throw new ConfigurationException(e.Message); }

        services.AddOptions<AlignmentOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlignmentOptions>>(new AlignmentOptionsValidator(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => Database.CreateDataSource(connectionString));
        services.TryAddSingleton<Migrator>();
        services.TryAddSingleton<WorkItemWriter>();
        services.TryAddSingleton<StoreSeeder>();
        services.TryAddSingleton<SyncRunner>();
        services.TryAddSingleton<SprintFiguresRefresher>();
        services.TryAddSingleton<AnalysisStep>();
        services.TryAddSingleton<AnalysisMemory>();
        services.TryAddSingleton<MiSnapshots>();
        services.TryAddSingleton<AdviceOutboxPass>();
        // The digest's predictability per team: nothing until planning intervals register their own (before this line, or in its place).
        services.TryAddSingleton<ITeamPredictability, IntervalTeamPredictability>();
        services.TryAddSingleton<AlignmentPipeline>();
        services.TryAddSingleton<Alignment.Store.Hooks.HookDeliveryStore>();
        services.TryAddSingleton<Hooks.HookProcessor>();
        services.TryAddSingleton<SourceBudgets>();
        services.TryAddSingleton<IFailedPayloadSink, FailedPayloadStore>();
        services.TryAddSingleton<TrackerApiFactory>();
        TrackerApiFactory.Register(services, bound.Sources);
        services.AddTrackerCollectors();
        return services;
    }

    /// <summary>Validates the bound options now and throws a <see cref="ConfigurationException"/> listing every bad key.</summary>
    public static AlignmentOptions ValidatedOptions(IServiceProvider services)
    {
        try { return services.GetRequiredService<IOptions<AlignmentOptions>>().Value; }
        catch (OptionsValidationException e) { throw new ConfigurationException(string.Join(Environment.NewLine, e.Failures)); }
        catch (InvalidOperationException e) { throw new ConfigurationException(e.Message); }
    }
}
