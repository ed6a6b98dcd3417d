using System.Globalization;
using System.Text;
using OptionsTracker.Book;
using OptionsTracker.Deribit;

namespace OptionsTracker.Tests.Deribit;

/// <summary>
/// Deribit payloads shaped as its API v2 documents them (docs/venues.md, "What Deribit publishes"): a ticker notification,
/// book-summary and trade items, and the instruments they are about.
/// </summary>
internal static class DeribitSamples
{
    public const string Inverse = "BTC-27MAR26-100000-C";
    public const string Linear = "SOL_USDC-27MAR26-200-P";

    public static readonly DateTimeOffset Expiry = new(2026, 3, 27, 8, 0, 0, TimeSpan.Zero);

    public static OptionInstrument InverseInstrument(string name = Inverse, decimal strike = 100_000) =>
        new(DeribitVenue.Id, name, "BTC", Expiry, strike, name.EndsWith("-C", StringComparison.Ordinal) ? OptionType.Call : OptionType.Put,
            settleCoin: "BTC", tickSize: 0.0005, qtyStep: 0.1, priceCurrency: "BTC");

    public static OptionInstrument LinearInstrument() =>
        new(DeribitVenue.Id, Linear, "SOL", Expiry, 200, OptionType.Put, settleCoin: "USDC", tickSize: 0.01, qtyStep: 1);

    public static OptionBook Book(TimeProvider time, params OptionInstrument[] instruments)
    {
        var book = new OptionBook(time);
        book.AddInstruments(instruments);
        return book;
    }

    /// <summary>A <c>ticker.{name}.100ms</c> notification with every field an option ticker carries.</summary>
    public static string Ticker(string name, long timestamp, double bid = 0.0215, double ask = 0.0235, double mark = 0.0225, double index = 95_000,
        string bidIv = "55.3", double markIv = 56.1) =>
        $$$"""
        {"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.{{{name}}}.100ms","data":{"timestamp":{{{timestamp}}},"stats":{"volume_usd":12345.5,"volume":12.3,"price_change":-4.2,"low":0.019,"high":0.026},"state":"open","settlement_price":0.0201,"open_interest":321.4,"min_price":0.0001,"max_price":0.1,"mark_iv":{{{N(markIv)}}},"mark_price":{{{N(mark)}}},"last_price":0.022,"interest_rate":0.0,"instrument_name":"{{{name}}}","index_price":{{{N(index)}}},"greeks":{"rho":12.5,"theta":-85.25,"vega":120.75,"gamma":0.00002,"delta":0.41},"estimated_delivery_price":{{{N(index)}}},"bid_iv":{{{bidIv}}},"best_bid_price":{{{N(bid)}}},"best_bid_amount":7.5,"best_ask_price":{{{N(ask)}}},"best_ask_amount":3.2,"ask_iv":57.9,"underlying_price":95500.0,"underlying_index":"BTC-27MAR26"} } }
        """;

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static string N(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
