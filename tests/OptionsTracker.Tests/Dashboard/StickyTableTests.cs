using Microsoft.Playwright;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

[Collection(nameof(DashboardCollection))]
public sealed class StickyTableTests
{
    [Fact]
    public async Task Header_stays_on_screen_when_the_page_and_the_grid_scroll_paged_and_all()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?size=100");
        await Expect(s.Rows).ToHaveCountAsync(100);
        await s.ScreenshotAsync("table");

        await AssertHeaderOnTopAfterScrollingAsync(s, "100 rows a page");

        await s.Page.Locator("#page-size").SelectOptionAsync("all");
        await Expect(s.Page.Locator("#options-table.virtual")).ToHaveCountAsync(1);
        await Expect(s.Rows.First).ToBeVisibleAsync();
        await AssertHeaderOnTopAfterScrollingAsync(s, "all rows");
    }

    [Fact]
    public async Task Phone_keeps_the_symbol_column_in_place_while_the_table_scrolls_sideways()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], width: 390, height: 844);
        await s.WaitForBookAsync("BTC");
        await s.GotoAsync("/?size=25");
        await Expect(s.Rows).ToHaveCountAsync(25);

        await s.ScreenshotAsync("table-phone");
        // The first screen: the symbol without its coin (type, strike and expiry are in it), then prices.
        var frame = await Box(s.Page.Locator("#options-table"));
        var mark = await Box(s.Rows.First.Locator("td.col-mark span"));
        TestContext.Current.TestOutputHelper?.WriteLine($"frame {frame}, first mark {mark}");
        Assert.True(mark.Right <= frame.Right, $"the Mark column ({mark}) is on the first screen ({frame})");
        await Expect(s.Page.Locator("#options-table th.col-type")).ToBeHiddenAsync();
        await Expect(s.Rows.First.Locator(".symbol-coin")).ToBeHiddenAsync();
        var first = s.Rows.First;
        var symbol0 = await first.Locator("span.symbol").TextContentAsync();
        var parts = symbol0!.Split('-');
        await Expect(first.Locator("span.symbol")).ToHaveJSPropertyAsync("innerText", parts[1] + parts[3]);

        var symbol = s.Rows.Nth(3).Locator("td.col-symbol");
        var before = await Box(symbol);
        var markBefore = await Box(s.Rows.Nth(3).Locator("td.col-mark"));
        await s.Page.Locator("#options-table").EvaluateAsync("e => e.scrollLeft = 250");
        await Eventually.Until(async () => (await Box(s.Rows.Nth(3).Locator("td.col-mark"))).X < markBefore.X - 100, "the table scrolling sideways");

        var after = await Box(symbol);
        var markAfter = await Box(s.Rows.Nth(3).Locator("td.col-mark"));
        TestContext.Current.TestOutputHelper?.WriteLine($"symbol {before} -> {after}; mark {markBefore} -> {markAfter}");
        Assert.InRange(after.X, before.X - 1, before.X + 1);
        Assert.True(markAfter.X < markBefore.X - 100, "the other columns moved sideways");
        // The symbol cell covers the cells passing under it: what is seen at its centre is the symbol.
        Assert.True(await TopmostIsInsideAsync(s.Page, "#options-table tbody tr:has(span.symbol):nth-child(4) td.col-symbol", after));
        await s.ScreenshotAsync("table-phone-scrolled");
    }

    private static async Task AssertHeaderOnTopAfterScrollingAsync(DashboardSession s, string what)
    {
        // The page to its end, and the grid well into its rows.
        await s.Page.EvaluateAsync("() => window.scrollTo(0, document.documentElement.scrollHeight)");
        await s.Page.Locator("#options-table").EvaluateAsync("e => e.scrollTop = 900");
        await Eventually.Until(async () => await s.Page.Locator("#options-table").EvaluateAsync<double>("e => e.scrollTop") > 300, "the grid scrolling down");

        var frame = await Box(s.Page.Locator("#options-table"));
        var header = await Box(s.Page.Locator("#options-table th.col-strike"));
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: frame {frame}, header {header}, page scrolled {await s.Page.EvaluateAsync<double>("() => window.scrollY")}");
        Assert.True(header.Y >= 0, $"{what}: the header is on screen ({header})");
        Assert.InRange(header.Y, frame.Y, frame.Y + 2);
        Assert.True(await TopmostIsInsideAsync(s.Page, "#options-table th.col-strike", header), $"{what}: the header is drawn above the rows");
    }

    private static async Task<Rect> Box(ILocator locator)
    {
        var box = await locator.BoundingBoxAsync() ?? throw new InvalidOperationException("not rendered");
        return new Rect(box.X, box.Y, box.Width, box.Height);
    }

    /// <summary>Whether the element drawn at the centre of <paramref name="box"/> is (inside) the one <paramref name="selector"/> finds.</summary>
    private static Task<bool> TopmostIsInsideAsync(IPage page, string selector, Rect box) => page.EvaluateAsync<bool>(
        "([selector, x, y]) => { const e = document.querySelector(selector); const hit = document.elementFromPoint(x, y); return !!e && !!hit && e.contains(hit); }",
        new object[] { selector, box.X + box.Width / 2, box.Y + box.Height / 2 });

    private readonly record struct Rect(double X, double Y, double Width, double Height)
    {
        public double Right => X + Width;
    }
}
