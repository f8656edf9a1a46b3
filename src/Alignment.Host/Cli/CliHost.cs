using System.CommandLine;
using Alignment.Host.Hosting;

namespace Alignment.Host.Cli;

/// <summary>A non-web host for the one-shot verbs (migrate, sync, analyze …), configured exactly like the service.</summary>
public static class CliHost
{
    public static IHost Build(ParseResult parse, Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = parse.UnmatchedTokens.ToArray(),
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfigFile(parse.GetValue(Verbs.Config), parse.UnmatchedTokens.ToArray());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Alignment", LogLevel.Critical); // the summary table reports outcomes and errors
        builder.Services.AddAlignment(builder.Configuration);
        configure?.Invoke(builder);
        var host = builder.Build();
        AlignmentServices.ValidatedOptions(host.Services);
        return host;
    }

    public static AlignmentOptions Options(this IHost host) => AlignmentServices.ValidatedOptions(host.Services);
}
