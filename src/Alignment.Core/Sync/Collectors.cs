using Microsoft.Extensions.DependencyInjection;

namespace Alignment.Core.Sync;

public static class Collectors
{
    /// <summary>The collector factories of every tracker kind Alignment reads.</summary>
    public static IServiceCollection AddTrackerCollectors(this IServiceCollection services) => services;
}
