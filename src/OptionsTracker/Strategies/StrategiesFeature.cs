using OptionsTracker.Configuration;
using OptionsTracker.Store;

namespace OptionsTracker.Strategies;

public static class StrategiesFeature
{
    /// <summary>
    /// The saved strategies' library: in Redis when the store is Redis (<c>Store:Redis</c>; every instance shares it),
    /// else in the state folder's <c>strategies.json</c>. Call after <c>AddStore</c>.
    /// </summary>
    public static void AddStrategies(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StrategiesOptions>()
            .BindConfiguration(StrategiesOptions.Section)
            .ValidateSection(StrategiesOptions.Section)
            .ValidateOnStart();
        var usesRedis = !string.IsNullOrWhiteSpace(builder.Configuration[$"{StoreOptions.Section}:{nameof(StoreOptions.Redis)}"]);
        if (usesRedis)
            builder.Services.AddSingleton<IStrategyLibrary, RedisStrategyLibrary>();
        else
            builder.Services.AddSingleton<IStrategyLibrary, FileStrategyLibrary>();
    }
}
