namespace OptionsTracker.History;

// The stores' lines about trades (sub-block 10500–10599, see Log.cs), in a file of their own so the parts of the history
// append to the one Log class without touching each other's lines.
internal static partial class Log
{
    [LoggerMessage(EventId = 10500, EventName = "TradesWritten", Level = LogLevel.Debug,
        Message = "History {Store}: {Written} of {Given} trades written (the others were recorded already)")]
    public static partial void TradesWritten(ILogger logger, string store, long written, int given);
}
