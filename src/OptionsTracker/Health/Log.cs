namespace OptionsTracker.Health;

// Event id blocks, one per feature (the namespace's last segment), unique across the program; operators filter on
// them, so keep ids and EventNames (= the method name) stable. Bybit 1xxx, Feed 2xxx, Api 3xxx, Store 4xxx,
// Alerts 5xxx, Security 6xxx, Health 7xxx, Dashboard 8xxx, Measures 9xxx.
// tests/OptionsTracker.Tests/Logging/EventIdTests.cs checks them.

/// <summary>Log lines of health. Stable event ids: append, never renumber. Changes of state, never one line per probe.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7600, EventName = "HealthChanged", Level = LogLevel.Warning, Message = "Health {Check}: {Status}: {Reason}")]
    public static partial void HealthChanged(ILogger logger, string check, string status, string? reason);

    [LoggerMessage(EventId = 7601, EventName = "HealthRecovered", Level = LogLevel.Information, Message = "Health {Check}: Healthy again: {Reason}")]
    public static partial void HealthRecovered(ILogger logger, string check, string? reason);
}
