namespace OptionsTracker.Book;

/// <summary>
/// What identifies a slot in the book: the venue and the venue's own symbol. The same symbol on two venues is two
/// options (two slots).
/// </summary>
public readonly record struct InstrumentKey(Venue Venue, string Symbol)
{
    public override string ToString() => $"{Venue}:{Symbol}";
}
