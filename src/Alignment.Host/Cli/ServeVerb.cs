using System.CommandLine;
using Alignment.Host.Hosting;

namespace Alignment.Host.Cli;

/// <summary><c>serve</c>: API + dashboard + Hangfire server. <c>worker</c>: Hangfire server and health endpoints only.</summary>
public static class ServeVerb
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static async Task<int> RunAsync(ParseResult parse, string[] args, bool worker, CancellationToken ct)
    {
        var app = Build(parse.UnmatchedTokens.ToArray(), parse.GetValue(Verbs.Config), worker);
        AlignmentServices.ValidatedOptions(app.Services);
        await app.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
        await app.Services.GetRequiredService<StoreSeeder>().SeedAsync(AlignmentServices.ValidatedOptions(app.Services), ct);
        await app.RunAsync(ct);
        return 0;
    }

    /// <summary>Builds the web application of <c>serve</c> (or <c>worker</c>); tests and the demo use it too.</summary>
    public static WebApplication Build(string[] args, string? configFile, bool worker, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddConfigFile(configFile, args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);
        configure?.Invoke(builder);
        builder.Services.AddAlignment(builder.Configuration);
        var connectionString = builder.Configuration.GetConnectionString(Database.ConnectionStringName)!;
        builder.Services.AddAlignmentJobs(connectionString, server: true);
        builder.AddAlignmentApi();
        builder.Services.AddSharedDataProtection();
        builder.AddAlignmentObservability();

        var app = builder.Build();
        if (worker)
        {
            app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
            app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
            return app;
        }
        app.MapAlignmentApi();
        app.MapAlignmentJobDashboard();
        return app;
    }
}
