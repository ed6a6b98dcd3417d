using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The chain as a trader's screen (issue 14, items 6, 7, 9 and 14): columns per side, expiry tabs, the figures above
/// it, the option's detail, a header that stays, and a phone.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class ChainTests
{
    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>What the dashboard's own code makes of the test's book now: the figures and formats a circuit shows.</summary>
    private static LiveBoard BoardOf(DashboardSession s, string coin)
    {
        var board = new LiveBoard(s.Book);
        board.Refresh(coin, s.Book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        return board;
    }

    private static async Task<string[]> HeaderKeysAsync(IPage page, string prefix)
    {
        var classes = await page.Locator($"#chain thead tr.titles th.col:not(.extra)[class*=' {prefix}']").EvaluateAllAsync<string[]>("ths => ths.map(th => th.className)");
        return [.. classes.Select(c => c.Split(' ').First(k => k.StartsWith(prefix, StringComparison.Ordinal))[prefix.Length..])];
    }

    [Fact]
    public async Task Columns_chosen_per_side_are_mirrored_around_the_strike_and_kept_across_a_reload()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=chain");
        await Expect(s.Page.Locator("#chain tbody tr.atm")).ToHaveCountAsync(1);

        // Defaults: the same columns on both sides, the book next to the strike reading bid to ask on both.
        Assert.Equal(["oi", "delta", "bid-size", "bid-iv", "bid", "mark", "ask", "ask-iv", "ask-size"], await HeaderKeysAsync(s.Page, "c-"));
        Assert.Equal(["bid-size", "bid-iv", "bid", "mark", "ask", "ask-iv", "ask-size", "delta", "oi"], await HeaderKeysAsync(s.Page, "p-"));

        var toggle = s.Page.Locator("#chain-columns-toggle");
        var menu = s.Page.Locator("#chain-column-menu");
        await toggle.ClickAsync();
        await Expect(menu).ToBeVisibleAsync();
        await s.Page.Locator("#chain-col-calls-oi").UncheckAsync();
        await s.Page.Locator("#chain-col-calls-gamma").CheckAsync();
        await s.Page.Locator("#chain-col-puts-change").CheckAsync();
        await s.Page.Locator("#chain-col-puts-bid-size").UncheckAsync();
        await Expect(s.Page.Locator("#chain thead th.c-gamma")).ToBeVisibleAsync();

        // Escape closes the menu and gives the focus back to its button.
        await s.Page.Keyboard.PressAsync("Escape");
        await Expect(menu).ToHaveCountAsync(0);
        await Expect(toggle).ToBeFocusedAsync();
        // A click outside closes it too.
        await toggle.ClickAsync();
        await Expect(menu).ToBeVisibleAsync();
        await s.Page.Mouse.ClickAsync(5, 5);
        await Expect(menu).ToHaveCountAsync(0);

        string[] calls = ["delta", "gamma", "bid-size", "bid-iv", "bid", "mark", "ask", "ask-iv", "ask-size"];
        string[] puts = ["bid-iv", "bid", "mark", "ask", "ask-iv", "ask-size", "delta", "change", "oi"];
        Assert.Equal(calls, await HeaderKeysAsync(s.Page, "c-"));
        Assert.Equal(puts, await HeaderKeysAsync(s.Page, "p-"));
        await Expect(s.Page.Locator("#chain thead th.calls.wide")).ToHaveAttributeAsync("colspan", calls.Length.ToString(CultureInfo.InvariantCulture));

        await s.ReloadAsync();
        await Expect(s.Page.Locator("#chain thead th.c-gamma")).ToBeVisibleAsync();
        Assert.Equal(calls, await HeaderKeysAsync(s.Page, "c-"));
        Assert.Equal(puts, await HeaderKeysAsync(s.Page, "p-"));
        // Each row carries the chosen cells, values included (the 24 h change of each put, from its quote).
        var atm = s.Page.Locator("#chain tbody tr.atm");
        await Expect(atm.Locator("td.put-side:not(.extra)")).ToHaveCountAsync(puts.Length);
        await Expect(atm.Locator("td.p-change")).Not.ToHaveTextAsync("");
    }

    [Fact]
    public async Task Expiry_tabs_show_days_to_expiry_and_switch_the_chain_and_the_address()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var expiries = s.ExpiriesOf("BTC");
        await s.GotoAsync("/?view=chain");

        // One tab per expiry (no "All" on the chain), each with its days to expiry as the dashboard's measures count them.
        var tabs = s.Page.Locator("#expiry-tabs .expiry-tab");
        await Expect(tabs).ToHaveCountAsync(expiries.Count);
        await Expect(tabs.First).ToHaveAttributeAsync("aria-pressed", "true");
        await Eventually.Until(async () =>
        {
            var shown = await s.Page.Locator("#expiry-tabs .dte").AllTextContentsAsync();
            var now = s.Book.TimeProvider.GetUtcNow();
            return shown.SequenceEqual(expiries.Select(e => FigureText.DaysToExpiry(MarketMeasures.DaysToExpiry(e, now))));
        }, "each tab showing its expiry's days to expiry");
        var texts = await s.Page.Locator("#expiry-tabs .dte").AllTextContentsAsync();
        TestContext.Current.TestOutputHelper?.WriteLine("tabs: " + string.Join(", ", texts));
        Assert.All(texts, t => Assert.Matches(@"^(\d+D|\d+H|<1H)$", t));

        var later = expiries[2];
        var tab = s.Page.Locator($"#expiry-tabs button[data-expiry='{later.Label}']");
        await tab.ClickAsync();
        await Expect(tab).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(s.Page).ToHaveURLAsync(new Regex($"expiry={later.Label}"));
        await Expect(s.Page.Locator("#chain tbody tr")).ToHaveCountAsync(later.Slots.Select(x => x.Instrument.Strike).Distinct().Count());
        await Expect(s.Page.Locator("#chain-caption")).ToContainTextAsync(Display.Expiry(later.ExpiryUtc));

        // The smile keeps the chosen expiry's tab; the table adds "All".
        await s.Page.Locator("nav.views [data-view=smile]").ClickAsync();
        await Expect(s.Page.Locator($"#expiry-tabs button[data-expiry='{later.Label}']")).ToHaveAttributeAsync("aria-pressed", "true");
        await s.Page.Locator("nav.views [data-view=table]").ClickAsync();
        await Expect(tabs).ToHaveCountAsync(expiries.Count + 1);
        await s.Page.Locator("#expiry-tabs button[data-expiry='']").ClickAsync();
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{s.SlotsOf("BTC").Count} options");
    }

    [Fact]
    public async Task Figures_above_the_chain_and_per_coin_equal_the_summary_api_and_the_measures()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var expiry = s.ExpiriesOf("BTC")[1];
        await s.GotoAsync($"/?view=chain&expiry={expiry.Label}");
        await Expect(s.Page.Locator("#chain tbody tr.atm")).ToHaveCountAsync(1);
        // A still market, so the page and the API are read from the same book.
        s.Simulator.Faults.SilentConnections = true;

        string[] shown = [], expected = [];
        await Eventually.Until(async () =>
        {
            var summary = JsonNode.Parse(await s.App.Client.GetStringAsync("/api/summary/BTC", TestContext.Current.CancellationToken))!;
            var board = BoardOf(s, "BTC");
            var figures = board.Expiries.Single(e => e.Label == expiry.Label);
            var measures = MarketMeasures.ForExpiry(expiry, s.Book.TimeProvider.GetUtcNow());
            var putCall = MarketMeasures.PutCall(expiry.Slots);
            var maxPain = summary["max_pain"]!.AsArray().Single(m => (string?)m!["expiry"] == expiry.Label)!["strike"];
            expected =
            [
                board.Format.Underlying(measures.Forward), board.Format.Strike(measures.AtmStrikeValue), board.Format.Iv(measures.AtmIv),
                maxPain is null ? Display.Missing : board.Format.Strike((double)maxPain),
                FigureText.Ratio(putCall.OiRatio), FigureText.Ratio(putCall.VolumeRatio),
                FigureText.Ratio((double?)summary["put_call_ratio"]!["open_interest"]), FigureText.Ratio((double?)summary["put_call_ratio"]!["volume"]),
            ];
            Assert.Equal(figures.Underlying, measures.Forward);
            var texts = new List<string>();
            foreach (var id in new[] { "#chain-forward", "#chain-atm", "#chain-atm-iv", "#chain-max-pain", "#chain-pc-oi", "#chain-pc-volume", "#coin-pc-oi", "#coin-pc-volume" })
                texts.Add((await s.Page.Locator(id).TextContentAsync())?.Trim() ?? "");
            shown = [.. texts];
            return shown.SequenceEqual(expected);
        }, "the chain's and the coin's figures equal to the API's and the measures'");
        TestContext.Current.TestOutputHelper?.WriteLine("forward, ATM, ATM IV, max pain, P/C OI, P/C vol, coin P/C OI, coin P/C vol: " + string.Join(" | ", shown));
        Assert.DoesNotContain(Display.Missing, shown);
        s.Simulator.Faults.SilentConnections = false;
    }

    [Fact]
    public async Task Option_detail_opens_on_click_and_on_enter_shows_every_field_closes_on_escape_and_opens_from_a_link()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var expiry = s.ExpiriesOf("BTC")[1];
        var board = BoardOf(s, "BTC");
        var atm = board.Expiries.Single(e => e.Label == expiry.Label).AtmStrike;
        var call = expiry.Slots.Single(x => x.Instrument.StrikeValue == atm && x.Instrument.Type == OptionType.Call).Instrument.Symbol;
        var put = expiry.Slots.Single(x => x.Instrument.StrikeValue == atm && x.Instrument.Type == OptionType.Put).Instrument.Symbol;
        await s.GotoAsync($"/?view=chain&expiry={expiry.Label}");
        var row = s.Page.Locator($"#chain tbody tr[data-strike='{Invariant(atm)}']");
        var detail = s.Page.Locator("#option-detail");

        // A click on any cell of a side opens that option.
        await row.Locator("td.c-bid-iv a").ClickAsync();
        await Expect(detail).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#option-detail-title")).ToHaveTextAsync(call);
        await Expect(s.Page).ToHaveURLAsync(new Regex($"option={Regex.Escape(call)}"));
        await Expect(s.Page).ToHaveURLAsync(new Regex("view=chain"));
        foreach (var field in new[] { "BidPrice", "BidSize", "BidIv", "AskPrice", "AskSize", "AskIv", "MarkPrice", "MarkIv", "Delta", "Gamma", "Vega", "Theta",
            "OpenInterest", "Volume24h", "Turnover24h", "HighPrice24h", "LowPrice24h", "Change24h", "LastPrice", "UnderlyingPrice", "IndexPrice" })
        {
            await Expect(detail.Locator($"[data-field={field}]")).ToHaveCountAsync(1);
        }
        await Expect(s.Page.Locator("#detail-strike")).ToHaveTextAsync(board.Format.Strike(atm));
        await Expect(s.Page.Locator("#detail-type")).ToHaveTextAsync("Call");
        // The exchange's grids, from instruments-info (the simulator's BTC: tick 5, size step 0.01).
        await Expect(s.Page.Locator("#detail-tick")).ToHaveTextAsync("5");
        await Expect(s.Page.Locator("#detail-qty-step")).ToHaveTextAsync("0.01");
        await Expect(s.Page.Locator("#detail-dte")).ToHaveTextAsync(new Regex(@"^(\d+D|\d+H|<1H)$"));

        // Live: a mark the exchange moves changes in the open detail.
        s.Simulator.SetMarkPrice(call, 1234.5);
        await Eventually.Until(() => s.Book.Index.TryGetSlot(Venue.Bybit, call, out var slot) && slot.ReadQuote().MarkPrice == 1234.5, "the new mark in the book");
        var moved = BoardOf(s, "BTC");
        await Expect(detail.Locator("[data-field=MarkPrice]")).ToHaveTextAsync(moved.Format.Value(moved.Rows.Single(r => r.Symbol == call), QuoteField.MarkPrice));
        // Both IVs and sizes are the option's own, as the dashboard formats them.
        s.Simulator.Faults.SilentConnections = true;
        await Eventually.Until(async () =>
        {
            var now = BoardOf(s, "BTC");
            var option = now.Rows.Single(r => r.Symbol == call);
            foreach (var field in new[] { QuoteField.BidIv, QuoteField.AskIv, QuoteField.MarkIv, QuoteField.BidSize, QuoteField.AskSize })
            {
                if ((await detail.Locator($"[data-field={field}]").TextContentAsync())?.Trim() != now.Format.Value(option, field))
                    return false;
            }
            return true;
        }, "the detail's IVs and sizes equal to the option's");
        s.Simulator.Faults.SilentConnections = false;
        await s.ScreenshotAsync("option-detail");

        await s.Page.Keyboard.PressAsync("Escape");
        await Expect(detail).ToHaveCountAsync(0);
        await Expect(s.Page).Not.ToHaveURLAsync(new Regex("option="));

        // The keyboard: each side has one stop in the tab order, Enter opens it.
        var putLink = row.Locator("td.p-mark a");
        await putLink.FocusAsync();
        await s.Page.Keyboard.PressAsync("Enter");
        await Expect(s.Page.Locator("#option-detail-title")).ToHaveTextAsync(put);
        await Expect(s.Page.Locator("#detail-type")).ToHaveTextAsync("Put");
        await Expect(s.Page.Locator("#option-detail-close")).ToBeFocusedAsync();
        await s.Page.Keyboard.PressAsync("Escape");
        await Expect(detail).ToHaveCountAsync(0);

        // A shared link opens it straight away, coin taken from the symbol; the table's symbol opens it too.
        await s.GotoAsync($"/?option={put}");
        await Expect(s.Page.Locator("#option-detail-title")).ToHaveTextAsync(put);
        await s.Page.Locator("#option-detail-close").ClickAsync();
        await Expect(detail).ToHaveCountAsync(0);
        await s.GotoAsync($"/?q={call}");
        await s.Rows.First.Locator("a.option-link").ClickAsync();
        await Expect(s.Page.Locator("#option-detail-title")).ToHaveTextAsync(call);
    }

    [Fact]
    public async Task Chain_header_stays_in_view_while_a_long_chain_scrolls_and_is_drawn_in_both_themes()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var longest = s.ExpiriesOf("BTC").MaxBy(e => e.Slots.Select(x => x.Instrument.Strike).Distinct().Count())!;
        var strikes = longest.Slots.Select(x => x.Instrument.Strike).Distinct().Count();
        TestContext.Current.TestOutputHelper?.WriteLine($"{longest.Label}: {strikes} strikes");
        await s.GotoAsync($"/?view=chain&expiry={longest.Label}");
        await Expect(s.Page.Locator("#chain tbody tr")).ToHaveCountAsync(strikes);
        await s.ScreenshotAsync("chain");

        var head = s.Page.Locator("#chain thead");
        var firstRow = s.Page.Locator("#chain tbody tr").First;
        var headBefore = (await head.BoundingBoxAsync())!;
        var rowBefore = (await firstRow.BoundingBoxAsync())!;
        var wrap = (await s.Page.Locator("#chain-wrap").BoundingBoxAsync())!;
        await s.Page.Mouse.MoveAsync(wrap.X + (wrap.Width / 2), wrap.Y + (wrap.Height / 2));
        await s.Page.Mouse.WheelAsync(0, 900);
        await Eventually.Until(async () => (await firstRow.BoundingBoxAsync())!.Y < rowBefore.Y - 300, "the chain scrolled");

        var headAfter = (await head.BoundingBoxAsync())!;
        var wrapAfter = (await s.Page.Locator("#chain-wrap").BoundingBoxAsync())!;
        TestContext.Current.TestOutputHelper?.WriteLine($"header top {headBefore.Y} → {headAfter.Y}; first row {rowBefore.Y} → {(await firstRow.BoundingBoxAsync())!.Y}");
        Assert.InRange(headAfter.Y, Math.Max(0, wrapAfter.Y) - 1, Math.Max(0, wrapAfter.Y) + 2);
        await Expect(s.Page.Locator("#chain thead th.calls.wide")).ToBeInViewportAsync();
        await Expect(s.Page.Locator("#chain thead th.puts.wide")).ToBeInViewportAsync();
        await Expect(s.Page.Locator("#chain thead th.c-bid")).ToBeInViewportAsync();

        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.ScreenshotAsync("chain-light");
    }

    [Fact]
    public async Task Chain_on_a_phone_shows_strike_and_both_books_without_the_page_scrolling_sideways()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], width: 390, height: 844);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=chain");
        var atm = s.Page.Locator("#chain tbody tr.atm");
        await Expect(atm).ToHaveCountAsync(1);
        await s.ScreenshotAsync("chain-phone");

        foreach (var cell in new[] { "td.c-bid", "td.c-ask", "td.strike", "td.p-bid", "td.p-ask" })
        {
            var box = await atm.Locator(cell).BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"{cell} at {box.X}..{box.X + box.Width} is outside the 390 px screen");
        }
        // The rest of the chosen columns wait for a wider screen.
        await Expect(atm.Locator("td.c-oi")).ToBeHiddenAsync();
        await Expect(atm.Locator("td.p-delta")).ToBeHiddenAsync();
        await Expect(s.Page.Locator("#chain thead th.calls.narrow")).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#chain thead th.puts.narrow")).ToBeVisibleAsync();
        var widths = await s.Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        TestContext.Current.TestOutputHelper?.WriteLine($"page scroll width {widths[0]}, client width {widths[1]}");
        Assert.True(widths[0] <= widths[1], $"the page scrolls sideways: {widths[0]} > {widths[1]}");
    }
}
