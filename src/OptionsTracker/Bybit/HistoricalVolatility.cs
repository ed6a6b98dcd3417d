using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptionsTracker.Bybit;

/// <summary>
/// The answer of <c>/v5/market/historical-volatility</c> (bybit-exchange/docs, docs/v5/market/iv.mdx). Unlike the other
/// market endpoints, <c>category</c> sits beside <c>result</c> and <c>result</c> is the list itself (the docs' example;
/// hirokisan/bybit unmarshals it so "because the response structure is different from others", JKorf/Bybit.Net reads an
/// array). On an error Bybit sends <c>"result":{}</c>, so it is kept as an element and read only when it is an array.
/// </summary>
internal sealed class HistoricalVolatilityEnvelope
{
    [JsonPropertyName("retCode")]
    public int RetCode { get; set; }

    [JsonPropertyName("retMsg")]
    public string? RetMsg { get; set; }

    [JsonPropertyName("category")]
    public string? Category { get; set; }

    [JsonPropertyName("result")]
    public JsonElement Result { get; set; }
}

/// <summary>
/// One hourly point: <c>period</c> in days (a number in the docs; a string in a testnet sample quoted in ccxt PR 18695, so
/// both are read), <c>value</c> the volatility as a fraction in a string (<c>"0.45024716"</c> = 45 %), <c>time</c> the
/// hour it was measured, in ms, as a string.
/// </summary>
internal sealed class HistoricalVolatilityItem
{
    [JsonPropertyName("period")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public int Period { get; set; }

    [JsonPropertyName("value")]
    public string? Value { get; set; }

    [JsonPropertyName("time")]
    public string? Time { get; set; }
}
