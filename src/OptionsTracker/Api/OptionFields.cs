using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// Names, values and writers of <see cref="OptionField"/>. Missing numbers (NaN in the book) are written as
/// JSON <c>null</c> and as an empty CSV cell; instants are ISO 8601 UTC.
/// </summary>
internal static class OptionFields
{
    public static readonly OptionField[] All = Enum.GetValues<OptionField>();

    private static readonly string[] Names =
    [
        "symbol", "base_coin", "type", "strike", "expiry", "expiry_date", "days_to_expiry",
        "last_price", "mark_price", "bid_price", "bid_size", "bid_iv", "ask_price", "ask_size", "ask_iv", "mark_iv", "iv",
        "delta", "gamma", "theta", "vega", "volume_24h", "turnover_24h", "open_interest", "high_price_24h", "low_price_24h",
        "change_24h", "total_volume", "total_turnover", "index_price", "underlying", "predicted_delivery_price", "updated_at",
        "status", "delivery_price", "venue",
        "price_currency", "mark_price_native", "bid_price_native", "ask_price_native",
        "model_iv", "model_delta", "model_gamma", "model_vega", "model_theta",
        "model_iv_diff", "model_delta_diff", "model_gamma_diff", "model_vega_diff", "model_theta_diff", "model_divergent",
    ];

    /// <summary>
    /// What a list writes when <c>fields</c> is absent: every field but the model's (<see cref="IsModel"/>), which a list
    /// computes only when asked, so the default answer keeps its size and speed, and the native prices
    /// (<see cref="IsNative"/>), which only a coin-priced venue has, so a Bybit user's answers keep their shape.
    /// </summary>
    public static readonly OptionField[] Default = [.. All.Where(f => !IsModel(f) && !IsNative(f))];

    /// <summary>The fields of the tracker's own Black-76 against the exchange (<see cref="OptionModel"/>).</summary>
    public static bool IsModel(OptionField field) => field >= OptionField.ModelIv;

    /// <summary>The price currency and the prices in it of a coin-priced venue (null for dollar-priced options).</summary>
    public static bool IsNative(OptionField field) => field is >= OptionField.PriceCurrency and <= OptionField.AskPriceNative;

    /// <summary>
    /// A native price field's value: the book's USD price in the venue's coin (<see cref="NativePrice"/>, the one
    /// conversion); NaN for a dollar-priced option, a missing price, or a quote without its index price.
    /// </summary>
    public static double NativeValue(OptionField field, in OptionRow row)
    {
        if (!row.Instrument.IsCoinPriced)
            return double.NaN;
        var usd = field switch
        {
            OptionField.MarkPriceNative => row.Quote.MarkPrice,
            OptionField.BidPriceNative => row.Quote.BidPrice,
            OptionField.AskPriceNative => row.Quote.AskPrice,
            _ => double.NaN,
        };
        return double.IsNaN(usd) ? double.NaN : NativePrice.FromUsd(usd, row.Instrument, row.Quote);
    }

    private static readonly JsonEncodedText[] EncodedNames = [.. Names.Select(n => JsonEncodedText.Encode(n))];

