using System.Globalization;
using OptionsTracker.Book;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// An option as a Redis hash: the original tool's field names (<c>bid_iv</c>, <c>mark_price</c>…) where it had
/// them, the same style for the rest, every value a string and a missing one <c>""</c>. It carries the
/// whole quote, the exchange time and the instrument, so a web instance can rebuild its book from it alone.
/// </summary>
public static class QuoteHash
{
    public const string Symbol = "symbol";
    public const string BaseCoin = "base_coin";
    public const string Expiry = "expiry";
    public const string DeliveryTime = "delivery_time";
    public const string Strike = "strike";
    public const string Type = "type";
    public const string Status = "status";

    /// <summary>The venue's price grid (Bybit's <c>priceFilter.tickSize</c>); "" when the venue gives none.</summary>
    public const string TickSize = "tick_size";

    /// <summary>The venue's quantity grid (Bybit's <c>lotSizeFilter.qtyStep</c>); "" when the venue gives none.</summary>
    public const string QtyStep = "qty_step";

    /// <summary>
    /// The coin the venue quotes the option's prices in (<see cref="OptionInstrument.PriceCurrency"/>: <c>BTC</c> for
    /// Deribit's inverse options); written only for such options, so Bybit's hashes stay as they were. The hash's prices
    /// are the book's USD whatever it says.
    /// </summary>
    public const string PriceCurrency = "price_currency";

    /// <summary>Settlement price once delivered; "" before.</summary>
    public const string DeliveryPrice = "delivery_price";

    /// <summary>Exchange time of the quote, ms since the Unix epoch; "" while never quoted.</summary>
    public const string Timestamp = "timestamp";

    /// <summary>Field names by <see cref="QuoteField"/> position.</summary>
    public static readonly string[] FieldNames = BuildFieldNames();

    private static readonly int InstrumentFieldCount = 10;

    private static string[] BuildFieldNames()
    {
        var names = new string[QuoteFields.Count];
        names[(int)QuoteField.BidPrice] = "bid_price";
        names[(int)QuoteField.BidSize] = "bid_size";
        names[(int)QuoteField.BidIv] = "bid_iv";
        names[(int)QuoteField.AskPrice] = "ask_price";
        names[(int)QuoteField.AskSize] = "ask_size";
        names[(int)QuoteField.AskIv] = "ask_iv";
        names[(int)QuoteField.LastPrice] = "last_price";
        names[(int)QuoteField.HighPrice24h] = "high_price_24h";
        names[(int)QuoteField.LowPrice24h] = "low_price_24h";
        names[(int)QuoteField.MarkPrice] = "mark_price";
        names[(int)QuoteField.IndexPrice] = "index_price";
        names[(int)QuoteField.MarkIv] = "mark_iv";
        names[(int)QuoteField.UnderlyingPrice] = "underlying_price";
        names[(int)QuoteField.OpenInterest] = "open_interest";
        names[(int)QuoteField.Turnover24h] = "turnover_24h";
        names[(int)QuoteField.Volume24h] = "volume_24h";
        names[(int)QuoteField.TotalVolume] = "total_volume";
        names[(int)QuoteField.TotalTurnover] = "total_turnover";
        names[(int)QuoteField.Delta] = "delta";
        names[(int)QuoteField.Gamma] = "gamma";
        names[(int)QuoteField.Vega] = "vega";
        names[(int)QuoteField.Theta] = "theta";
        names[(int)QuoteField.PredictedDeliveryPrice] = "predicted_delivery_price";
        names[(int)QuoteField.Change24h] = "change_24h";
        return names;
    }

    /// <summary>
    /// The hash entries of a slot. A never-quoted slot gives only its instrument fields, so a collector that
    /// has just taken over does not blank the values its predecessor wrote.
    /// </summary>
    public static HashEntry[] ToEntries(OptionInstrument instrument, in OptionQuote quote)
    {
        var priced = instrument.PriceCurrency is not null ? 1 : 0;
        var entries = new HashEntry[InstrumentFieldCount + priced + (quote.HasData ? 1 + QuoteFields.Count : 0)];
        entries[0] = new(Symbol, instrument.Symbol);
        entries[1] = new(BaseCoin, instrument.BaseCoin);
        entries[2] = new(Expiry, instrument.ExpiryLabel);
        entries[3] = new(DeliveryTime, instrument.ExpiryUtc.ToUnixTimeMilliseconds());
        entries[4] = new(Strike, instrument.Strike.ToString(CultureInfo.InvariantCulture));
        entries[5] = new(Type, instrument.Type.ToString());
        // The current status (it changes: PreLaunch → Trading → Delivering), not the one the option was listed with.
        entries[6] = new(Status, ListingStatuses.Name(quote.Status));
        entries[7] = new(DeliveryPrice, Format(quote.DeliveryPrice));
        // The grids, so a web instance shows prices at the exchange's precision as the collector does.
        entries[8] = new(TickSize, Format(instrument.TickSize));
        entries[9] = new(QtyStep, Format(instrument.QtyStep));
        if (instrument.PriceCurrency is { } currency)
            entries[InstrumentFieldCount] = new(PriceCurrency, currency);
        if (!quote.HasData)
            return entries;
        var first = InstrumentFieldCount + priced;
        entries[first] = new(Timestamp, quote.ExchangeTimeMs);
        for (var field = 0; field < QuoteFields.Count; field++)
            entries[first + 1 + field] = new(FieldNames[field], Format(quote.Values[field]));
        return entries;
    }

