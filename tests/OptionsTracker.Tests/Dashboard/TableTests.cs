using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OptionsTracker.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class TableTests
{
    [Fact]
    public async Task Asset_buttons_show_index_and_atm_and_switch_the_table_and_the_address()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"]);
        await s.WaitForBookAsync("BTC", "ETH");
        await s.GotoAsync();

        var btc = s.Page.Locator("nav.assets [data-coin=BTC]");
        var eth = s.Page.Locator("nav.assets [data-coin=ETH]");
        await Expect(btc).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(eth.Locator(".asset-index")).ToHaveTextAsync(new Regex(@"^[\d,]+\.\d\d$"));
        await Expect(eth.Locator(".asset-atm")).ToHaveTextAsync(new Regex(@"^ATM [\d,]+$"));
        await Expect(s.Page.Locator("#total-options b")).ToHaveTextAsync(s.Book.Index.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(s.Page.Locator(".coin-count[data-coin=ETH] b")).ToHaveTextAsync(s.SlotsOf("ETH").Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^BTC-"));
        await s.ScreenshotAsync("table");

        await eth.ClickAsync();

        await Expect(eth).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(s.Page).ToHaveURLAsync(new Regex(@"coin=ETH"));
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^ETH-"));
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{s.SlotsOf("ETH").Count} options");

        // The address alone brings the same view back.
        await s.ReloadAsync();
        await Expect(s.Page.Locator("nav.assets [data-coin=ETH]")).ToHaveClassAsync(new Regex(@"\bactive\b"));
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^ETH-"));
    }

    [Fact]
    public async Task Expiry_tabs_list_dates_in_order_and_show_only_the_chosen_one()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();

        var expiries = s.ExpiriesOf("BTC");
        var tabs = s.Page.Locator("#expiry-tabs .expiry-tab");
        await Expect(tabs).ToHaveCountAsync(expiries.Count + 1);
        await Expect(tabs.First).ToHaveTextAsync("All");
        await Expect(s.Page.Locator("#expiry-tabs .expiry-date")).ToHaveTextAsync([.. expiries.Select(e => Display.Expiry(e.ExpiryUtc))]);

        var chosen = expiries[1];
        await s.Page.Locator($"#expiry-tabs button[data-expiry='{chosen.Label}']").ClickAsync();

        await Expect(s.Page).ToHaveURLAsync(new Regex($"expiry={chosen.Label}"));
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{chosen.Slots.Count} options");
        // Rows with a symbol only: the virtualised grid also draws placeholder rows (empty cells) while it fetches.
        var shown = await s.Rows.Locator("td.col-expiry").AllTextContentsAsync();
        Assert.NotEmpty(shown);
        Assert.All(shown, text => Assert.Equal(Display.Expiry(chosen.ExpiryUtc), text.Trim()));
    }

    [Fact]
    public async Task Type_filter_shows_only_puts_and_survives_a_reload()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();

        await s.Page.Locator("#type-filter").SelectOptionAsync("put");

        await Expect(s.Page).ToHaveURLAsync(new Regex("type=put"));
        var puts = s.SlotsOf("BTC").Count(x => x.Instrument.Type == OptionsTracker.Book.OptionType.Put);
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{puts} options");
        var badges = await s.Page.Locator("#options-table td.col-type .badge").AllTextContentsAsync();
        Assert.All(badges, b => Assert.Equal("Put", b.Trim()));

        await s.ReloadAsync();
        await Expect(s.Page.Locator("#type-filter")).ToHaveValueAsync("put");
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{puts} options");

        await s.Page.Locator("#type-filter").SelectOptionAsync("call");
        await Expect(s.Page.Locator("#options-table td.col-type .badge").First).ToHaveTextAsync("Call");
        await Expect(s.Page.Locator("#options-table td.col-type .badge.put")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Search_finds_options_by_strike_and_by_symbol()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();

        var slots = s.SlotsOf("BTC");
        var strike = slots[slots.Count / 2].Instrument.Strike;
        var strikeText = strike.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await s.Page.Locator("#search").FillAsync(strikeText);

        // A number is a strike, matched exactly (issue 14: "1000" used to match 91,000 too).
        var expected = slots.Count(x => x.Instrument.Strike == strike);
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{expected} options");
        await Expect(s.Page).ToHaveURLAsync(new Regex($"q={strikeText}"));
        await Expect(s.Rows.Locator("td.col-strike")).ToHaveTextAsync([.. Enumerable.Repeat(CoinFormat.Plain.Strike((double)strike), Math.Min(expected, 50))]);

        var symbol = slots[3].Instrument.Symbol;
        await s.Page.Locator("#search").FillAsync(symbol.ToLowerInvariant());
        await Expect(s.Rows).ToHaveCountAsync(1);
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(symbol);
    }

    [Fact]
    public async Task Sorting_by_strike_reverses_on_second_click()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var strikes = s.SlotsOf("BTC").Select(x => x.Instrument.StrikeValue).ToList();
        var header = s.Page.Locator("#options-table th.col-strike");

        // Volume, descending, is the default order (as in the original tool).
        await Expect(s.Page.Locator("#options-table th.col-volume")).ToHaveAttributeAsync("aria-sort", "descending");

        await header.Locator("button.col-title").ClickAsync();
        await Expect(header).ToHaveAttributeAsync("aria-sort", "ascending");
        await Expect(s.Rows.First.Locator("td.col-strike")).ToHaveTextAsync(CoinFormat.Plain.Strike(strikes.Min()));

        await header.Locator("button.col-title").ClickAsync();
        await Expect(header).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(s.Rows.First.Locator("td.col-strike")).ToHaveTextAsync(CoinFormat.Plain.Strike(strikes.Max()));
        var shown = (await s.Rows.Locator("td.col-strike").AllTextContentsAsync()).Select(t => double.Parse(t.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(shown.OrderDescending(), shown);

        // The address keeps the sort: a reload (or a shared link) opens sorted the same way.
        await Expect(s.Page).ToHaveURLAsync(new Regex("sort=-strike"));
        await s.ReloadAsync();
        await Expect(s.Page.Locator("#options-table th.col-strike")).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(s.Rows.First.Locator("td.col-strike")).ToHaveTextAsync(CoinFormat.Plain.Strike(strikes.Max()));

        // Back to the default order: nothing about sorting in the address.
        await s.Page.Locator("#options-table th.col-volume button.col-title").ClickAsync();
        await s.Page.Locator("#options-table th.col-volume button.col-title").ClickAsync();
        await Expect(s.Page.Locator("#options-table th.col-volume")).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(s.Page).Not.ToHaveURLAsync(new Regex("sort="));
    }

    [Fact]
    public async Task Page_size_limits_rows_pagination_moves_through_pages_and_all_is_virtualised()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var total = s.SlotsOf("BTC").Count;

        await Expect(s.Rows).ToHaveCountAsync(50);
        await s.Page.Locator("#page-size").SelectOptionAsync("10");
        await Expect(s.Rows).ToHaveCountAsync(10);
        await Expect(s.Page).ToHaveURLAsync(new Regex("size=10"));
        await Expect(s.Page.Locator(".paginator .pagination-text")).ToContainTextAsync($"Page 1 of {(total + 9) / 10}");

        var firstOnPageOne = await s.Rows.First.Locator("td.col-symbol").TextContentAsync();
        await s.Page.Locator(".paginator button.go-next").ClickAsync();
        await Expect(s.Page.Locator(".paginator .pagination-text")).ToContainTextAsync("Page 2 of");
        await Expect(s.Rows.First.Locator("td.col-symbol")).Not.ToHaveTextAsync(firstOnPageOne!);
        await Expect(s.Rows).ToHaveCountAsync(10);
        await Expect(s.Page).ToHaveURLAsync(new Regex("page=2"));
        await s.Page.Locator(".paginator button.go-last").ClickAsync();
        await Expect(s.Page.Locator(".paginator .pagination-text")).ToContainTextAsync($"Page {(total + 9) / 10} of {(total + 9) / 10}");

        // The address keeps the page: a reload opens on it.
        await Expect(s.Page).ToHaveURLAsync(new Regex($"page={(total + 9) / 10}"));
        await s.ReloadAsync();
        await Expect(s.Page.Locator(".paginator .pagination-text")).ToContainTextAsync($"Page {(total + 9) / 10} of {(total + 9) / 10}");
        await Expect(s.Rows).ToHaveCountAsync(total % 10 == 0 ? 10 : total % 10);

        foreach (var size in new[] { 25, 100, 250, 500 })
        {
            await s.Page.Locator("#page-size").SelectOptionAsync(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await Expect(s.Rows).ToHaveCountAsync(Math.Min(size, total));
        }

        // All rows of the coin: rendered as they scroll into view, not all at once.
        await s.Page.Locator("#page-size").SelectOptionAsync("all");
        await Expect(s.Page.Locator(".paginator")).ToHaveCountAsync(0);
        await Expect(s.Rows.First).ToBeVisibleAsync();
        var rendered = await s.Rows.CountAsync();
        Assert.InRange(rendered, 10, total - 1);
        await s.Page.Locator("#options-table").EvaluateAsync("e => e.scrollTop = e.scrollHeight");
        await Expect(s.Rows.Last.Locator("td.col-symbol")).ToBeVisibleAsync();
        var lastSymbol = await s.Rows.Last.Locator("td.col-symbol").TextContentAsync();
        Assert.NotEqual(firstOnPageOne, lastSymbol);
    }

    [Fact]
    public async Task Column_toggle_and_presets_are_remembered_across_reload()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync();
        var gamma = s.Page.Locator("#options-table th.col-gamma");
        await Expect(gamma).ToHaveCountAsync(1);

        await s.Page.Locator("#columns-toggle").ClickAsync();
        await s.Page.Locator("#col-toggle-gamma").UncheckAsync();
        await Expect(gamma).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#options-table td.col-gamma")).ToHaveCountAsync(0);

        await s.ReloadAsync();
        await Expect(s.Page.Locator("#options-table th.col-delta")).ToHaveCountAsync(1);
        await Expect(gamma).ToHaveCountAsync(0);

        await s.Page.Locator("#columns-toggle").ClickAsync();
        await s.Page.Locator("#preset-basic").ClickAsync();
        await Expect(s.Page.Locator("#options-table th.col-delta")).ToHaveCountAsync(0);
        await Expect(s.Page.Locator("#options-table th.col-last")).ToHaveCountAsync(1);
        await s.Page.Locator("#preset-greeks").ClickAsync();
        await Expect(gamma).ToHaveCountAsync(1);
        await Expect(s.Page.Locator("#options-table th.col-last")).ToHaveCountAsync(0);

        await s.ReloadAsync();
        await Expect(s.Page.Locator("#options-table th.col-vega")).ToHaveCountAsync(1);
        await Expect(s.Page.Locator("#options-table th.col-last")).ToHaveCountAsync(0);
    }
}