    private static readonly Dictionary<string, OptionField> ByName = All.ToDictionary(f => Names[(int)f], StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<string, OptionField>.AlternateLookup<ReadOnlySpan<char>> ByNameSpan = ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every field name, comma separated, for error messages.</summary>
    public static readonly string AcceptedNames = string.Join(", ", Names);

    public static bool TryParse(ReadOnlySpan<char> name, out OptionField field) => ByNameSpan.TryGetValue(name.Trim(), out field);

    /// <summary>Symbol, base coin, venue and price currency sort as text; every other field by <see cref="SortKey"/>.</summary>
    public static bool IsText(OptionField field) => field is OptionField.Symbol or OptionField.BaseCoin or OptionField.Venue or OptionField.PriceCurrency;

    public static string TextOf(OptionField field, in OptionRow row) => field switch
    {
        OptionField.BaseCoin => row.Instrument.BaseCoin,
        OptionField.Venue => row.Instrument.Venue.Id,
        OptionField.PriceCurrency => row.Instrument.PriceCurrency ?? "",
        _ => row.Instrument.Symbol,
    };

    /// <summary>
    /// The numeric value a non-text field sorts by (NaN = missing): expiries chronologically, Call before Put,
    /// instants as Unix milliseconds.
    /// </summary>
    public static double SortKey(OptionField field, in OptionRow row, DateTimeOffset now) => field switch
    {
        OptionField.Type => (double)row.Instrument.Type,
        OptionField.Strike => row.Instrument.StrikeValue,
        OptionField.Expiry or OptionField.ExpiryDate => row.Instrument.ExpiryUtc.ToUnixTimeMilliseconds(),
        OptionField.DaysToExpiry => DaysToExpiry(row.Instrument, now),
        OptionField.UpdatedAt => row.Quote.HasData ? row.Quote.ExchangeTimeMs : double.NaN,
        OptionField.Status => (double)row.Quote.Status,
        OptionField.DeliveryPrice => row.Quote.DeliveryPrice,
        _ when IsNative(field) => NativeValue(field, row),
        _ when IsModel(field) => ModelValue(field, OptionModel.Of(row.Instrument, row.Quote)),
        _ => QuoteFieldOf(field) is { } quoteField ? row.Quote[quoteField] : double.NaN,
    };

    public static double DaysToExpiry(OptionInstrument instrument, DateTimeOffset now) =>
        Math.Round(Measures.MarketMeasures.DaysToExpiry(instrument, now), 6);

    public static string TypeName(OptionType type) => type == OptionType.Call ? "Call" : "Put";

    /// <summary>The quote field behind an item field; <c>iv</c> is <c>mark_iv</c>, as in the original tool.</summary>
    public static QuoteField? QuoteFieldOf(OptionField field) => field switch
    {
        OptionField.LastPrice => QuoteField.LastPrice,
        OptionField.MarkPrice => QuoteField.MarkPrice,
        OptionField.BidPrice => QuoteField.BidPrice,
        OptionField.BidSize => QuoteField.BidSize,
        OptionField.BidIv => QuoteField.BidIv,
        OptionField.AskPrice => QuoteField.AskPrice,
        OptionField.AskSize => QuoteField.AskSize,
        OptionField.AskIv => QuoteField.AskIv,
        OptionField.MarkIv or OptionField.Iv => QuoteField.MarkIv,
        OptionField.Delta => QuoteField.Delta,
        OptionField.Gamma => QuoteField.Gamma,
        OptionField.Theta => QuoteField.Theta,
        OptionField.Vega => QuoteField.Vega,
        OptionField.Volume24h => QuoteField.Volume24h,
        OptionField.Turnover24h => QuoteField.Turnover24h,
        OptionField.OpenInterest => QuoteField.OpenInterest,
        OptionField.HighPrice24h => QuoteField.HighPrice24h,
        OptionField.LowPrice24h => QuoteField.LowPrice24h,
        OptionField.Change24h => QuoteField.Change24h,
        OptionField.TotalVolume => QuoteField.TotalVolume,
        OptionField.TotalTurnover => QuoteField.TotalTurnover,
        OptionField.IndexPrice => QuoteField.IndexPrice,
        OptionField.Underlying => QuoteField.UnderlyingPrice,
        OptionField.PredictedDeliveryPrice => QuoteField.PredictedDeliveryPrice,
        _ => null,
    };

    /// <summary>Writes one item as a JSON object with the given fields, in the given order.</summary>
    public static void WriteItem(Utf8JsonWriter writer, in OptionRow row, ReadOnlySpan<OptionField> fields, DateTimeOffset now)
    {
        writer.WriteStartObject();
        // The model once per item, however many of its fields are asked for.
        ModelCheck? model = null;
        foreach (var field in fields)
        {
            if (IsModel(field))
                WriteModelProperty(writer, field, model ??= OptionModel.Of(row.Instrument, row.Quote));
            else
                WriteProperty(writer, field, row, now);
        }
        writer.WriteEndObject();
    }

    /// <summary>Writes one model field (<see cref="IsModel"/>) of <paramref name="model"/>: its name and its value.</summary>
    public static void WriteModelProperty(Utf8JsonWriter writer, OptionField field, in ModelCheck model)
    {
        writer.WritePropertyName(EncodedNames[(int)field]);
        if (field != OptionField.ModelDivergent)
            WriteNumberOrNull(writer, ModelValue(field, model));
        else if (model.Divergent is { } divergent)
            writer.WriteBooleanValue(divergent);
        else
            writer.WriteNullValue();
    }

    /// <summary>A model field's value (NaN = missing); the divergence flag as 1 or 0, for sorting.</summary>
    public static double ModelValue(OptionField field, in ModelCheck model) => field switch
    {
        OptionField.ModelIv => model.Iv,
        OptionField.ModelDelta => model.Delta,
        OptionField.ModelGamma => model.Gamma,
        OptionField.ModelVega => model.Vega,
        OptionField.ModelTheta => model.Theta,
        OptionField.ModelIvDiff => model.IvDiff,
        OptionField.ModelDeltaDiff => model.DeltaDiff,
        OptionField.ModelGammaDiff => model.GammaDiff,
        OptionField.ModelVegaDiff => model.VegaDiff,
        OptionField.ModelThetaDiff => model.ThetaDiff,
        OptionField.ModelDivergent => model.Divergent is { } divergent ? (divergent ? 1 : 0) : double.NaN,
        _ => double.NaN,
    };

    /// <summary>Writes one field of an item: its name and its value.</summary>
    public static void WriteProperty(Utf8JsonWriter writer, OptionField field, in OptionRow row, DateTimeOffset now)
    {
        if (IsModel(field))
        {
            WriteModelProperty(writer, field, OptionModel.Of(row.Instrument, row.Quote));
            return;
        }
        writer.WritePropertyName(EncodedNames[(int)field]);
        WriteValue(writer, field, row, now);
    }

    private static void WriteValue(Utf8JsonWriter writer, OptionField field, in OptionRow row, DateTimeOffset now)
    {
        var instrument = row.Instrument;
        switch (field)
        {
            case OptionField.Symbol:
                writer.WriteStringValue(instrument.Symbol);
                break;
            case OptionField.BaseCoin:
                writer.WriteStringValue(instrument.BaseCoin);
                break;
            case OptionField.Type:
                writer.WriteStringValue(TypeName(instrument.Type));
                break;
            case OptionField.Strike:
                writer.WriteNumberValue(instrument.Strike);
                break;
            case OptionField.Expiry:
                writer.WriteStringValue(instrument.ExpiryLabel);
                break;
            case OptionField.ExpiryDate:
                writer.WriteStringValue(instrument.ExpiryUtc.UtcDateTime);
                break;
            case OptionField.DaysToExpiry:
                writer.WriteNumberValue(DaysToExpiry(instrument, now));
                break;
            case OptionField.UpdatedAt:
                if (row.Quote.HasData)
                    writer.WriteStringValue(DateTimeOffset.FromUnixTimeMilliseconds(row.Quote.ExchangeTimeMs).UtcDateTime);
                else
                    writer.WriteNullValue();
                break;
            case OptionField.Status:
                writer.WriteStringValue(ListingStatuses.Name(row.Quote.Status));
                break;
            case OptionField.DeliveryPrice:
                WriteNumberOrNull(writer, row.Quote.DeliveryPrice);
                break;
            case OptionField.Venue:
                writer.WriteStringValue(instrument.Venue.Id);
                break;
            case OptionField.PriceCurrency:
                if (instrument.PriceCurrency is { } currency)
                    writer.WriteStringValue(currency);
                else
                    writer.WriteNullValue();
                break;
            case OptionField.MarkPriceNative or OptionField.BidPriceNative or OptionField.AskPriceNative:
                WriteNumberOrNull(writer, NativeValue(field, row));
                break;
            default:
                WriteNumberOrNull(writer, row.Quote[QuoteFieldOf(field)!.Value]);
                break;
        }
    }

    public static void WriteNumberOrNull(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteNullValue();
    }

    /// <summary>The CSV header row (field names), without the line end.</summary>
    public static void AppendCsvHeader(StringBuilder line, ReadOnlySpan<OptionField> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                line.Append(',');
            line.Append(Names[(int)fields[i]]);
        }
    }

