using System.Buffers.Binary;
using System.Numerics;
using OptionsTracker.Book;

namespace OptionsTracker.History;

/// <summary>
/// One option's consecutive snapshots (at most <see cref="MaxRows"/>, within one UTC hour) as one compact, lossless
/// block: how closed hours are kept (docs/history.md, "Closed hours as blocks"). Written minute by minute an option's
/// values move by a little each time, so each column is stored as its first value and then the differences (or the
/// differences of the differences, for a steady clock), bit-packed at the width the largest needs; a column that changes
/// now and then (volumes, turnovers, open interest) as a bit a row saying whether it changed and only the changes. A
/// value column of doubles is first turned into integers: the smallest number of decimals that gives every value back
/// bit for bit (what the exchange sent as a decimal string: 8 for marks and Greeks, 4 for IVs, the tick for prices), the
/// raw bits where none does (never a rounding). A missing value (NaN) is a bit in the column's presence map, not a value.
/// <para>
/// Layout: a version byte, the row count, then the byte length of each column (so a reader decodes only the columns
/// it asks for), then the columns: time (Unix ms), exchange age and receive lag (ms), status, then
/// <see cref="ValueColumns"/> doubles: the delivery price and the 24 <see cref="QuoteField"/>s.
/// </para>
/// </summary>
public static class QuoteBlock
{
    /// <summary>The most snapshots a block holds: an hour at 1 minute; at shorter intervals an hour is several blocks.</summary>
    public const int MaxRows = 64;

    /// <summary>Columns of integers: time, exchange age, receive lag, status.</summary>
    public const int TimeColumn = 0, ExchangeAgeColumn = 1, ReceiveLagColumn = 2, StatusColumn = 3;

    /// <summary>The first column of doubles: the delivery price, then the quote fields in <see cref="QuoteField"/> order.</summary>
    public const int DeliveryPriceColumn = 4;

    /// <summary>The number of double columns (the delivery price and the 24 fields).</summary>
    public const int ValueColumns = 1 + QuoteFields.Count;

    public const int ColumnCount = DeliveryPriceColumn + ValueColumns;

    /// <summary>The column of a quote field.</summary>
    public static int ColumnOf(QuoteField field) => DeliveryPriceColumn + 1 + (int)field;

    private const byte Version = 1;

    // Integer sequences: the first value, then nothing (constant), the differences, the differences of the differences,
    // or a bit a row for "changed" and the differences of the rows that changed.
    private const byte Constant = 0, Deltas = 1, DeltasOfDeltas = 2, SparseDeltas = 3;

    // A double column's flags: some values missing (a presence map follows), raw bits (no decimal scale fits).
    internal const byte HasMissing = 1, RawBits = 2;

    private const int MaxDecimals = 15;

    internal static readonly double[] PowersOfTen = Enumerable.Range(0, MaxDecimals + 1).Select(d => Math.Pow(10, d)).ToArray();

    /// <summary>Encodes the rows of <paramref name="rows"/> (ascending times, all of one option).</summary>
    public static byte[] Encode(QuoteBlockRows rows)
    {
        var count = rows.Count;
        if (count is < 1 or > MaxRows)
            throw new ArgumentOutOfRangeException(nameof(rows), count, $"A block holds 1 to {MaxRows} snapshots.");
        var columns = new byte[ColumnCount][];
        var buffer = new BlockWriter(64 + 16 * count);
        Span<long> integers = stackalloc long[MaxRows];
        for (var column = 0; column < DeliveryPriceColumn; column++)
        {
            buffer.Clear();
            for (var i = 0; i < count; i++)
                integers[i] = rows.Integer(column, i);
            WriteSequence(ref buffer, integers[..count]);
            columns[column] = buffer.ToArray();
        }
        Span<double> doubles = stackalloc double[MaxRows];
        for (var column = DeliveryPriceColumn; column < ColumnCount; column++)
        {
            buffer.Clear();
            for (var i = 0; i < count; i++)
                doubles[i] = rows.Value(column - DeliveryPriceColumn, i);
            WriteDoubles(ref buffer, doubles[..count], integers);
            columns[column] = buffer.ToArray();
        }
        buffer.Clear();
        buffer.WriteByte(Version);
        buffer.WriteVarint((ulong)count);
        foreach (var column in columns)
            buffer.WriteVarint((ulong)column.Length);
        foreach (var column in columns)
            buffer.WriteBytes(column);
        return buffer.ToArray();
    }

