using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Health;
using OptionsTracker.Simulator;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>
/// The real host on a loopback port (Kestrel, port 0) tracking a simulator: one per test, disposed with it.
/// </summary>
public sealed class TrackerApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private TrackerApp(WebApplicationFactory<Program> factory, BybitSimulator? simulator)
    {
        _factory = factory;
        Simulator = simulator;
        Client = factory.CreateClient();
    }

    public BybitSimulator? Simulator { get; }

    /// <summary>A browser-like client over the real socket: keeps cookies, follows redirects only if asked.</summary>
    public HttpClient CreateClient(bool allowAutoRedirect) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = allowAutoRedirect, UseCookies = true, CookieContainer = new System.Net.CookieContainer() })
        {
            BaseAddress = Client.BaseAddress,
        };
    public HttpClient Client { get; }
    public IServiceProvider Services => _factory.Services;
    public OptionBook Book => Services.GetRequiredService<OptionBook>();
    public ShardSupervisor Supervisor => Services.GetRequiredService<ShardSupervisor>();
    public FeedReport Report => Services.GetRequiredService<FeedMonitor>().GetReport();

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
    };

    public static Task<TrackerApp> StartAsync(BybitSimulator simulator, IDictionary<string, string?>? settings = null, TimeProvider? timeProvider = null,
        Alerts.CapturingLoggerProvider? logs = null) =>
        StartAsync(simulator.RestUrl, simulator.WsUrl, simulator.BaseCoins, settings, simulator, timeProvider, logs);

    /// <param name="logs">When given, receives every line the host logs at the configured levels (Warning and above unless set).</param>
    public static Task<TrackerApp> StartAsync(Uri restUrl, Uri wsUrl, IEnumerable<string> coins, IDictionary<string, string?>? settings = null,
        BybitSimulator? simulator = null, TimeProvider? timeProvider = null, Alerts.CapturingLoggerProvider? logs = null)
    {
        var all = new Dictionary<string, string?>(FastTimings)
        {
            ["Bybit:RestUrl"] = restUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = wsUrl.AbsoluteUri,
            ["Tracker:Assets"] = string.Join(",", coins),
            ["Logging:LogLevel:Default"] = "Warning",
            // Each host its own tracked-coin file: a file left in the content root would override Tracker:Assets.
            ["Tracker:AssetsFile"] = Path.Combine(Path.GetTempPath(), $"optionstracker-test-{Guid.NewGuid():N}.json"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in all)
                builder.UseSetting(key, value);
            if (timeProvider is not null)
                builder.ConfigureServices(services => services.AddSingleton(timeProvider));
            if (logs is not null)
                builder.ConfigureLogging(logging => logging.AddProvider(logs));
        });
        // Listen(0), not UseKestrel(0): on a factory made by WithWebHostBuilder the port variant is lost and
        // every host would bind the default port 5000.
        factory.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        return Task.FromResult(new TrackerApp(factory, simulator));
    }

    /// <summary>Waits until every simulator instrument is in the book, quoted, and every shard is live.</summary>
    public async Task WaitForFullBoardAsync(int timeoutSeconds = 60)
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
    }
}
