namespace OptionsTracker.Collector;

public static class CollectorFeature
{
    public static void AddCollector(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrackerOptions>()
            .BindConfiguration(TrackerOptions.Section)
            .PostConfigure<IConfiguration>((o, configuration) => o.Assets = TrackerOptions.ReadAssets(configuration))
            .ValidateDataAnnotations()
            .Validate(o => o.Assets.All(TrackerOptions.IsValidCoin), "Tracker:Assets must be base coins of letters and digits, e.g. BTC,ETH,SOL")
            .ValidateOnStart();
        builder.Services.AddSingleton<FeedStatus>();
        // A web instance never talks to Bybit: its book comes from the store.
        if (TrackerOptions.ReadRole(builder.Configuration) == TrackerRole.Web)
            return;
        builder.Services.AddSingleton<FeedService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FeedService>());
    }
}
