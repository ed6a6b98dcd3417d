using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>
/// One option as a response sees it: the instrument and a quote copied once through the slot's seqlock, so
/// every field of an item (and its sort key) comes from the same update.
/// </summary>
internal readonly struct OptionRow(OptionInstrument instrument, in OptionQuote quote)
{
    public readonly OptionInstrument Instrument = instrument;
    public readonly OptionQuote Quote = quote;

    public static OptionRow Read(OptionSlot slot) => new(slot.Instrument, slot.ReadQuote());
}