    private static void WriteDoubles(ref BlockWriter buffer, ReadOnlySpan<double> values, Span<long> integers)
    {
        var count = values.Length;
        var presentCount = 0;
        foreach (var value in values)
        {
            if (!double.IsNaN(value))
                presentCount++;
        }
        var scale = DecimalScale(values);
        byte flags = 0;
        if (presentCount < count)
            flags |= HasMissing;
        if (scale < 0)
            flags |= RawBits;
        buffer.WriteByte(flags);
        if (scale >= 0)
            buffer.WriteByte((byte)scale);
        if (presentCount < count)
        {
            Span<byte> present = stackalloc byte[(MaxRows + 7) / 8];
            present.Clear();
            for (var i = 0; i < count; i++)
            {
                if (!double.IsNaN(values[i]))
                    present[i >> 3] |= (byte)(1 << (i & 7));
            }
            buffer.WriteBytes(present[..((count + 7) / 8)]);
        }
        var next = 0;
        foreach (var value in values)
        {
            if (double.IsNaN(value))
                continue;
            integers[next++] = scale >= 0 ? (long)Math.Round(value * PowersOfTen[scale]) : BitConverter.DoubleToInt64Bits(value);
        }
        WriteSequence(ref buffer, integers[..presentCount]);
    }

    /// <summary>
    /// The fewest decimals (0 to 15) at which every present value is an integer that divides back to the same double, bit
    /// for bit; -1 when there is none (a value with more digits, a negative zero, an infinity): the column keeps raw bits.
    /// </summary>
    private static int DecimalScale(ReadOnlySpan<double> values)
    {
        for (var scale = 0; scale <= MaxDecimals; scale++)
        {
            var power = PowersOfTen[scale];
            var fits = true;
            foreach (var value in values)
            {
                if (double.IsNaN(value))
                    continue;
                var scaled = Math.Round(value * power);
                // Up to 2^53 every integer is exact in a double; decoding divides the integer (so -0.0 never fits: raw bits).
                if (!(Math.Abs(scaled) <= 9_007_199_254_740_992d)
                    || BitConverter.DoubleToInt64Bits((long)scaled / power) != BitConverter.DoubleToInt64Bits(value))
                {
                    fits = false;
                    break;
                }
            }
            if (fits)
                return scale;
        }
        return -1;
    }

