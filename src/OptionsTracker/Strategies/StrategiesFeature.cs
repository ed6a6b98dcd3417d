using Microsoft.Extensions.DependencyInjection.Extensions;
using OptionsTracker.Configuration;

namespace OptionsTracker.Strategies;

public static class StrategiesFeature
{
    /// <summary>
    /// The saved strategies' library: the state folder's <c>strategies.json</c>, unless the store keeps them (with
    /// <c>Store:Redis</c>, <c>AddStore</c> registers its shared library first and that one stays). Call after <c>AddStore</c>.
    /// </summary>
    public static void AddStrategies(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StrategiesOptions>()
            .BindConfiguration(StrategiesOptions.Section)
            .ValidateSection(StrategiesOptions.Section)
            .ValidateOnStart();
        builder.Services.TryAddSingleton<IStrategyLibrary, FileStrategyLibrary>();
    }
}
