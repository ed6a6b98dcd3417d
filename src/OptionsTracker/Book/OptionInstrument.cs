namespace OptionsTracker.Book;

/// <summary>
/// The fixed part of an option: what it is, never how it trades. Expiry comes from the exchange's
/// <c>deliveryTime</c> (08:00 UTC), falling back to the date in the symbol. The symbol is the venue's own; only
/// (<see cref="Venue"/>, <see cref="Symbol"/>) identifies the option.
/// </summary>
public sealed class OptionInstrument
{
    public OptionInstrument(Venue venue, string symbol, OptionSymbol parsed, DateTimeOffset expiryUtc, string status = "Trading")
    {
        if (venue.IsDefault)
            throw new ArgumentException("An instrument needs its venue.", nameof(venue));
        Venue = venue;
        Symbol = symbol;
        Key = new InstrumentKey(venue, symbol);
        BaseCoin = parsed.BaseCoin;
        SettleCoin = parsed.SettleCoin;
        Type = parsed.Type;
        Strike = parsed.Strike;
        StrikeValue = (double)parsed.Strike;
        ExpiryUtc = expiryUtc;
        ExpiryDate = DateOnly.FromDateTime(expiryUtc.UtcDateTime);
        ExpiryLabel = OptionSymbol.FormatExpiryLabel(ExpiryDate);
        Status = status;
    }

    public Venue Venue { get; }
    public string Symbol { get; }

    /// <summary>(venue, symbol): the slot's key in the book.</summary>
    public InstrumentKey Key { get; }

    public string BaseCoin { get; }

    /// <summary>"USDT" for USDT-settled options; null for legacy USDC ones without a suffix.</summary>
    public string? SettleCoin { get; }

    public OptionType Type { get; }
    public decimal Strike { get; }

    /// <summary>The strike as a double, for arithmetic on the read path.</summary>
    public double StrikeValue { get; }

    public DateTimeOffset ExpiryUtc { get; }
    public DateOnly ExpiryDate { get; }

    /// <summary>Zero-padded <c>DDMMMYY</c>, as the original tool's API wrote it.</summary>
    public string ExpiryLabel { get; }

    public string Status { get; }

    public static bool TryCreate(Venue venue, string symbol, DateTimeOffset? deliveryUtc, string status, out OptionInstrument? instrument)
    {
        instrument = null;
        if (!OptionSymbol.TryParse(symbol, out var parsed))
            return false;
        instrument = new OptionInstrument(venue, symbol, parsed, deliveryUtc ?? parsed.ImpliedDeliveryUtc, status);
        return true;
    }

    public override string ToString() => Symbol;
}
