using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Alignment.Application.Sync;

public static class Collectors
{
    /// <summary>The collector factories of every tracker kind Alignment reads.</summary>
    public static IServiceCollection AddTrackerCollectors(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackerCollectorFactory, JiraCollectorFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackerCollectorFactory, AzureDevOpsCollectorFactory>());
        return services;
    }
}
