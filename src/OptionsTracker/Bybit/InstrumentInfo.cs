using System.Text.Json.Serialization;

namespace OptionsTracker.Bybit;

/// <summary>One item of <c>/v5/market/instruments-info?category=option</c> (the fields we use; the rest is ignored).</summary>
internal sealed class InstrumentInfo
{
    [JsonPropertyName("symbol")]
    public string Symbol { get; set; } = "";

    [JsonPropertyName("status")]
    public string Status { get; set; } = "";

    [JsonPropertyName("baseCoin")]
    public string BaseCoin { get; set; } = "";

    [JsonPropertyName("settleCoin")]
    public string SettleCoin { get; set; } = "";

    [JsonPropertyName("optionsType")]
    public string OptionsType { get; set; } = "";

    /// <summary>Milliseconds since the epoch, as a string.</summary>
    [JsonPropertyName("deliveryTime")]
    public string DeliveryTime { get; set; } = "";

    [JsonPropertyName("priceFilter")]
    public PriceFilter? PriceFilter { get; set; }

    [JsonPropertyName("lotSizeFilter")]
    public LotSizeFilter? LotSizeFilter { get; set; }
}

/// <summary>An instrument's price grid; numbers as strings (<c>"tickSize":"5"</c>).</summary>
internal sealed class PriceFilter
{
    [JsonPropertyName("tickSize")]
    public string? TickSize { get; set; }
}

/// <summary>An instrument's quantity grid; numbers as strings (<c>"qtyStep":"0.01"</c>).</summary>
internal sealed class LotSizeFilter
{
    [JsonPropertyName("qtyStep")]
    public string? QtyStep { get; set; }
}

internal sealed class InstrumentsResult
{
    [JsonPropertyName("category")]
    public string Category { get; set; } = "";

    [JsonPropertyName("nextPageCursor")]
    public string? NextPageCursor { get; set; }

    [JsonPropertyName("list")]
    public List<InstrumentInfo> List { get; set; } = [];
}

internal sealed class BybitEnvelope<T>
{
    [JsonPropertyName("retCode")]
    public int RetCode { get; set; }

    [JsonPropertyName("retMsg")]
    public string? RetMsg { get; set; }

    [JsonPropertyName("result")]
    public T? Result { get; set; }

    [JsonPropertyName("time")]
    public long Time { get; set; }
}

/// <summary>One item of <c>/v5/market/delivery-price</c> or <c>/v5/market/new-delivery-price</c> (the latter has no symbol).</summary>
internal sealed class DeliveryPriceItem
{
    [JsonPropertyName("symbol")]
    public string Symbol { get; set; } = "";

    [JsonPropertyName("deliveryPrice")]
    public string? DeliveryPrice { get; set; }

    /// <summary>Milliseconds since the epoch, as a string.</summary>
    [JsonPropertyName("deliveryTime")]
    public string? DeliveryTime { get; set; }
}

internal sealed class DeliveryPriceResult
{
    [JsonPropertyName("nextPageCursor")]
    public string? NextPageCursor { get; set; }

    [JsonPropertyName("list")]
    public List<DeliveryPriceItem> List { get; set; } = [];
}

[JsonSerializable(typeof(BybitEnvelope<InstrumentsResult>))]
[JsonSerializable(typeof(BybitEnvelope<DeliveryPriceResult>))]
[JsonSerializable(typeof(HistoricalVolatilityEnvelope))]
[JsonSerializable(typeof(List<HistoricalVolatilityItem>))]
internal sealed partial class BybitJsonContext : JsonSerializerContext;
