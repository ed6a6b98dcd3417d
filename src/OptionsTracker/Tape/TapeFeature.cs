using OptionsTracker.Configuration;

namespace OptionsTracker.Tape;

public static class TapeFeature
{
    /// <summary>
    /// The trade tape (section <c>Tape</c>): the in-memory <see cref="TradeTape"/> every reader pulls from. A venue feeds
    /// it on a collecting role (its own trade topics, registered by the venue); a web instance mirrors the collector's
    /// trades from Redis. With <c>Tape:Enabled=false</c> the tape stays empty and no trade topic is subscribed.
    /// </summary>
    public static void AddTape(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TapeOptions>()
            .BindConfiguration(TapeOptions.Section)
            .ValidateSection(TapeOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<TradeTape>();
        builder.Services.AddSingleton<FlowReader>();
        AddRedisStreams(builder);
    }

    /// <summary>
    /// With Redis (<c>Store:Redis</c>) and the tape on: the collector writes its tape to a stream per coin while it holds
    /// the lease (<see cref="TradeStreamWriter"/>); every instance that does not hold it mirrors the streams
    /// (<see cref="TradeStreamMirror"/>: web instances, and a standby collector, which reads them once more when it takes
    /// the lease).
    /// </summary>
    private static void AddRedisStreams(WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var usesRedis = !string.IsNullOrWhiteSpace(configuration[$"{Store.StoreOptions.Section}:{nameof(Store.StoreOptions.Redis)}"]);
        if (!usesRedis || !configuration.GetValue($"{TapeOptions.Section}:{nameof(TapeOptions.Enabled)}", true))
            return;
        var services = builder.Services;
        services.AddSingleton<TradeStreamMirror>();
        services.AddHostedService(s => s.GetRequiredService<TradeStreamMirror>());
        if (Feed.TrackerOptions.ReadRole(configuration) == Feed.TrackerRole.Web)
            return;
        services.AddSingleton<TradeStreamWriter>();
        services.AddHostedService(s => s.GetRequiredService<TradeStreamWriter>());
    }
}
