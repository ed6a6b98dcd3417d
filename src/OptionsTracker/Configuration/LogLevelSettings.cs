namespace OptionsTracker.Configuration;

/// <summary>
/// Checks every <c>…:LogLevel:…</c> value under <c>Logging</c> before the host is built. Left to the logging
/// library, a bad level (<c>Logging__LogLevel__Default=LOUD</c>) surfaces as an unhandled exception with a stack
/// trace from the first logger created.
/// </summary>
public static class LogLevelSettings
{
    public static void ValidateLogLevels(this IConfiguration configuration)
    {
        foreach (var level in configuration.GetSection("Logging").AsEnumerable())
        {
            if (string.IsNullOrWhiteSpace(level.Value) || !IsUnderLogLevel(level.Key))
                continue;
            // Names only: Enum.TryParse also takes "7", which no logger understands.
            if (!Enum.TryParse<LogLevel>(level.Value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || char.IsAsciiDigit(level.Value.Trim()[0]))
            {
                var value = level.Value.Length <= 40 ? level.Value : string.Concat(level.Value.AsSpan(0, 40), "…");
                throw new ConfigurationException(
                    $"{level.Key} must be Trace, Debug, Information, Warning, Error, Critical or None, not '{value}'");
            }
        }
    }

    private static bool IsUnderLogLevel(string key)
    {
        var parts = key.Split(ConfigurationPath.KeyDelimiter);
        return Array.FindIndex(parts, p => p.Equals("LogLevel", StringComparison.OrdinalIgnoreCase)) is var at && at >= 0 && at < parts.Length - 1;
    }
}
