using System.Collections.Concurrent;
using System.Threading.Channels;

namespace OptionsTracker.History;

/// <summary>
/// The snapshots taken and not yet written: a bounded channel from the capture (one writer) to the store's writer loop
/// (one reader). Full = the store is behind: the oldest snapshot is dropped (the channel's DropOldest) and reported, so
/// the capture never waits and memory never grows past <c>capacity</c> snapshots plus the one being written and the one
/// being taken. Snapshots are pooled: each keeps its grown lists, so a steady recorder allocates none.
/// </summary>
internal sealed class SnapshotBuffer
{
    private readonly Channel<PendingSnapshot> _channel;
    private readonly ConcurrentQueue<PendingSnapshot> _free = new();
    private readonly Action<PendingSnapshot> _dropped;

    public SnapshotBuffer(int capacity, Action<PendingSnapshot> dropped)
    {
        Capacity = capacity;
        _dropped = dropped;
        _channel = Channel.CreateBounded<PendingSnapshot>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true },
            OnDropped);
    }

    public int Capacity { get; }

    /// <summary>Snapshots waiting (not counting the one the writer holds).</summary>
    public int Count => _channel.Reader.Count;

    public PendingSnapshot Rent() => _free.TryDequeue(out var pending) ? pending : new PendingSnapshot();

    public void Return(PendingSnapshot pending) => _free.Enqueue(pending);

    /// <summary>Queues a snapshot; when full, the oldest waiting one is dropped first. Never waits.</summary>
    public void Add(PendingSnapshot pending) => _channel.Writer.TryWrite(pending);

    public bool TryTake(out PendingSnapshot pending) => _channel.Reader.TryRead(out pending!);

    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => _channel.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Empties the buffer (the lease was lost: another collector records now); returns how many were discarded.</summary>
    public int Discard()
    {
        var discarded = 0;
        while (_channel.Reader.TryRead(out var pending))
        {
            Return(pending);
            discarded++;
        }
        return discarded;
    }

    private void OnDropped(PendingSnapshot pending)
    {
        _dropped(pending);
        Return(pending);
    }
}

/// <summary>
/// A snapshot waiting for the store, with the time of the capture its <see cref="RecordedQuote.Changed"/> flags are
/// relative to: if that capture never reached the store (dropped), the flags would point at the wrong last row, so the
/// writer marks every quote changed instead.
/// </summary>
internal sealed class PendingSnapshot
{
    public BoardSnapshot Snapshot { get; } = new();

    /// <summary>The time of the previous capture (<see cref="DateTimeOffset.MinValue"/> for the first of a cursor).</summary>
    public DateTimeOffset Previous { get; set; }
}
