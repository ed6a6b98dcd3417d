using System.Globalization;

namespace OptionsTracker.Configuration;

/// <summary>
/// The environment variable names of the tool we replace, mapped in one place onto our settings. They sit
/// below our own names: <c>Tracker__Assets</c> beats <c>OPTION_ASSETS</c> when both are set.
/// </summary>
public static class LegacyEnvironment
{
    /// <summary>Every name of the original tool that is read here (or, for two of them, deliberately ignored).</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>(StringComparer.Ordinal)
    {
        "OPTION_ASSETS", "BYBIT_TESTNET", "WS_SUBSCRIPTION_CHUNK_SIZE", "WS_PING_INTERVAL", "WS_PING_TIMEOUT",
        "WS_RECONNECT_DELAY", "LOG_LEVEL", "API_KEY", "WS_SUBSCRIPTION_DELAY", "WS_MAX_RECONNECT_ATTEMPTS",
    };

    public static IReadOnlyDictionary<string, string?> Map(Func<string, string?> get)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (get("OPTION_ASSETS") is { Length: > 0 } assets)
            settings["Tracker:Assets:0"] = assets;
        if (IsTrue(get("BYBIT_TESTNET")))
        {
            settings["Bybit:RestUrl"] = "https://api-testnet.bybit.com";
            settings["Bybit:WsUrl"] = "wss://stream-testnet.bybit.com/v5/public/option";
        }
        if (get("WS_SUBSCRIPTION_CHUNK_SIZE") is { Length: > 0 } chunk)
            settings["Bybit:SubscribeChunkSize"] = chunk;
        // The original counted these in seconds; ours are TimeSpans.
        AddSeconds(settings, "Bybit:PingInterval", get("WS_PING_INTERVAL"));
        AddSeconds(settings, "Bybit:PongTimeout", get("WS_PING_TIMEOUT"));
        AddSeconds(settings, "Bybit:ReconnectDelay", get("WS_RECONNECT_DELAY"));
        if (get("LOG_LEVEL") is { Length: > 0 } level)
            settings["Logging:LogLevel:Default"] = NormaliseLevel(level);
        if (get("API_KEY") is { Length: > 0 } apiKey)
            settings["Security:ApiKey"] = apiKey;
        // WS_SUBSCRIPTION_DELAY is deliberately ignored: subscribe requests go out without artificial delays.
        // WS_MAX_RECONNECT_ATTEMPTS too: a tracker that gives up reconnecting stops tracking.
        return settings;
    }

    public static void AddLegacyEnvironment(this ConfigurationManager configuration)
    {
        var settings = Map(Environment.GetEnvironmentVariable);
        if (settings.Count == 0)
            return;
        // Insert before the environment-variable source so the new names win.
        var source = new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings };
        var envIndex = configuration.Sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource);
        if (envIndex < 0)
            configuration.Sources.Add(source);
        else
            configuration.Sources.Insert(envIndex, source);
    }

    private static void AddSeconds(Dictionary<string, string?> settings, string key, string? seconds)
    {
        if (double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
            settings[key] = TimeSpan.FromSeconds(value).ToString("c", CultureInfo.InvariantCulture);
        else if (!string.IsNullOrEmpty(seconds))
            settings[key] = seconds; // Let validation name the bad value.
    }

    private static bool IsTrue(string? value) =>
        value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1" || value.Equals("yes", StringComparison.OrdinalIgnoreCase));

    private static string NormaliseLevel(string level) => level.ToUpperInvariant() switch
    {
        "DEBUG" => "Debug",
        "INFO" => "Information",
        "WARNING" or "WARN" => "Warning",
        "ERROR" => "Error",
        "CRITICAL" or "FATAL" => "Critical",
        _ => level,
    };
}
