using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// The real host on a Kestrel port of its own. The feed points at a loopback port nobody listens on, so it
/// stays idle and the test owns the book.
/// </summary>
internal sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private ApiHost(Dictionary<string, string?> settings) => _settings = settings;

    /// <summary>The simulator this host tracks, when started with <see cref="StartWithSimulatorAsync"/>; disposed with the host.</summary>
    public BybitSimulator? Simulator { get; private set; }

    /// <summary>
    /// The host tracking a small simulated market (BTC and ETH), returned once every simulated option is in
    /// the book and quoted.
    /// </summary>
    public static async Task<ApiHost> StartWithSimulatorAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC", "ETH"], TargetInstrumentCount = 300 }, TestContext.Current.CancellationToken);
        var all = new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
            ["Tracker:Assets:0"] = "BTC",
            ["Tracker:Assets:1"] = "ETH",
            ["Tracker:Assets:2"] = "ETH",
            ["Tracker:InstrumentRefreshInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var host = Start(all);
        host.Simulator = simulator;
        var expected = simulator.InstrumentCount;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(host.Book.Index.Count == expected && host.Book.Index.All.All(s => s.ReadQuote().HasData)))
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"the book did not fill with the simulator's {expected} options within 60 s (has {host.Book.Index.Count})");
            try
            {
                await host.Book.WaitForChangeAsync(host.Book.Sequence, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                // Look again: the condition may depend on time as much as on changes.
            }
        }
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Simulator is not null)
            await Simulator.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    public static ApiHost Start(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var deadPort = UnusedPort();
        var all = new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = $"http://127.0.0.1:{deadPort}/",
            ["Bybit:WsUrl"] = $"ws://127.0.0.1:{deadPort}/v5/public/option",
            ["Tracker:Assets:0"] = "BTC",
            ["Tracker:Assets:1"] = "ETH",
            ["Tracker:Assets:2"] = "XRP",
            ["Api:StreamInterval"] = "00:00:00.050",
            ["Tracker:AssetsFile"] = Path.Combine(Path.GetTempPath(), $"optionstracker-test-{Guid.NewGuid():N}.json"),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Security:RateLimitPerSecond"] = "1000000",
            ["Security:RateLimitBurst"] = "1000000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var host = new ApiHost(all);
        // Listen(0) rather than UseKestrel(0): the port variant rewrites the address list after build, which
        // races with the server start when hosts start in parallel.
        host.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        return host;
    }

    public OptionBook Book => Services.GetRequiredService<OptionBook>();

    public Uri BaseAddress => ClientOptions.BaseAddress;

    public HttpClient Http()
    {
        var client = CreateDefaultClient();
        client.Timeout = Eventually.Timeout;
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
