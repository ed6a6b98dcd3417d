using OptionsTracker.Book;

namespace OptionsTracker.History;

/// <summary>One option's block of snapshots as stored: its first and last snapshot time, the instrument's id in the store, the bytes.</summary>
public readonly record struct EncodedBlock(long FirstMs, long LastMs, int Instrument, byte[] Bytes);

/// <summary>
/// Cuts snapshots given in (option, time) order into <see cref="QuoteBlock"/>s the way both stores keep closed hours: a
/// block per option and UTC hour, a new one at <see cref="QuoteBlock.MaxRows"/> snapshots (an hour at 1 second is 57
/// blocks); or, with <see cref="DayMs"/> as the period, a block per option and UTC day (PostgreSQL's thinned days: 24
/// hourly snapshots a block). A time that does not ascend (never written: a time is claimed once per coin) starts a
/// block too, rather than stopping the compaction, so both copies are kept as the rows kept them.
/// </summary>
public sealed class QuoteBlockBuilder(long periodMs = QuoteBlockBuilder.HourMs)
{
    public const long HourMs = 3_600_000;

    public const long DayMs = 86_400_000;

    private readonly QuoteBlockRows _rows = new();
    private readonly double[] _fields = new double[QuoteFields.Count];
    private int _instrument = -1;

    /// <summary>The blocks finished so far, in the order their snapshots came.</summary>
    public List<EncodedBlock> Blocks { get; } = [];

    /// <summary>The snapshots added.</summary>
    public long Snapshots { get; private set; }

    /// <summary>Adds a snapshot with its values in the rows' form (exchange age and receive lag, as <see cref="QuoteBlockRows.Add"/>).</summary>
    public void Add(int instrument, long timeMs, long exchangeAgeMs, long receiveLagMs, byte status, double deliveryPrice, ReadOnlySpan<double> fields)
    {
        if (_rows.Count > 0 && (instrument != _instrument || _rows.IsFull || PeriodStart(timeMs, periodMs) != PeriodStart(_rows.FirstTimeMs, periodMs) || timeMs <= _rows.LastTimeMs))
            Flush();
        _instrument = instrument;
        _rows.Add(timeMs, exchangeAgeMs, receiveLagMs, status, deliveryPrice, fields);
        Snapshots++;
    }

    /// <summary>Adds the quote of <paramref name="instrument"/> at <paramref name="timeMs"/>.</summary>
    public void Add(int instrument, long timeMs, in OptionQuote quote)
    {
        for (var field = 0; field < _fields.Length; field++)
            _fields[field] = quote.Values[field];
        Add(instrument, timeMs, timeMs - quote.ExchangeTimeMs, quote.ReceivedAtMs - quote.ExchangeTimeMs, (byte)quote.Status, quote.DeliveryPrice, _fields);
    }

    /// <summary>Finishes the last block; returns every block.</summary>
    public List<EncodedBlock> Finish()
    {
        if (_rows.Count > 0)
            Flush();
        return Blocks;
    }

    /// <summary>The start (Unix milliseconds) of the UTC hour holding <paramref name="timeMs"/>.</summary>
    public static long HourStart(long timeMs) => PeriodStart(timeMs, HourMs);

    /// <summary>The start (Unix milliseconds) of the period (an hour, a day: aligned to the epoch) holding <paramref name="timeMs"/>.</summary>
    public static long PeriodStart(long timeMs, long periodMs) => timeMs - (((timeMs % periodMs) + periodMs) % periodMs);

    private void Flush()
    {
        Blocks.Add(new EncodedBlock(_rows.FirstTimeMs, _rows.LastTimeMs, _instrument, QuoteBlock.Encode(_rows)));
        _rows.Clear();
    }
}

/// <summary>A whole block decoded (retention, the export and the migration read every snapshot of it).</summary>
public sealed class DecodedBlock
{
    private readonly long[][] _integers = new long[QuoteBlock.DeliveryPriceColumn][];
    private readonly double[][] _values = new double[QuoteBlock.ValueColumns][];

    public DecodedBlock(ReadOnlySpan<byte> block)
    {
        var reader = new QuoteBlockReader(block);
        Count = reader.Count;
        for (var column = 0; column < _integers.Length; column++)
        {
            _integers[column] = new long[Count];
            reader.ReadIntegers(column, _integers[column]);
        }
        for (var column = 0; column < _values.Length; column++)
        {
            _values[column] = new double[Count];
            reader.ReadDoubles(QuoteBlock.DeliveryPriceColumn + column, _values[column]);
        }
    }

    public int Count { get; }

    public long[] Times => _integers[QuoteBlock.TimeColumn];

    public OptionQuote Quote(int row)
    {
        var time = Times[row];
        var exchangeMs = time - _integers[QuoteBlock.ExchangeAgeColumn][row];
        var quote = new OptionQuote
        {
            ExchangeTimeMs = exchangeMs,
            ReceivedAtMs = exchangeMs + _integers[QuoteBlock.ReceiveLagColumn][row],
            Status = (ListingStatus)_integers[QuoteBlock.StatusColumn][row],
            DeliveryPrice = _values[0][row],
        };
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = _values[1 + field][row];
        return quote;
    }
}

/// <summary>
/// The spans an export reads one at a time (<see cref="IHistoryStore.ReadQuotesAsync"/>): each within one UTC day and
/// holding at most <see cref="MaxSnapshots"/> of the coin's snapshots, so what a span holds in memory is bounded by the
/// board, not by the interval (an hour at 1 second is 3,600 snapshots of the whole board; at 1 minute an hour is one
/// span; a thinned day, one snapshot an hour, is one span, so PostgreSQL reads its day blocks once, not once an hour).
/// </summary>
public static class ExportSpans
{
    public const int MaxSnapshots = QuoteBlock.MaxRows;

    /// <summary>
    /// Cuts [<paramref name="fromMs"/>, <paramref name="toMs"/>] into spans, given the UTC hours holding snapshots in it
    /// (start, snapshots in the span, ascending): consecutive hours of one day together while they hold at most
    /// <see cref="MaxSnapshots"/>; an hour holding more on its own, cut by <paramref name="timesOf"/>, which reads the
    /// snapshot times of that hour's part of the span (ascending).
    /// </summary>
    public static async IAsyncEnumerable<(long FromMs, long ToMs)> SplitAsync(
        IReadOnlyList<(long HourMs, long Snapshots)> hours, long fromMs, long toMs, Func<long, long, Task<List<long>>> timesOf)
    {
        long? openFrom = null;
        long openTo = 0, openSnapshots = 0;
        foreach (var (hour, snapshots) in hours)
        {
            var first = Math.Max(fromMs, hour);
            var last = Math.Min(toMs, hour + QuoteBlockBuilder.HourMs - 1);
            if (openFrom is { } open && (openSnapshots + snapshots > MaxSnapshots
                || QuoteBlockBuilder.PeriodStart(hour, QuoteBlockBuilder.DayMs) != QuoteBlockBuilder.PeriodStart(open, QuoteBlockBuilder.DayMs)))
            {
                yield return (open, openTo);
                openFrom = null;
            }
            if (snapshots <= MaxSnapshots)
            {
                openSnapshots = openFrom is null ? snapshots : openSnapshots + snapshots;
                openFrom ??= first;
                openTo = last;
                continue;
            }
            var times = await timesOf(first, last);
            for (var i = 0; i < times.Count; i += MaxSnapshots)
                yield return (times[i], times[Math.Min(i + MaxSnapshots, times.Count) - 1]);
        }
        if (openFrom is { } rest)
            yield return (rest, openTo);
    }
}
