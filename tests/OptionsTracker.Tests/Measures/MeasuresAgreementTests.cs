using System.Globalization;
using System.Text.Json.Nodes;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Measures;

/// <summary>
/// Issue 13's "done when": <c>/api/summary/BTC</c>'s ATM strike, the dashboard's asset button and <c>/api/atm/BTC</c>
/// agree, read from one book state; and the index price too.
/// </summary>
public sealed class MeasuresAgreementTests
{
    private static readonly decimal[] Strikes = [90_000m, 95_000m, 100_000m, 105_000m, 110_000m];

    /// <summary>
    /// A book on which every former definition gave another answer: the freshest index (97.4k, nearest strike 95k)
    /// is not the nearest expiry's forward (97.6k, ATM 100k); the median underlying of that expiry (96k) points at 95k;
    /// the first expiry in the book is already delivered (forward 80k), and the first index met is a stale 94k.
    /// </summary>
    [Fact]
    public async Task Summary_asset_button_chain_and_atm_endpoint_show_the_same_index_and_atm_strike()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        var book = host.Book;
        var now = book.TimeProvider.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var (delivered, near, far) = (today.AddDays(-1), today.AddDays(3), today.AddDays(40));
        var instruments = new List<OptionInstrument> { BookBuilder.Create("BTC", delivered, 80_000m, 'C'), BookBuilder.Create("BTC", delivered, 80_000m, 'P') };
        foreach (var expiry in new[] { near, far })
        {
            foreach (var strike in Strikes)
                instruments.AddRange([BookBuilder.Create("BTC", expiry, strike, 'C'), BookBuilder.Create("BTC", expiry, strike, 'P')]);
        }
        book.AddInstruments(instruments);
        foreach (var slot in book.Index.All)
        {
            var instrument = slot.Instrument;
            var (atMs, underlying, index) =
                instrument.ExpiryDate == delivered ? (nowMs - 90_000, 80_000.0, 94_000.0)
                : instrument.ExpiryDate == far ? (nowMs - 20_000, 104_000.0, 96_000.0)
                : instrument.Strike == 110_000m && instrument.Type == OptionType.Call ? (nowMs - 10_000, 97_600.0, 97_400.0)
                : (nowMs - 50_000, 96_000.0, 95_000.0);
            var update = new QuoteUpdate { Values = QuoteValues.AllMissing(), ExchangeTimeMs = atMs };
            update.Set(QuoteField.UnderlyingPrice, underlying);
            update.Set(QuoteField.IndexPrice, index);
            update.Set(QuoteField.MarkIv, 0.5);
            book.Apply(slot, update);
        }
        using var http = host.Http();

        var summary = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC");
        var atm = await OptionsApiTests.GetJsonAsync(http, $"/api/atm/BTC?num_strikes=1&expiry={near:yyyy-MM-dd}");
        var board = new LiveBoard(book);
        board.Refresh("BTC", nowMs);
        var button = Assert.Single(board.Coins, c => c.Coin == "BTC");
        var chain = Assert.Single(board.Expiries, e => e.Expiry.Date == near);

        var atmStrikes = atm["data"]!.AsArray().Select(i => (decimal)i!["strike"]!).Distinct().ToList();
        Assert.Equal(100_000m, (decimal)summary["atm_strike"]!);
        Assert.Equal([100_000m], atmStrikes);
        Assert.Equal(100_000, button.AtmStrike);
        Assert.Equal(100_000, chain.AtmStrike);
        Assert.Equal(97_400, (double)summary["index_price"]!);
        Assert.Equal(97_400, button.IndexPrice);
    }

    /// <summary>
    /// End to end against the simulator's moving market: when two summaries around the other reads show the same ATM
    /// strike (the market did not cross a strike in between), the ATM endpoint and the asset button show it too.
    /// </summary>
    [Fact]
    public async Task Simulated_market_summary_atm_endpoint_and_asset_button_agree()
    {
        await using var host = await TrackerApp.StartWithSimulatorAsync();
        using var http = host.Http();
        var expiries = (await OptionsApiTests.GetJsonAsync(http, "/api/expiries/BTC"))["data"]!.AsArray();
        // The headline ATM is the nearest unexpired expiry's (docs/measures.md).
        var nearest = expiries.First(e => (double)e!["days_to_expiry"]! > 0)!;
        var date = ((DateTime)nearest["expiry_date"]!).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var board = new LiveBoard(host.Book);
        JsonNode? before = null;
        List<decimal> atmStrikes = [];
        double buttonAtm = double.NaN;
        var attempts = 0;

        await Eventually.Until(async () =>
        {
            attempts++;
            before = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC");
            var atm = await OptionsApiTests.GetJsonAsync(http, $"/api/atm/BTC?num_strikes=1&expiry={date}");
            atmStrikes = [.. atm["data"]!.AsArray().Select(i => (decimal)i!["strike"]!).Distinct()];
            board.Refresh("BTC", host.Book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            buttonAtm = board.Coins.Single(c => c.Coin == "BTC").AtmStrike;
            var after = await OptionsApiTests.GetJsonAsync(http, "/api/summary/BTC");
            return before["atm_strike"] is not null && (decimal)before["atm_strike"]! == (decimal?)after["atm_strike"];
        }, "two summaries in a row with the same ATM strike");

        TestContext.Current.TestOutputHelper?.WriteLine($"ATM {before!["atm_strike"]} of {date} after {attempts} attempt(s)");
        var summaryAtm = (decimal)before!["atm_strike"]!;
        Assert.Equal([summaryAtm], atmStrikes);
        Assert.Equal((double)summaryAtm, buttonAtm);
    }
}