    private static void WriteSequence(ref BlockWriter buffer, ReadOnlySpan<long> values)
    {
        if (values.IsEmpty)
            return;
        var first = values[0];
        ulong widest1 = 0, widest2 = 0;
        var allEqual = true;
        for (var i = 1; i < values.Length; i++)
        {
            var delta = unchecked(values[i] - values[i - 1]);
            allEqual &= delta == 0;
            widest1 |= ZigZag(delta);
            if (i >= 2)
                widest2 |= ZigZag(unchecked(delta - (values[i - 1] - values[i - 2])));
        }
        if (allEqual)
        {
            buffer.WriteByte(Constant);
            buffer.WriteVarint(ZigZag(first));
            return;
        }
        var width1 = 64 - BitOperations.LeadingZeroCount(widest1);
        var width2 = 64 - BitOperations.LeadingZeroCount(widest2);
        var changes = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] != values[i - 1])
                changes++;
        }
        // Bits each encoding takes after the first value. Deltas of deltas pay for the first delta (a varint): worth it
        // when they pack narrower over the rest. Sparse deltas pay a bit a row to say which rows changed, then pack only
        // those: a field that moves now and then by a lot (a turnover jumps by a trade's notional, 4 decimals) would
        // otherwise spend the jump's width on every row of the block.
        var deltaBits = (long)width1 * (values.Length - 1);
        var secondBits = values.Length >= 3
            ? (long)width2 * (values.Length - 2) + 8 * VarintLength(ZigZag(unchecked(values[1] - first)))
            : long.MaxValue;
        var sparseBits = 8L * ((values.Length - 1 + 7) / 8) + (long)width1 * changes;
        var mode = secondBits < deltaBits && secondBits <= sparseBits ? DeltasOfDeltas : sparseBits < deltaBits ? SparseDeltas : Deltas;
        buffer.WriteByte(mode);
        buffer.WriteVarint(ZigZag(first));
        if (mode == SparseDeltas)
        {
            Span<byte> changed = stackalloc byte[(MaxRows + 7) / 8];
            changed.Clear();
            for (var i = 1; i < values.Length; i++)
            {
                if (values[i] != values[i - 1])
                    changed[(i - 1) >> 3] |= (byte)(1 << ((i - 1) & 7));
            }
            buffer.WriteBytes(changed[..((values.Length - 1 + 7) / 8)]);
            buffer.WriteByte((byte)width1);
            var sparse = new BitPacker(ref buffer, width1);
            for (var i = 1; i < values.Length; i++)
            {
                if (values[i] != values[i - 1])
                    sparse.Write(ZigZag(unchecked(values[i] - values[i - 1])));
            }
            sparse.Flush();
        }
        else if (mode == DeltasOfDeltas)
        {
            buffer.WriteVarint(ZigZag(unchecked(values[1] - first)));
            buffer.WriteByte((byte)width2);
            var bits = new BitPacker(ref buffer, width2);
            for (var i = 2; i < values.Length; i++)
                bits.Write(ZigZag(unchecked(values[i] - values[i - 1] - (values[i - 1] - values[i - 2]))));
            bits.Flush();
        }
        else
        {
            buffer.WriteByte((byte)width1);
            var bits = new BitPacker(ref buffer, width1);
            for (var i = 1; i < values.Length; i++)
                bits.Write(ZigZag(unchecked(values[i] - values[i - 1])));
            bits.Flush();
        }
    }

    /// <summary>The quote of the snapshot at <paramref name="timeMs"/> in <paramref name="block"/>, if the block holds it (the chain at an instant).</summary>
    public static bool TryQuoteAt(ReadOnlySpan<byte> block, long timeMs, out OptionQuote quote)
    {
        var reader = new QuoteBlockReader(block);
        Span<long> times = stackalloc long[MaxRows];
        reader.ReadIntegers(TimeColumn, times);
        var row = times[..reader.Count].BinarySearch(timeMs);
        quote = row >= 0 ? reader.QuoteAt(row, timeMs) : default;
        return row >= 0;
    }

    /// <summary>
    /// Adds to <paramref name="into"/> a point for each snapshot of <paramref name="block"/> in [<paramref name="fromMs"/>,
    /// <paramref name="toMs"/>], holding the <paramref name="fields"/> asked (only their columns are decoded).
    /// </summary>
    public static void AddSeriesPoints(ReadOnlySpan<byte> block, IReadOnlyList<QuoteField> fields, long fromMs, long toMs, List<SeriesPoint> into)
    {
        var reader = new QuoteBlockReader(block);
        var count = reader.Count;
        Span<long> times = stackalloc long[MaxRows];
        Span<double> column = stackalloc double[MaxRows];
        reader.ReadIntegers(TimeColumn, times);
        var first = into.Count;
        for (var row = 0; row < count; row++)
        {
            if (times[row] >= fromMs && times[row] <= toMs)
                into.Add(new SeriesPoint(DateTimeOffset.FromUnixTimeMilliseconds(times[row]), new double[fields.Count]));
        }
        if (into.Count == first)
            return;
        for (var f = 0; f < fields.Count; f++)
        {
            reader.ReadDoubles(ColumnOf(fields[f]), column);
            var point = first;
            for (var row = 0; row < count; row++)
            {
                if (times[row] >= fromMs && times[row] <= toMs)
                    into[point++].Values[f] = column[row];
            }
        }
    }

    internal static void ReadSequence(ReadOnlySpan<byte> data, ref int position, Span<long> values)
    {
        if (values.IsEmpty)
            return;
        var mode = data[position++];
        var first = UnZigZag(ReadVarint(data, ref position));
        values[0] = first;
        switch (mode)
        {
            case Constant:
                values[1..].Fill(first);
                return;
            case Deltas:
            {
                var width = data[position++];
                var bits = new BitReader(data[position..], width);
                for (var i = 1; i < values.Length; i++)
                    values[i] = unchecked(values[i - 1] + UnZigZag(bits.Read()));
                position += bits.BytesUsed(values.Length - 1);
                return;
            }
            case SparseDeltas:
            {
                var changed = data.Slice(position, (values.Length - 1 + 7) / 8);
                position += changed.Length;
                var width = data[position++];
                var bits = new BitReader(data[position..], width);
                for (var i = 1; i < values.Length; i++)
                {
                    var row = i - 1;
                    values[i] = (changed[row >> 3] & (1 << (row & 7))) != 0 ? unchecked(values[i - 1] + UnZigZag(bits.Read())) : values[i - 1];
                }
                position += bits.BytesUsed(PopCount(changed, values.Length - 1));
                return;
            }
            case DeltasOfDeltas:
            {
                var delta = UnZigZag(ReadVarint(data, ref position));
                if (values.Length > 1)
                    values[1] = unchecked(first + delta);
                var width = data[position++];
                var bits = new BitReader(data[position..], width);
                for (var i = 2; i < values.Length; i++)
                {
                    delta = unchecked(delta + UnZigZag(bits.Read()));
                    values[i] = unchecked(values[i - 1] + delta);
                }
                position += bits.BytesUsed(Math.Max(0, values.Length - 2));
                return;
            }
            default:
                throw new InvalidDataException($"A quote block has an unknown sequence encoding {mode}.");
        }
    }

    /// <summary>
    /// The value at <paramref name="index"/> of a sequence of <paramref name="length"/> values (<see cref="ReadSequence"/>),
    /// without decoding the ones after it.
    /// </summary>
    internal static long SequenceAt(ReadOnlySpan<byte> data, int position, int index, int length)
    {
        var mode = data[position++];
        var value = UnZigZag(ReadVarint(data, ref position));
        if (index == 0 || mode == Constant)
            return value;
        if (mode == SparseDeltas)
        {
            var changed = data.Slice(position, (length - 1 + 7) / 8);
            position += changed.Length;
            var sparse = new BitReader(data[(position + 1)..], data[position]);
            for (var changes = PopCount(changed, index); changes > 0; changes--)
                value = unchecked(value + UnZigZag(sparse.Read()));
            return value;
        }
        if (mode == Deltas)
        {
            var bits = new BitReader(data[(position + 1)..], data[position]);
            for (var i = 1; i <= index; i++)
                value = unchecked(value + UnZigZag(bits.Read()));
            return value;
        }
        if (mode != DeltasOfDeltas)
            throw new InvalidDataException($"A quote block has an unknown sequence encoding {mode}.");
        var delta = UnZigZag(ReadVarint(data, ref position));
        value = unchecked(value + delta);
        var secondBits = new BitReader(data[(position + 1)..], data[position]);
        for (var i = 2; i <= index; i++)
        {
            delta = unchecked(delta + UnZigZag(secondBits.Read()));
            value = unchecked(value + delta);
        }
        return value;
    }

    internal static void CheckVersion(ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty || block[0] != Version)
            throw new InvalidDataException($"Not a quote block of version {Version} ({(block.IsEmpty ? "empty" : $"version {block[0]}")}).");
    }

    internal static int PopCount(ReadOnlySpan<byte> bits, int count)
    {
        var total = 0;
        for (var i = 0; i < count; i++)
            total += (bits[i >> 3] >> (i & 7)) & 1;
        return total;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static int VarintLength(ulong value) => Math.Max(1, (64 - BitOperations.LeadingZeroCount(value) + 6) / 7);

    internal static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
        throw new InvalidDataException("A quote block has a malformed number.");
    }

    /// <summary>A growable byte buffer (blocks are small: a few hundred bytes to a few KB).</summary>
    private struct BlockWriter(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private int _length;

        public void Clear() => _length = 0;

        public void WriteByte(byte value)
        {
            Ensure(1);
            _bytes[_length++] = value;
        }

        public void WriteBytes(ReadOnlySpan<byte> values)
        {
            Ensure(values.Length);
            values.CopyTo(_bytes.AsSpan(_length));
            _length += values.Length;
        }

        public void WriteVarint(ulong value)
        {
            Ensure(10);
            while (value >= 0x80)
            {
                _bytes[_length++] = (byte)(value | 0x80);
                value >>= 7;
            }
            _bytes[_length++] = (byte)value;
        }

        public readonly byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();

        private void Ensure(int more)
        {
            if (_length + more > _bytes.Length)
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + more));
        }
    }

    /// <summary>Values of one width, least significant bit first, 8 bytes at a time.</summary>
    private ref struct BitPacker
    {
        private readonly ref BlockWriter _buffer;
        private readonly int _width;
        private UInt128 _pending;
        private int _pendingBits;

        public BitPacker(ref BlockWriter buffer, int width)
        {
            _buffer = ref buffer;
            _width = width;
        }

        public void Write(ulong value)
        {
            if (_width == 0)
                return;
            _pending |= (UInt128)value << _pendingBits;
            _pendingBits += _width;
            if (_pendingBits >= 64)
            {
                Span<byte> word = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)_pending);
                _buffer.WriteBytes(word);
                _pending >>= 64;
                _pendingBits -= 64;
            }
        }

        public void Flush()
        {
            Span<byte> word = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(word, (ulong)_pending);
            _buffer.WriteBytes(word[..((_pendingBits + 7) / 8)]);
            _pending = 0;
            _pendingBits = 0;
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> data, int width)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _bit;

        public ulong Read()
        {
            if (width == 0)
                return 0;
            var index = _bit >> 3;
            var offset = _bit & 7;
            _bit += width;
            var value = Load(index) >> offset;
            if (offset + width > 64)
                value |= (ulong)_data[index + 8] << (64 - offset);
            return width == 64 ? value : value & ((1UL << width) - 1);
        }

        public readonly int BytesUsed(int values) => (values * width + 7) / 8;

        // Eight bytes from index, little-endian; past the end (the last value of the block) the missing bytes are zero.
        private readonly ulong Load(int index)
        {
            if (index + 8 <= _data.Length)
                return BinaryPrimitives.ReadUInt64LittleEndian(_data[index..]);
            ulong value = 0;
            for (var i = 0; index + i < _data.Length && i < 8; i++)
                value |= (ulong)_data[index + i] << (8 * i);
            return value;
        }
    }
}

