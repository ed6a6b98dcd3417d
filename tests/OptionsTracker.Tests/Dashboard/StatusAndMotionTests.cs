using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OptionsTracker.Feed;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// Issue 14, items 3, 4, 8 and 12 (reconnect): what the page says when the feed or the server goes away, and how much it
/// moves. The session's stale limit (Tracker:StaleAfter) is 5 s.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class StatusAndMotionTests
{
    /// <summary>What Chromium reports for a transparent background.</summary>
    private const string Transparent = "rgba(0, 0, 0, 0)";

    [Fact]
    public async Task While_the_feed_is_down_a_banner_says_so_and_old_quotes_are_greyed_with_their_age_until_it_returns()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var banner = s.Page.Locator("#feed-banner");
        await Expect(s.Page.Locator("#status")).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));
        await Expect(banner).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#options-table tbody tr.stale")).ToHaveCountAsync(0);

        s.Simulator.Faults.RejectNewConnections = true;
        s.Simulator.Faults.DropAllConnections();

        await Expect(banner).ToBeVisibleAsync();
        await Expect(banner).ToHaveAttributeAsync("role", "alert");
        await Expect(banner).ToContainTextAsync("Feed disconnected");
        await Expect(banner).ToContainTextAsync("may be out of date");
        // Past the stale limit every quote is greyed, its age on the symbol's hover title.
        var first = s.Rows.First;
        await Expect(first).ToHaveClassAsync(new Regex(@"\bstale\b"));
        await Expect(first.Locator("span.symbol")).ToHaveAttributeAsync("title", new Regex(@"^stale: last quote \d+ s ago$"));
        // Each quote passes the limit at its own time (its last push): soon every row on the page is greyed.
        await Expect(s.Page.Locator("#options-table tbody tr:not(.stale):has(span.symbol)")).ToHaveCountAsync(0);
        var greyed = await first.Locator("td.col-mark").EvaluateAsync<string>("td => getComputedStyle(td).color");
        var muted = await s.Page.Locator(".dash").EvaluateAsync<string>(
            "dash => { const probe = document.createElement('span'); probe.style.color = 'var(--muted)'; dash.appendChild(probe); const c = getComputedStyle(probe).color; probe.remove(); return c; }");
        Assert.Equal(muted, greyed);
        await s.ScreenshotAsync("stale-banner");
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.ScreenshotAsync("stale-banner-light");

        // The chain greys both sides of every strike, with the ages on the line's hover title.
        await s.Page.Locator(".views [data-view=chain]").ClickAsync();
        var chainLine = s.Page.Locator("#chain tbody tr").First;
        // Every cell of both sides (the chosen columns and the phone's condensed ones).
        await Expect(chainLine.Locator("td.strike")).ToBeVisibleAsync();
        var sideCells = await chainLine.Locator("td.call-side").CountAsync();
        Assert.True(sideCells >= 3);
        await Expect(chainLine.Locator("td.call-side.stale")).ToHaveCountAsync(sideCells);
        await Expect(chainLine.Locator("td.put-side.stale")).ToHaveCountAsync(await chainLine.Locator("td.put-side").CountAsync());
        await Expect(chainLine).ToHaveAttributeAsync("title", new Regex(@"^call stale: last quote \d+ s ago; put stale: last quote \d+ s ago$"));

        s.Simulator.Faults.RejectNewConnections = false;

        await Expect(banner).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#chain td.stale")).ToHaveCountAsync(0);
        await Expect(chainLine).Not.ToHaveAttributeAsync("title", new Regex("stale"));
        await Expect(s.Page.Locator("#status")).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));
    }

    [Fact]
    public async Task After_a_coin_is_added_and_removed_and_the_feed_cut_the_light_follows_health_back_to_green()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"], tracked: ["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var status = s.Page.Locator("#status");
        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));

        // The issue's sequence: a coin added and removed (as the asset panel does, through the tracked coins), then the
        // feed cut and let back.
        var assets = s.App.Services.GetRequiredService<TrackedAssets>();
        await assets.AddAsync("ETH", TestContext.Current.CancellationToken);
        await s.WaitForBookAsync("BTC", "ETH");
        await Expect(s.Page.Locator(".stat.coin-count[data-coin=ETH]")).ToBeVisibleAsync();
        await assets.RemoveAsync("ETH", TestContext.Current.CancellationToken);
        await Expect(s.Page.Locator(".stat.coin-count[data-coin=ETH]")).ToHaveCountAsync(0);
        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));

        s.Simulator.Faults.RejectNewConnections = true;
        s.Simulator.Faults.DropAllConnections();
        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-red\b"));
        Assert.Equal("Unhealthy", (await HealthAsync(s)).Status);

        s.Simulator.Faults.RejectNewConnections = false;
        var restored = Stopwatch.StartNew();
        TimeSpan? healthy = null;
        await Eventually.Until(async () => (healthy ??= (await HealthAsync(s)).Status == "Healthy" ? restored.Elapsed : null) is not null,
            "/health to be healthy again", 30);
        await Expect(status).ToHaveClassAsync(new Regex(@"\bstatus-green\b"));
        var green = restored.Elapsed;
        await Expect(status).ToHaveAttributeAsync("data-state", "Live");
        await Expect(status).ToHaveAttributeAsync("title", new Regex("^receiving "));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"after the feed was let back: /health healthy at {healthy?.TotalSeconds:0.00} s, the page's light green at {green.TotalSeconds:0.00} s");
        var health = await HealthAsync(s);
        Assert.Equal("Healthy", health.Status);
        Assert.Equal(health.Reason, await status.GetAttributeAsync("title"));
    }

    [Fact]
    public async Task Only_prices_flash_the_switch_turns_flashing_off_and_stays_off_and_reduced_motion_shows_none()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var symbol = s.ExpiriesOf("BTC")[0].Slots[10].Instrument.Symbol;
        await s.GotoAsync($"/?q={symbol}");
        await Expect(s.Rows).ToHaveCountAsync(1);
        var toggle = s.Page.Locator("#flash-toggle");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");

        // A move of the index changes the mark, the IV and every Greek of the option: only the price cells may tint.
        var flashes = await RecordFlashesAsync(s.Page, () => MoveMarketAsync(s, symbol));
        Assert.Contains(flashes, f => f.Column == "col-mark" && f.Background != Transparent);
        Assert.All(flashes, f => Assert.Contains(f.Column, new[] { "col-bid", "col-ask", "col-mark", "col-last" }));

        // Switched off: cells may still be marked, but nothing is tinted; the choice survives a reload.
        await toggle.ClickAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-flash", "off");
        Assert.Equal("off", await s.Page.EvaluateAsync<string>("() => localStorage.getItem('optionsTracker.flash')"));
        flashes = await RecordFlashesAsync(s.Page, () => MoveMarketAsync(s, symbol));
        Assert.All(flashes, f => Assert.Equal(Transparent, f.Background));
        await s.ReloadAsync();
        await Expect(s.Page.Locator("#flash-toggle")).ToHaveAttributeAsync("aria-pressed", "false");

        // A browser asking for reduced motion sees no tint, with the switch left on.
        await using var reduced = await s.Context.Browser!.NewContextAsync(new() { ReducedMotion = ReducedMotion.Reduce, ViewportSize = new() { Width = 1400, Height = 900 } });
        var page = await reduced.NewPageAsync();
        await page.GotoAsync(new Uri(s.BaseUrl, $"/?q={symbol}").AbsoluteUri);
        await Expect(page.Locator(".dash[data-live=on]")).ToBeVisibleAsync(new() { Timeout = 40_000 });
        await Expect(page.Locator("#flash-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        flashes = await RecordFlashesAsync(page, () => MoveMarketAsync(s, symbol));
        Assert.Contains(flashes, f => f.Column == "col-mark");
        Assert.All(flashes, f => Assert.Equal(Transparent, f.Background));
    }

    [Fact]
    public async Task When_the_server_stops_the_reconnect_notice_says_so_in_the_page_theme_and_offers_a_reload()
    {
        var s = await DashboardSession.StartAsync(["BTC"]);
        await using (s)
        {
            await s.WaitForBookAsync("BTC");
            await s.GotoAsync();
            var panel = await ColourOfAsync(s.Page, "var(--panel)");
            var notice = s.Page.Locator("#components-reconnect-modal");
            await Expect(notice).ToBeHiddenAsync();

            await s.App.DisposeAsync();

            await Expect(notice).ToBeVisibleAsync();
            await Expect(notice).ToContainTextAsync("Connection to the server lost");
            await Expect(notice).ToContainTextAsync(new Regex("Reconnecting|Still reconnecting|does not answer"));
            await Expect(notice.Locator("#reconnect-reload")).ToBeVisibleAsync();
            Assert.Equal(panel, await notice.EvaluateAsync<string>("n => getComputedStyle(n).backgroundColor"));
            Assert.NotEqual("rgb(255, 255, 255)", panel);
            await s.ScreenshotAsync("reconnect");

            // The light theme's notice is light too.
            await s.Page.Locator(".dash").EvaluateAsync("dash => dash.dataset.theme = 'light'");
            var lightPanel = await ColourOfAsync(s.Page, "var(--panel)");
            Assert.NotEqual(panel, lightPanel);
            Assert.Equal(lightPanel, await notice.EvaluateAsync<string>("n => getComputedStyle(n).backgroundColor"));
        }
    }

    /// <summary>A colour (a CSS value, such as a variable of the page) as the browser computes it inside the dashboard.</summary>
    private static Task<string> ColourOfAsync(IPage page, string value) => page.Locator(".dash").EvaluateAsync<string>(
        "(dash, value) => { const probe = document.createElement('span'); probe.style.backgroundColor = value; dash.appendChild(probe); const c = getComputedStyle(probe).backgroundColor; probe.remove(); return c; }",
        value);

    /// <summary>Moves the index so the option's mark, IV and Greeks change, and waits until the mark on screen follows.</summary>
    private static async Task MoveMarketAsync(DashboardSession s, string symbol)
    {
        var slot = s.SlotsOf("BTC").Single(x => x.Instrument.Symbol == symbol);
        var before = slot.ReadQuote().MarkPrice;
        s.Simulator.SetIndexPrice("BTC", s.Simulator.GetIndexPrice("BTC") * 1.03);
        await Eventually.Until(() => slot.ReadQuote().MarkPrice != before, "the option's mark to move in the book");
    }

    private sealed record Flash(string Column, string Background);

    /// <summary>Every cell tinted while <paramref name="move"/> runs and the marks it causes last: its column, its background.</summary>
    private static async Task<List<Flash>> RecordFlashesAsync(IPage page, Func<Task> move)
    {
        await page.EvaluateAsync("""
            () => {
                window.flashes = [];
                window.flashObserver?.disconnect();
                window.flashObserver = new MutationObserver(() => {
                    for (const span of document.querySelectorAll('#options-table .flash-up, #options-table .flash-down')) {
                        window.flashes.push({ column: [...span.closest('td').classList].find(c => c.startsWith('col-') && !c.startsWith('col-justify')) ?? '', background: getComputedStyle(span).backgroundColor });
                    }
                });
                window.flashObserver.observe(document.querySelector('#options-table'), { attributes: true, childList: true, characterData: true, subtree: true });
            }
            """);
        var mark = page.Locator("#options-table td.col-mark").First;
        var shown = await mark.InnerTextAsync();
        await move();
        await Expect(mark).Not.ToHaveTextAsync(shown);
        // The mark stays on for OptionRow.FlashMs; wait until the observer has seen it.
        await page.WaitForFunctionAsync("() => window.flashes.some(f => f.column === 'col-mark')");
        var json = await page.EvaluateAsync<JsonElement>("() => window.flashes");
        return [.. json.EnumerateArray().Select(f => new Flash(f.GetProperty("column").GetString()!, f.GetProperty("background").GetString()!))];
    }

    private static async Task<(string Status, string Reason)> HealthAsync(DashboardSession s)
    {
        using var response = await s.App.Client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (json.RootElement.GetProperty("status").GetString()!, json.RootElement.GetProperty("reason").GetString() ?? "");
    }
}
