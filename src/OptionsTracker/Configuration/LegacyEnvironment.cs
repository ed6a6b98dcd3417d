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
        "TELEGRAM_BOT_TOKEN", "TELEGRAM_CHAT_ID", "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD",
    };

    /// <summary>
    /// Our settings for the original names that are set. A value the original would have read differently or not at
    /// all (<c>REDIS_PORT=abc</c>, <c>BYBIT_TESTNET=maybe</c>, <c>LOG_LEVEL=LOUD</c>) throws a
    /// <see cref="ConfigurationException"/> naming the variable: guessing would run a tracker other than the one asked for.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Map(Func<string, string?> get)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (get("OPTION_ASSETS") is { Length: > 0 } assets)
            settings["Tracker:Assets:0"] = assets;
        if (ReadBoolean("BYBIT_TESTNET", get("BYBIT_TESTNET")))
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
        if (get("TELEGRAM_BOT_TOKEN") is { Length: > 0 } botToken)
            settings["Alerts:TelegramBotToken"] = botToken;
        if (get("TELEGRAM_CHAT_ID") is { Length: > 0 } chatId)
            settings["Alerts:TelegramChatId"] = chatId;
        // Checked even without REDIS_HOST: a bad value is a mistake whether or not it is used today.
        var redisPort = ReadWholeNumber("REDIS_PORT", get("REDIS_PORT"), 1, 65_535, "a TCP port from 1 to 65535 (default 6379)");
        var redisDb = ReadWholeNumber("REDIS_DB", get("REDIS_DB"), 0, int.MaxValue, "a database number of 0 or more (default 0)");
        if (get("REDIS_HOST") is { Length: > 0 } redisHost)
            settings["Store:Redis"] = RedisConnectionString(redisHost, redisPort, redisDb);
        // Apart from the connection string: a connection string cannot carry a password with a comma.
        if (get("REDIS_PASSWORD") is { Length: > 0 } redisPassword)
            settings["Store:Password"] = redisPassword;
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

    /// <summary>The original's Redis host, port and database as a StackExchange.Redis connection string (port 6379 and database 0 by default, as there).</summary>
    private static string RedisConnectionString(string host, int? port, int? database)
    {
        var options = new StackExchange.Redis.ConfigurationOptions();
        options.EndPoints.Add(host, port ?? 6379);
        if (database is { } db)
            options.DefaultDatabase = db;
        return options.ToString();
    }

    private static int? ReadWholeNumber(string variable, string? value, int min, int max, string expected)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            return number;
        throw new ConfigurationException($"{variable} must be {expected}, not '{Echo(value)}'");
    }

    private static bool ReadBoolean(string variable, string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" => false,
        "TRUE" or "1" or "YES" => true,
        "FALSE" or "0" or "NO" => false,
        _ => throw new ConfigurationException($"{variable} must be true or false (1/0, yes/no also work), not '{Echo(value)}'"),
    };

    /// <summary>The original's level names, and .NET's (which appsettings uses), as .NET's.</summary>
    private static string NormaliseLevel(string level) => level.Trim().ToUpperInvariant() switch
    {
        "TRACE" => "Trace",
        "DEBUG" => "Debug",
        "INFO" or "INFORMATION" => "Information",
        "WARNING" or "WARN" => "Warning",
        "ERROR" => "Error",
        "CRITICAL" or "FATAL" => "Critical",
        "NONE" => "None",
        _ => throw new ConfigurationException($"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL (or a .NET level: Trace, Information, None), not '{Echo(level)}'"),
    };

    // Environment values are the operator's own, but a line on the console need not carry a pasted secret in full.
    private static string Echo(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");
}