/// <summary>
/// Reads a <see cref="QuoteBlock"/>: the header once, then any column on its own (a series decodes only the fields it
/// asks for, the chain at an instant every column).
/// </summary>
public readonly ref struct QuoteBlockReader
{
    private readonly ReadOnlySpan<byte> _block;
    private readonly int _dataStart;
    private readonly ColumnBounds _bounds;

    [System.Runtime.CompilerServices.InlineArray(QuoteBlock.ColumnCount + 1)]
    private struct ColumnBounds
    {
        private int _first;
    }

    public QuoteBlockReader(ReadOnlySpan<byte> block)
    {
        QuoteBlock.CheckVersion(block);
        _block = block;
        var position = 1;
        Count = (int)QuoteBlock.ReadVarint(block, ref position);
        if (Count is < 1 or > QuoteBlock.MaxRows)
            throw new InvalidDataException($"A quote block says it holds {Count} snapshots.");
        var start = 0;
        for (var i = 0; i < QuoteBlock.ColumnCount; i++)
        {
            _bounds[i] = start;
            start += (int)QuoteBlock.ReadVarint(block, ref position);
        }
        _bounds[QuoteBlock.ColumnCount] = start;
        _dataStart = position;
        if (_dataStart + start > block.Length)
            throw new InvalidDataException($"A quote block of {block.Length} bytes says it holds {_dataStart + start}.");
    }

    /// <summary>The number of snapshots in the block.</summary>
    public int Count { get; }

    /// <summary>
    /// Decodes an integer column (<see cref="QuoteBlock.TimeColumn"/> … <see cref="QuoteBlock.StatusColumn"/>) into the
    /// first <paramref name="rows"/> (default: <see cref="Count"/>) of <paramref name="values"/>: the chain at an instant
    /// needs a column only up to its snapshot.
    /// </summary>
    public void ReadIntegers(int column, Span<long> values, int rows = -1)
    {
        if ((uint)column >= QuoteBlock.DeliveryPriceColumn)
            throw new ArgumentOutOfRangeException(nameof(column), column, "Not an integer column.");
        var position = 0;
        QuoteBlock.ReadSequence(Column(column), ref position, values[..Rows(rows)]);
    }

    /// <summary>
    /// Decodes a double column (<see cref="QuoteBlock.DeliveryPriceColumn"/> or a field's) into the first
    /// <paramref name="rows"/> (default: <see cref="Count"/>) of <paramref name="values"/>; a missing value is NaN.
    /// </summary>
    public void ReadDoubles(int column, Span<double> values, int rows = -1)
    {
        if (column < QuoteBlock.DeliveryPriceColumn || column >= QuoteBlock.ColumnCount)
            throw new ArgumentOutOfRangeException(nameof(column), column, "Not a value column.");
        var data = Column(column);
        var count = Rows(rows);
        var position = 0;
        var flags = data[position++];
        var raw = (flags & QuoteBlock.RawBits) != 0;
        var power = raw ? 1 : QuoteBlock.PowersOfTen[data[position++]];
        ReadOnlySpan<byte> present = default;
        if ((flags & QuoteBlock.HasMissing) != 0)
        {
            present = data.Slice(position, (Count + 7) / 8);
            position += present.Length;
        }
        var presentCount = present.IsEmpty ? count : QuoteBlock.PopCount(present, count);
        Span<long> integers = stackalloc long[QuoteBlock.MaxRows];
        QuoteBlock.ReadSequence(data, ref position, integers[..presentCount]);
        var next = 0;
        for (var i = 0; i < count; i++)
        {
            if (!present.IsEmpty && (present[i >> 3] & (1 << (i & 7))) == 0)
            {
                values[i] = double.NaN;
                continue;
            }
            var integer = integers[next++];
            values[i] = raw ? BitConverter.Int64BitsToDouble(integer) : integer / power;
        }
    }

    /// <summary>The value of an integer column at <paramref name="row"/> alone (the chain at an instant needs one snapshot of a block).</summary>
    public long IntegerAt(int column, int row)
    {
        if ((uint)column >= QuoteBlock.DeliveryPriceColumn)
            throw new ArgumentOutOfRangeException(nameof(column), column, "Not an integer column.");
        return QuoteBlock.SequenceAt(Column(column), 0, CheckRow(row), Count);
    }

    /// <summary>The value of a double column at <paramref name="row"/> alone; NaN when missing.</summary>
    public double DoubleAt(int column, int row)
    {
        if (column < QuoteBlock.DeliveryPriceColumn || column >= QuoteBlock.ColumnCount)
            throw new ArgumentOutOfRangeException(nameof(column), column, "Not a value column.");
        CheckRow(row);
        var data = Column(column);
        var position = 0;
        var flags = data[position++];
        var raw = (flags & QuoteBlock.RawBits) != 0;
        var power = raw ? 1 : QuoteBlock.PowersOfTen[data[position++]];
        var index = row;
        var length = Count;
        if ((flags & QuoteBlock.HasMissing) != 0)
        {
            var present = data.Slice(position, (Count + 7) / 8);
            if ((present[row >> 3] & (1 << (row & 7))) == 0)
                return double.NaN;
            index = QuoteBlock.PopCount(present, row);
            length = QuoteBlock.PopCount(present, Count);
            position += present.Length;
        }
        var integer = QuoteBlock.SequenceAt(data, position, index, length);
        return raw ? BitConverter.Int64BitsToDouble(integer) : integer / power;
    }

    /// <summary>
    /// The quote at <paramref name="row"/>, whose snapshot time the caller has read (<paramref name="timeMs"/>), each other
    /// column read up to that snapshot only (the chain at an instant).
    /// </summary>
    public OptionQuote QuoteAt(int row, long timeMs)
    {
        var exchangeMs = timeMs - IntegerAt(QuoteBlock.ExchangeAgeColumn, row);
        var quote = new OptionQuote
        {
            ExchangeTimeMs = exchangeMs,
            ReceivedAtMs = exchangeMs + IntegerAt(QuoteBlock.ReceiveLagColumn, row),
            Status = (ListingStatus)IntegerAt(QuoteBlock.StatusColumn, row),
            DeliveryPrice = DoubleAt(QuoteBlock.DeliveryPriceColumn, row),
        };
        for (var field = 0; field < QuoteFields.Count; field++)
            quote.Values[field] = DoubleAt(QuoteBlock.ColumnOf((QuoteField)field), row);
        return quote;
    }

    private int CheckRow(int row) =>
        (uint)row < (uint)Count ? row : throw new ArgumentOutOfRangeException(nameof(row), row, $"The block holds {Count} snapshots.");

    private int Rows(int rows) =>
        rows < 0 ? Count : rows <= Count ? rows : throw new ArgumentOutOfRangeException(nameof(rows), rows, $"The block holds {Count} snapshots.");

    private ReadOnlySpan<byte> Column(int column) =>
        _block.Slice(_dataStart + _bounds[column], _bounds[column + 1] - _bounds[column]);
}

