using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;

namespace OptionsTracker.Dashboard;

/// <summary>
/// What one circuit shows, pulled from the book at the circuit's own pace: rows of the chosen coin (quotes
/// copied only for the slots its <see cref="BookCursor"/> reports changed), per-expiry figures (forward, ATM strike
/// and IV) and a summary per coin for the asset buttons, all from <see cref="MarketMeasures"/>, so the dashboard shows
/// the same index and ATM strike as the API. Touched only on the circuit's renderer thread.
/// </summary>
public sealed class LiveBoard(OptionBook book)
{
    // By slot, not symbol: an option delisted and listed again gets a new slot, and so a new row.
    private readonly Dictionary<OptionSlot, OptionRow> _rowsBySlot = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<DateTimeOffset, List<OptionRow>> _rowsByExpiry = [];
    // Follows the chosen coin's slots; replaced when the coin changes.
    private BookCursor? _cursor;
    private string? _coin;
    private long _formatBuiltAtMs;

    public string? Coin => _coin;

    /// <summary>The book this board reads (a recorded snapshot's on a board of the past).</summary>
    public OptionBook Book => book;

    /// <summary>
    /// The recorded moment this board shows (issue 16's time control): a board over <see cref="HistoricalView.Book"/>,
    /// refreshed once at the snapshot's time and never again; null on the live board. The views read their figures
    /// through <see cref="FiguresOf"/>, so the same components draw the present and the past.
    /// </summary>
    public HistoricalView? Past { get; init; }

    /// <summary>
    /// The venue whose figures the analytics views show (the venue selector, issue 19); null: every venue combined
    /// (<see cref="CoinAnalytics.Combine"/>), the default and the only choice with one venue configured.
    /// </summary>
    public Venue? Venue { get; private set; }

    /// <summary>
    /// Chooses whose figures the views show (<see cref="Venue"/>). A change counts as a change of every value shown, so
    /// the views keyed by <see cref="ValuesVersion"/> (the smile, the surface) draw again at once.
    /// </summary>
    public void ShowVenue(Venue? venue)
    {
        if (Nullable.Equals(venue, Venue))
            return;
        Venue = venue;
        ValuesVersion++;
    }

    /// <summary>
    /// The coin's analytics as this board's views show them, of <see cref="Venue"/> (null: combined): the shared live
    /// snapshot (<paramref name="live"/>, the very figures of <c>/api/analytics/…?venue=</c>), or on a board of the past
    /// the analytics of its snapshot (none for another coin). Null when that venue lists none of the coin's options.
    /// </summary>
    public CoinAnalytics? FiguresOf(string coin, MarketAnalytics live) =>
        Past is not { } past ? live.Get(coin, Venue)
        : string.Equals(coin, past.Coin, StringComparison.OrdinalIgnoreCase) ? past.AnalyticsOf(Venue)
        : null;

    /// <summary>Rows of <see cref="Coin"/>, ordered by expiry, strike, type.</summary>
    public IReadOnlyList<OptionRow> Rows { get; private set; } = [];

    /// <summary>Expiries of <see cref="Coin"/>, chronological, with their underlying, ATM strike and ATM IV.</summary>
    public IReadOnlyList<ExpiryHeadline> Expiries { get; private set; } = [];

    public IReadOnlyList<CoinSummary> Coins { get; private set; } = [];

    /// <summary>How <see cref="Coin"/>'s numbers read; chosen again when the row set changes.</summary>
    public CoinFormat Format { get; private set; } = CoinFormat.Plain;

    public int TotalOptions { get; private set; }

    /// <summary><see cref="Coin"/>'s open interest and volume by calls and puts, all expiries (its put/call ratios).</summary>
    public PutCallTotals CoinPutCall { get; private set; }

    /// <summary>Increases when the set of rows changes (coin switched, options listed or delivered).</summary>
    public int RowsVersion { get; private set; }

    /// <summary>Increases when anything shown changes.</summary>
    public int ValuesVersion { get; private set; }

    /// <summary>The time of the last refresh, which decides which cells still flash.</summary>
    public long NowMs { get; private set; }

    /// <summary>
    /// A quote older than this (ms) is shown greyed: <c>Tracker:StaleAfter</c>, the limit <c>FeedMonitor</c> applies to the
    /// whole feed, so a grey row and an amber light mean the same thing.
    /// </summary>
    public long StaleAfterMs { get; init; } = long.MaxValue;

    /// <summary>The class of a row (or a chain side) whose quote is older than <see cref="StaleAfterMs"/>; null when current.</summary>
    public string? StaleClass(OptionRow row) => row.IsStale(NowMs, StaleAfterMs) ? "stale" : null;

