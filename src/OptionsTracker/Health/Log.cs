namespace OptionsTracker.Health;

/// <summary>Log lines of health. Stable event ids: append, never renumber. Changes of state, never one line per probe.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7600, EventName = "HealthChanged", Level = LogLevel.Warning, Message = "Health {Check}: {Status}: {Reason}")]
    public static partial void HealthChanged(ILogger logger, string check, string status, string? reason);

    [LoggerMessage(EventId = 7601, EventName = "HealthRecovered", Level = LogLevel.Information, Message = "Health {Check}: Healthy again: {Reason}")]
    public static partial void HealthRecovered(ILogger logger, string check, string? reason);
}
