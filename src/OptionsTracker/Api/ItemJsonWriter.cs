using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Api;

/// <summary>
/// Writes option items from pieces of JSON formatted once and reused while their value stays the same, instead of
/// formatting ~30 numbers per item per answer (the full BTC list is ~24,000 numbers; formatting them was most of
/// its cost). Each field's piece is its <c>"name":value</c>:
/// <list type="bullet">
/// <item>the instrument's fields never change: formatted once per option;</item>
/// <item>the quote's fields (and <c>updated_at</c>): formatted once per quote, kept beside a copy of the quote they
/// came from and reused by every answer whose row holds the same values; the next update of the option makes the
/// next answer format anew, so nothing served is ever older than the row read from the book;</item>
/// <item><c>days_to_expiry</c> depends on the answer's time: formatted once per expiry and answer.</item>
/// <item>the model's fields (<see cref="OptionFields.IsModel"/>), asked for only by name: computed and formatted per item
/// that asks, never kept, so an answer without them pays nothing.</item>
/// </list>
/// The bytes are exactly those of <see cref="OptionFields.WriteItem"/> (tests compare them over random rows and field
/// lists). One writer serves one answer on one thread; the shared pieces are immutable and swapped whole.
/// </summary>
internal sealed class ItemJsonWriter : IDisposable
{
    // Venue, an instrument field, is the last field (see OptionField) and so formats with the quote's pieces: a few
    // bytes per quote change, and the default field list stays three runs.
    private const OptionField FirstQuoteField = OptionField.LastPrice;

    private static readonly OptionField[] InstrumentFields = [.. OptionFields.All.Where(f => f < OptionField.DaysToExpiry)];
    // The native prices (after Venue) are asked for by name only, like the model's: formatted per item that asks for them.
    private static readonly OptionField[] QuoteFields = [.. OptionFields.All.Where(f => f >= FirstQuoteField && !OptionFields.IsModel(f) && !OptionFields.IsNative(f))];
    private static readonly OptionField[] DaysToExpiryField = [OptionField.DaysToExpiry];

    /// <summary>Pieces per option, dropped with the instrument when the option leaves the book.</summary>
    private static readonly ConditionalWeakTable<OptionInstrument, OptionPieces> Pieces = new();

    private readonly OptionField[] _fields;
    private readonly DateTimeOffset _now;
    private readonly int _quoteFieldCount;
    private Dictionary<DateTimeOffset, FieldPieces>? _daysToExpiry;
    private byte[] _item = ArrayPool<byte>.Shared.Rent(2048);

    public ItemJsonWriter(OptionField[] fields, DateTimeOffset now)
    {
        _fields = fields;
        _now = now;
        _quoteFieldCount = fields.Count(f => GroupOf(f) == FieldGroup.Quote);
    }

    /// <summary>Writes <paramref name="row"/> as one JSON object value (an array item, or the whole document).</summary>
    public void Write(Utf8JsonWriter writer, in OptionRow row)
    {
        var pieces = Pieces.GetValue(row.Instrument, static instrument => new OptionPieces(instrument));
        FieldPieces? quote = null;
        if (_quoteFieldCount > 0 && (quote = pieces.QuoteIfCurrent(row.Quote)) is null)
        {
            // A changed option: formatting all its quote fields pays off for the answers to come, unless this one asks
            // for only a few of them; then it writes those few directly (as many numbers as pieces would reuse).
            if (_quoteFieldCount * 2 < QuoteFields.Length)
            {
                OptionFields.WriteItem(writer, row, _fields, _now);
                return;
            }
            quote = pieces.FormatQuote(row, _now);
        }
        var length = 0;
        ModelCheck? model = null;
        Append(ref length, "{"u8);
        var fields = _fields;
        for (var i = 0; i < fields.Length;)
        {
            // Fields that follow each other in the same group are one run of bytes: the default list is three runs.
            var group = GroupOf(fields[i]);
            var next = i + 1;
            while (next < fields.Length && fields[next] == fields[next - 1] + 1 && GroupOf(fields[next]) == group)
                next++;
            var run = group switch
            {
                FieldGroup.Instrument => pieces.Instrument.Run((int)fields[i], (int)fields[next - 1]),
                FieldGroup.Quote => quote!.Run(fields[i] - FirstQuoteField, fields[next - 1] - FirstQuoteField),
                // The model depends on the quote but is computed only for the answers that ask for it: formatted per
                // item (once per item however many of its fields), never kept with the quote's pieces.
                FieldGroup.Model => FieldPieces.FormatModel(fields.AsSpan(i, next - i), model ??= OptionModel.Of(row.Instrument, row.Quote)),
                FieldGroup.Native => FieldPieces.FormatDirect(fields.AsSpan(i, next - i), row, _now),
                _ => DaysToExpiryOf(pieces.Row).Run(0, 0),
            };
            if (i > 0)
                Append(ref length, ","u8);
            Append(ref length, run);
            i = next;
        }
        Append(ref length, "}"u8);
        writer.WriteRawValue(_item.AsSpan(0, length), skipInputValidation: true);
    }

    public void Dispose()
    {
        var item = _item;
        _item = [];
        if (item.Length > 0)
            ArrayPool<byte>.Shared.Return(item);
    }

    private enum FieldGroup : byte
    {
        Instrument,
        DaysToExpiry,
        Quote,
        Model,
        Native,
    }

    private static FieldGroup GroupOf(OptionField field) =>
        field < OptionField.DaysToExpiry ? FieldGroup.Instrument
        : OptionFields.IsModel(field) ? FieldGroup.Model
        : OptionFields.IsNative(field) ? FieldGroup.Native
        : field >= FirstQuoteField ? FieldGroup.Quote
        : FieldGroup.DaysToExpiry;

