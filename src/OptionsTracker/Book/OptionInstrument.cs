namespace OptionsTracker.Book;

/// <summary>
/// The fixed part of an option: what it is, never how it trades. Expiry comes from the exchange's
/// <c>deliveryTime</c> (08:00 UTC), falling back to the date in the symbol.
/// </summary>
public sealed class OptionInstrument
{
    public OptionInstrument(string symbol, OptionSymbol parsed, DateTimeOffset expiryUtc, string status = "Trading")
    {
        Symbol = symbol;
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

    public string Symbol { get; }
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

    public static bool TryCreate(string symbol, DateTimeOffset? deliveryUtc, string status, out OptionInstrument? instrument)
    {
        instrument = null;
        if (!OptionSymbol.TryParse(symbol, out var parsed))
            return false;
        instrument = new OptionInstrument(symbol, parsed, deliveryUtc ?? parsed.ImpliedDeliveryUtc, status);
        return true;
    }

    public override string ToString() => Symbol;
}
