using System.Buffers;

namespace OptionsTracker.Api;

/// <summary>
/// The rows of one answer, in an array from the shared pool. A row carries a whole quote (~220 bytes), so the rows of
/// one coin's list are ~175 KB: allocated per request, they would land on the large object heap and make a busy API
/// pay for full collections. The answer that writes the rows disposes the buffer, which clears and returns the array.
/// </summary>
internal sealed class RowBuffer : IDisposable
{
    private OptionRow[] _rows;

    public RowBuffer(int capacity) => _rows = ArrayPool<OptionRow>.Shared.Rent(Math.Max(capacity, 16));

    public int Count { get; private set; }

    public ref readonly OptionRow this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return ref _rows[index];
        }
    }

    public void Add(in OptionRow row)
    {
        if (Count == _rows.Length)
            Replace(_rows.Length * 2);
        _rows[Count++] = row;
    }

    public ReadOnlySpan<OptionRow> AsSpan() => _rows.AsSpan(0, Count);

    /// <summary>Puts the rows in the order given by <paramref name="order"/> (row indexes, each once).</summary>
    public void Permute(ReadOnlySpan<int> order)
    {
        if (order.Length != Count)
            throw new ArgumentException($"an order of {order.Length} rows for {Count}", nameof(order));
        var source = _rows;
        var target = ArrayPool<OptionRow>.Shared.Rent(source.Length);
        for (var i = 0; i < order.Length; i++)
            target[i] = source[order[i]];
        _rows = target;
        Release(source, Count);
    }

    public void Dispose()
    {
        var rows = _rows;
        _rows = [];
        Release(rows, Count);
        Count = 0;
    }

    private void Replace(int capacity)
    {
        var larger = ArrayPool<OptionRow>.Shared.Rent(capacity);
        _rows.AsSpan(0, Count).CopyTo(larger);
        Release(_rows, Count);
        _rows = larger;
    }

    private static void Release(OptionRow[] rows, int used)
    {
        if (rows.Length == 0)
            return;
        // Clear what we used so a pooled array does not keep delisted instruments alive.
        Array.Clear(rows, 0, used);
        ArrayPool<OptionRow>.Shared.Return(rows);
    }
}
