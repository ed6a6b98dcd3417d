using Microsoft.Extensions.DependencyInjection.Extensions;
using OptionsTracker.Configuration;

namespace OptionsTracker.Measures;

public static class AnalyticsFeature
{
    /// <summary>The analytics every reader shares: the snapshot cache and the realised volatility.</summary>
    public static void AddAnalytics(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AnalyticsOptions>()
            .BindConfiguration(AnalyticsOptions.Section)
            .ValidateSection(AnalyticsOptions.Section)
            .ValidateOnStart();
        // TryAdd: the Bybit poller and the Redis sharing register the same store for hosts composed without the analytics.
        builder.Services.TryAddSingleton<RealisedVolatility>();
        builder.Services.AddSingleton<MarketAnalytics>();
    }
}
