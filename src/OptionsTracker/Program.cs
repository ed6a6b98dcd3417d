using Microsoft.Extensions.Options;
using OptionsTracker.Alerts;
using OptionsTracker.Api;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Deribit;
using OptionsTracker.Feed;
using OptionsTracker.Configuration;
using OptionsTracker.Dashboard;
using OptionsTracker.Health;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Security;
using OptionsTracker.Simulator;
using OptionsTracker.Store;
using OptionsTracker.Strategies;
using OptionsTracker.Tape;

// `--probe URL` is the container health check: the runtime image has no curl.
if (args is ["--probe", var probeUrl])
    return await HealthProbe.RunAsync(new Uri(probeUrl));

// `--replay FILE [--speed N]` and `--generate-history DAYS` (docs/history.md, "Replay and the history generator") imply --demo.
HistoryCommandLine historyArgs;
try
{
    historyArgs = HistoryCommandLine.Parse(args);
}
catch (ArgumentException ex)
{
    // A bad switch value is a typo: one line naming the switch, as a bad setting gets, never a stack trace.
    await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
    return 1;
}
args = historyArgs.Remaining;
// `--demo` runs against the in-process Bybit simulator instead of the exchange.
var demo = args.Contains("--demo", StringComparer.OrdinalIgnoreCase) || historyArgs.ImpliesDemo;
// `--role all|collector|web` is short for `--Tracker:Role`.
var hostArgs = args
    .Where(a => !a.Equals("--demo", StringComparison.OrdinalIgnoreCase))
    .Select(a => a.Equals("--role", StringComparison.OrdinalIgnoreCase) ? "--Tracker:Role"
        : a.StartsWith("--role=", StringComparison.OrdinalIgnoreCase) ? "--Tracker:Role=" + a["--role=".Length..] : a)
    .ToArray();
BybitSimulator? simulator = null;
OptionsTracker.Simulator.Deribit.DeribitSimulator? deribitSimulator = null;
HistoryReplay? replay = null;
try
{
    var builder = WebApplication.CreateBuilder(hostArgs);
    // `dotnet run` in Production serves the dashboard's framework and package assets (blazor.web.js, Plotly,
    // QuickGrid's styles) from the build's static web assets manifest; published output has them in wwwroot.
    builder.WebHost.UseStaticWebAssets();
    builder.Configuration.AddLegacyEnvironment();
    builder.Configuration.ValidateLogLevels();
    builder.Services.AddSingleton(TimeProvider.System);

    // The venues this deployment collects and serves (Tracker:Venues), in preference order; each venue's folder is
    // registered here only when configured, so a Bybit-only user runs exactly what ran before.
    var venues = TrackerOptions.ReadVenues(builder.Configuration);
    if (historyArgs.ReplayPath is { } replayPath)
    {
        // The recorded market on the replay's clock, which the tracker reads too; its own history stays off.
        replay = await HistoryReplay.StartFileAsync(replayPath, historyArgs.Speed, loggerFactory: null, CancellationToken.None);
        builder.Configuration.AddInMemoryCollection(replay.FeedSettings());
        builder.Services.AddSingleton<TimeProvider>(replay.Clock);
    }
    else if (demo)
    {
        var assets = TrackerOptions.ReadAssets(builder.Configuration);
        await historyArgs.GenerateAsync(builder.Configuration, assets, loggerFactory: null, CancellationToken.None);
        simulator = await BybitSimulator.StartAsync(SimulatorOptions.ForDemo(assets));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
            // The block trades' RFQ stream too: its default is Bybit's own, which a demo must never read.
            ["Bybit:RfqWsUrl"] = simulator.RfqWsUrl.AbsoluteUri,
            // Its own history file and source label: simulated data never mixes with the real exchange's history.
            ["History:Simulated"] = "true",
        });
        // With Deribit configured (Tracker:Venues), a Deribit simulator over the same market: one index, two venues' quotes.
        if (venues.Contains(DeribitVenue.Id))
        {
            deribitSimulator = await OptionsTracker.Simulator.Deribit.DeribitSimulator.StartAsync(new()
            {
                Market = simulator,
                TradesPerSecond = SimulatorOptions.DemoTradesPerSecond,
            });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Deribit:RestUrl"] = deribitSimulator.RestUrl.AbsoluteUri,
                ["Deribit:WsUrl"] = deribitSimulator.WsUrl.AbsoluteUri,
            });
        }
    }

    builder.AddBook();
    builder.AddTape();
    builder.Services.AddSingleton(new KnownVenues(venues));
    builder.AddStore();
    if (venues.Contains(Venue.Bybit))
        builder.AddBybit();
    if (venues.Contains(DeribitVenue.Id))
        builder.AddDeribit();
    builder.AddFeed();
    builder.AddHealth();
    builder.AddAnalytics();
    builder.AddHistory();
    // The history knows what it was recorded from: every configured venue's URLs (each venue's Add…() registers its
    // VenueSource), in Tracker:Venues order, or the simulator under --demo.
    builder.Services.AddSingleton(s => HistoryFeature.Source(s.GetRequiredService<IOptions<HistoryOptions>>().Value,
        s.GetServices<VenueSource>().OrderBy(v => venues.ToList().FindIndex(known => known.Id == v.Venue))));
    builder.AddStrategies();
    builder.AddApi();
    builder.AddSecurity();
    builder.AddAlerts();
    builder.AddDashboard();

    var app = builder.Build();
    // Every setting is checked before anything is wired: a bad value stops here with one line naming it.
    app.Services.GetService<Microsoft.Extensions.Options.IStartupValidator>()?.Validate();

    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseSecurity();
    app.MapSecurity();
    app.MapHealth();
    app.MapApi();
    app.MapDashboard();

    OptionsTracker.Store.Log.Role(app.Logger, TrackerOptions.ReadRole(app.Configuration).ToString().ToLowerInvariant(),
        app.Services.GetRequiredService<IOptionStore>().Name);
    if ((simulator ?? replay?.Simulator) is { } demoSimulator)
        OptionsTracker.Feed.Log.DemoMode(app.Logger, demoSimulator.RestUrl, demoSimulator.WsUrl);

    await app.RunAsync();
}
catch (Exception ex) when (SectionValidation.DescribeStartupFailure(ex) is { } message)
{
    await Console.Error.WriteLineAsync(message);
    return 1;
}
finally
{
    if (deribitSimulator is not null)
        await deribitSimulator.DisposeAsync();
    if (simulator is not null)
        await simulator.DisposeAsync();
    if (replay is not null)
        await replay.DisposeAsync();
}
return 0;

public partial class Program;
