using System.Globalization;
using System.Text.RegularExpressions;
using OptionsTracker.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class PagingSearchTests
{
    [Fact]
    public async Task Page_resets_on_coin_and_filter_changes_and_no_match_says_so()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"]);
        await s.WaitForBookAsync("BTC", "ETH");
        await s.GotoAsync("/?coin=BTC&size=10&page=5");
        var pageText = s.Page.Locator(".paginator .pagination-text");
        await Expect(pageText).ToContainTextAsync("Page 5 of");

        await s.Page.Locator("nav.assets [data-coin=ETH]").ClickAsync();
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^ETH-"));
        await Expect(pageText).ToContainTextAsync("Page 1 of");
        await Expect(s.Page).Not.ToHaveURLAsync(new Regex("page="));

        // A narrower filter: back to its first page, never a blank page beyond its end.
        await s.Page.Locator(".paginator button.go-last").ClickAsync();
        await Expect(s.Page).ToHaveURLAsync(new Regex("page="));
        // The last page shows its options and no blank filler rows.
        var eth = s.SlotsOf("ETH").Count;
        await Expect(s.Page.Locator("#options-table tbody tr:visible")).ToHaveCountAsync(eth % 10 == 0 ? 10 : eth % 10);
        await s.Page.Locator("#type-filter").SelectOptionAsync("put");
        await Expect(pageText).ToContainTextAsync("Page 1 of");
        await Expect(s.Rows).ToHaveCountAsync(10);
        await Expect(s.Page).Not.ToHaveURLAsync(new Regex("page="));

        await s.Page.Locator(".paginator button.go-next").ClickAsync();
        await Expect(pageText).ToContainTextAsync("Page 2 of");
        var expiry = s.ExpiriesOf("ETH")[1];
        await s.Page.Locator($"#expiry-tabs [data-expiry='{expiry.Label}']").ClickAsync();
        await Expect(pageText).ToContainTextAsync("Page 1 of");

        await s.Page.Locator(".paginator button.go-next").ClickAsync();
        await Expect(pageText).ToContainTextAsync("Page 2 of");
        await s.Page.Locator("#search").FillAsync("-P");
        await Expect(pageText).ToContainTextAsync("Page 1 of");

        // Nothing left: said in words, not a blank grid.
        await s.Page.Locator("#search").FillAsync("zzz");
        await Expect(s.Page.Locator("#no-match")).ToHaveTextAsync($"No options match “zzz” among puts expiring {Display.Expiry(expiry.ExpiryUtc)}.");
        await Expect(s.Page.Locator("#options-table")).ToBeHiddenAsync();
        await Expect(s.Page.Locator(".paginator")).ToHaveCountAsync(0);
        await s.Page.Locator("#search").FillAsync("");
        await Expect(s.Page.Locator("#no-match")).ToHaveCountAsync(0);
        await Expect(s.Rows).ToHaveCountAsync(Math.Min(10, expiry.Slots.Count(x => x.Instrument.Type == OptionsTracker.Book.OptionType.Put)));
    }

    [Fact]
    public async Task A_strike_is_searched_as_a_number_in_any_spelling_and_a_symbol_as_text()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?size=all");
        var slots = s.SlotsOf("BTC");
        // A strike in whole thousands whose digits also appear inside other strikes' or symbols' text.
        var strikes = slots.Select(x => x.Instrument.Strike).Distinct().Where(k => k % 1000 == 0 && k >= 1000).ToList();
        var strike = strikes.OrderByDescending(k => slots.Count(x => x.Instrument.Symbol.Contains(k.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) && x.Instrument.Strike != k)).First();
        var plain = strike.ToString(CultureInfo.InvariantCulture);
        var expected = slots.Count(x => x.Instrument.Strike == strike);
        TestContext.Current.TestOutputHelper?.WriteLine($"strike {plain}: {expected} options; other symbols containing it: {slots.Count(x => x.Instrument.Symbol.Contains(plain, StringComparison.Ordinal) && x.Instrument.Strike != strike)}");

        foreach (var spelling in new[] { plain, strike.ToString("#,0", CultureInfo.InvariantCulture), (strike / 1000).ToString(CultureInfo.InvariantCulture) + "k" })
        {
            await s.Page.Locator("#search").FillAsync(spelling);
            await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{expected} options");
            // Retried until the grid's rows (queried after the count) show the same: that strike, no other.
            await Expect(s.Page.Locator("#options-table td.col-strike")).ToHaveTextAsync([.. Enumerable.Repeat(CoinFormat.Plain.Strike((double)strike), expected)]);
        }

        // Text is a case-insensitive part of the symbol.
        var expiryLabel = s.ExpiriesOf("BTC")[0].Label;
        await s.Page.Locator("#search").FillAsync(expiryLabel.ToLowerInvariant() + "-");
        await Expect(s.Page.Locator("#row-count")).ToHaveTextAsync($"{slots.Count(x => x.Instrument.Symbol.Contains(expiryLabel + "-", StringComparison.Ordinal))} options");
    }
}