    private FieldPieces DaysToExpiryOf(in OptionRow instrumentRow)
    {
        _daysToExpiry ??= [];
        var expiry = instrumentRow.Instrument.ExpiryUtc;
        if (!_daysToExpiry.TryGetValue(expiry, out var piece))
            _daysToExpiry[expiry] = piece = FieldPieces.Format(DaysToExpiryField, instrumentRow, _now);
        return piece;
    }

    private void Append(ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > _item.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_item.Length * 2, length + bytes.Length));
            _item.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_item);
            _item = larger;
        }
        bytes.CopyTo(_item.AsSpan(length));
        length += bytes.Length;
    }

    /// <summary>What is kept per option: its instrument's pieces and the pieces of the last quote written.</summary>
    private sealed class OptionPieces
    {
        private QuotePieces? _latest;

        public OptionPieces(OptionInstrument instrument)
        {
            Row = new OptionRow(instrument, OptionQuote.Empty);
            Instrument = FieldPieces.Format(InstrumentFields, Row, default);
        }

        /// <summary>The instrument with an empty quote: what the instrument-only pieces are formatted from.</summary>
        public OptionRow Row { get; }

        public FieldPieces Instrument { get; }

        /// <summary>The pieces of <paramref name="quote"/> if they are the ones kept; null when the option changed since.</summary>
        public FieldPieces? QuoteIfCurrent(in OptionQuote quote)
        {
            var latest = Volatile.Read(ref _latest);
            return latest is not null && latest.Formats(quote) ? latest.Fields : null;
        }

        public FieldPieces FormatQuote(in OptionRow row, DateTimeOffset now)
        {
            // Concurrent answers may both format the same new quote; either result is right, the last one stays.
            var latest = new QuotePieces(row.Quote, FieldPieces.Format(QuoteFields, row, now));
            Volatile.Write(ref _latest, latest);
            return latest.Fields;
        }
    }

    private sealed class QuotePieces(OptionQuote source, FieldPieces fields)
    {
        private readonly OptionQuote _source = source;

        public FieldPieces Fields { get; } = fields;

        /// <summary>
        /// Whether <paramref name="quote"/> writes the same bytes: same exchange time (<c>updated_at</c>), status and
        /// delivery price, and the same bits in every value (so NaN, written as null, matches NaN). The local receive time
        /// is not written.
        /// </summary>
        public bool Formats(in OptionQuote quote)
        {
            if (quote.ExchangeTimeMs != _source.ExchangeTimeMs || quote.Status != _source.Status
                || BitConverter.DoubleToInt64Bits(quote.DeliveryPrice) != BitConverter.DoubleToInt64Bits(_source.DeliveryPrice))
                return false;
            ReadOnlySpan<double> values = quote.Values;
            ReadOnlySpan<double> formatted = _source.Values;
            return MemoryMarshal.AsBytes(values).SequenceEqual(MemoryMarshal.AsBytes(formatted));
        }
    }

    /// <summary>
    /// Consecutive fields formatted by <see cref="Utf8JsonWriter"/> as one object; piece k is the k-th
    /// <c>"name":value</c>, and pieces k..m lie together with their commas, so a run of them is one copy.
    /// </summary>
    private sealed class FieldPieces
    {
        private readonly byte[] _json;
        private readonly int[] _ends;

        private FieldPieces(byte[] json, int[] ends)
        {
            _json = json;
            _ends = ends;
        }

        public ReadOnlySpan<byte> Run(int first, int last)
        {
            // Piece 0 starts after the object's "{", every other one after the comma that ends the piece before it.
            var start = first == 0 ? 1 : _ends[first - 1] + 1;
            return _json.AsSpan(start, _ends[last] - start);
        }

        /// <summary>Per thread, so formatting allocates only the pieces it keeps.</summary>
        [ThreadStatic]
        private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? t_scratch;

        public static FieldPieces Format(OptionField[] fields, in OptionRow row, DateTimeOffset now)
        {
            var (buffer, writer) = t_scratch ??= NewScratch();
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            var ends = new int[fields.Length];
            writer.WriteStartObject();
            for (var i = 0; i < fields.Length; i++)
            {
                OptionFields.WriteProperty(writer, fields[i], row, now);
                ends[i] = checked((int)(writer.BytesCommitted + writer.BytesPending));
            }
            writer.Flush();
            return new FieldPieces(buffer.WrittenSpan.ToArray(), ends);
        }

        /// <summary>
        /// The model fields' <c>"name":value</c> pieces with their commas, as one run; valid until the next call on this
        /// thread (the caller copies it at once).
        /// </summary>
        public static ReadOnlySpan<byte> FormatModel(ReadOnlySpan<OptionField> fields, in ModelCheck model)
        {
            var (buffer, writer) = t_scratch ??= NewScratch();
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            foreach (var field in fields)
                OptionFields.WriteModelProperty(writer, field, model);
            writer.Flush();
            // After the object's "{"; the object is left open, so nothing follows the last piece.
            return buffer.WrittenSpan[1..];
        }

        /// <summary>
        /// Fields written as they are, as one run of <c>"name":value</c> pieces with their commas (the native prices: asked
        /// for by name only, so never kept); valid until the next call on this thread.
        /// </summary>
        public static ReadOnlySpan<byte> FormatDirect(ReadOnlySpan<OptionField> fields, in OptionRow row, DateTimeOffset now)
        {
            var (buffer, writer) = t_scratch ??= NewScratch();
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            foreach (var field in fields)
                OptionFields.WriteProperty(writer, field, row, now);
            writer.Flush();
            return buffer.WrittenSpan[1..];
        }

        private static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewScratch()
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            return (buffer, new Utf8JsonWriter(buffer));
        }
    }
}