/// <summary>The rows a <see cref="QuoteBlock"/> is encoded from: one option's snapshots in ascending time.</summary>
public sealed class QuoteBlockRows
{
    private readonly long[][] _integers = [new long[QuoteBlock.MaxRows], new long[QuoteBlock.MaxRows], new long[QuoteBlock.MaxRows], new long[QuoteBlock.MaxRows]];
    private readonly double[][] _values = Enumerable.Range(0, QuoteBlock.ValueColumns).Select(_ => new double[QuoteBlock.MaxRows]).ToArray();

    public int Count { get; private set; }

    public bool IsFull => Count == QuoteBlock.MaxRows;

    public long LastTimeMs => Count == 0 ? long.MinValue : _integers[QuoteBlock.TimeColumn][Count - 1];

    public long FirstTimeMs => Count == 0 ? long.MinValue : _integers[QuoteBlock.TimeColumn][0];

    public void Clear() => Count = 0;

    /// <summary>
    /// Adds a snapshot of the option: its time, the quote's exchange age (time − exchange time) and receive lag (received −
    /// exchange time), its status, delivery price and the 24 field values.
    /// </summary>
    public void Add(long timeMs, long exchangeAgeMs, long receiveLagMs, byte status, double deliveryPrice, ReadOnlySpan<double> fields)
    {
        if (Count == QuoteBlock.MaxRows)
            throw new InvalidOperationException($"A block holds at most {QuoteBlock.MaxRows} snapshots.");
        if (Count > 0 && timeMs <= LastTimeMs)
            throw new ArgumentException($"Snapshot times must ascend: {timeMs} after {LastTimeMs}.", nameof(timeMs));
        _integers[QuoteBlock.TimeColumn][Count] = timeMs;
        _integers[QuoteBlock.ExchangeAgeColumn][Count] = exchangeAgeMs;
        _integers[QuoteBlock.ReceiveLagColumn][Count] = receiveLagMs;
        _integers[QuoteBlock.StatusColumn][Count] = status;
        _values[0][Count] = deliveryPrice;
        for (var field = 0; field < QuoteFields.Count; field++)
            _values[1 + field][Count] = fields[field];
        Count++;
    }

    internal long Integer(int column, int row) => _integers[column][row];

    internal double Value(int valueColumn, int row) => _values[valueColumn][row];
}
