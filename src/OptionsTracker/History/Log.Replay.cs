namespace OptionsTracker.History;

/// <summary>Log lines of the replay and the history generator (10400–10499).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 10400, EventName = "ReplayStarted", Level = LogLevel.Information,
        Message = "Replay: playing {Coins} recorded from {From:O} to {To:O} at {Speed}x as the simulator's market")]
    public static partial void ReplayStarted(ILogger logger, string coins, DateTimeOffset from, DateTimeOffset to, double speed);

    [LoggerMessage(EventId = 10401, EventName = "ReplayFinished", Level = LogLevel.Information,
        Message = "Replay: {Coin} played to its last recorded snapshot ({Time:O}, {Frames} snapshots); its last state stays on show")]
    public static partial void ReplayFinished(ILogger logger, string coin, DateTimeOffset time, long frames);

    [LoggerMessage(EventId = 10402, EventName = "ReplayFailed", Level = LogLevel.Error,
        Message = "Replay: reading {Coin}'s recorded quotes failed; the market stays at its last played state")]
    public static partial void ReplayFailed(ILogger logger, Exception exception, string coin);

    [LoggerMessage(EventId = 10403, EventName = "HistoryGenerated", Level = LogLevel.Information,
        Message = "History generator: {Snapshots} snapshots of {Coins} from {From:O} ({Quotes} quote rows, {Measures} measures) written in {Elapsed}")]
    public static partial void HistoryGenerated(ILogger logger, long snapshots, string coins, DateTimeOffset from, long quotes, long measures, TimeSpan elapsed);
}
