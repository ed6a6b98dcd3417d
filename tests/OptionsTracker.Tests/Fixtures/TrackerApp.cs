using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Simulator.Deribit;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// The real host on a loopback port (Kestrel, port 0): the one host fixture of the tests. It tracks a simulator
/// (<see cref="StartAsync(BybitSimulator, Dictionary{string, string?}?, TimeProvider?, Alerts.CapturingLoggerProvider?, LogLevel)"/>,
/// <see cref="StartWithSimulatorAsync"/>) or no exchange at all, when the test owns the book
/// (<see cref="StartWithoutExchangeAsync"/>, <see cref="StartForApiAsync"/>). One per test, disposed with it.
/// </summary>
public sealed class TrackerApp : IAsyncDisposable
{
    /// <summary>
    /// A closed loopback port: the feed fails fast and leaves the book to the test. A privileged port, so no
    /// other test's server (given an ephemeral port) can be listening there.
    /// </summary>
    public static readonly Uri NoExchangeRestUrl = new("http://127.0.0.1:1/");
    public static readonly Uri NoExchangeWsUrl = new("ws://127.0.0.1:1/v5/public/option");

    private readonly WebApplicationFactory<Program> _factory;
    private readonly bool _ownsSimulator;

    private TrackerApp(WebApplicationFactory<Program> factory, BybitSimulator? simulator, bool ownsSimulator)
    {
        _factory = factory;
        _ownsSimulator = ownsSimulator;
        Simulator = simulator;
        Client = factory.CreateClient();
    }

    public BybitSimulator? Simulator { get; }

    /// <summary>The Deribit simulator of <see cref="StartWithBothVenuesAsync"/> (over <see cref="Simulator"/>'s market), else null.</summary>
    public DeribitSimulator? Deribit { get; private set; }

