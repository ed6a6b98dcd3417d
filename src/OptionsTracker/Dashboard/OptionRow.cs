using OptionsTracker.Book;

namespace OptionsTracker.Dashboard;

/// <summary>
/// One option as a circuit shows it: the latest quote copied out of its slot, and when each field last moved
/// (so the cell can flash). Owned by one circuit and touched only on its renderer's thread.
/// </summary>
public sealed class OptionRow
{
    /// <summary>How long a changed cell stays marked.</summary>
    public const long FlashMs = 600;

    private readonly long[] _changedAtMs = new long[QuoteFields.Count];
    private readonly bool[] _movedUp = new bool[QuoteFields.Count];
    private long _seenSequence;

    public OptionRow(OptionSlot slot)
    {
        Slot = slot;
        Instrument = slot.Instrument;
        _seenSequence = slot.ChangeSequence;
        Quote = slot.ReadQuote();
    }

    public OptionSlot Slot { get; }
    public OptionInstrument Instrument { get; }
    public OptionQuote Quote { get; private set; }

    public string Symbol => Instrument.Symbol;
    public bool IsCall => Instrument.Type == OptionType.Call;
    public double Strike => Instrument.StrikeValue;
    public DateTimeOffset ExpiryUtc => Instrument.ExpiryUtc;
    public double Last => Quote.LastPrice;
    public double Mark => Quote.MarkPrice;
    public double Bid => Quote.BidPrice;
    public double Ask => Quote.AskPrice;
    public double Volume => Quote.Volume24h;
    public double OpenInterest => Quote.OpenInterest;
    public double Delta => Quote.Delta;
    public double Gamma => Quote.Gamma;
    public double Theta => Quote.Theta;
    public double Vega => Quote.Vega;
    public double MarkIv => Quote.MarkIv;
    public double Underlying => Quote.UnderlyingPrice;

    /// <summary>Copies the slot's quote when it changed since the last look. Returns whether it did.</summary>
    public bool Refresh(long nowMs)
    {
        var sequence = Slot.ChangeSequence;
        if (sequence == _seenSequence)
            return false;
        _seenSequence = sequence;
        var previous = Quote;
        var next = Slot.ReadQuote();
        for (var field = 0; field < QuoteFields.Count; field++)
        {
            var before = previous.Values[field];
            var after = next.Values[field];
            if (BitConverter.DoubleToInt64Bits(before) == BitConverter.DoubleToInt64Bits(after))
                continue;
            _changedAtMs[field] = nowMs;
            _movedUp[field] = double.IsNaN(before) || after >= before;
        }
        Quote = next;
        return true;
    }

    /// <summary>
    /// The CSS class that marks a price cell (bid, ask, mark, last) whose value rose or fell within the last
    /// <see cref="FlashMs"/>. Other fields never flash: IV and Greeks move with every tick of the underlying, and tinting
    /// them lit half the screen at once, which hid the moves a trader watches for.
    /// </summary>
    public string FlashClass(QuoteField field, long nowMs) =>
        !IsPrice(field) || nowMs - _changedAtMs[(int)field] >= FlashMs ? "" : _movedUp[(int)field] ? "flash-up" : "flash-down";

    /// <summary>The fields whose change flashes: the prices a trader trades on.</summary>
    public static bool IsPrice(QuoteField field) =>
        field is QuoteField.BidPrice or QuoteField.AskPrice or QuoteField.MarkPrice or QuoteField.LastPrice;

    /// <summary>
    /// How long ago the exchange last sent this option's ticker (changed or not: an unchanged push still says the quote
    /// is current), read from the slot, not from this row's copy, which moves only on a change. Null when never quoted.
    /// </summary>
    public long? QuoteAgeMs(long nowMs) => Slot.ReadQuote().ReceivedAtMs is var at and > 0 ? Math.Max(0, nowMs - at) : null;

    /// <summary>Whether the quote is older than <paramref name="staleAfterMs"/> (<c>Tracker:StaleAfter</c>): shown greyed.</summary>
    public bool IsStale(long nowMs, long staleAfterMs) => StaleAgeMs(nowMs, staleAfterMs) is not null;

    /// <summary>The quote's age when it is older than <paramref name="staleAfterMs"/>; null while it is current.</summary>
    public long? StaleAgeMs(long nowMs, long staleAfterMs) => QuoteAgeMs(nowMs) is { } age && age > staleAfterMs ? age : null;
}