    /// <summary>One CSV row (RFC 4180): numbers invariant and round-trippable, missing = empty cell.</summary>
    public static void AppendCsvRow(StringBuilder line, in OptionRow row, ReadOnlySpan<OptionField> fields, DateTimeOffset now)
    {
        var instrument = row.Instrument;
        ModelCheck? model = null;
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
                line.Append(',');
            var field = fields[i];
            if (IsModel(field))
            {
                model ??= OptionModel.Of(instrument, row.Quote);
                if (field == OptionField.ModelDivergent)
                    line.Append(model.Value.Divergent switch { true => "true", false => "false", null => "" });
                else if (ModelValue(field, model.Value) is var number && double.IsFinite(number))
                    line.Append(number.ToString("R", CultureInfo.InvariantCulture));
                continue;
            }
            switch (field)
            {
                case OptionField.Symbol:
                case OptionField.BaseCoin:
                case OptionField.Venue:
                case OptionField.PriceCurrency:
                    AppendCsvText(line, TextOf(field, row));
                    break;
                case OptionField.Type:
                    line.Append(TypeName(instrument.Type));
                    break;
                case OptionField.Strike:
                    line.Append(instrument.Strike.ToString(CultureInfo.InvariantCulture));
                    break;
                case OptionField.Expiry:
                    line.Append(instrument.ExpiryLabel);
                    break;
                case OptionField.ExpiryDate:
                    line.Append(instrument.ExpiryUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                    break;
                case OptionField.UpdatedAt:
                    if (row.Quote.HasData)
                        line.Append(DateTimeOffset.FromUnixTimeMilliseconds(row.Quote.ExchangeTimeMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                    break;
                case OptionField.Status:
                    line.Append(ListingStatuses.Name(row.Quote.Status));
                    break;
                default:
                    var value = SortKey(field, row, now);
                    if (double.IsFinite(value))
                        line.Append(value.ToString("R", CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    private static readonly SearchValues<char> CsvSpecial = SearchValues.Create(",\"\r\n");

    private static void AppendCsvText(StringBuilder line, string text)
    {
        if (text.AsSpan().IndexOfAny(CsvSpecial) < 0)
        {
            line.Append(text);
            return;
        }
        line.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
