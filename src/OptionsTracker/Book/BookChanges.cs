namespace OptionsTracker.Book;

/// <summary>
/// What one <see cref="BookCursor.TakeChanges"/> found. The lists are the cursor's own buffers: valid until its next
/// call, read them with <c>for</c> (a <c>foreach</c> over the interface would allocate an enumerator).
/// </summary>
public readonly struct BookChanges
{
    internal BookChanges(
        BookIndex index, long sequence, bool isSnapshot, List<OptionSlot> changed, List<OptionSlot> listed, List<OptionSlot> delisted)
    {
        Index = index;
        Sequence = sequence;
        IsSnapshot = isSnapshot;
        Changed = changed;
        Listed = listed;
        Delisted = delisted;
    }

    /// <summary>The instrument set these changes bring the reader to; every slot in <see cref="Changed"/> is in it.</summary>
    public BookIndex Index { get; }

    /// <summary>The book's change sequence the reader has now seen.</summary>
    public long Sequence { get; }

    /// <summary>
    /// True when the cursor had no position (new, or <see cref="BookCursor.Restart"/>ed): every slot in scope is then
    /// in <see cref="Listed"/> and nothing is <see cref="Delisted"/>.
    /// </summary>
    public bool IsSnapshot { get; }

    /// <summary>
    /// Every slot whose latest quote the reader has not taken yet: quotes changed since its last call, and every slot in
    /// <see cref="Listed"/> (whose quote may still be empty). Each slot once; read its quote when writing it.
    /// </summary>
    public IReadOnlyList<OptionSlot> Changed { get; }

    /// <summary>Slots that entered the scope since the last call (also in <see cref="Changed"/>), in index order.</summary>
    public IReadOnlyList<OptionSlot> Listed { get; }

    /// <summary>
    /// Slots that left the book (or the scope) since the last call, with their last quote. An instrument removed and
    /// listed again in between has a new slot: its old one is here and its new one in <see cref="Listed"/>, so a reader
    /// keyed by symbol applies <see cref="Delisted"/> first.
    /// </summary>
    public IReadOnlyList<OptionSlot> Delisted { get; }

    /// <summary>True when the instrument set in scope changed (something listed or delisted).</summary>
    public bool ListingChanged => Listed.Count + Delisted.Count > 0;

    public bool IsEmpty => Changed.Count + Delisted.Count == 0;
}
