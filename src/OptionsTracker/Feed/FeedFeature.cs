using OptionsTracker.Configuration;
namespace OptionsTracker.Feed;

public static class FeedFeature
{
    public static void AddFeed(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrackerOptions>()
            .BindConfiguration(TrackerOptions.Section)
            .PostConfigure<IConfiguration>((o, configuration) =>
            {
                o.Assets = TrackerOptions.ReadAssets(configuration);
                o.Venues = [.. TrackerOptions.ReadVenues(configuration).Select(v => v.Id)];
            })
            .ValidateSection(TrackerOptions.Section)
            .Validate(o => o.Assets.All(TrackerOptions.IsValidCoin), "Tracker:Assets must be base coins of letters and digits, e.g. BTC,ETH,SOL")
            .Validate(o => Cronos.CronExpression.TryParse(o.DailyRefreshCron, out _), "Tracker:DailyRefreshCron must be a cron expression such as \"5 8 * * *\" (minute hour day month weekday, UTC)")
            .Validate(o => o.MinDaysToExpiry is null || o.MaxDaysToExpiry is null || o.MinDaysToExpiry <= o.MaxDaysToExpiry, "Tracker:MinDaysToExpiry must not exceed Tracker:MaxDaysToExpiry")
            .ValidateOnStart();
        builder.Services.AddSingleton<FeedStatus>();
        builder.Services.AddSingleton<TrackedAssets>();
        // A web instance never talks to an exchange: its book comes from the store.
        if (TrackerOptions.ReadRole(builder.Configuration) == TrackerRole.Web)
            return;
        builder.Services.AddSingleton<FeedService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FeedService>());
    }
}
