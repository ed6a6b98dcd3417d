using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// One dashboard test's world: a simulator, the real host tracking it on a loopback port, and Debian's Chromium
/// driven by Playwright with a fresh profile. Disposed with the test.
/// </summary>
public sealed class DashboardSession : IAsyncDisposable
{
    /// <summary>Where screenshots go (gitignored); the README's come from here too.</summary>
    public static readonly string ScreenshotDirectory = Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");

    private readonly string _assetsFile;
    // The host disposes the simulators it started itself (StartWithBothVenuesAsync).
    private bool _appOwnsSimulators;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private DashboardSession(BybitSimulator simulator, TrackerApp app, string assetsFile)
    {
        Simulator = simulator;
        App = app;
        _assetsFile = assetsFile;
    }

    public BybitSimulator Simulator { get; }
    public TrackerApp App { get; }
    public IBrowserContext Context { get; private set; } = null!;
    public IPage Page { get; private set; } = null!;
    public Uri BaseUrl => App.Client.BaseAddress!;
    public OptionBook Book => App.Book;
    public string AssetsFile => _assetsFile;

    /// <summary>The table's body rows as shown (QuickGrid's virtualisation spacers excluded).</summary>
    public ILocator Rows => Page.Locator("#options-table tbody tr:has(span.symbol)");

    /// <summary>The options of a coin in the book, by expiry, strike, type.</summary>
    public IReadOnlyList<OptionSlot> SlotsOf(string coin) => Book.Index.TryGetCoin(coin, out var index) ? index.Slots : [];

    public IReadOnlyList<ExpiryIndex> ExpiriesOf(string coin) => Book.Index.TryGetCoin(coin, out var index) ? index.Expiries : [];

    /// <summary>
    /// Starts the simulator with <paramref name="listed"/> coins, the host tracking <paramref name="tracked"/>, and a browser.
    /// With <paramref name="history"/> the host records a snapshot every second into a DuckDB file of the session's own
    /// (deleted with it), as the history's dashboard tests need. With <paramref name="rfq"/> the host also follows the
    /// simulator's RFQ stream, which names the block of each block trade's legs (the tape's tests).
    /// </summary>
    public static async Task<DashboardSession> StartAsync(string[]? listed = null, string[]? tracked = null, int width = 1400, int height = 900,
        bool history = false, bool rfq = false, IEnumerable<KeyValuePair<string, string?>>? extraSettings = null)
    {
        listed ??= ["BTC", "ETH"];
        tracked ??= listed;
        var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = listed, PushInterval = TimeSpan.FromMilliseconds(200) }, TestContext.Current.CancellationToken);
        var assetsFile = Path.Combine(Path.GetTempPath(), "optionstracker-tests", Guid.NewGuid().ToString("N"), "assets.json");
        var settings = new Dictionary<string, string?>
        {
            ["Tracker:AssetsFile"] = assetsFile,
            ["Tracker:StaleAfter"] = "00:00:05",
            ["Tracker:InstrumentRefreshInterval"] = "00:00:01",
        };
        if (rfq)
        {
            // The simulator's trades through the real feed: the trade topics (off in test hosts unless asked) and blocks.
            settings["Tape:Enabled"] = "true";
            settings["Bybit:RfqWsUrl"] = simulator.RfqWsUrl.AbsoluteUri;
        }
        if (history)
        {
            settings["History:Enabled"] = "true";
            settings["History:Path"] = Path.Combine(Path.GetDirectoryName(assetsFile)!, "history.duckdb");
            settings["History:Interval"] = "00:00:01";
        }
        foreach (var (key, value) in extraSettings ?? [])
            settings[key] = value;
        var app = await TrackerApp.StartAsync(simulator.RestUrl, simulator.WsUrl, tracked, settings, simulator);
        var session = new DashboardSession(simulator, app, assetsFile);
        await session.OpenBrowserAsync(width, height);
        return session;
    }

    /// <summary>
    /// Both venues (issue 19): the host of <see cref="TrackerApp.StartWithBothVenuesAsync"/> (a Bybit simulator, BTC and ETH,
    /// and a Deribit simulator over its market, both through their real feeds) and a browser. The host owns the simulators.
    /// </summary>
    public static async Task<DashboardSession> StartWithBothVenuesAsync(Dictionary<string, string?>? settings = null, int width = 1400, int height = 900)
    {
        var app = await TrackerApp.StartWithBothVenuesAsync(settings);
        var session = new DashboardSession(app.Simulator!, app, Path.Combine(Path.GetTempPath(), "optionstracker-tests", Guid.NewGuid().ToString("N"), "assets.json"))
        {
            _appOwnsSimulators = true,
        };
        await session.OpenBrowserAsync(width, height);
        return session;
    }

    /// <summary>Waits until every listed option of the tracked coins is in the book and quoted.</summary>
    public Task WaitForBookAsync(params string[] coins) => Eventually.Until(() =>
        coins.All(c => Book.Index.TryGetCoin(c, out var index)
            && index.Slots.Count == Simulator.GetInstruments(c).Count
            && index.Slots.All(s => s.ReadQuote().HasData)), $"the book holding every quoted option of {string.Join(", ", coins)}", 60);

    public async Task<IResponse?> GotoAsync(string pathAndQuery = "/")
    {
        var response = await Page.GotoAsync(new Uri(BaseUrl, pathAndQuery).AbsoluteUri);
        await WaitInteractiveAsync();
        return response;
    }

    public async Task ReloadAsync()
    {
        await Page.ReloadAsync();
        await WaitInteractiveAsync();
    }

    /// <summary>The page is prerendered first; controls answer once the circuit has rendered (<c>data-live=on</c>).</summary>
    public Task WaitInteractiveAsync() =>
        Assertions.Expect(Page.Locator(".dash[data-live=on]")).ToBeVisibleAsync(new() { Timeout = 40_000 });

    public Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        return Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = false });
    }

    private async Task OpenBrowserAsync(int width, int height)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        Context.SetDefaultTimeout(30_000);
        Page = await Context.NewPageAsync();
        // Browser errors (a broken circuit says why there) go to the test's output.
        Page.Console += (_, message) =>
        {
            if (message.Type == "error")
                TestContext.Current.TestOutputHelper?.WriteLine("browser: " + message.Text);
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
            await _browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
        if (!_appOwnsSimulators)
            await Simulator.DisposeAsync();
        try
        {
            Directory.Delete(Path.GetDirectoryName(_assetsFile)!, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was saved.
        }
    }
}
