using Microsoft.Extensions.DependencyInjection.Extensions;
using OptionsTracker.Configuration;
using Microsoft.Extensions.Options;
using OptionsTracker.Feed;

namespace OptionsTracker.Bybit;

public static class BybitFeature
{
    public static void AddBybit(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<BybitOptions>()
            .BindConfiguration(BybitOptions.Section)
            .ValidateSection(BybitOptions.Section)
            .Validate(o => o.RestUrl.IsAbsoluteUri && (o.RestUrl.Scheme == Uri.UriSchemeHttp || o.RestUrl.Scheme == Uri.UriSchemeHttps),
                "Bybit:RestUrl must be an absolute http(s) URL")
            .Validate(o => o.WsUrl.IsAbsoluteUri && (o.WsUrl.Scheme == "ws" || o.WsUrl.Scheme == "wss"),
                "Bybit:WsUrl must be an absolute ws(s) URL")
            .Validate(o => o.MaxReconnectDelay >= o.ReconnectDelay,
                "Bybit:MaxReconnectDelay must not be below Bybit:ReconnectDelay (legacy: WS_RECONNECT_DELAY); the first reconnect delay doubles up to it")
            .Validate(o => o.MaxRestRetryDelay >= o.RestRetryDelay,
                "Bybit:MaxRestRetryDelay must not be below Bybit:RestRetryDelay (the first retry delay doubles up to it)")
            .Validate(o => string.IsNullOrEmpty(o.RfqWsUrl)
                || (Uri.TryCreate(o.RfqWsUrl, UriKind.Absolute, out var rfq) && (rfq.Scheme == "ws" || rfq.Scheme == "wss")),
                "Bybit:RfqWsUrl must be an absolute ws(s) URL, or empty to read no block ids")
            .ValidateOnStart();
        // Where Bybit's data comes from, for the history's source (every role: a web instance reads the same history).
        builder.Services.AddSingleton(services =>
        {
            var bybit = services.GetRequiredService<IOptions<BybitOptions>>().Value;
            return new VenueSource(Book.Venue.Bybit.Id, [bybit.RestUrl, bybit.WsUrl]);
        });
        // A web instance never talks to an exchange: no venue there, so nothing can call one.
        if (TrackerOptions.ReadRole(builder.Configuration) == TrackerRole.Web)
            return;
        builder.Services.AddHttpClient<BybitRestClient>((services, http) =>
        {
            var rest = services.GetRequiredService<IOptions<BybitOptions>>().Value.RestUrl;
            // Relative request paths resolve under the base only when it ends with a slash.
            http.BaseAddress = rest.AbsoluteUri.EndsWith('/') ? rest : new Uri(rest.AbsoluteUri + "/");
            http.Timeout = Timeout.InfiniteTimeSpan; // BybitRestClient applies RestTimeout per call.
            http.DefaultRequestHeaders.UserAgent.ParseAdd("OptionsTracker/1.0");
        });
        builder.Services.AddSingleton<ShardSupervisor>();
        // The trade tape's feed: publicTrade frames, the REST backfill, block ids from the RFQ stream.
        builder.Services.AddSingleton<BybitTradeFeed>();
        builder.Services.AddSingleton<ITopicHandler, TradeTopicHandler>();
        builder.Services.AddSingleton<RestGate>();
        // The feed, health and dashboard see Bybit only as one IVenue among the registered ones.
        builder.Services.AddSingleton<BybitVenue>();
        builder.Services.AddSingleton<IVenue>(services => services.GetRequiredService<BybitVenue>());
        // Realised volatility for the analytics: polled only while this process holds the collector lease.
        builder.Services.TryAddSingleton<Measures.RealisedVolatility>(); // the analytics' store (AddAnalytics registers the same)
        builder.Services.AddHostedService<RealisedVolatilityPoller>();
        // What Bybit serves of the past, for the history's backfill on first start (History/HistoryBackfill).
        builder.Services.AddSingleton<IVenueHistory, BybitVenueHistory>();
    }
}
