using System.Text;
using System.Text.Json;
using OptionsTracker.Bybit;
using OptionsTracker.Tape;

namespace OptionsTracker.Tests.Bybit;

/// <summary>
/// Bybit's trade messages as its documentation shows them (bybit-exchange/docs, docs/v5/websocket/public/trade.mdx,
/// docs/v5/market/recent-trade.mdx, docs/v5/rfq/websocket/public/public-transaction.mdx), and an option frame with every
/// option field the trade page lists (<c>mP, iP, mIv, iv</c>).
/// </summary>
public class TradeParserTests
{
    // trade.mdx's response example, as documented (a linear symbol; the option stream sends the same shape).
    private const string DocTradeFrame = """
        {
            "topic": "publicTrade.BTCUSDT",
            "type": "snapshot",
            "ts": 1672304486868,
            "data": [
                {
                    "T": 1672304486865,
                    "s": "BTCUSDT",
                    "S": "Buy",
                    "v": "0.001",
                    "p": "16578.50",
                    "L": "PlusTick",
                    "i": "20f43950-d8dd-5b31-9112-a178eb6023af",
                    "BT": false,
                    "seq": 1783284617
                }
            ]
        }
        """;

    // An option frame: the topic by base coin, "id" at the top (unique for options), the option fields of the table.
    private const string OptionTradeFrame = """
        {"id":"publicTrade.BTC-76572340339-1790373961392","topic":"publicTrade.BTC","ts":1790373961392,"type":"snapshot","data":[
          {"i":"44f06f5c-3628-5a2d-9a1c-0142ddf5e2ab","T":1790373961369,"p":"240","v":"0.1","S":"Buy","seq":76572340339,"s":"BTC-25JUN27-106000-C-USDT","BT":false,"RPI":false,"mP":"238.7827077","iP":"83885.18491835","mIv":"0.1389","iv":"0.14"},
          {"i":"a34d7d60-0fbe-5ff2-865f-8621c27f64cb","T":1790373961369,"p":"245","v":"0.3","S":"Sell","seq":76572340339,"s":"BTC-26SEP26-83750-P-USDT","BT":true,"mP":"244.1","iP":"83885.18491835","mIv":"","iv":"0.15"}]}
        """;

    // recent-trade.mdx's response example, as documented.
    private const string DocRecentTrades = """
        {
            "retCode": 0,
            "retMsg": "OK",
            "result": {
                "category": "spot",
                "list": [
                    {
                        "execId": "2100000000007764263",
                        "symbol": "BTCUSDT",
                        "price": "16618.49",
                        "size": "0.00012",
                        "side": "Buy",
                        "time": "1672052955758",
                        "isBlockTrade": false,
                        "isRPITrade": true,
                        "seq":"123456"
                    }
                ]
            },
            "retExtInfo": {},
            "time": 1672053054358
        }
        """;

    // public-transaction.mdx's stream example, as documented (a linear leg).
    private const string DocRfqTrade = """
        {
          "topic": "rfq.open.public.trades",
          "creationTime": 1757579314358,
          "data": [
            {
              "rfqId": "1757579281847749169219132657134900",
              "strategyType": "custom",
              "legs": [
                {
                  "category": "linear",
                  "symbol": "BTCUSDT",
                  "side": "Sell",
                  "price": "91600",
                  "qty": "1",
                  "markPrice": "90216.29"
                }
              ],
              "createdAt": "1757579314213",
              "updatedAt": "1757579314347"
            }
          ]
        }
        """;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void The_documented_trade_frame_is_read_with_every_field()
    {
        var trades = new List<RawTrade>();

        Assert.True(TradeParser.TryParseFrame(Utf8(DocTradeFrame), trades, out var bad));

        Assert.Equal(0, bad);
        var trade = Assert.Single(trades);
        Assert.Equal("20f43950-d8dd-5b31-9112-a178eb6023af", trade.Id);
        Assert.Equal("BTCUSDT", trade.Symbol);
        Assert.Equal(1672304486865, trade.TimeMs);
        Assert.Equal(TradeSide.Buy, trade.Side);
        Assert.Equal(0.001, trade.Size);
        Assert.Equal(16578.50, trade.Price);
        Assert.False(trade.IsBlock);
        Assert.Equal(1783284617, trade.Sequence);
        Assert.True(double.IsNaN(trade.Iv) && double.IsNaN(trade.MarkIv) && double.IsNaN(trade.IndexPrice));
    }

