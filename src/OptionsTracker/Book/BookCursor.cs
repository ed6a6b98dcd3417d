namespace OptionsTracker.Book;

/// <summary>
/// One reader's position in the book (the pull model of DESIGN.md, decision 3): each <see cref="TakeChanges"/> returns
/// what changed since the previous one (slots whose quote changed, slots listed, slots delisted) and moves the cursor
/// past it, so changes coalesce by construction (a slot that changed ten times is reported once, with its latest
/// value) and a slow reader costs the feed nothing. Every reader of changes (the Redis writer, the streams, the
/// dashboard, the history recorder) uses this, so the ordering rules below live in one place.
/// <para>
/// A <em>scope</em> picks the slots the reader follows from each index (a coin's, an expiry's); it must return a list
/// the index owns (an index is immutable) so that following a scope costs nothing. An optional filter on the instrument
/// (fixed for a slot's life) narrows it further.
/// </para>
/// <para>
/// In steady state (no listing since the last call) a call allocates nothing: it scans the scope's slot stamps into
/// buffers kept between calls. A listing or delivery (rare) builds one set of the previous scope for that call.
/// Not thread-safe: one cursor per reader.
/// </para>
/// <para>
/// A reader's loop: <c>await cursor.WaitForChangeAsync(token)</c> (and its own throttle), then
/// <c>var changes = cursor.TakeChanges()</c>; handle <see cref="BookChanges.Delisted"/>, then
/// <see cref="BookChanges.Changed"/> (reading each quote as it is written); if handling them fails, <see cref="Rewind"/>
/// so the next call brings them again.
/// </para>
/// </summary>
public sealed class BookCursor
{
    private readonly OptionBook _book;
    private readonly Func<BookIndex, IReadOnlyList<OptionSlot>> _scope;
    private readonly Func<OptionInstrument, bool>? _filter;
    private readonly List<OptionSlot> _changed = [];
    private readonly List<OptionSlot> _listed = [];
    private readonly List<OptionSlot> _delisted = [];

    // Slots reported with a stamp newer than the sequence taken with them (they changed while the call scanned): the
    // next call skips them unless they changed again, so nothing is reported twice. Usually empty.
    private Dictionary<OptionSlot, long> _ahead = new(ReferenceEqualityComparer.Instance);
    private Dictionary<OptionSlot, long> _nextAhead = new(ReferenceEqualityComparer.Instance);

    private Position _current;
    private Position _previous;

    /// <param name="book">The book to follow.</param>
    /// <param name="scope">The slots to follow, from each index (a list the index owns); the whole book by default.</param>
    /// <param name="filter">Narrows the scope by instrument; it must answer the same for an instrument every time.</param>
    public BookCursor(
        OptionBook book, Func<BookIndex, IReadOnlyList<OptionSlot>>? scope = null, Func<OptionInstrument, bool>? filter = null)
    {
        _book = book;
        _scope = scope ?? (index => index.All);
        _filter = filter;
    }

    public OptionBook Book => _book;

    /// <summary>The book's change sequence seen by the last call (-1 before the first).</summary>
    public long Sequence => _current.Index is null ? -1 : _current.Seen;

    /// <summary>
    /// What changed since the last call (everything in scope, as <see cref="BookChanges.Listed"/>, on the first call or
    /// after <see cref="Restart"/>), and moves the cursor past it.
    /// </summary>
    public BookChanges TakeChanges()
    {
        // The index first, then the sequence: a change stamped at or before the sequence read has already marked its
        // slot (OptionSlot.Apply marks before the book's sequence moves), so the scan below sees it; an index published
        // after the one read here is found by the next call, which compares indexes, whatever the sequence says.
        var index = _book.Index;
        var sequence = _book.Sequence;
        _changed.Clear();
        _listed.Clear();
        _delisted.Clear();
        var from = _current;
        if (from.Index is not null && ReferenceEquals(index, from.Index) && sequence == from.Seen)
        {
            _previous = from;
            return new BookChanges(index, sequence, false, _changed, _listed, _delisted);
        }

        var ahead = _nextAhead;
        ahead.Clear();
        var selection = _scope(index);
        var listed = _listed;
        if (from.Index is null)
        {
            // A snapshot: everything is listed and changed, so one buffer serves as both (a stream client holds 8 bytes
            // per option for it, not 16).
            listed = _changed;
            for (var i = 0; i < selection.Count; i++)
            {
                var slot = selection[i];
                if (!InScope(slot))
                    continue;
                _changed.Add(slot);
                if (StampOf(slot) > sequence)
                    ahead[slot] = StampOf(slot);
            }
        }
        else if (ReferenceEquals(index, from.Index))
        {
            for (var i = 0; i < selection.Count; i++)
                TakeIfChanged(selection[i], from.Seen, sequence, ahead);
        }
        else
        {
            Diff(from, selection, sequence, ahead);
        }

        _nextAhead = _ahead;
        _ahead = ahead;
        _previous = from;
        _current = new Position(index, selection, sequence);
        return new BookChanges(index, sequence, from.Index is null, _changed, listed, _delisted);
    }

