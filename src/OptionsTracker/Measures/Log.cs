namespace OptionsTracker.Measures;

// Event id block of the measures and analytics: 9xxx (see Dashboard/Log.cs for the blocks of every feature).

/// <summary>Log lines of the measures and analytics. Stable event ids: append, never renumber.</summary>
internal static partial class Log
{
}
