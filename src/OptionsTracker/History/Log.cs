namespace OptionsTracker.History;

// Event id block of the history: 10xxx (see Dashboard/Log.cs for the blocks of every feature).
// Sub-blocks: 10000–10099 the DuckDB store, 10100–10199 the PostgreSQL store, 10200–10299 the recorder and backfill,
// 10300–10399 reading (time travel, series, export), 10400–10499 replay.

/// <summary>Log lines of the history. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
}
