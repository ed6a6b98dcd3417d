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
    }
}
