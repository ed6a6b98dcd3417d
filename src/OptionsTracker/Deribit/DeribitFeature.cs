using Microsoft.Extensions.Options;
using OptionsTracker.Configuration;
using OptionsTracker.Feed;

namespace OptionsTracker.Deribit;

public static class DeribitFeature
{
    /// <summary>Registers Deribit as one more <see cref="IVenue"/> (Program.cs calls it when <c>Tracker:Venues</c> names deribit).</summary>
    public static void AddDeribit(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeribitOptions>()
            .BindConfiguration(DeribitOptions.Section)
            .ValidateSection(DeribitOptions.Section)
            .ValidateOnStart();
        // Where Deribit's data comes from, for the history's source (every role: a web instance reads the same history).
        builder.Services.AddSingleton(services =>
        {
            var deribit = services.GetRequiredService<IOptions<DeribitOptions>>().Value;
            return new VenueSource(DeribitVenue.Id.Id, [deribit.EffectiveRestUrl, deribit.EffectiveWsUrl]);
        });
        // A web instance never talks to an exchange.
        if (TrackerOptions.ReadRole(builder.Configuration) == TrackerRole.Web)
            return;
        builder.Services.AddHttpClient<DeribitRestClient>((services, http) =>
        {
            var rest = services.GetRequiredService<IOptions<DeribitOptions>>().Value.EffectiveRestUrl;
            // Relative paths (public/…) resolve under the base only when it ends with a slash.
            http.BaseAddress = rest.AbsoluteUri.EndsWith('/') ? rest : new Uri(rest.AbsoluteUri + "/");
            http.Timeout = Timeout.InfiniteTimeSpan; // DeribitRestClient applies RequestTimeout per call.
            http.DefaultRequestHeaders.UserAgent.ParseAdd("OptionsTracker/1.0");
        });
        builder.Services.AddSingleton<DeribitRequestGate>();
        builder.Services.AddSingleton<DeribitTradeFeed>();
        builder.Services.AddSingleton<DeribitInstrumentStates>();
        builder.Services.AddSingleton<DeribitConnections>(services => new DeribitConnections(
            services.GetRequiredService<Book.OptionBook>(), services.GetRequiredService<IOptions<DeribitOptions>>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<DeribitRequestGate>(),
            services.GetRequiredService<ILoggerFactory>(),
            [services.GetRequiredService<DeribitTradeFeed>(), services.GetRequiredService<DeribitInstrumentStates>()]));
        builder.Services.AddSingleton<DeribitVenue>();
        builder.Services.AddSingleton<IVenue>(services => services.GetRequiredService<DeribitVenue>());
    }
}
