using System.Globalization;
using System.Text.RegularExpressions;
using OptionsTracker.Dashboard;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>Readable numbers that line up (issue 14, items 1 and 2), as the browser shows them.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class NumberFormatTests
{
    [Fact]
    public async Task Greeks_read_with_significant_digits_prices_at_the_tick_size_and_figures_right_aligned_under_their_headers()
    {
        await using var s = await DashboardSession.StartAsync(["BTC", "ETH"]);
        await s.WaitForBookAsync("BTC", "ETH");
        await s.GotoAsync("/?coin=BTC&sort=-gamma");
        await s.Page.Locator("#columns-toggle").ClickAsync();
        await s.Page.Locator("#preset-greeks").ClickAsync();
        await Expect(s.Page.Locator("#options-table th.col-bid")).ToHaveCountAsync(0);
        await s.Page.Locator("#columns-toggle").ClickAsync();
        await Expect(s.Page.Locator("#column-menu")).ToHaveCountAsync(0);

        // Sorted by gamma, the top cell has at least three significant digits, and every cell of the column has as many
        // decimals as the others.
        var gammas = (await s.Rows.Locator("td.col-gamma").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        Print("BTC gamma", gammas);
        Assert.True(gammas.Count >= 10, $"{gammas.Count} gamma cells");
        Assert.True(SignificantDigits(gammas[0]) >= 3, gammas[0]);
        Assert.Single(gammas.Where(t => t != Display.Missing).Select(Decimals).Distinct());
        Assert.True(gammas.Take(10).Distinct().Count() > 1, "the top of the gamma column is a run of equal values");
        foreach (var column in new[] { "col-theta", "col-vega", "col-delta" })
        {
            var cells = (await s.Rows.Locator($"td.{column}").AllInnerTextsAsync()).Select(t => t.Trim()).Where(t => t != Display.Missing).ToList();
            Print(column, cells);
            Assert.Single(cells.Select(Decimals).Distinct());
        }

        // Right-aligned: each numeric cell's text ends where its header's title ends.
        var alignment = await s.Page.EvaluateAsync<double[]>("""
            () => {
              const th = document.querySelector('#options-table th.col-gamma .col-title-text');
              const cells = [...document.querySelectorAll('#options-table tbody td.col-gamma span')].slice(0, 10);
              const align = getComputedStyle(document.querySelector('#options-table tbody td.col-gamma')).textAlign;
              const right = th.getBoundingClientRect().right;
              return [align === 'right' ? 1 : 0, right, ...cells.map(c => c.getBoundingClientRect().right)];
            }
            """);
        Print("align, header right, cell rights", alignment.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture)));
        Assert.Equal(1, alignment[0]);
        Assert.All(alignment.Skip(2), right => Assert.InRange(right, alignment[1] - 1.5, alignment[1] + 1.5));
        await s.ScreenshotAsync("table-numbers");
        await s.Page.Locator("#theme-toggle").ClickAsync();
        await Expect(s.Page.Locator(".dash")).ToHaveAttributeAsync("data-theme", "light");
        await s.ScreenshotAsync("table-numbers-light");

        // ETH bids all read at ETH's tick size (0.1 on Bybit and the simulator: one decimal), not 0.9000 / 1.400 / 17.90.
        var tick = s.SlotsOf("ETH")[0].Instrument.TickSize;
        await s.GotoAsync("/?coin=ETH&sort=-volume");
        await s.Page.Locator("#columns-toggle").ClickAsync();
        await s.Page.Locator("#preset-trader").ClickAsync();
        await Expect(s.Rows.First.Locator("td.col-symbol")).ToHaveTextAsync(new Regex("^ETH-"));
        await Expect(s.Page.Locator("#options-table th.col-bid")).ToHaveCountAsync(1);
        var bids = (await s.Rows.Locator("td.col-bid").AllInnerTextsAsync()).Select(t => t.Trim()).Where(t => t != Display.Missing).ToList();
        Print("ETH bids", bids);
        Assert.NotEmpty(bids);
        Assert.All(bids, bid => Assert.Equal(CoinFormat.DecimalsOf(tick), Decimals(bid)));
    }

    private static int Decimals(string text)
    {
        var point = text.IndexOf('.', StringComparison.Ordinal);
        return point < 0 ? 0 : text.Length - point - 1;
    }

    /// <summary>Digits from the first non-zero one on (0.0000112 has 3).</summary>
    private static int SignificantDigits(string text) => Regex.Replace(text, "[^0-9]", "").TrimStart('0').Length;

    private static void Print(string what, IEnumerable<string> values) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {string.Join(" | ", values)}");
}
