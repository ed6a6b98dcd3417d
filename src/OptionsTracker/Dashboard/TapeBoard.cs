using OptionsTracker.Tape;

namespace OptionsTracker.Dashboard;

/// <summary>
/// The trades one view shows (the tape view, an option's detail), pulled from the <see cref="TradeTape"/> by sequence at
/// the circuit's own pace: each <see cref="Refresh"/> takes what was appended since the last one (<see
/// cref="TradeTape.After"/>, never a wait, so the page's update loop is never held) and keeps the newest
/// <see cref="MaxRows"/> that pass the filter. A new coin or filter reads the tape's newest afresh. Touched only on the
/// circuit's renderer thread.
/// </summary>
public sealed class TapeBoard(TradeTape tape, int maxRows, ILogger? logger = null)
{
    /// <summary>
    /// Trades read per refresh at most: a reader further behind (a burst of thousands between two renders) starts again
    /// from the tape's newest instead of filtering a backlog nobody will see.
    /// </summary>
    internal const int PullLimit = 5_000;

    private string? _coin;
    private TapeFilter? _filter;
    private long _last;

    /// <summary>The most trades kept (and shown), newest first.</summary>
    public int MaxRows => maxRows;

    /// <summary>The trades that pass the filter, newest first, at most <see cref="MaxRows"/>.</summary>
    public IReadOnlyList<Trade> Trades { get; private set; } = [];

    /// <summary><see cref="Trades"/> with the legs of each block (same <see cref="Trade.BlockId"/>) in one entry, newest first.</summary>
    public IReadOnlyList<TapeEntry> Entries { get; private set; } = [];

    /// <summary>The tape's sequence read up to (the coin's, whether or not its trades passed the filter).</summary>
    public long LastSequence => _last;

    /// <summary>Increases when <see cref="Trades"/> changes.</summary>
    public int Version { get; private set; }

    /// <summary>Takes the coin's trades appended since the last refresh. Returns whether <see cref="Trades"/> changed.</summary>
    public bool Refresh(string? coin, TapeFilter filter)
    {
        if (coin is null)
        {
            var had = Trades.Count > 0;
            (_coin, _filter, _last) = (null, filter, 0);
            return Show([], had);
        }
        if (!string.Equals(coin, _coin, StringComparison.OrdinalIgnoreCase) || filter != _filter || tape.LastSequence(coin) < _last)
            return Reset(coin, filter);

        var fresh = tape.After(coin, _last, PullLimit);
        if (fresh.Count == 0)
            return false;
        if (fresh.Count == PullLimit)
        {
            if (logger is not null)
                Log.TapeReaderCaughtUp(logger, coin, PullLimit);
            return Reset(coin, filter);
        }
        _last = fresh[^1].Sequence;
        var shown = new List<Trade>(maxRows);
        for (var i = fresh.Count - 1; i >= 0 && shown.Count < maxRows; i--)
        {
            if (filter.Matches(fresh[i]))
                shown.Add(fresh[i]);
        }
        if (shown.Count == 0)
            return false;
        for (var i = 0; i < Trades.Count && shown.Count < maxRows; i++)
            shown.Add(Trades[i]);
        return Show(shown, changed: true);
    }

    /// <summary>The tape's newest that pass the filter; those appended while reading come with the next refresh.</summary>
    private bool Reset(string coin, TapeFilter filter)
    {
        (_coin, _filter) = (coin, filter);
        var last = tape.LastSequence(coin);
        var newest = tape.Newest(coin, maxRows, filter.Matches);
        _last = last;
        return Show([.. newest.Where(t => t.Sequence <= last)], changed: true);
    }

    private bool Show(List<Trade> trades, bool changed)
    {
        if (!changed)
            return false;
        Trades = trades;
        Entries = TapeEntry.Group(trades);
        Version++;
        return true;
    }
}
