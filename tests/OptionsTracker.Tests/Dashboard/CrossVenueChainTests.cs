using System.Globalization;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The dashboard with two venues (issue 19): the venue selector filtering the table and the chain, the cross-venue chain
/// with the best bid and ask across venues marked and live, and nothing new for a Bybit-only user. Bybit comes from its
/// simulator through the real feed; Deribit's options are put in the host's own book (<see cref="SecondVenue"/>): the
/// dashboard reads venues only through the book.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class CrossVenueChainTests
{
    private static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Quotes a Deribit option with exactly these USD prices (0 = an empty side, as venues send it).</summary>
    private static void SetQuote(OptionBook book, OptionSlot slot, double bid, double ask, double markIv, double index)
    {
        var update = new QuoteUpdate { ExchangeTimeMs = Math.Max(book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(), slot.ReadQuote().ExchangeTimeMs + 1) };
        update.Set(QuoteField.IndexPrice, index);
        update.Set(QuoteField.UnderlyingPrice, index);
        update.Set(QuoteField.BidPrice, bid);
        update.Set(QuoteField.BidSize, bid > 0 ? 2.5 : 0);
        update.Set(QuoteField.BidIv, bid > 0 ? markIv - 0.01 : 0);
        update.Set(QuoteField.AskPrice, ask);
        update.Set(QuoteField.AskSize, ask > 0 ? 1.5 : 0);
        update.Set(QuoteField.AskIv, ask > 0 ? markIv + 0.01 : 0);
        update.Set(QuoteField.MarkPrice, bid > 0 && ask > 0 ? (bid + ask) / 2 : Math.Max(bid, ask));
        update.Set(QuoteField.MarkIv, markIv);
        book.Apply(slot, update);
    }

    [Fact]
    public async Task A_bybit_only_dashboard_shows_no_venue_selector_and_no_venues_view()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?view=chain");
        await Expect(s.Page.Locator("#chain tbody tr.atm")).ToHaveCountAsync(1);

        await Expect(s.Page.Locator("#venue-filter")).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("nav.views a[data-view=venues]")).ToHaveCountAsync(0);
        // An address asking for the view falls back to the table.
        await s.GotoAsync("/?view=venues");
        await Expect(s.Page.Locator("#cross-venue")).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("nav.views a.active[data-view=table]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Cross_venue_chain_marks_the_best_bid_and_ask_across_venues_and_follows_the_book()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], extraSettings: SecondVenue.BothVenues);
        await s.WaitForBookAsync("BTC");
        var expiry = s.ExpiriesOf("BTC")[0];
        var index = expiry.Slots.Select(x => x.ReadQuote().IndexPrice).First(double.IsFinite);
        // Quotes near Bybit's first, as two venues of one market look: the screenshot's board.
        var deribit = SecondVenue.ListLikeBybit(s.Book, "BTC", index, which: i => i.ExpiryUtc == expiry.ExpiryUtc, nearBybit: true);
        var calls = deribit.Where(x => x.Instrument.Type == OptionType.Call).OrderBy(x => x.Instrument.Strike).ToArray();
        await s.GotoAsync("/?coin=BTC&view=venues");
        var table = s.Page.Locator("#cross-venue");
        await Expect(table).ToBeVisibleAsync();
        await Expect(s.Page.Locator("#xv-venues")).ToHaveTextAsync("Bybit · Deribit");
        await Expect(table.Locator("td.xv-best-bid[data-venue=deribit]").First).ToBeVisibleAsync();
        await Expect(table.Locator("td.xv-best-ask[data-venue=bybit]").First).ToBeVisibleAsync();
        await s.Page.Locator("#cross-venue tbody tr.atm").ScrollIntoViewIfNeededAsync();
        await s.ScreenshotAsync("cross-venue-chain");

        // Deterministic winners whatever Bybit's simulator quotes meanwhile: a Deribit bid far above any Bybit price, an
        // ask under Bybit's tick (so under any Bybit ask, even on an expiry minutes from delivery whose calls are worth a
        // tick or two: one of 0.0005 BTC lost to Bybit's there); on the other calls Deribit shows no book at all, so
        // Bybit's side (when it has one) is best.
        var high = calls[calls.Length / 2];
        var low = calls[(calls.Length / 2) + 1];
        var lowAsk = expiry.Slots.Select(x => x.Instrument.TickSize).Where(double.IsFinite).Min() / 2;
        foreach (var slot in deribit)
            SetQuote(s.Book, slot, 0, 0, 0.55, index);
        SetQuote(s.Book, high, 1_000_000, 0, 0.61, index);
        SetQuote(s.Book, low, 0, lowAsk, 0.52, index);

        var highRow = table.Locator($"tbody tr[data-strike='{Invariant(high.Instrument.Strike)}']");
        var lowRow = table.Locator($"tbody tr[data-strike='{Invariant(low.Instrument.Strike)}']");
        await Expect(highRow.Locator("td.call-side.xv-best-bid")).ToHaveAttributeAsync("data-venue", "deribit");
        await Expect(highRow.Locator("td.call-side.xv-best-bid")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^1,000,000(\.0+)?$"));
        await Expect(lowRow.Locator("td.call-side.xv-best-ask")).ToHaveAttributeAsync("data-venue", "deribit");
        // At most one best bid per line and side.
        Assert.True(await table.Locator("td.call-side.xv-best-bid").CountAsync() <= calls.Length);
        // The IV difference is Deribit's minus Bybit's, in signed vol points.
        await Expect(highRow.Locator("td.call-side.xv-diff")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[+−]?\d+\.\d$"));

        // Live: a better Deribit bid on the other line moves the mark there without a reload.
        SetQuote(s.Book, low, 2_000_000, lowAsk, 0.52, index);
        await Expect(lowRow.Locator("td.call-side.xv-best-bid")).ToHaveAttributeAsync("data-venue", "deribit");
        await Expect(lowRow.Locator("td.call-side.xv-best-bid")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^2,000,000(\.0+)?$"));
    }

    [Fact]
    public async Task The_venue_selector_filters_the_table_and_the_chain_and_stays_in_the_address()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], extraSettings: SecondVenue.BothVenues);
        await s.WaitForBookAsync("BTC");
        var expiry = s.ExpiriesOf("BTC")[0];
        var index = expiry.Slots.Select(x => x.ReadQuote().IndexPrice).First(double.IsFinite);
        var deribit = SecondVenue.ListLikeBybit(s.Book, "BTC", index, which: i => i.ExpiryUtc == expiry.ExpiryUtc);

        await s.GotoAsync($"/?coin=BTC&expiry={expiry.Label}");
        await Expect(s.Page.Locator("nav.views a[data-view=venues]")).ToHaveCountAsync(1);
        var selector = s.Page.Locator("#venue-filter");
        await Expect(selector).ToBeVisibleAsync();
        // Deribit's symbols carry no settle coin; Bybit's end in -USDT. The table is paged: its visible rows are checked.
        var bybitRows = s.Rows.Filter(new() { HasText = "-USDT" });
        var deribitRows = s.Rows.Filter(new() { HasNotText = "-USDT" });
        await Expect(bybitRows).Not.ToHaveCountAsync(0);

        await selector.SelectOptionAsync("deribit");
        await Expect(bybitRows).ToHaveCountAsync(0);
        await Expect(deribitRows).ToHaveCountAsync(Math.Min(50, deribit.Count));
        Assert.Contains("venue=deribit", s.Page.Url, StringComparison.Ordinal);

        await selector.SelectOptionAsync("bybit");
        await Expect(deribitRows).ToHaveCountAsync(0);
        await Expect(bybitRows).ToHaveCountAsync(Math.Min(50, expiry.Slots.Count));

        // The chain of one venue: each strike's call is that venue's option (its link names it).
        await s.GotoAsync($"/?coin=BTC&view=chain&venue=deribit&expiry={expiry.Label}");
        await Expect(s.Page.Locator("#venue-filter")).ToHaveValueAsync("deribit");
        var links = await s.Page.Locator("#chain tbody td.call-side a.opt[aria-label]").EvaluateAllAsync<string[]>("as => as.map(a => a.getAttribute('aria-label'))");
        Assert.NotEmpty(links);
        Assert.All(links, label => Assert.DoesNotContain("-USDT", label, StringComparison.Ordinal));
    }
}
