using Microsoft.Extensions.DependencyInjection.Extensions;
using OptionsTracker.Book;
using OptionsTracker.Feed;
using OptionsTracker.Configuration;

namespace OptionsTracker.Store;

public static class StoreFeature
{
    /// <summary>
    /// The embedded store without <c>Store:Redis</c>; with it, the Redis store and, by role, the lease and
    /// writer (collecting roles) or the reader (web role). Call before the collector.
    /// </summary>
    public static void AddStore(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StoreOptions>()
            .BindConfiguration(StoreOptions.Section)
            .ValidateSection(StoreOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<StoreOptions>, RedisConnectionStringValidator>();
        var role = TrackerOptions.ReadRole(builder.Configuration);
        var usesRedis = !string.IsNullOrWhiteSpace(builder.Configuration[$"{StoreOptions.Section}:{nameof(StoreOptions.Redis)}"]);
        var services = builder.Services;
        if (!usesRedis)
        {
            if (role != TrackerRole.All)
            {
                throw new OptionsTracker.Configuration.ConfigurationException(
                    $"--role {role.ToString().ToLowerInvariant()} needs a shared store: set Store:Redis (env Store__Redis) or REDIS_HOST");
            }
            services.AddSingleton<IOptionStore, InMemoryOptionStore>();
            // Nobody else can feed an embedded book: this process always collects.
            services.AddSingleton<ICollectorLease, AlwaysHeldLease>();
            return;
        }

        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisOptionStore>();
        services.AddSingleton<IOptionStore>(s => s.GetRequiredService<RedisOptionStore>());
        services.AddHostedService<CollectorStatsService>();
        services.AddHostedService<SharedAssets>();
        services.TryAddSingleton<Measures.RealisedVolatility>(); // the analytics' store (AddAnalytics registers the same)
        services.AddHostedService<SharedRealisedVolatility>();
        // The saved strategies too, one list for every instance (AddStrategies keeps this one).
        services.AddSingleton<Strategies.IStrategyLibrary, RedisStrategyLibrary>();
        if (role == TrackerRole.Web)
        {
            services.AddSingleton<RedisReader>();
            services.AddHostedService(s => s.GetRequiredService<RedisReader>());
            return;
        }
        // A standby collector fills its book from Redis too, so every instance serves the board.
        services.AddSingleton(s => ActivatorUtilities.CreateInstance<RedisReader>(s, s.GetRequiredService<CollectorLease>()));
        services.AddHostedService(s => s.GetRequiredService<RedisReader>());
        services.AddSingleton(s => new CollectorLease(
            s.GetRequiredService<Microsoft.Extensions.Options.IOptions<StoreOptions>>(),
            s.GetRequiredService<TimeProvider>(),
            s.GetRequiredService<ILogger<CollectorLease>>(),
            s.GetRequiredService<Diagnostics.LogThrottle>(),
            s.GetRequiredService<RedisConnection>(),
            s.GetRequiredService<RedisOptionStore>()));
        services.AddHostedService(s => s.GetRequiredService<CollectorLease>());
        services.AddSingleton<ICollectorLease>(s => s.GetRequiredService<CollectorLease>());
        services.AddSingleton<RedisWriter>();
        services.AddHostedService(s => s.GetRequiredService<RedisWriter>());
    }
}
