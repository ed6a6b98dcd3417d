using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Health;
using OptionsTracker.Simulator;

namespace OptionsTracker.Load;

/// <summary>
/// The real host (Program, Kestrel on a loopback port) inside the harness, as the tests run it, so the harness can read
/// the book directly: used where a figure needs the book (latency to readable, bytes allocated per message).
/// </summary>
internal sealed class InProcessTracker : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private InProcessTracker(WebApplicationFactory<Program> factory)
    {
        _factory = factory;
        Http = factory.CreateClient();
        Http.Timeout = TimeSpan.FromSeconds(30);
    }

    public HttpClient Http { get; }

    public OptionBook Book => _factory.Services.GetRequiredService<OptionBook>();

    public FeedReport Report => _factory.Services.GetRequiredService<FeedMonitor>().GetReport();

    /// <summary>The host's services (the tape, for the phases that append trades to it).</summary>
    public IServiceProvider Services => _factory.Services;

    public static InProcessTracker Start(BybitSimulator simulator, IDictionary<string, string?>? extra = null) =>
        Start(simulator.RestUrl, simulator.WsUrl, simulator.BaseCoins, extra);

    /// <summary>The host with no exchange behind it (nothing listens at its URLs): the harness feeds it directly.</summary>
    public static InProcessTracker StartWithoutExchange(IEnumerable<string> coins, IDictionary<string, string?>? extra = null) =>
        Start(new Uri("http://127.0.0.1:1/"), new Uri("ws://127.0.0.1:1/v5/public/option"), coins, extra);

    private static InProcessTracker Start(Uri restUrl, Uri wsUrl, IEnumerable<string> coins, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = restUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = wsUrl.AbsoluteUri,
            ["Tracker:Assets"] = string.Join(",", coins),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Security:RateLimitPerSecond"] = "1000000",
            ["Security:RateLimitBurst"] = "1000000",
            // History has its own figures (docs/performance.md, "History"). Recording here would write state/history.duckdb
            // under the working directory, which the next run (a simulator on another port) may not open: a source
            // mismatch retried all through the phase, with its log lines and CPU in the figures.
            ["History:Enabled"] = "false",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        // The content root the test manifest would guess is solution-relative; the host's build output is where
        // its appsettings.json is, as for the separate process.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_OPTIONSTRACKER", Path.GetDirectoryName(TrackerProcess.FindTrackerDll()));
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            foreach (var (key, value) in settings)
                builder.UseSetting(key, value);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        return new InProcessTracker(factory);
    }

    /// <summary>Waits until every option is in the book, quoted, and every topic subscribed.</summary>
    public async Task WaitFullBoardAsync(int options, TimeSpan timeout, CancellationToken cancellationToken, TimeSpan? pollInterval = null)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var index = Book.Index;
            var report = Report;
            if (index.Count == options && report.State == FeedState.Live
                // Every option's ticker; with the tape on, each coin's trade topic beside them.
                && report.SubscribedTopics >= options
                && index.All.All(s => s.ReadQuote().HasData))
            {
                return;
            }
            if (Stopwatch.GetElapsedTime(started) > timeout)
                throw new TimeoutException($"in-process tracker not full within {timeout}: {index.Count} options, {report.State}, {report.SubscribedTopics} subscribed");
            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
