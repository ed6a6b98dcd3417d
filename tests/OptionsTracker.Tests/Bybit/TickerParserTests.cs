using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Bybit;

public class TickerParserTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2023, 1, 5, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Documented_ticker_push_fills_every_field()
    {
        var book = BookBuilder.WithSymbols(_time, Frames.DocTickerSymbol);

        var kind = TickerParser.ParseMessage(Frames.Utf8(Frames.DocTicker), book, out _);

        Assert.Equal(MessageKind.Ticker, kind);
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, Frames.DocTickerSymbol, out var slot));
        var q = slot.ReadQuote();
        Assert.Equal(1672917511074, q.ExchangeTimeMs);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds(), q.ReceivedAtMs);
        Assert.Equal(0, q.BidPrice);
        Assert.Equal(10, q.AskPrice);
        Assert.Equal(5.1, q.AskSize);
        Assert.Equal(0.514, q.AskIv);
        Assert.Equal(10, q.LastPrice);
        Assert.Equal(25, q.HighPrice24h);
        Assert.Equal(5, q.LowPrice24h);
        Assert.Equal(7.86976724, q.MarkPrice);
        Assert.Equal(16823.73, q.IndexPrice);
        Assert.Equal(0.4896, q.MarkIv);
        Assert.Equal(16815.1, q.UnderlyingPrice);
        Assert.Equal(49.85, q.OpenInterest);
        Assert.Equal(446802.8473, q.Turnover24h);
        Assert.Equal(26.55, q.Volume24h);
        Assert.Equal(86, q.TotalVolume);
        Assert.Equal(1437431, q.TotalTurnover);
        Assert.Equal(0.047831, q.Delta);
        Assert.Equal(0.00021453, q.Gamma);
        Assert.Equal(0.81351067, q.Vega);
        Assert.Equal(-19.9115368, q.Theta);
        Assert.Equal(0, q.PredictedDeliveryPrice);
        Assert.Equal(-0.33333334, q.Change24h);
    }

    [Fact]
    public void Empty_string_is_stored_as_missing_not_zero()
    {
        const string symbol = "BTC-27MAR26-70000-P-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);

        TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker(symbol, 1000, 5, lastPrice: "")), book, out _);

        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        Assert.True(double.IsNaN(slot.ReadQuote().LastPrice));
        Assert.Equal(5, slot.ReadQuote().MarkPrice);
    }

    [Fact]
    public void Unknown_fields_are_skipped_and_field_order_does_not_matter()
    {
        const string symbol = "ETH-9MAY25-2000-C-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        var frame = """
            {"type":"snapshot","data":{"newField":{"nested":[1,2,{"x":"y"}]},"markPriceIv":"0.61","symbol":"ETH-9MAY25-2000-C-USDT","markPrice":"33.5","bid1Price":"999"},"topic":"tickers.ETH-9MAY25-2000-C-USDT","cs":5,"ts":1700000000000}
            """;

        Assert.Equal(MessageKind.Ticker, TickerParser.ParseMessage(Frames.Utf8(frame), book, out _));

        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        var q = slot.ReadQuote();
        Assert.Equal(33.5, q.MarkPrice);
        Assert.Equal(0.61, q.MarkIv);
        Assert.Equal(1700000000000, q.ExchangeTimeMs);
        // bid1Price is the REST name: on the WebSocket it is an unknown field, never a bid.
        Assert.True(double.IsNaN(q.BidPrice));
    }

    [Fact]
    public void Fields_absent_from_a_message_keep_their_previous_value()
    {
        const string symbol = "BTC-27MAR26-70000-P-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker(symbol, 1000, 5)), book, out _);

        TickerParser.ParseMessage(Frames.Utf8("""{"topic":"tickers.BTC-27MAR26-70000-P-USDT","ts":2000,"data":{"symbol":"BTC-27MAR26-70000-P-USDT","markPrice":"6"},"type":"snapshot"}"""), book, out _);

        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        Assert.Equal(6, slot.ReadQuote().MarkPrice);
        Assert.Equal(0.45, slot.ReadQuote().Delta);
    }

    [Fact]
    public void Older_update_never_replaces_a_newer_one()
    {
        const string symbol = "BTC-27MAR26-70000-P-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker(symbol, 2000, 7)), book, out _);

        var kind = TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker(symbol, 1000, 5)), book, out _);

        Assert.Equal(MessageKind.TickerUnchanged, kind);
        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        Assert.Equal(7, slot.ReadQuote().MarkPrice);
    }

    [Fact]
    public void Decimal_strike_and_legacy_symbols_are_found()
    {
        var book = BookBuilder.WithSymbols(_time, "DOGE-28MAR26-0.2-C-USDT", "ETH-28FEB25-2800-C");
        Assert.Equal(MessageKind.Ticker, TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker("DOGE-28MAR26-0.2-C-USDT", 1, 0.01)), book, out _));
        Assert.Equal(MessageKind.Ticker, TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker("ETH-28FEB25-2800-C", 1, 120)), book, out _));
    }

    [Fact]
    public void Ticker_for_a_symbol_not_in_the_book_is_reported_not_applied()
    {
        var book = BookBuilder.WithSymbols(_time, "BTC-27MAR26-70000-P-USDT");
        Assert.Equal(MessageKind.TickerUnknownSymbol, TickerParser.ParseMessage(Frames.Utf8(Frames.Ticker("BTC-27MAR26-75000-P-USDT", 1, 1)), book, out _));
    }

    [Fact]
    public void Documented_ack_is_read_by_topics_without_op_or_req_id()
    {
        var book = new OptionBook(_time);
        Assert.Equal(MessageKind.CommandResponse, TickerParser.ParseMessage(Frames.Utf8(Frames.DocAck), book, out var response));
        Assert.True(response!.Success);
        Assert.Equal(["orderbook.100.BTC-6JAN23-18000-C"], response.SuccessTopics);
        Assert.Equal(["tickers.BAD"], response.FailTopics);
    }

    [Theory]
    [InlineData(Frames.DocPong)]
    [InlineData("""{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"","op":"ping"}""")]
    public void Option_and_linear_pongs_are_recognised(string pong)
    {
        Assert.Equal(MessageKind.Pong, TickerParser.ParseMessage(Frames.Utf8(pong), new OptionBook(_time), out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"topic\":\"tickers.BTC-27MAR26-70000-P-USDT\",\"ts\":1,\"data\":{\"symbol\":\"BTC-27MAR26-70000-P-USDT\",\"markPrice\":\"12")]
    [InlineData("{\"topic\":\"tickers.BTC-27MAR26-70000-P-USDT\",\"ts\":1,\"data\":{\"symbol\":\"BTC-27MAR26-70000-P-USDT\",\"markPrice\":\"abc\"},\"type\":\"snapshot\"}")]
    [InlineData("{\"topic\":\"tickers.BTC-27MAR26-70000-P-USDT\",\"ts\":1,\"data\":{\"symbol\":\"BTC-27MAR26-70000-P-USDT\",\"markPrice\":{\"a\":1}},\"type\":\"snapshot\"}")]
    [InlineData("{\"topic\":\"tickers.BTC-27MAR26-70000-P-USDT\",\"ts\":\"x\",\"data\":{}}")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"data\":{\"markPrice\":\"1\"}}")]
    [InlineData("{} {}")]
    public void Malformed_messages_are_reported_and_change_nothing(string message)
    {
        const string symbol = "BTC-27MAR26-70000-P-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        var before = book.Sequence;

        Assert.Equal(MessageKind.Malformed, TickerParser.ParseMessage(Frames.Utf8(message), book, out _));

        Assert.Equal(before, book.Sequence);
    }

    [Fact]
    public void Rest_snapshot_uses_rest_field_names_and_envelope_time()
    {
        const string symbol = "BTC-27MAR26-70000-P-USDT";
        var book = BookBuilder.WithSymbols(_time, symbol);
        var body = """
            {"retCode":0,"retMsg":"SUCCESS","result":{"category":"option","list":[
              {"symbol":"BTC-27MAR26-70000-P-USDT","bid1Price":"100","bid1Size":"2","bid1Iv":"0.5","ask1Price":"110","ask1Size":"3","ask1Iv":"0.56","lastPrice":"","highPrice24h":"","lowPrice24h":"","markPrice":"105","indexPrice":"95000","markIv":"0.53","underlyingPrice":"95100","openInterest":"10","turnover24h":"0","volume24h":"0","totalVolume":"1","totalTurnover":"2","delta":"-0.3","gamma":"0.00002","vega":"40","theta":"-50","predictedDeliveryPrice":"0","change24h":""},
              {"symbol":"BTC-27MAR26-99999-P-USDT","markPrice":"1"}
            ]},"retExtInfo":{},"time":1672712537130}
            """;

        var result = TickerParser.ApplyRestTickers(Frames.Utf8(body), book);

        Assert.Equal(new RestTickerResult(2, 1, 1, 1), result);
        book.Index.TryGetSlot(Venue.Bybit, symbol, out var slot);
        var q = slot.ReadQuote();
        Assert.Equal(100, q.BidPrice);
        Assert.Equal(0.56, q.AskIv);
        Assert.Equal(0.53, q.MarkIv);
        Assert.True(double.IsNaN(q.LastPrice));
        Assert.Equal(1672712537130, q.ExchangeTimeMs);
    }

    [Fact]
    public void Rest_error_code_is_raised_with_its_message()
    {
        var ex = Assert.Throws<BybitApiException>(() =>
            TickerParser.ApplyRestTickers(Frames.Utf8("""{"retCode":10001,"retMsg":"params error: symbol invalid","result":{},"retExtInfo":{},"time":1}"""), new OptionBook(_time)));
        Assert.Equal(10001, ex.RetCode);
        Assert.Contains("symbol invalid", ex.Message);
    }
}
