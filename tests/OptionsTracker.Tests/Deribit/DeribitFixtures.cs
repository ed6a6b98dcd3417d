using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Deribit;
using OptionsTracker.Simulator.Deribit;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Deribit;

/// <summary>The Deribit venue's parts wired as DeribitFeature wires them, for tests that drive one part directly.</summary>
internal static class DeribitFixtures
{
    public static DeribitRequestGate Gate(TimeProvider time, DeribitOptions? options = null) =>
        new(time, Options.Create(options ?? new DeribitOptions()), NullLogger<DeribitRequestGate>.Instance);

    public static DeribitRestClient Rest(TimeProvider time, DeribitOptions? options = null)
    {
        options ??= new DeribitOptions();
        var http = new HttpClient { BaseAddress = options.EffectiveRestUrl };
        return new DeribitRestClient(http, Gate(time, options), Options.Create(options), time, NullLogger<DeribitRestClient>.Instance);
    }

    public static DeribitTradeFeed TradeFeed(OptionBook book, TimeProvider time, TradeTape? tape = null) =>
        new(book, tape ?? new TradeTape(Options.Create(new TapeOptions())), Rest(time), Options.Create(new DeribitOptions()),
            Options.Create(new TapeOptions()), time, NullLogger<DeribitTradeFeed>.Instance, new global::OptionsTracker.Diagnostics.MetricsRegistry());

    /// <summary>
    /// The tracker collecting Deribit alone, BTC and ETH (the inverse options), from <paramref name="simulator"/>;
    /// <paramref name="settings"/> adds to or overrides these.
    /// </summary>
    public static Task<TrackerApp> StartDeribitOnlyAsync(DeribitSimulator simulator, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Tracker:Venues"] = "deribit",
            ["Deribit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
            ["Deribit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
            ["Deribit:Currencies"] = "BTC,ETH",
        };
        foreach (var (key, value) in settings ?? [])
            all[key] = value;
        return TrackerApp.StartAsync(TrackerApp.NoExchangeRestUrl, TrackerApp.NoExchangeWsUrl, ["BTC", "ETH"], all);
    }
}
