using System.Text.Json.Serialization;

namespace OptionsTracker.Api;

// Response shapes. Option items are written by OptionFields with Utf8JsonWriter; OptionItem and
// OptionListResponse exist to describe them in the OpenAPI document (and to read them back in tests).
// Everything else is serialised by AppJsonContext (snake_case). Numbers are null where the exchange sent nothing.

/// <summary>One option. IVs are fractions (0.52 = 52 %); <c>iv</c> equals <c>mark_iv</c>, as in the original tool.</summary>
public sealed record OptionItem(
    string Symbol,
    string BaseCoin,
    string Type,
    decimal Strike,
    string Expiry,
    DateTime ExpiryDate,
    double DaysToExpiry,
    double? LastPrice,
    double? MarkPrice,
    double? BidPrice,
    double? BidSize,
    double? BidIv,
    double? AskPrice,
    double? AskSize,
    double? AskIv,
    double? MarkIv,
    double? Iv,
    double? Delta,
    double? Gamma,
    double? Theta,
    double? Vega,
    double? Volume24h,
    double? Turnover24h,
    double? OpenInterest,
    double? HighPrice24h,
    double? LowPrice24h,
    double? Change24h,
    double? TotalVolume,
    double? TotalTurnover,
    double? IndexPrice,
    double? Underlying,
    double? PredictedDeliveryPrice,
    DateTime? UpdatedAt,
    // The tracker's own Black-76 against the exchange (docs/analytics.md): in /api/option/{symbol} always, in lists
    // only when `fields` names them; absent (null here) otherwise.
    double? ModelIv = null,
    double? ModelDelta = null,
    double? ModelGamma = null,
    double? ModelVega = null,
    double? ModelTheta = null,
    double? ModelIvDiff = null,
    double? ModelDeltaDiff = null,
    double? ModelGammaDiff = null,
    double? ModelVegaDiff = null,
    double? ModelThetaDiff = null,
    bool? ModelDivergent = null,
    // A coin-priced venue's own prices (issue 19): when `fields` names them, and in /api/option/{symbol}; null for options
    // quoted in dollars.
    string? PriceCurrency = null,
    double? MarkPriceNative = null,
    double? BidPriceNative = null,
    double? AskPriceNative = null)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
}

/// <summary>The original tool's envelope: <c>total</c> counts every match before paging.</summary>
public sealed record OptionListResponse(IReadOnlyList<OptionItem> Data, int Total, string Asset)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
}

public sealed record ExpiryItem(string Expiry, DateTime ExpiryDate, double DaysToExpiry, int Count);

public sealed record ExpiryListResponse(IReadOnlyList<ExpiryItem> Data, int Total, string Asset)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
}

public sealed record StrikeListResponse(IReadOnlyList<decimal> Data, int Total, string Asset)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
}

public sealed record SymbolListResponse(IReadOnlyList<string> Data, int Total, string Asset);

/// <summary>Sums and counts of one asset. Ratios are null when the call side is zero.</summary>
public sealed record SummaryResponse(
    string Asset,
    int Total,
    TypeCounts CountsByType,
    IReadOnlyList<ExpiryItem> CountsByExpiry,
    double? IndexPrice,
    decimal? AtmStrike,
    TypeTotals OpenInterest,
    TypeTotals Volume24h,
    PutCallRatios PutCallRatio,
    IReadOnlyList<MaxPainItem> MaxPain,
    DateTime? UpdatedAt)
{
    /// <summary>The time of the snapshot a past answer (<c>at=</c>) was read from; absent when live.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTime? AsOf { get; init; }
}

public sealed record TypeCounts(int Call, int Put);

public sealed record TypeTotals(double Call, double Put, double Total);

public sealed record PutCallRatios(double? OpenInterest, double? Volume);

/// <summary>The strike at which option holders of one expiry would receive the least at delivery, by open interest.</summary>
public sealed record MaxPainItem(string Expiry, DateTime ExpiryDate, decimal? Strike);

/// <summary>Statistics of one Greek over the options that have it (population standard deviation).</summary>
public sealed record GreekStats(int Count, double? Mean, double? Std, double? Min, double? Max);

public sealed record GreeksResponse(string Asset, int Total, GreekStats Delta, GreekStats Gamma, GreekStats Theta, GreekStats Vega);

/// <summary>
/// <c>POST /api/query</c>. Every member is optional; <c>type</c> and <c>option_type</c> are synonyms. Numbers
/// may be sent as JSON numbers or strings.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record OptionQueryRequest(
    string? Asset = null,
    string? Expiry = null,
    double? MinStrike = null,
    double? MaxStrike = null,
    string? Type = null,
    string? OptionType = null,
    double? MinVolume = null,
    double? MinIv = null,
    int? Limit = null,
    string? Sort = null,
    int? Offset = null,
    string? Venue = null);
