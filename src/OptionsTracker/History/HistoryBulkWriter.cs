namespace OptionsTracker.History;

/// <summary>
/// A store's bulk path for a history written all at once (<see cref="HistoryGenerator"/>): many snapshots, oldest first,
/// in one transaction, with the store's own bulk machinery (DuckDB: rows appended already in the compacted order;
/// PostgreSQL: one binary COPY for the lot). Reads see the same history as if each snapshot had gone through
/// <see cref="IHistoryStore.WriteSnapshotAsync"/>: idempotent by (time, coin) the same way, and every snapshot whole
/// (the batch commits or not as a whole). Not part of <see cref="IHistoryStore"/>: the recorder writes one snapshot at a
/// time and never needs it.
/// </summary>
internal interface IHistoryBulkWriter
{
    /// <summary>Writes <paramref name="snapshots"/> (ascending times) in one transaction. The store does not keep them.</summary>
    Task WriteSnapshotsAsync(IReadOnlyList<BoardSnapshot> snapshots, CancellationToken cancellationToken);
}
