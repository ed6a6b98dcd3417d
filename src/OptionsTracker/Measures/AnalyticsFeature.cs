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
        builder.Services.AddSingleton<RealisedVolatility>();
        builder.Services.AddSingleton<MarketAnalytics>();
    }
}
