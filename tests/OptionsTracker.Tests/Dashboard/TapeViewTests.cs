using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Dashboard.Components;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The tape on the dashboard (issue 17): the live tape view listing trades as they reach the tracker's tape, newest
/// first, with the trade's IV against the mark IV; its filters; a block's legs grouped; an option's latest trades in its
/// detail; a phone's width. The trades are appended to the host's own <see cref="TradeTape"/> (the one the feed fills),
/// with ids of their own, so trades the simulator may make meanwhile do not disturb what is checked.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class TapeViewTests
{
    private static long _next;

    /// <summary>A trade of <paramref name="option"/> now, at <paramref name="ivOverMark"/> vol points from its mark IV.</summary>
    private static Trade TradeOf(OptionSlot option, TradeSide side, double size, double ivOverMark = 1, string? blockId = null, bool block = false)
    {
        var instrument = option.Instrument;
        var quote = option.ReadQuote();
        var mark = double.IsFinite(quote.MarkPrice) && quote.MarkPrice > 0 ? quote.MarkPrice : 100;
        var markIv = double.IsFinite(quote.MarkIv) && quote.MarkIv > 0 ? quote.MarkIv : 0.5;
        return new Trade
        {
            Venue = instrument.Venue,
            Id = $"ui-{Interlocked.Increment(ref _next)}",
            Symbol = instrument.Symbol,
            BaseCoin = instrument.BaseCoin,
            ExpiryUtc = instrument.ExpiryUtc,
            Strike = instrument.Strike,
            Type = instrument.Type,
            TimeMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Side = side,
            Size = size,
            Price = Math.Round(mark * (1 + ivOverMark / 100), 1),
            Iv = markIv + ivOverMark / 100,
            MarkIv = markIv,
            MarkPrice = mark,
            IndexPrice = quote.IndexPrice,
            IsBlock = block || blockId is not null,
            BlockId = blockId,
        };
    }

    private static ILocator Row(IPage page, Trade trade) => page.Locator($"#tape-table tr.trade[data-id='{trade.Id}']");

    /// <summary>The ids of the listed trades, top to bottom.</summary>
    private static async Task<List<string>> ListedIdsAsync(IPage page) => JsonSerializer.Deserialize<List<string>>(
        await page.EvaluateAsync<string>("() => JSON.stringify([...document.querySelectorAll('#tape-table tr.trade')].map(r => r.dataset.id))"))!;

    private static async Task CheckAxeAsync(IPage page, string what, List<string> problems)
    {
        var result = await page.RunAxe();
        foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
        {
            var nodes = string.Join("; ", violation.Nodes.Take(6).Select(n => $"{n.Target} {n.Html}"));
            problems.Add($"{what}: {violation.Id} ({violation.Impact}, {violation.Nodes.Length} nodes): {violation.Help} e.g. {nodes}");
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {result.Violations.Length} violations ({string.Join(", ", result.Violations.Select(v => $"{v.Id}:{v.Impact}"))})");
    }

    [Fact]
    public async Task Tape_view_lists_trades_as_they_happen_newest_first_filters_them_and_groups_a_blocks_legs()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var tape = s.App.Services.GetRequiredService<TradeTape>();
        var quoted = s.SlotsOf("BTC").Where(o => double.IsFinite(o.ReadQuote().MarkIv) && o.ReadQuote().MarkPrice > 0).ToList();
        var call = quoted.First(o => o.Instrument.Type == OptionType.Call);
        var put = quoted.First(o => o.Instrument.Type == OptionType.Put);
        var page = s.Page;

        await s.GotoAsync("/?coin=BTC&view=tape");
        await Expect(page.Locator("nav.views a[data-view=tape]")).ToHaveAttributeAsync("aria-current", "true");
        await Expect(page.Locator("#tape-view")).ToBeVisibleAsync();

        // A trade reaches the tape: the open page lists it, with its figures and how its IV stood against the mark.
        var first = TradeOf(call, TradeSide.Buy, 2.5, ivOverMark: 2);
        tape.Append([first]);
        var row = Row(page, first);
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator(".col-side")).ToHaveTextAsync("Buy");
        await Expect(row.Locator(".col-size")).ToHaveTextAsync("2.5");
        await Expect(row.Locator(".col-premium")).ToHaveTextAsync(TapeText.Usd(first.PremiumUsd));
        await Expect(row.Locator(".col-iv")).ToHaveTextAsync(CoinFormat.Plain.Iv(first.Iv));
        await Expect(row.Locator(".col-edge")).ToHaveAttributeAsync("data-edge", "over");
        await Expect(row.Locator(".col-edge .edge")).ToHaveTextAsync("+2.0");
        await Expect(row.Locator(".col-option a")).ToHaveAttributeAsync("title", first.Symbol);

        // Later ones come on top, as they happen.
        var second = TradeOf(put, TradeSide.Sell, 12, ivOverMark: -1.5);
        tape.Append([second]);
        await Expect(Row(page, second)).ToBeVisibleAsync();
        var third = TradeOf(call, TradeSide.Sell, 0.5, ivOverMark: 0);
        tape.Append([third]);
        await Expect(Row(page, third)).ToBeVisibleAsync();
        await Expect(Row(page, second).Locator(".col-edge")).ToHaveAttributeAsync("data-edge", "under");
        await Expect(Row(page, third).Locator(".col-edge")).ToHaveAttributeAsync("data-edge", "at");
        await Eventually.Until(async () =>
        {
            var ids = await ListedIdsAsync(page);
            return ids.IndexOf(third.Id) is >= 0 and var t && ids.IndexOf(second.Id) is var m && m > t && ids.IndexOf(first.Id) > m;
        }, "the three trades listed newest first");

        // A block: three legs under one highlighted head, in exchange order, whatever trades print between them.
        var blockId = $"rfq-{Guid.NewGuid():N}";
        var legs = new[]
        {
            TradeOf(call, TradeSide.Buy, 25, blockId: blockId),
            TradeOf(put, TradeSide.Sell, 25, blockId: blockId),
            TradeOf(quoted.Last(), TradeSide.Buy, 25, blockId: blockId),
        };
        tape.Append([legs[0], legs[1]]);
        var between = TradeOf(put, TradeSide.Buy, 1);
        tape.Append([between]);
        tape.Append([legs[2]]);
        var block = page.Locator($"#tape-table tbody.tape-block[data-block-id='{blockId}']");
        await Expect(block).ToHaveAttributeAsync("data-legs", "3");
        await Expect(block.Locator("tr.trade")).ToHaveCountAsync(3);
        Assert.Equal(legs.Select(l => l.Id), await block.Locator("tr.trade").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.id)"));
        await Expect(block.Locator(".block-legs")).ToHaveTextAsync("3 legs");
        await Expect(block.Locator(".block-premium")).ToHaveTextAsync(TapeText.Usd(legs.Sum(l => l.PremiumUsd)) + " premium");
        await Expect(Row(page, between)).ToBeVisibleAsync();
        await s.ScreenshotAsync("tape-view-dark");

        // Filters: each narrows the list to what it names, and a trade arriving meanwhile is listed only if it passes.
        await page.Locator("#tape-type").SelectOptionAsync("put");
        await Expect(Row(page, first)).ToHaveCountAsync(0);
        await Expect(Row(page, second)).ToBeVisibleAsync();
        await Expect(page.Locator("#tape-table tr.trade .badge.call")).ToHaveCountAsync(0);
        var latePut = TradeOf(put, TradeSide.Buy, 3);
        var lateCall = TradeOf(call, TradeSide.Buy, 3);
        tape.Append([latePut, lateCall]);
        await Expect(Row(page, latePut)).ToBeVisibleAsync();
        await Expect(Row(page, lateCall)).ToHaveCountAsync(0);

        await page.Locator("#tape-type").SelectOptionAsync("all");
        await page.Locator("#tape-side").SelectOptionAsync("sell");
        await Expect(Row(page, lateCall)).ToHaveCountAsync(0);
        await Expect(Row(page, third)).ToBeVisibleAsync();
        await Expect(page.Locator("#tape-table tr.trade[data-side=buy]")).ToHaveCountAsync(0);

        await page.Locator("#tape-side").SelectOptionAsync("all");
        await page.Locator("#tape-min-size").FillAsync("10");
        await page.Locator("#tape-min-size").DispatchEventAsync("change");
        await Expect(Row(page, second)).ToBeVisibleAsync();
        await Expect(Row(page, first)).ToHaveCountAsync(0);
        await Expect(Row(page, latePut)).ToHaveCountAsync(0);
        await page.Locator("#tape-min-size").FillAsync("");
        await page.Locator("#tape-min-size").DispatchEventAsync("change");

        // The floor at the largest premium of the single trades: that one stays, the smallest goes.
        Trade[] singles = [first, second, third, latePut, lateCall];
        var largest = singles.MaxBy(t => t.PremiumUsd)!;
        var smallest = singles.MinBy(t => t.PremiumUsd)!;
        var premiumFloor = Math.Floor(largest.PremiumUsd);
        Assert.True(smallest.PremiumUsd < premiumFloor, $"premiums {smallest.PremiumUsd} and {largest.PremiumUsd} differ");
        await page.Locator("#tape-min-premium").FillAsync(premiumFloor.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#tape-min-premium").DispatchEventAsync("change");
        await Expect(Row(page, largest)).ToBeVisibleAsync();
        await Expect(Row(page, smallest)).ToHaveCountAsync(0);
        foreach (var listed in await ListedIdsAsync(page))
        {
            var trade = tape.Newest("BTC", tape.Keep, t => t.Id == listed).Single();
            Assert.True(trade.PremiumUsd >= premiumFloor, $"{listed} has a premium of {trade.PremiumUsd}, under {premiumFloor}");
        }
        await page.Locator("#tape-min-premium").FillAsync("");
        await page.Locator("#tape-min-premium").DispatchEventAsync("change");

        await page.Locator("#tape-blocks").CheckAsync();
        await Expect(page.Locator("#tape-table tbody.tape-single")).ToHaveCountAsync(0);
        await Expect(block.Locator("tr.trade")).ToHaveCountAsync(3);
        await page.Locator("#tape-blocks").UncheckAsync();
        await Expect(Row(page, between)).ToBeVisibleAsync();

        // The expiry tabs of the page filter the tape too.
        var other = quoted.FirstOrDefault(o => o.Instrument.ExpiryUtc != call.Instrument.ExpiryUtc);
        if (other is not null)
        {
            var elsewhere = TradeOf(other, TradeSide.Buy, 1);
            tape.Append([elsewhere]);
            await Expect(Row(page, elsewhere)).ToBeVisibleAsync();
            await page.Locator($"#expiry-tabs button[data-expiry='{call.Instrument.ExpiryLabel}']").ClickAsync();
            await Expect(Row(page, elsewhere)).ToHaveCountAsync(0);
            await Expect(Row(page, first)).ToBeVisibleAsync();
        }

        // An option's link on the tape opens its detail, which lists its latest trades.
        await Row(page, first).Locator(".col-option a").ClickAsync();
        await Expect(page.Locator("#option-detail-title")).ToHaveTextAsync(call.Instrument.Symbol);
        await Expect(page.Locator($"#detail-trades tr.trade[data-id='{first.Id}']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Trades_the_simulator_makes_reach_the_open_tape_view_through_the_feed_with_a_blocks_legs_grouped()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"], rfq: true);
        await s.WaitForBookAsync("BTC");
        var page = s.Page;
        await s.GotoAsync("/?coin=BTC&view=tape");
        await Expect(page.Locator("#tape-view")).ToBeVisibleAsync();

        // Trades on the exchange's stream: each listed once, newest first, with the exchange's id, side, size and IVs.
        var made = s.Simulator.EmitTrades("BTC", 5);
        foreach (var trade in made)
        {
            var row = page.Locator($"#tape-table tr.trade[data-id='{trade.Id}']");
            await Expect(row).ToHaveCountAsync(1);
            await Expect(row).ToHaveAttributeAsync("data-symbol", trade.Symbol);
            await Expect(row.Locator(".col-side")).ToHaveTextAsync(trade.Side);
            await Expect(row.Locator(".col-size")).ToHaveTextAsync(TapeText.Size(trade.Size));
            await Expect(row.Locator(".col-iv")).ToHaveTextAsync(CoinFormat.Plain.Iv(trade.Iv));
            await Expect(row.Locator(".col-mark-iv")).ToHaveTextAsync(CoinFormat.Plain.Iv(trade.MarkIv));
        }
        await Eventually.Until(async () =>
        {
            var ids = await ListedIdsAsync(page);
            var positions = made.Select(t => ids.IndexOf(t.Id)).ToList();
            return positions.All(p => p >= 0) && positions.Zip(positions.Skip(1)).All(p => p.First > p.Second);
        }, "the simulator's trades listed newest first");

        // A block on the RFQ stream: its legs grouped under its id, however the two streams interleave.
        var block = s.Simulator.EmitBlock("BTC", legs: 3);
        var group = page.Locator($"#tape-table tbody.tape-block[data-block-id='{block.RfqId}']");
        await Expect(group).ToHaveAttributeAsync("data-legs", "3");
        await Expect(group.Locator("tr.trade")).ToHaveCountAsync(3);
        var shown = await group.Locator("tr.trade").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.symbol)");
        Assert.Equal(block.Legs.Select(l => l.Symbol).Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine($"block {block.RfqId} ({block.StrategyType}): {string.Join(", ", shown)}");
    }

    [Fact]
    public async Task Option_detail_lists_its_latest_trades_live_axe_finds_nothing_serious_on_tape_and_flow_and_the_tape_fits_a_phone()
    {
        await using var s = await DashboardSession.StartAsync(["BTC"]);
        await s.WaitForBookAsync("BTC");
        var tape = s.App.Services.GetRequiredService<TradeTape>();
        var quoted = s.SlotsOf("BTC").Where(o => double.IsFinite(o.ReadQuote().MarkIv) && o.ReadQuote().MarkPrice > 0).ToList();
        var option = quoted[quoted.Count / 2];
        var neighbour = quoted.First(o => !ReferenceEquals(o, option));
        var page = s.Page;

        await s.GotoAsync($"/?coin=BTC&option={option.Instrument.Symbol}");
        await Expect(page.Locator("#detail-trades")).ToBeVisibleAsync();
        var earlier = TradeOf(option, TradeSide.Buy, 1.5, ivOverMark: 1.2);
        var notThis = TradeOf(neighbour, TradeSide.Buy, 4);
        tape.Append([earlier, notThis]);
        var listed = page.Locator("#detail-trades tr.trade");
        await Expect(page.Locator($"#detail-trades tr.trade[data-id='{earlier.Id}']")).ToBeVisibleAsync();
        await Expect(page.Locator($"#detail-trades tr.trade[data-id='{notThis.Id}']")).ToHaveCountAsync(0);
        var later = TradeOf(option, TradeSide.Sell, 2, ivOverMark: -0.7, block: true);
        tape.Append([later]);
        await Expect(listed.First).ToHaveAttributeAsync("data-id", later.Id);
        await Expect(listed.Nth(1)).ToHaveAttributeAsync("data-id", earlier.Id);
        await Expect(listed.First.Locator("td[data-edge]")).ToHaveAttributeAsync("data-edge", "under");
        await Expect(listed.First.Locator(".block-mark")).ToBeVisibleAsync();
        // Bounded: the newest few, however many the option had.
        tape.Append([.. Enumerable.Range(0, OptionTrades.MaxRows + 5).Select(i => TradeOf(option, i % 2 == 0 ? TradeSide.Buy : TradeSide.Sell, 1 + i))]);
        await Expect(listed).ToHaveCountAsync(OptionTrades.MaxRows);

        // Nothing serious for axe on the tape (a block among the trades) and the flow, dark and light.
        tape.Append([TradeOf(option, TradeSide.Buy, 5, blockId: "axe-block"), TradeOf(neighbour, TradeSide.Sell, 5, blockId: "axe-block")]);
        var problems = new List<string>();
        foreach (var theme in new[] { "dark", "light" })
        {
            await s.GotoAsync("/?coin=BTC&view=tape");
            if (theme == "light")
                await page.Locator("#theme-toggle").ClickAsync();
            await Expect(page.Locator(".dash")).ToHaveAttributeAsync("data-theme", theme);
            await Expect(page.Locator("#tape-table tbody.tape-block[data-block-id='axe-block']")).ToBeVisibleAsync();
            await CheckAxeAsync(page, $"tape, {theme}", problems);
            await s.GotoAsync("/?coin=BTC&view=flow");
            await Expect(page.Locator("#flow-view")).ToHaveAttributeAsync("data-state", "drawn");
            await CheckAxeAsync(page, $"flow, {theme}", problems);
        }
        Assert.True(problems.Count == 0, "serious or critical axe violations:\n" + string.Join('\n', problems));

        // A phone: the tape's table fits (it scrolls in its frame, never the page), its key figures still shown.
        await page.SetViewportSizeAsync(390, 844);
        await s.GotoAsync("/?coin=BTC&view=tape");
        await Expect(page.Locator("#tape-table tr.trade").First).ToBeVisibleAsync();
        await Eventually.Until(async () => await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= 390,
            "the tape page no wider than the phone");
        await Expect(page.Locator("#tape-table tr.trade").First.Locator(".col-premium")).ToBeVisibleAsync();
        await Expect(page.Locator("#tape-table tr.trade").First.Locator(".col-edge")).ToBeVisibleAsync();
        await Expect(page.Locator("#tape-table tr.trade").First.Locator(".col-mark-iv")).ToBeHiddenAsync();
        var box = await page.Locator(".tape-wrap").BoundingBoxAsync();
        Assert.True(box is { } b && b.X >= 0 && b.X + b.Width <= 390, $"the tape's frame fits the phone ({box?.X} + {box?.Width})");
        // Its last shown column, IV − mark, is on screen without scrolling the frame sideways.
        var edge = await page.Locator("#tape-table thead th.col-edge").BoundingBoxAsync();
        Assert.True(edge is { } e && e.X + e.Width <= 390, $"the IV − mark column on screen ({edge?.X} + {edge?.Width})");
        await s.ScreenshotAsync("tape-phone-dark");
    }
}