    /// <summary>Our text for a number: shortest round-trip invariant form; missing (NaN) is "".</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "" : value.ToString("R", CultureInfo.InvariantCulture);

    public static double Parse(RedisValue value) =>
        !value.IsNullOrEmpty && double.TryParse((string?)value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : double.NaN;

    /// <summary>The instrument of a hash, or false when the hash is gone (expired) or not ours.</summary>
    /// <remarks>
    /// The venue comes from the hash's key (<see cref="RedisKeys.TryParseMember"/>), not from a field, so Bybit's hashes stay
    /// the original tool's. The parts come from the hash's own fields, never from the symbol: the store reads no venue's
    /// symbol format. The settle coin is not stored (no reader uses it), so it is null here.
    /// </remarks>
    public static bool TryReadInstrument(Venue venue, HashEntry[] entries, out OptionInstrument? instrument)
    {
        instrument = null;
        string? symbol = null, baseCoin = null, strikeText = null, typeText = null, label = null;
        var status = ListingStatus.Trading;
        DateTimeOffset? delivery = null;
        // Hashes written before the grids were stored have neither: NaN, and the dashboard falls back to the quotes' own decimals.
        double tickSize = double.NaN, qtyStep = double.NaN;
        string? priceCurrency = null;
        foreach (var entry in entries)
        {
            if (entry.Name == Symbol)
                symbol = entry.Value;
            else if (entry.Name == BaseCoin)
                baseCoin = entry.Value;
            else if (entry.Name == Strike)
                strikeText = entry.Value;
            else if (entry.Name == Type)
                typeText = entry.Value;
            else if (entry.Name == Expiry)
                label = entry.Value;
            else if (entry.Name == Status)
                status = ListingStatuses.FromName(entry.Value);
            else if (entry.Name == DeliveryTime && entry.Value.TryParse(out long ms) && ms > 0)
                delivery = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            else if (entry.Name == TickSize)
                tickSize = Parse(entry.Value);
            else if (entry.Name == QtyStep)
                qtyStep = Parse(entry.Value);
            else if (entry.Name == PriceCurrency)
                priceCurrency = entry.Value;
        }
        // Without delivery_time the label's date at 08:00 UTC, as the writer's venues deliver.
        if (delivery is null && ExpiryLabel.TryParse(label, out var date))
            delivery = new DateTimeOffset(date.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
        if (string.IsNullOrEmpty(symbol) || string.IsNullOrEmpty(baseCoin) || delivery is null
            || !decimal.TryParse(strikeText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var strike) || strike <= 0
            || !TryParseType(typeText, out var type))
            return false;
        instrument = new OptionInstrument(venue, symbol, baseCoin, delivery.Value, strike, type, settleCoin: null, status, tickSize, qtyStep, priceCurrency);
        return true;
    }

    // As ToEntries writes it: OptionType's name.
    private static bool TryParseType(string? text, out OptionType type)
    {
        type = text == nameof(OptionType.Put) ? OptionType.Put : OptionType.Call;
        return text is nameof(OptionType.Call) or nameof(OptionType.Put);
    }

    /// <summary>The listing status and delivery price of a hash (Trading and NaN when absent).</summary>
    public static (ListingStatus Status, double DeliveryPrice) ReadListing(HashEntry[] entries)
    {
        var status = ListingStatus.Trading;
        var price = double.NaN;
        foreach (var entry in entries)
        {
            if (entry.Name == Status)
                status = ListingStatuses.FromName(entry.Value);
            else if (entry.Name == DeliveryPrice)
                price = Parse(entry.Value);
        }
        return (status, price);
    }

    /// <summary>The quote of a hash as an update carrying every field; false while the option was never quoted.</summary>
    public static bool TryReadQuote(HashEntry[] entries, out QuoteUpdate update)
    {
        update = new QuoteUpdate { Values = QuoteValues.AllMissing() };
        var hasTime = false;
        foreach (var entry in entries)
        {
            if (entry.Name == Timestamp)
            {
                hasTime = entry.Value.TryParse(out long ms) && ms > 0;
                update.ExchangeTimeMs = hasTime ? ms : 0;
                continue;
            }
            var field = Array.IndexOf(FieldNames, (string?)entry.Name);
            if (field >= 0)
                update.Set((QuoteField)field, Parse(entry.Value));
        }
        // A field absent from the hash is missing too: every field is present in the update.
        for (var field = 0; field < QuoteFields.Count; field++)
        {
            if (!update.Has((QuoteField)field))
                update.Set((QuoteField)field, double.NaN);
        }
        return hasTime;
    }
}