    /// <summary>The hover text of a stale row (the age of its quote); null when current.</summary>
    public string? StaleTitle(OptionRow row) =>
        row.StaleAgeMs(NowMs, StaleAfterMs) is { } age ? $"stale: last quote {Display.Age(TimeSpan.FromMilliseconds(age))}" : null;

    /// <summary>
    /// Completes when the book changed since the last refresh (any coin: the asset buttons show every coin), or at
    /// once before the first.
    /// </summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken) =>
        _cursor?.WaitForChangeAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Brings everything up to date with the book. Returns whether anything shown changed.</summary>
    public bool Refresh(string? coin, long nowMs)
    {
        NowMs = nowMs;
        if (_cursor is null || !string.Equals(coin, _coin, StringComparison.Ordinal))
        {
            _coin = coin;
            _cursor = new BookCursor(book, coin is null
                ? static _ => []
                : index => index.TryGetCoin(coin, out var chosen) ? chosen.Slots : []);
        }
        // A new cursor's first changes are a snapshot: the coin was switched.
        var changes = _cursor.TakeChanges();
        var index = changes.Index;
        var changed = false;
        if (changes.IsSnapshot || changes.ListingChanged)
        {
            Rebuild(index, nowMs);
            changed = true;
        }
        else
        {
            for (var i = 0; i < changes.Changed.Count; i++)
            {
                if (_rowsBySlot.TryGetValue(changes.Changed[i], out var row))
                    changed |= row.Refresh(nowMs);
            }
        }

        var now = DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
        var summaries = new List<CoinSummary>(index.Coins.Count);
        foreach (var name in index.Coins)
        {
            if (index.TryGetCoin(name, out var coinIndex))
                summaries.Add(Summarise(coinIndex, now));
        }
        changed |= !summaries.SequenceEqual(Coins);
        Coins = summaries;
        TotalOptions = index.Count;
        // A format built before the coin's quotes arrived is sized again once they have (at most once a second: a venue
        // that never sends some column would otherwise cost a pass over the rows on every refresh).
        if (changed && Format.IsProvisional && nowMs - _formatBuiltAtMs >= 1000)
            BuildFormat(nowMs);
        if (changed)
        {
            Expiries = [.. Expiries.Select(e => Figure(e.Expiry, now))];
            CoinPutCall = _coin is not null && index.TryGetCoin(_coin, out var chosen) ? MarketMeasures.PutCall(chosen.Slots) : default;
            ValuesVersion++;
        }
        return changed;
    }

    public IReadOnlyList<OptionRow> RowsOf(DateTimeOffset expiryUtc) =>
        _rowsByExpiry.TryGetValue(expiryUtc, out var rows) ? rows : [];

    /// <summary>
    /// The chain of one expiry: one line per strike, the call and the put side by side; one venue's options only when
    /// <paramref name="venue"/> is given (the venue selector), else the first venue listing each (rows are in venue order).
    /// </summary>
    public IReadOnlyList<ChainLine> Chain(DateTimeOffset expiryUtc, Venue? venue = null)
    {
        var lines = new List<ChainLine>();
        var rows = venue is { } only ? RowsOf(expiryUtc).Where(r => r.Instrument.Venue == only) : RowsOf(expiryUtc);
        foreach (var group in rows.GroupBy(r => r.Strike).OrderBy(g => g.Key))
            lines.Add(new ChainLine(group.Key, group.FirstOrDefault(r => r.IsCall), group.FirstOrDefault(r => !r.IsCall)));
        return lines;
    }

    /// <summary>
    /// One smile point per strike, from the out-of-the-money option (put below the underlying, call at or
    /// above), whose IV is the one traders quote; the other side stands in when it has no mark IV. Of one venue's
    /// options when <paramref name="venue"/> is given (two venues' smiles are never mixed into one curve), else of the
    /// first venue listing each strike; <paramref name="underlying"/> (that venue's forward) decides which side is out of
    /// the money, the expiry's own headline forward when not given.
    /// </summary>
    public IReadOnlyList<SmilePoint> Smile(DateTimeOffset expiryUtc, Venue? venue = null, double underlying = double.NaN)
    {
        if (!double.IsFinite(underlying))
            underlying = Expiries.FirstOrDefault(e => e.Expiry.ExpiryUtc == expiryUtc)?.Underlying ?? double.NaN;
        var points = new List<SmilePoint>();
        foreach (var line in Chain(expiryUtc, venue))
        {
            var otm = !double.IsNaN(underlying) && line.Strike < underlying ? line.Put ?? line.Call : line.Call ?? line.Put;
            var other = ReferenceEquals(otm, line.Call) ? line.Put : line.Call;
            var row = otm is not null && !double.IsNaN(otm.MarkIv) ? otm : other is not null && !double.IsNaN(other.MarkIv) ? other : null;
            if (row is null)
                continue;
            var quote = row.Quote;
            points.Add(new SmilePoint(line.Strike, row.Delta, DeltaPosition(row), row.MarkIv,
                QuotedIv(quote.BidPrice, quote.BidIv), QuotedIv(quote.AskPrice, quote.AskIv)));
        }
        return points;
    }

