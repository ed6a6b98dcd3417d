using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using OptionsTracker.Feed;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class AssetManagementTests
{
    [Fact]
    public async Task Adding_a_coin_checks_the_exchange_subscribes_at_once_and_removing_it_drops_it()
    {
        await using var s = await DashboardSession.StartAsync(listed: ["BTC", "SOL"], tracked: ["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        await Expect(s.Page.Locator("nav.assets [data-coin=SOL]")).ToHaveCountAsync(0);

        await s.Page.Locator("#manage-assets").ClickAsync();
        await s.Page.Locator("#add-coin").FillAsync("doge");
        await s.Page.Locator("#add-coin-submit").ClickAsync();
        await Expect(s.Page.Locator("#asset-message")).ToHaveTextAsync("Bybit lists no options for DOGE.");
        await Expect(s.Page.Locator("nav.assets [data-coin=DOGE]")).ToHaveCountAsync(0);

        await s.Page.Locator("#add-coin").FillAsync("sol");
        await s.Page.Locator("#add-coin-submit").ClickAsync();

        var sol = s.Page.Locator("nav.assets [data-coin=SOL]");
        await Expect(sol).ToBeVisibleAsync();
        await Expect(sol.Locator(".asset-atm")).ToHaveTextAsync(new Regex(@"^ATM [\d,.]+$"), new() { Timeout = 30_000 });
        await s.WaitForBookAsync("SOL");
        await sol.ClickAsync();
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^SOL-"));
        await s.ScreenshotAsync("assets");

        // The choice is kept for the next start.
        Assert.Contains("SOL", ReadPersisted(s.AssetsFile).Enabled);

        await s.Page.Locator("#asset-panel li[data-coin=SOL] button.disable").ClickAsync();
        await Expect(sol).ToHaveCountAsync(0);
        await Eventually.Until(() => !s.Book.Index.TryGetCoin("SOL", out _), "SOL's options leaving the book");
        Assert.DoesNotContain("SOL", ReadPersisted(s.AssetsFile).Enabled);
        Assert.Contains(ReadPersisted(s.AssetsFile).All, a => a is { Coin: "SOL", Enabled: false });

        await s.Page.Locator("#asset-panel li[data-coin=SOL] button.enable").ClickAsync();
        await Expect(sol).ToBeVisibleAsync();
        await s.WaitForBookAsync("SOL");

        await s.Page.Locator("#asset-panel li[data-coin=SOL] button.remove").ClickAsync();
        // Removing asks first (issue 14 item 13).
        await s.Page.Locator("#asset-panel li[data-coin=SOL] button.confirm-yes").ClickAsync();
        await Expect(sol).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#asset-panel li[data-coin=SOL]")).ToHaveCountAsync(0);
        await Eventually.Until(() => !s.Book.Index.TryGetCoin("SOL", out _), "SOL's options leaving the book");
        await Eventually.Until(() => s.App.Supervisor.TopicCount == s.SlotsOf("BTC").Count, "SOL's topics leaving the feed");
        Assert.DoesNotContain(ReadPersisted(s.AssetsFile).All, a => a.Coin == "SOL");
        await Expect(s.Page.Locator("nav.assets [data-coin=BTC]")).ToHaveClassAsync(new Regex(@"\bactive\b"));
    }

    [Fact]
    public async Task Tracked_coins_come_from_configuration_until_changed_then_from_the_file()
    {
        var file = Path.Combine(Path.GetTempPath(), "optionstracker-tests", Guid.NewGuid().ToString("N"), "assets.json");
        try
        {
            var first = Create(file, ["BTC", "ETH"]);
            Assert.Equal(["BTC", "ETH"], first.Enabled);
            Assert.False(File.Exists(file));

            await first.AddAsync("XRP", TestContext.Current.CancellationToken);
            await first.SetEnabledAsync("ETH", false, TestContext.Current.CancellationToken);

            var afterRestart = Create(file, ["BTC", "ETH"]);
            Assert.Equal(["BTC", "XRP"], afterRestart.Enabled);
            Assert.Contains(afterRestart.All, a => a is { Coin: "ETH", Enabled: false });
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_configuration_changed_since_the_dashboard_saved_wins_and_says_so()
    {
        var file = Path.Combine(Path.GetTempPath(), "optionstracker-tests", Guid.NewGuid().ToString("N"), "assets.json");
        try
        {
            var first = Create(file, ["BTC", "ETH"]);
            await first.AddAsync("XRP", TestContext.Current.CancellationToken);

            // Same coins in another order: not a change.
            Assert.Equal(["BTC", "ETH", "XRP"], Create(file, ["ETH", "BTC"]).Enabled);

            var logs = new Alerts.CapturingLoggerProvider();
            using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
            var afterEdit = Create(file, ["BTC", "SOL"], factory.CreateLogger<TrackedAssets>());
            Assert.Equal(["BTC", "SOL"], afterEdit.Enabled);
            Assert.Contains(logs.Lines, l => l.EventId == 2015 && l.Text.Contains("from BTC,ETH to BTC,SOL", StringComparison.Ordinal));

            // The next change saves the new configuration with it, so the file wins again from then on.
            await afterEdit.SetEnabledAsync("SOL", false, TestContext.Current.CancellationToken);
            Assert.Equal(["BTC"], Create(file, ["BTC", "SOL"]).Enabled);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("{ not json", true)]
    [InlineData("{\"assets\":[{\"coin\":\"XRP\",\"enabled\":true}]}", false)]
    public void A_file_that_cannot_be_read_falls_back_to_configuration_and_an_older_file_still_counts(string content, bool unreadable)
    {
        var file = Path.Combine(Path.GetTempPath(), "optionstracker-tests", Guid.NewGuid().ToString("N"), "assets.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        try
        {
            File.WriteAllText(file, content);
            var logs = new Alerts.CapturingLoggerProvider();
            using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

            var assets = Create(file, ["BTC"], factory.CreateLogger<TrackedAssets>());

            // A file written before the configured set was kept in it still wins, as it did then.
            Assert.Equal(unreadable ? ["BTC"] : ["XRP"], assets.Enabled);
            Assert.Equal(unreadable, logs.Lines.Any(l => l.EventId == 2014 && l.Text.Contains(file, StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_change_the_file_cannot_keep_is_not_made()
    {
        // A file where the folder should be: the save fails (even for root, unlike permissions).
        var blocker = Path.GetTempFileName();
        try
        {
            var assets = Create(Path.Combine(blocker, "assets.json"), ["BTC"]);

            await Assert.ThrowsAnyAsync<IOException>(() => assets.AddAsync("XRP", TestContext.Current.CancellationToken));

            Assert.Equal(["BTC"], assets.Enabled);
            Assert.Equal([new TrackedAsset("BTC", true)], assets.All);
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    /// <summary>The set saved in <paramref name="file"/>, read as the host would with the configuration it was made from.</summary>
    private static TrackedAssets ReadPersisted(string file)
    {
        var saved = System.Text.Json.JsonSerializer.Deserialize(File.ReadAllBytes(file), TrackedAssetsJsonContext.Default.TrackedAssetsFile)!;
        return Create(file, [.. saved.Configured!]);
    }

    private static TrackedAssets Create(string file, string[] configured, ILogger<TrackedAssets>? logger = null) =>
        new(Options.Create(new TrackerOptions { Assets = configured, AssetsFile = file }), new FixedContentRoot(), logger);

    private sealed class FixedContentRoot : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "OptionsTracker";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
