using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Dashboard;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// How a coin's columns read (issue 14, items 1 and 2): Greeks with significant digits chosen per column and coin,
/// prices at the tick size, sizes at the quantity step, one number of decimals down a column.
/// </summary>
public class CoinFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Expiry = new(2026, 12, 31);

    [Fact]
    public void Gamma_of_a_btc_like_board_reads_with_three_significant_digits_and_equal_decimals_down_the_column()
    {
        var board = Board("BTC", forward: 95_000, vol: 0.5, strikes: Strikes(60_000, 140_000, 5_000), tickSize: 5, qtyStep: 0.01);
        var gammas = Column(board, QuoteField.Gamma);
        Print(gammas);

        var decimals = Decimals(gammas[0]);
        Assert.All(gammas, text => Assert.Equal(decimals, Decimals(text)));
        var atm = board.Format.Value(Row(board, 95_000, call: true), QuoteField.Gamma);
        Assert.Matches(@"^0\.0000\d{3,4}$", atm);
        Assert.True(SignificantDigits(atm) >= 3, atm);
        // Sorted by gamma, the top of the column is not a run of equal values.
        var top = board.Rows.OrderByDescending(r => r.Gamma).Take(10).Select(r => board.Format.Value(r, QuoteField.Gamma)).ToList();
        Assert.True(top.Distinct().Count() >= 5, string.Join(", ", top));
    }

    [Fact]
    public void Theta_and_vega_of_a_btc_like_board_read_with_two_decimals_and_delta_with_four()
    {
        var board = Board("BTC", forward: 95_000, vol: 0.5, strikes: Strikes(60_000, 140_000, 5_000), tickSize: 5, qtyStep: 0.01);
        Print(Column(board, QuoteField.Theta));

        Assert.All(Column(board, QuoteField.Theta), text => Assert.Equal(2, Decimals(text)));
        Assert.All(Column(board, QuoteField.Vega), text => Assert.Equal(2, Decimals(text)));
        Assert.All(Column(board, QuoteField.Delta), text => Assert.Equal(4, Decimals(text)));
        Assert.Matches(@"^-\d{2,3}\.\d{2}$", board.Format.Value(Row(board, 95_000, call: true), QuoteField.Theta));
        Assert.Equal("52.3%", board.Format.Iv(0.523));
    }

    [Fact]
    public void Small_vega_of_an_xrp_like_board_gets_enough_digits()
    {
        var board = Board("XRP", forward: 2.3, vol: 0.85, strikes: [1.5m, 1.8m, 2m, 2.25m, 2.5m, 2.8m, 3m, 3.5m], tickSize: 0.0001, qtyStep: 10);
        var vegas = Column(board, QuoteField.Vega);
        Print(vegas);

        var decimals = Decimals(vegas[0]);
        Assert.All(vegas, text => Assert.Equal(decimals, Decimals(text)));
        var atm = board.Format.Value(Row(board, 2.25m, call: true), QuoteField.Vega);
        Assert.True(SignificantDigits(atm) >= 3, atm);
        // Strikes line up too: every XRP strike with the coin's most decimals.
        Assert.Equal(["1.50", "1.80", "2.00", "2.25", "2.50", "2.80", "3.00", "3.50"],
            board.Rows.Where(r => r.IsCall).Select(r => board.Format.Strike(r.Strike)));
        Assert.Equal("2.300", board.Format.Underlying(2.3));
    }

    [Theory]
    [InlineData("BTC", 95_000.0, 5.0, 0)]
    [InlineData("ETH", 3_400.0, 0.1, 1)]
    [InlineData("SOL", 180.0, 0.01, 2)]
    public void Prices_read_at_the_tick_size_with_one_number_of_decimals_down_each_column(string coin, double forward, double tick, int decimals)
    {
        var step = (decimal)forward / 10;
        var board = Board(coin, forward, vol: 0.6, strikes: [.. Enumerable.Range(5, 11).Select(i => i * step)], tickSize: tick, qtyStep: 0.1);
        foreach (var field in new[] { QuoteField.BidPrice, QuoteField.AskPrice, QuoteField.MarkPrice })
        {
            var column = Column(board, field).Where(t => t != Display.Missing).ToList();
            Print(column);
            Assert.NotEmpty(column);
            Assert.All(column, text => Assert.Equal(decimals, Decimals(text)));
        }
    }

    [Fact]
    public void Prices_at_tick_5_01_and_001_read_as_the_exchange_writes_them()
    {
        Assert.Equal("1,655", CoinFormat.Price(1655, 5));
        Assert.Equal("628", CoinFormat.Price(627.57, 5));
        Assert.Equal("0.9", CoinFormat.Price(0.9, 0.1));
        Assert.Equal("17.9", CoinFormat.Price(17.9, 0.1));
        Assert.Equal("925.00", CoinFormat.Price(925, 0.01));
        Assert.Equal("627.57", CoinFormat.Price(627.57, 0.01));
        Assert.Equal("0.0123", CoinFormat.Price(0.0123, 0.0001));
        Assert.Equal(Display.Missing, CoinFormat.Price(double.NaN, 5));
        Assert.Equal(0, CoinFormat.DecimalsOf(5));
        Assert.Equal(1, CoinFormat.DecimalsOf(0.1));
        Assert.Equal(5, CoinFormat.DecimalsOf(0.00001));
        Assert.Null(CoinFormat.DecimalsOf(double.NaN));
    }

    [Fact]
    public void An_empty_book_side_no_trade_and_a_missing_value_read_as_a_dash_and_zero_elsewhere_as_zero()
    {
        var board = Board("ETH", forward: 3_400, vol: 0.65, strikes: [3_000m, 3_400m, 3_800m], tickSize: 0.1, qtyStep: 0.1,
            tweak: (decimal strike, bool call, ref QuoteUpdate update) =>
            {
                if (strike == 3_800m && call)
                {
                    update.Set(QuoteField.BidPrice, 0); // Bybit's empty side of the book
                    update.Set(QuoteField.Gamma, double.NaN);
                    update.Set(QuoteField.LastPrice, 0); // never traded
                    update.Set(QuoteField.BidIv, 0);
                    update.Set(QuoteField.BidSize, 0);
                    update.Set(QuoteField.PredictedDeliveryPrice, 0);
                    update.Set(QuoteField.Volume24h, 0);
                }
            });
        var row = Row(board, 3_800m, call: true);

        Assert.Equal(Display.Missing, board.Format.Value(row, QuoteField.BidPrice));
        Assert.Equal(Display.Missing, board.Format.Value(row, QuoteField.Gamma));
        // Bybit's zeros for "nothing there": no last trade, the empty bid's IV and size, no delivery price yet.
        Assert.Equal(Display.Missing, board.Format.Value(row, QuoteField.LastPrice));
        Assert.Equal(Display.Missing, board.Format.Value(row, QuoteField.BidIv));
        Assert.Equal(Display.Missing, board.Format.Value(row, QuoteField.BidSize));
        Assert.Equal(Display.Missing, board.Format.Value(row, QuoteField.PredictedDeliveryPrice));
        // A volume of zero is a figure: nothing traded in 24 h.
        Assert.Equal("0.0", board.Format.Value(row, QuoteField.Volume24h));
        Assert.Equal(Display.Missing, board.Format.Iv(double.NaN));
        Assert.Equal(Display.Missing, board.Format.Underlying(double.NaN));
    }

    [Fact]
    public void Sizes_read_at_the_quantity_step_so_trailing_zeros_stay()
    {
        var board = Board("BTC", forward: 95_000, vol: 0.5, strikes: [90_000m, 95_000m, 100_000m], tickSize: 5, qtyStep: 0.01,
            tweak: (decimal strike, bool call, ref QuoteUpdate update) =>
            {
                update.Set(QuoteField.OpenInterest, strike == 95_000m ? 12.5 : 1_234);
                update.Set(QuoteField.Volume24h, 3);
            });

        Assert.Equal("12.50", board.Format.Value(Row(board, 95_000m, call: true), QuoteField.OpenInterest));
        Assert.Equal("1,234.00", board.Format.Value(Row(board, 90_000m, call: true), QuoteField.OpenInterest));
        Assert.Equal("3.00", board.Format.Value(Row(board, 90_000m, call: false), QuoteField.Volume24h));
    }

    [Fact]
    public void Without_grids_the_coins_quotes_decide_the_decimals()
    {
        // A store hash written before the grids were kept, or a venue without them: ETH bids on a 0.1 grid.
        var board = Board("ETH", forward: 3_400, vol: 0.65, strikes: [3_000m, 3_400m, 3_800m], tickSize: double.NaN, qtyStep: double.NaN,
            tweak: (decimal strike, bool call, ref QuoteUpdate update) =>
            {
                update.Set(QuoteField.BidPrice, strike == 3_000m ? 0.9 : strike == 3_400m ? 1.4 : 17.9);
                update.Set(QuoteField.OpenInterest, strike == 3_000m ? 12.5 : 100);
            });

        Assert.Equal(["0.9", "1.4", "17.9"], board.Rows.Where(r => r.IsCall).Select(r => board.Format.Value(r, QuoteField.BidPrice)));
        Assert.All(Column(board, QuoteField.MarkPrice), text => Assert.Equal(1, Decimals(text)));
        Assert.Equal("100.0", board.Format.Value(Row(board, 3_400m, call: true), QuoteField.OpenInterest));
    }

    [Fact]
    public void A_format_built_before_the_quotes_arrived_is_sized_again_once_they_have()
    {
        var time = new FakeTimeProvider(Now);
        var book = new OptionBook(time);
        var instruments = Strikes(60_000, 140_000, 5_000).SelectMany(k => new[] { 'C', 'P' }.Select(t => BookBuilder.Create("BTC", Expiry, k, t, 5, 0.01))).ToList();
        book.AddInstruments(instruments);
        var board = new LiveBoard(book);
        board.Refresh("BTC", Now.ToUnixTimeMilliseconds());
        Assert.True(board.Format.IsProvisional);

        Quote(book, 95_000, 0.5, NoTweak);
        board.Refresh("BTC", Now.AddSeconds(2).ToUnixTimeMilliseconds());

        Assert.False(board.Format.IsProvisional);
        Assert.True(SignificantDigits(board.Format.Value(Row(board, 95_000, call: true), QuoteField.Gamma)) >= 3);
    }

    [Fact]
    public void Plain_format_writes_figures_of_a_coin_without_its_rows()
    {
        Assert.Equal("95,000", CoinFormat.Plain.Strike(95_000));
        Assert.Equal("2.25", CoinFormat.Plain.Strike(2.25));
        Assert.Equal("95,123.46", CoinFormat.Plain.Underlying(95_123.456));
        Assert.Equal("2.346", CoinFormat.Plain.Underlying(2.3456));
    }

    private delegate void Tweak(decimal strike, bool call, ref QuoteUpdate update);

    private static void NoTweak(decimal strike, bool call, ref QuoteUpdate update)
    {
    }

    private static decimal[] Strikes(int from, int to, int step) => [.. Enumerable.Range(0, (to - from) / step + 1).Select(i => (decimal)(from + i * step))];

    /// <summary>
    /// A coin's board priced by Black-76 (the simulator's): greeks in Bybit's units, bid and ask on the tick grid around
    /// an off-grid mark, open interest on the quantity grid; <paramref name="tweak"/> changes a quote before it is applied.
    /// </summary>
    [Fact]
    public void Prices_of_a_venue_quoting_in_the_coin_read_in_cents_not_at_the_coin_tick()
    {
        // Deribit's inverse options tick in BTC (0.0005); the book holds their prices in USD (coin price × index), values
        // with no grid of their own: neither the coin's tick nor the conversion's noise decides the USD decimals.
        var deribit = Venue.Parse("deribit");
        var expiry = new DateTimeOffset(Expiry.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
        var book = new OptionBook(new FakeTimeProvider(Now));
        book.AddInstruments(Strikes(80_000, 110_000, 5_000).SelectMany(k => new[] { OptionType.Call, OptionType.Put }.Select(type =>
            new OptionInstrument(deribit, $"BTC-31DEC26-{k}-{(type == OptionType.Call ? 'C' : 'P')}", "BTC", expiry, k, type,
                tickSize: 0.0005, qtyStep: 0.1, priceCurrency: "BTC"))));
        Quote(book, forward: 95_000, vol: 0.5, NoTweak);
        var board = new LiveBoard(book);
        board.Refresh("BTC", Now.ToUnixTimeMilliseconds());

        var bids = Column(board, QuoteField.BidPrice).Where(text => text != "–" && text != "").ToList();
        Print(bids);
        Assert.NotEmpty(bids);
        Assert.All(bids, text => Assert.Equal(2, Decimals(text)));
        Assert.Equal(double.NaN, board.Rows[0].Instrument.UsdTickSize);
    }

    private static LiveBoard Board(string coin, double forward, double vol, decimal[] strikes, double tickSize, double qtyStep,
        Tweak? tweak = null)
    {
        var book = new OptionBook(new FakeTimeProvider(Now));
        book.AddInstruments(strikes.SelectMany(k => new[] { 'C', 'P' }.Select(t => BookBuilder.Create(coin, Expiry, k, t, tickSize, qtyStep))));
        Quote(book, forward, vol, tweak ?? NoTweak);
        var board = new LiveBoard(book);
        board.Refresh(coin, Now.ToUnixTimeMilliseconds());
        return board;
    }

    private static void Quote(OptionBook book, double forward, double vol, Tweak tweak)
    {
        var years = (Expiry.ToDateTime(new TimeOnly(8, 0)) - Now.UtcDateTime).TotalDays / 365;
        foreach (var slot in book.Index.All)
        {
            var instrument = slot.Instrument;
            var call = instrument.Type == OptionType.Call;
            var value = Black76.Value(forward, instrument.StrikeValue, years, vol, call);
            var tick = double.IsNaN(instrument.TickSize) ? 0.1 : instrument.TickSize;
            var update = new QuoteUpdate { ExchangeTimeMs = Now.ToUnixTimeMilliseconds(), Values = QuoteValues.AllMissing() };
            update.Set(QuoteField.MarkPrice, value.Price);
            update.Set(QuoteField.BidPrice, Math.Max(0, Math.Floor(value.Price * 0.97 / tick) * tick));
            update.Set(QuoteField.AskPrice, Math.Ceiling(value.Price * 1.03 / tick) * tick + tick);
            update.Set(QuoteField.Delta, value.Delta);
            update.Set(QuoteField.Gamma, value.Gamma);
            update.Set(QuoteField.Vega, value.VegaPerPoint);
            update.Set(QuoteField.Theta, value.ThetaPerDay);
            update.Set(QuoteField.MarkIv, vol);
            update.Set(QuoteField.UnderlyingPrice, forward);
            update.Set(QuoteField.IndexPrice, forward);
            tweak(instrument.Strike, call, ref update);
            book.Apply(slot, update);
        }
    }

    private static OptionRow Row(LiveBoard board, decimal strike, bool call) =>
        board.Rows.Single(r => r.Instrument.Strike == strike && r.IsCall == call);

    private static List<string> Column(LiveBoard board, QuoteField field) => [.. board.Rows.Select(r => board.Format.Value(r, field))];

    private static int Decimals(string text)
    {
        var point = text.IndexOf('.', StringComparison.Ordinal);
        return point < 0 ? 0 : text.Length - point - 1;
    }

    /// <summary>Digits from the first non-zero one on (0.0000112 has 3).</summary>
    private static int SignificantDigits(string text) => Regex.Replace(text, @"[^0-9]", "").TrimStart('0').Length;

    private static void Print(IEnumerable<string> column) =>
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(" | ", column));
}