    /// <summary>
    /// Where an option sits on a smile drawn against delta, from 0 (far out-of-the-money put) through 0.5 (at the money)
    /// to 1 (far out-of-the-money call): a put's delta without its sign, a call's as one minus its delta. Raw deltas
    /// would put the puts' wing at -0 and the calls' at +0, so both wings would meet in the middle and ATM sit at both
    /// edges; on this axis a 10Δ put is at 0.1 and a 10Δ call at 0.9. NaN without a delta.
    /// </summary>
    internal static double DeltaPosition(OptionRow row) => row.IsCall ? 1 - row.Delta : -row.Delta;

    /// <summary>
    /// The IV of a bid or ask, or NaN when that side of the book is empty: Bybit sends an empty side as price 0 with
    /// IV 0, which drawn as 0 % would squash the smile's axis.
    /// </summary>
    private static double QuotedIv(double price, double iv) => price > 0 && iv > 0 ? iv : double.NaN;

    /// <summary>Rows of <see cref="Coin"/> in <paramref name="index"/>; a row whose slot stays keeps its flash marks.</summary>
    private void Rebuild(BookIndex index, long nowMs)
    {
        _rowsByExpiry.Clear();
        var rows = new List<OptionRow>();
        if (_coin is not null && index.TryGetCoin(_coin, out var coinIndex))
        {
            foreach (var slot in coinIndex.Slots)
            {
                if (_rowsBySlot.TryGetValue(slot, out var row))
                    row.Refresh(nowMs);
                else
                    row = new OptionRow(slot);
                rows.Add(row);
            }
            _rowsBySlot.Clear();
            foreach (var row in rows)
            {
                _rowsBySlot[row.Slot] = row;
                if (!_rowsByExpiry.TryGetValue(row.ExpiryUtc, out var list))
                    _rowsByExpiry[row.ExpiryUtc] = list = [];
                list.Add(row);
            }
            var now = DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
            Expiries = [.. coinIndex.Expiries.Select(e => Figure(e, now))];
        }
        else
        {
            _rowsBySlot.Clear();
            Expiries = [];
        }
        Rows = rows;
        BuildFormat(nowMs);
        RowsVersion++;
    }

    private void BuildFormat(long nowMs)
    {
        Format = CoinFormat.For(Rows);
        _formatBuiltAtMs = nowMs;
    }

    /// <summary>The expiry's forward, ATM strike and ATM IV as <see cref="MarketMeasures"/> defines them.</summary>
    private static ExpiryHeadline Figure(ExpiryIndex expiry, DateTimeOffset now)
    {
        var measures = MarketMeasures.ForExpiry(expiry, now);
        return new ExpiryHeadline(expiry, measures.Forward, measures.AtmStrikeValue, measures.AtmIv);
    }

    /// <summary>The asset button: the coin's index price and headline ATM strike (its nearest unexpired expiry's).</summary>
    internal static CoinSummary Summarise(CoinIndex coin, DateTimeOffset now)
    {
        var measures = MarketMeasures.ForCoin(coin, now);
        return new CoinSummary(coin.BaseCoin, coin.Slots.Count, measures.IndexPrice, measures.AtmStrikeValue);
    }
}

public sealed record CoinSummary(string Coin, int Options, double IndexPrice, double AtmStrike);

public sealed record ExpiryHeadline(ExpiryIndex Expiry, double Underlying, double AtmStrike, double AtmIv)
{
    public string Label => Expiry.Label;
}

public sealed record ChainLine(double Strike, OptionRow? Call, OptionRow? Put);

/// <summary>One strike of a smile; <see cref="DeltaPosition"/> is its place on the delta axis (see <see cref="LiveBoard.DeltaPosition"/>).</summary>
public sealed record SmilePoint(double Strike, double Delta, double DeltaPosition, double MarkIv, double BidIv, double AskIv);