    /// <summary>
    /// Completes when the book may have something for <see cref="TakeChanges"/> (at once if it already has; a change
    /// outside the scope wakes it too). A task is allocated per wait that does wait, never when changes are pending.
    /// </summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        // Checked before registering too, so a reader with changes pending takes no signal task.
        if (HasNews())
            return Task.CompletedTask;
        // Registered before the second check, so a change between them cannot be missed; OptionBook publishes an index
        // with a full fence before it signals, so either this sees the new index or the signal sees this waiter.
        var next = _book.Changed.NextAsync();
        return HasNews() ? Task.CompletedTask : next.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the position: the next call reports every slot in scope as listed (a snapshot).</summary>
    public void Restart()
    {
        _current = default;
        _previous = default;
        _ahead.Clear();
    }

    /// <summary>
    /// Goes back to where the last <see cref="TakeChanges"/> started, for a reader that failed to handle what it took:
    /// the next call reports those changes again, with anything since. A few slots the call before reported may be
    /// reported again too; never fewer.
    /// </summary>
    public void Rewind()
    {
        _current = _previous;
        _ahead.Clear();
    }

    private bool HasNews() =>
        _current.Index is null || _book.Sequence > _current.Seen || !ReferenceEquals(_book.Index, _current.Index);

    private bool InScope(OptionSlot slot) => _filter is null || _filter(slot.Instrument);

    private void TakeIfChanged(OptionSlot slot, long seen, long sequence, Dictionary<OptionSlot, long> ahead)
    {
        var stamp = StampOf(slot);
        if (stamp <= seen || !InScope(slot))
            return;
        if (_ahead.Count > 0 && _ahead.TryGetValue(slot, out var reported) && reported == stamp)
            return;
        _changed.Add(slot);
        if (stamp > sequence)
            ahead[slot] = stamp;
    }

    /// <summary>
    /// The instrument set changed (rare): slots are matched by identity, not symbol, so an instrument removed and listed
    /// again (a new slot, perhaps still without a quote) is reported as delisted and listed rather than missed.
    /// </summary>
    private void Diff(Position from, IReadOnlyList<OptionSlot> selection, long sequence, Dictionary<OptionSlot, long> ahead)
    {
        var before = new HashSet<OptionSlot>(from.Selection!.Count, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < from.Selection.Count; i++)
        {
            if (InScope(from.Selection[i]))
                before.Add(from.Selection[i]);
        }
        for (var i = 0; i < selection.Count; i++)
        {
            var slot = selection[i];
            if (before.Remove(slot))
            {
                TakeIfChanged(slot, from.Seen, sequence, ahead);
            }
            else if (InScope(slot))
            {
                _listed.Add(slot);
                _changed.Add(slot);
                if (StampOf(slot) > sequence)
                    ahead[slot] = StampOf(slot);
            }
        }
        // What is left was in the previous scope and is not now; walked in the previous order, for a stable output.
        for (var i = 0; i < from.Selection.Count && before.Count > 0; i++)
        {
            if (before.Remove(from.Selection[i]))
                _delisted.Add(from.Selection[i]);
        }
    }

    /// <summary>
    /// The slot's change stamp. <see cref="long.MaxValue"/> means a writer is stamping it right now (between marking the
    /// slot and writing the sequence number it took): wait the few instructions for the number, so the slot is reported
    /// by exactly one call, the one whose sequence covers it.
    /// </summary>
    private static long StampOf(OptionSlot slot)
    {
        var stamp = slot.ChangeSequence;
        if (stamp != long.MaxValue)
            return stamp;
        var spinner = new SpinWait();
        while ((stamp = slot.ChangeSequence) == long.MaxValue)
            spinner.SpinOnce(sleep1Threshold: -1);
        return stamp;
    }

    /// <summary>The index and scope a reader was brought to, and the sequence it has seen; no index = no position yet.</summary>
    private readonly record struct Position(BookIndex? Index, IReadOnlyList<OptionSlot>? Selection, long Seen);
}