    /// <summary>A browser-like client over the real socket: keeps cookies, follows redirects only if asked.</summary>
    public HttpClient CreateClient(bool allowAutoRedirect) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = allowAutoRedirect, UseCookies = true, CookieContainer = new System.Net.CookieContainer() })
        {
            BaseAddress = Client.BaseAddress,
        };

    /// <summary>A client of the host, owned by it: do not dispose.</summary>
    public HttpClient Client { get; }

    /// <summary>A new client of the host over the real socket, waiting up to <see cref="Eventually.Timeout"/>; the caller disposes it.</summary>
    public HttpClient Http()
    {
        var client = _factory.CreateClient();
        client.Timeout = Eventually.Timeout;
        return client;
    }

    /// <summary>The host's address (http://127.0.0.1:port/).</summary>
    public Uri BaseAddress => Client.BaseAddress!;

    public IServiceProvider Services => _factory.Services;
    public OptionBook Book => Services.GetRequiredService<OptionBook>();
    public ShardSupervisor Supervisor => Services.GetRequiredService<ShardSupervisor>();
    public FeedReport Report => Services.GetRequiredService<FeedMonitor>().GetReport();
    internal AlertDispatcher Dispatcher => Services.GetRequiredService<AlertDispatcher>();
    internal AlertEvaluationService Evaluation => Services.GetRequiredService<AlertEvaluationService>();

    /// <summary>Fast heartbeats and retries, so fault tests finish in seconds.</summary>
    public static readonly Dictionary<string, string?> FastTimings = new()
    {
        // Short enough for fault tests to finish in seconds, long enough that a busy 2-core CI machine
        // does not see a healthy connection as dead.
        ["Bybit:PingInterval"] = "00:00:01",
        ["Bybit:PongTimeout"] = "00:00:03",
        ["Bybit:DataTimeout"] = "00:00:05",
        ["Bybit:ReconnectDelay"] = "00:00:00.050",
        ["Bybit:MaxReconnectDelay"] = "00:00:00.500",
        ["Bybit:AckTimeout"] = "00:00:02",
        ["Bybit:SubscribeRetryDelay"] = "00:00:00.100",
        ["Bybit:RestRetryDelay"] = "00:00:00.050",
        ["Bybit:MaxRestRetryDelay"] = "00:00:00.500",
        ["Bybit:IpBanBackoff"] = "00:00:00.500",
        // Failed alert sends are retried; tests do not wait seconds for it.
        ["Alerts:SendRetryDelay"] = "00:00:00.050",
    };

    /// <summary>What the API tests share: BTC, ETH and XRP tracked, streams every 50 ms, no rate limit in the way.</summary>
    private static readonly Dictionary<string, string?> ApiSettings = new()
    {
        ["Tracker:Assets:0"] = "BTC",
        ["Tracker:Assets:1"] = "ETH",
        ["Tracker:Assets:2"] = "XRP",
        ["Api:StreamInterval"] = "00:00:00.050",
        ["Security:RateLimitPerSecond"] = "1000000",
        ["Security:RateLimitBurst"] = "1000000",
    };

    public static Task<TrackerApp> StartAsync(BybitSimulator simulator, Dictionary<string, string?>? settings = null, TimeProvider? timeProvider = null,
        Alerts.CapturingLoggerProvider? logs = null, LogLevel logLevel = LogLevel.Warning) =>
        StartAsync(simulator.RestUrl, simulator.WsUrl, simulator.BaseCoins, settings, simulator, timeProvider, logs, logLevel);

    /// <param name="logs">When given, receives every line the host logs at <paramref name="logLevel"/> and above (instead of the console).</param>
    public static Task<TrackerApp> StartAsync(Uri restUrl, Uri wsUrl, IEnumerable<string> coins, Dictionary<string, string?>? settings = null,
        BybitSimulator? simulator = null, TimeProvider? timeProvider = null, Alerts.CapturingLoggerProvider? logs = null, LogLevel logLevel = LogLevel.Warning)
    {
        var all = new Dictionary<string, string?>(FastTimings)
        {
            ["Bybit:RestUrl"] = restUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = wsUrl.AbsoluteUri,
            ["Tracker:Assets"] = string.Join(",", coins),
        };
        return Task.FromResult(Start(With(all, settings, logLevel), simulator, ownsSimulator: false, timeProvider, logs));
    }

    /// <summary>The host with no exchange behind it (tracking BTC unless settings say otherwise): the test owns the book.</summary>
    public static Task<TrackerApp> StartWithoutExchangeAsync(Dictionary<string, string?>? settings = null, TimeProvider? timeProvider = null,
        Alerts.CapturingLoggerProvider? logs = null, LogLevel logLevel = LogLevel.Warning) =>
        StartAsync(NoExchangeRestUrl, NoExchangeWsUrl, ["BTC"], settings, timeProvider: timeProvider, logs: logs, logLevel: logLevel);

    /// <summary>
    /// The host as the API tests use it: no exchange (the test fills the book, e.g. with <see cref="BookBuilder.Fill"/>),
    /// BTC, ETH and XRP tracked, streams every 50 ms, no rate limit; default feed timings.
    /// </summary>
    public static Task<TrackerApp> StartForApiAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(ApiSettings)
        {
            ["Bybit:RestUrl"] = NoExchangeRestUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = NoExchangeWsUrl.AbsoluteUri,
        };
        return Task.FromResult(Start(With(all, settings, LogLevel.Warning), simulator: null, ownsSimulator: false, timeProvider: null, logs: null));
    }

    /// <summary>
    /// The host tracking a small simulated market of its own (BTC and ETH, <paramref name="instruments"/> options, 300 by
    /// default; disposed with the host), returned once every simulated option is in the book and quoted. Default feed
    /// timings, as in production.
    /// </summary>
    public static async Task<TrackerApp> StartWithSimulatorAsync(Dictionary<string, string?>? settings = null, int instruments = 300)
    {
        var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = instruments }, TestContext.Current.CancellationToken);
        var all = new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
            ["Tracker:Assets:0"] = "BTC",
            ["Tracker:Assets:1"] = "ETH",
            // Listed twice on purpose: a repeated coin is tracked once.
            ["Tracker:Assets:2"] = "ETH",
            ["Tracker:InstrumentRefreshInterval"] = "00:00:00.500",
        };
        TrackerApp app;
        try
        {
            app = Start(With(all, settings, LogLevel.Warning), simulator, ownsSimulator: true, timeProvider: null, logs: null);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
        var expected = simulator.InstrumentCount;
        await Eventually.Until(() => app.Book.Index.Count == expected && app.Book.Index.All.All(s => s.ReadQuote().HasData),
            $"the book filled with the simulator's {expected} options, all quoted");
        return app;
    }

    /// <summary>
    /// The settings that add Deribit to a host (issue 19): both venues, and the Deribit client pointed at
    /// <paramref name="deribit"/> (<c>Deribit:RestUrl</c> is the <c>…/api/v2/</c> base, <c>Deribit:WsUrl</c> the <c>…/ws/api/v2</c> socket).
    /// </summary>
    public static Dictionary<string, string?> DeribitSettings(DeribitSimulator deribit) => new()
    {
        ["Tracker:Venues"] = "bybit,deribit",
        ["Deribit:RestUrl"] = deribit.RestUrl.AbsoluteUri,
        ["Deribit:WsUrl"] = deribit.WsUrl.AbsoluteUri,
    };

    /// <summary>
    /// The host tracking both venues: a small Bybit simulator (BTC and ETH, 300 options) and a Deribit simulator over the same
    /// market (same index and forwards; Deribit's IVs a little different per strike), both disposed with the host. Fast
    /// feed timings. Returns once the host is up; the caller waits for what it needs (e.g. <see cref="WaitForFullBoardAsync"/>
    /// covers Bybit only).
    /// </summary>
    public static async Task<TrackerApp> StartWithBothVenuesAsync(Dictionary<string, string?>? settings = null,
        Action<DeribitSimulatorOptions>? configureDeribit = null, TimeProvider? timeProvider = null, Alerts.CapturingLoggerProvider? logs = null,
        LogLevel logLevel = LogLevel.Warning)
    {
        var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = 300 }, TestContext.Current.CancellationToken);
        DeribitSimulator? deribit = null;
        try
        {
            var deribitOptions = new DeribitSimulatorOptions { Market = simulator };
            configureDeribit?.Invoke(deribitOptions);
            deribit = await DeribitSimulator.StartAsync(deribitOptions, TestContext.Current.CancellationToken);
            var all = new Dictionary<string, string?>(FastTimings)
            {
                ["Bybit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
                ["Bybit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
                ["Tracker:Assets"] = "BTC,ETH",
            };
            foreach (var (key, value) in DeribitSettings(deribit))
                all[key] = value;
            var app = Start(With(all, settings, logLevel), simulator, ownsSimulator: true, timeProvider, logs);
            app.Deribit = deribit;
            return app;
        }
        catch
        {
            if (deribit is not null)
                await deribit.DisposeAsync();
            await simulator.DisposeAsync();
            throw;
        }
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> all, Dictionary<string, string?>? settings, LogLevel logLevel)
    {
        all["Logging:LogLevel:Default"] = logLevel.ToString();
        // Each host its own tracked-coin file: a file left in the content root would override Tracker:Assets.
        all["Tracker:AssetsFile"] = Path.Combine(Path.GetTempPath(), $"optionstracker-test-{Guid.NewGuid():N}.json");
        // No history unless a test asks for it (with its own History:Path): recording is the history tests' subject, and a
        // host recording into the content root's state/ would share one file between tests.
        all["History:Enabled"] = "false";
        // Each host its own saved strategies: by default they sit beside the assets file, here the shared temp folder.
        all["Strategies:File"] = Path.Combine(Path.GetTempPath(), $"optionstracker-strategies-{Guid.NewGuid():N}.json");
        // No RFQ stream unless a test asks for it: the documented default is Bybit's own, which no test may reach.
        all["Bybit:RfqWsUrl"] = "";
        // No trade tape unless a test asks for it (Tape:Enabled=true): the tape is the tape tests' subject, and its trade
        // topics (publicTrade.{coin}, one per coin) would change the topic counts the feed tests compare with the board.
        all["Tape:Enabled"] = "false";
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        return all;
    }

    private static TrackerApp Start(Dictionary<string, string?> all, BybitSimulator? simulator, bool ownsSimulator, TimeProvider? timeProvider,
        Alerts.CapturingLoggerProvider? logs)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all)
                builder.UseSetting(key, value);
            if (timeProvider is not null)
                builder.ConfigureServices(services => services.AddSingleton(timeProvider));
            if (logs is not null)
            {
                builder.ConfigureLogging(logging =>
                {
                    // Only the capture: at Trace, the console would print every line of every test.
                    logging.ClearProviders();
                    logging.AddProvider(logs);
                });
            }
        });
        // Listen(0), not UseKestrel(0): on a factory made by WithWebHostBuilder the port variant is lost and
        // every host would bind the default port 5000.
        factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        try
        {
            factory.StartServer();
        }
        catch
        {
            factory.Dispose();
            throw;
        }
        return new TrackerApp(factory, simulator, ownsSimulator);
    }

    /// <summary>Waits until every simulator instrument is in the book, quoted, and every shard is live.</summary>
    public async Task WaitForFullBoardAsync(int timeoutSeconds = Eventually.DefaultTimeoutSeconds)
    {
        var expected = Simulator!.InstrumentCount;
        await Eventually.Until(() =>
        {
            var index = Book.Index;
            var report = Report;
            return index.Count == expected
                && index.All.All(s => s.ReadQuote().HasData)
                && report.State == FeedState.Live
                && report.SubscribedTopics == expected;
        }, $"the whole board of {expected} options loaded, quoted and subscribed", timeoutSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _factory.DisposeAsync();
        if (Deribit is not null)
            await Deribit.DisposeAsync();
        if (_ownsSimulator && Simulator is not null)
            await Simulator.DisposeAsync();
    }
}