    [Fact]
    public void An_option_frame_gives_the_option_fields_and_an_empty_string_is_missing_not_zero()
    {
        var trades = new List<RawTrade>();

        Assert.True(TradeParser.TryParseFrame(Utf8(OptionTradeFrame), trades, out var bad));

        Assert.Equal(0, bad);
        Assert.Equal(2, trades.Count);
        var first = trades[0];
        Assert.Equal(("BTC-25JUN27-106000-C-USDT", 240d, 0.1, TradeSide.Buy), (first.Symbol, first.Price, first.Size, first.Side));
        Assert.Equal((238.7827077, 83885.18491835, 0.1389, 0.14), (first.MarkPrice, first.IndexPrice, first.MarkIv, first.Iv));
        Assert.False(first.IsRpi);
        var second = trades[1];
        Assert.Equal(TradeSide.Sell, second.Side);
        Assert.True(second.IsBlock);
        Assert.True(double.IsNaN(second.MarkIv));
        Assert.Equal(0.15, second.Iv);
        Assert.Equal(first.Sequence, second.Sequence); // one match, one cross sequence
    }

    [Fact]
    public void A_bad_item_is_counted_and_skipped_while_the_good_ones_of_its_frame_are_kept()
    {
        // No id; a side that is neither Buy nor Sell; a size of zero; then a good one.
        const string frame = """
            {"topic":"publicTrade.BTC","data":[
              {"T":1,"s":"BTC-25JUN27-106000-C-USDT","S":"Buy","v":"1","p":"5"},
              {"i":"b","T":1,"s":"BTC-25JUN27-106000-C-USDT","S":"Hold","v":"1","p":"5"},
              {"i":"c","T":1,"s":"BTC-25JUN27-106000-C-USDT","S":"Buy","v":"0","p":"5"},
              "not an object",
              {"i":"d","T":2,"s":"BTC-25JUN27-106000-C-USDT","S":"Sell","v":"2","p":"6"}]}
            """;
        var trades = new List<RawTrade>();

        Assert.True(TradeParser.TryParseFrame(Utf8(frame), trades, out var bad));

        Assert.Equal(4, bad);
        Assert.Equal("d", Assert.Single(trades).Id);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"topic":"publicTrade.BTC","data":{"i":"a"}}""")]
    [InlineData("""{"topic":"publicTrade.BTC"}""")]
    [InlineData("""{"topic":"publicTrade.BTC","data":[{"i":"a","T":1,""")]
    public void A_frame_that_is_not_a_trade_frame_gives_nothing(string frame)
    {
        var trades = new List<RawTrade>();

        Assert.False(TradeParser.TryParseFrame(Utf8(frame), trades, out _));

        Assert.Empty(trades);
    }

    [Fact]
    public void The_documented_recent_trade_answer_is_read_with_strings_for_time_and_seq()
    {
        var trades = TradeParser.ParseRecentTrades(Utf8(DocRecentTrades), "/v5/market/recent-trade", out var bad);

        Assert.Equal(0, bad);
        var trade = Assert.Single(trades);
        Assert.Equal(("2100000000007764263", "BTCUSDT", 1672052955758L, 123456L), (trade.Id, trade.Symbol, trade.TimeMs, trade.Sequence));
        Assert.Equal((16618.49, 0.00012, TradeSide.Buy), (trade.Price, trade.Size, trade.Side));
        Assert.True(trade.IsRpi);
        Assert.False(trade.IsBlock);
    }

    [Fact]
    public void A_refused_recent_trade_request_throws_with_its_ret_code()
    {
        const string refused = """{"retCode":10001,"retMsg":"params error: baseCoin","result":{},"retExtInfo":{},"time":1}""";

        var error = Assert.Throws<BybitApiException>(() => TradeParser.ParseRecentTrades(Utf8(refused), "/v5/market/recent-trade?baseCoin=X", out _));

        Assert.True(error.IsParameterError);
        Assert.Throws<JsonException>(() => TradeParser.ParseRecentTrades(Utf8("""{"retCode":0,"result":{}}"""), "/x", out _));
    }

    [Fact]
    public void The_documented_rfq_message_gives_its_block_and_legs()
    {
        var blocks = new List<RfqBlock>();

        Assert.True(TradeParser.TryParseRfq(Utf8(DocRfqTrade), blocks, out var bad));

        Assert.Equal(0, bad);
        var block = Assert.Single(blocks);
        Assert.Equal(("1757579281847749169219132657134900", "custom", 1757579314213L, 1757579314347L),
            (block.RfqId, block.StrategyType, block.CreatedAtMs, block.UpdatedAtMs));
        var leg = Assert.Single(block.Legs);
        Assert.Equal(new RfqLeg("linear", "BTCUSDT", "Sell", 91600, 1), leg);
    }
}
