using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Deribit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Deribit;

/// <summary>Deribit's units into the book's, field by field (docs/venues.md, "Normalisation").</summary>
public sealed class DeribitNormalisationTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));

    private static OptionQuote Apply(OptionBook book, string frame, string name)
    {
        var data = DeribitSamples.Utf8(frame);
        var parsed = DeribitFrame.Read(data);
        Assert.Equal(FrameKind.Notification, parsed.Kind);
        Assert.Equal(TickerResult.Applied, DeribitTickerParser.ApplyTicker(parsed.Data(data), book, DeribitVenue.Id, 1_767_614_400_000));
        Assert.True(book.Index.TryGetSlot(DeribitVenue.Id, name, out var slot));
        return slot.ReadQuote();
    }

    [Fact]
    public void An_inverse_ticker_is_in_usd_at_its_own_index_price_with_fractions_for_percentages()
    {
        var book = DeribitSamples.Book(Time, DeribitSamples.InverseInstrument());
        var quote = Apply(book, DeribitSamples.Ticker(DeribitSamples.Inverse, 1_767_614_399_000), DeribitSamples.Inverse);

        const double index = 95_000;
        Assert.Equal(0.0215 * index, quote.BidPrice, 9);
        Assert.Equal(0.0235 * index, quote.AskPrice, 9);
        Assert.Equal(0.0225 * index, quote.MarkPrice, 9);
        Assert.Equal(0.022 * index, quote.LastPrice, 9);
        Assert.Equal(0.026 * index, quote.HighPrice24h, 9);
        Assert.Equal(0.019 * index, quote.LowPrice24h, 9);
        Assert.Equal(index, quote.IndexPrice);
        Assert.Equal(95_500, quote.UnderlyingPrice);
        Assert.Equal(index, quote.PredictedDeliveryPrice);
        Assert.Equal(0.553, quote.BidIv, 12);
        Assert.Equal(0.579, quote.AskIv, 12);
        Assert.Equal(0.561, quote.MarkIv, 12);
        Assert.Equal(-0.042, quote.Change24h, 12);
        // Amounts are in the base coin already (1 BTC per inverse contract).
        Assert.Equal(7.5, quote.BidSize);
        Assert.Equal(3.2, quote.AskSize);
        Assert.Equal(321.4, quote.OpenInterest);
        Assert.Equal(12.3, quote.Volume24h);
        Assert.Equal(12345.5, quote.Turnover24h);
        // Greeks are Deribit's, in Bybit's units: unchanged.
        Assert.Equal(0.41, quote.Delta);
        Assert.Equal(0.00002, quote.Gamma);
        Assert.Equal(120.75, quote.Vega);
        Assert.Equal(-85.25, quote.Theta);
        Assert.Equal(1_767_614_399_000, quote.ExchangeTimeMs);
        // Not published by Deribit: left missing rather than made up.
        Assert.True(double.IsNaN(quote.TotalVolume));
        Assert.True(double.IsNaN(quote.TotalTurnover));
    }

    [Fact]
    public void The_native_coin_price_comes_back_exactly_through_NativePrice()
    {
        var instrument = DeribitSamples.InverseInstrument();
        var book = DeribitSamples.Book(Time, instrument);
        var quote = Apply(book, DeribitSamples.Ticker(DeribitSamples.Inverse, 1_767_614_399_000, mark: 0.0315, index: 87_123.45), DeribitSamples.Inverse);

        Assert.Equal(0.0315, NativePrice.FromUsd(quote.MarkPrice, instrument, quote), 12);
    }

    [Fact]
    public void A_linear_usdc_ticker_keeps_its_prices()
    {
        var book = DeribitSamples.Book(Time, DeribitSamples.LinearInstrument());
        var quote = Apply(book, DeribitSamples.Ticker(DeribitSamples.Linear, 1_767_614_399_000, bid: 11.5, ask: 12.25, mark: 11.9, index: 190.5), DeribitSamples.Linear);

        Assert.Equal(11.5, quote.BidPrice);
        Assert.Equal(12.25, quote.AskPrice);
        Assert.Equal(11.9, quote.MarkPrice);
        Assert.Equal(190.5, quote.IndexPrice);
        Assert.Equal(0.561, quote.MarkIv, 12);
    }

    [Fact]
    public void An_empty_side_is_missing_not_zero()
    {
        var book = DeribitSamples.Book(Time, DeribitSamples.InverseInstrument());
        var frame = DeribitSamples.Ticker(DeribitSamples.Inverse, 1_767_614_399_000)
            .Replace("\"best_bid_price\":0.0215", "\"best_bid_price\":null", StringComparison.Ordinal)
            .Replace("\"bid_iv\":55.3", "\"bid_iv\":0", StringComparison.Ordinal)
            .Replace("\"best_bid_amount\":7.5", "\"best_bid_amount\":0", StringComparison.Ordinal);
        var quote = Apply(book, frame, DeribitSamples.Inverse);

        Assert.True(double.IsNaN(quote.BidPrice));
        Assert.True(double.IsNaN(quote.BidIv));
        Assert.Equal(0, quote.BidSize);
        Assert.Equal(0.0235 * 95_000, quote.AskPrice, 9);
    }

    [Fact]
    public void A_ticker_without_an_index_price_keeps_the_last_usd_prices()
    {
        var book = DeribitSamples.Book(Time, DeribitSamples.InverseInstrument());
        var first = Apply(book, DeribitSamples.Ticker(DeribitSamples.Inverse, 1_767_614_399_000), DeribitSamples.Inverse);
        var frame = DeribitSamples.Ticker(DeribitSamples.Inverse, 1_767_614_399_500, mark: 0.03, markIv: 60)
            .Replace("\"index_price\":95000,", "", StringComparison.Ordinal);
        var second = Apply(book, frame, DeribitSamples.Inverse);

        // A coin price cannot be put in USD without the index of its own tick: the USD price stays as it was.
        Assert.Equal(first.MarkPrice, second.MarkPrice);
        Assert.Equal(0.6, second.MarkIv, 12);
    }

    [Fact]
    public void A_trade_is_in_usd_at_its_own_index_with_a_fractional_iv_and_its_block_id()
    {
        var instrument = DeribitSamples.InverseInstrument();
        var book = DeribitSamples.Book(Time, instrument);
        var json = """
            [{"trade_seq":30289,"trade_id":"48079269","timestamp":1767614399000,"tick_direction":1,"price":0.0225,"mark_price":0.0224,"iv":56.4,"instrument_name":"BTC-27MAR26-100000-C","index_price":95000.5,"direction":"sell","amount":2.5,"block_trade_id":"154","block_trade_leg_count":2},
             {"trade_seq":12,"trade_id":"48079270","timestamp":1767614399100,"price":0.03,"mark_price":0.031,"iv":60,"instrument_name":"BTC-27MAR26-120000-C","index_price":95001,"direction":"buy","amount":0.1},
             {"trade_id":"broken","instrument_name":"BTC-27MAR26-100000-C"}]
            """;
        var raws = DeribitTradeParser.ParseData(DeribitSamples.Utf8(json), out var bad);
        Assert.Equal(1, bad);
        var feed = DeribitFixtures.TradeFeed(book, Time);
        var trades = feed.ToTrades(raws);

        Assert.Equal(2, trades.Count);
        var block = trades[0];
        Assert.Equal(DeribitVenue.Id, block.Venue);
        Assert.Equal("48079269", block.Id);
        Assert.Equal(0.0225 * 95000.5, block.Price, 9);
        Assert.Equal(0.0224 * 95000.5, block.MarkPrice, 9);
        Assert.Equal(95000.5, block.IndexPrice);
        Assert.Equal(0.564, block.Iv, 12);
        Assert.Equal(2.5, block.Size);
        Assert.Equal(OptionsTracker.Tape.TradeSide.Sell, block.Side);
        Assert.True(block.IsBlock);
        Assert.Equal("154", block.BlockId);
        // Ordered among the currency's trades by trade_id (per currency), not trade_seq (per instrument).
        Assert.Equal(48079269, block.ExchangeSequence);
        Assert.True(double.IsFinite(block.Delta) && block.Delta is > 0 and < 1, $"delta {block.Delta}");
        // Not in the book: described from its name, still priced in USD as an inverse option.
        var unlisted = trades[1];
        Assert.Equal(120_000m, unlisted.Strike);
        Assert.Equal(DeribitSamples.Expiry, unlisted.ExpiryUtc);
        Assert.Equal(0.03 * 95001, unlisted.Price, 9);
        Assert.Null(unlisted.BlockId);
    }

    [Fact]
    public void Trades_of_two_options_in_one_millisecond_keep_deribits_order_by_trade_id_not_by_each_instruments_trade_seq()
    {
        var book = DeribitSamples.Book(Time, DeribitSamples.InverseInstrument());
        // The first is the 2nd trade of its instrument, the second the 1st of another: trade_seq alone would swap them.
        var json = """
            [{"trade_seq":2,"trade_id":"ETH-300000005","timestamp":1767614399000,"price":0.03,"mark_price":0.031,"iv":60,"instrument_name":"BTC-27MAR26-100000-C","index_price":95000,"direction":"buy","amount":1},
             {"trade_seq":1,"trade_id":"ETH-300000006","timestamp":1767614399000,"price":0.02,"mark_price":0.021,"iv":58,"instrument_name":"BTC-27MAR26-120000-C","index_price":95000,"direction":"sell","amount":1}]
            """;
        var raws = DeribitTradeParser.ParseData(DeribitSamples.Utf8(json), out var bad);
        Assert.Equal(0, bad);
        var trades = DeribitFixtures.TradeFeed(book, Time).ToTrades(raws);

        Assert.Equal([300000005L, 300000006L], trades.Select(t => t.ExchangeSequence));
        Assert.True(OptionsTracker.Tape.Trade.CompareByExchangeOrder(trades[0], trades[1]) < 0);
        Assert.Equal(["ETH-300000005", "ETH-300000006"], trades.Order(Comparer<OptionsTracker.Tape.Trade>.Create(OptionsTracker.Tape.Trade.CompareByExchangeOrder)).Select(t => t.Id));
    }

    [Theory]
    [InlineData("BTC-5JAN26-95000-C", "BTC", 2026, 1, 5, "95000", OptionType.Call)]
    [InlineData("ETH-27MAR26-3000-P", "ETH", 2026, 3, 27, "3000", OptionType.Put)]
    [InlineData("XRP_USDC-27MAR26-0d625-C", "XRP", 2026, 3, 27, "0.625", OptionType.Call)]
    public void Instrument_names_are_read(string name, string coin, int year, int month, int day, string strike, OptionType type)
    {
        Assert.True(DeribitInstrumentName.TryParse(name, out var parsed));
        Assert.Equal(coin, parsed.BaseCoin);
        Assert.Equal(new DateOnly(year, month, day), parsed.ExpiryDate);
        Assert.Equal(decimal.Parse(strike, System.Globalization.CultureInfo.InvariantCulture), parsed.Strike);
        Assert.Equal(type, parsed.Type);
    }

    [Theory]
    [InlineData("BTC-PERPETUAL")]
    [InlineData("BTC-27XYZ26-1-C")]
    [InlineData("BTC-27MAR26-0-C")]
    [InlineData("BTC-27MAR26-100-X")]
    public void Other_names_are_not_options(string name) => Assert.False(DeribitInstrumentName.TryParse(name, out _));
}
