using System.Text;

namespace OptionsTracker.Tests.Fixtures;

/// <summary>Wire transcripts from bybit-v5-options.md, byte for byte.</summary>
public static class Frames
{
    /// <summary>The documented option ticker push (§5).</summary>
    public const string DocTicker = """
        {"id":"tickers.BTC-6JAN23-17500-C-2480334983-1672917511074","topic":"tickers.BTC-6JAN23-17500-C","ts":1672917511074,
         "data":{"symbol":"BTC-6JAN23-17500-C","bidPrice":"0","bidSize":"0","bidIv":"0","askPrice":"10","askSize":"5.1","askIv":"0.514",
         "lastPrice":"10","highPrice24h":"25","lowPrice24h":"5","markPrice":"7.86976724","indexPrice":"16823.73","markPriceIv":"0.4896",
         "underlyingPrice":"16815.1","openInterest":"49.85","turnover24h":"446802.8473","volume24h":"26.55","totalVolume":"86",
         "totalTurnover":"1437431","delta":"0.047831","gamma":"0.00021453","vega":"0.81351067","theta":"-19.9115368",
         "predictedDeliveryPrice":"0","change24h":"-0.33333334"},"type":"snapshot"}
        """;

    public const string DocTickerSymbol = "BTC-6JAN23-17500-C";

    /// <summary>The documented option subscribe acknowledgement (§4): no op, no req_id.</summary>
    public const string DocAck = """{"success":true,"conn_id":"aa01fbfffe80af37-00000001-000b37b5-4ae02c4ec7ec8d4a-e8e1b8d9","data":{"failTopics":["tickers.BAD"],"successTopics":["orderbook.100.BTC-6JAN23-18000-C"]},"type":"COMMAND_RESP"}""";

    /// <summary>The documented option pong (§4).</summary>
    public const string DocPong = """{"args":["1672916271846"],"op":"pong"}""";

    /// <summary>A ticker of a USDT option in the exchange's current symbol form, with every field given.</summary>
    public static string Ticker(string symbol, long ts, double mark, string lastPrice = "12.5") => $$"""
        {"id":"tickers.{{symbol}}-1-{{ts}}","topic":"tickers.{{symbol}}","ts":{{ts}},"data":{"symbol":"{{symbol}}","bidPrice":"11","bidSize":"3.2","bidIv":"0.51","askPrice":"14","askSize":"1.5","askIv":"0.55","lastPrice":"{{lastPrice}}","highPrice24h":"20","lowPrice24h":"9","markPrice":"{{mark.ToString(System.Globalization.CultureInfo.InvariantCulture)}}","indexPrice":"95000.5","markPriceIv":"0.53","underlyingPrice":"95120","openInterest":"120.5","turnover24h":"100000","volume24h":"12.5","totalVolume":"300","totalTurnover":"2000000","delta":"0.45","gamma":"0.0001","vega":"25.5","theta":"-60.25","predictedDeliveryPrice":"0","change24h":"0.05"},"type":"snapshot"}
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
