using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// Checks <c>Store:Redis</c> at start-up the way the multiplexer will read it, so a malformed connection string
/// stops the process with one line naming the setting instead of a stack trace from a background service.
/// The line never repeats the whole string: it may hold a password.
/// </summary>
internal sealed class RedisConnectionStringValidator : IValidateOptions<StoreOptions>
{
    private const string Setting = $"{StoreOptions.Section}:{nameof(StoreOptions.Redis)}";
    private const string Shape = "Use host:port endpoints and option=value pairs separated by commas, e.g. redis:6379,defaultDatabase=0 (legacy: REDIS_HOST, REDIS_PORT, REDIS_DB)";

    public ValidateOptionsResult Validate(string? name, StoreOptions options) =>
        string.IsNullOrWhiteSpace(options.Redis) || Describe(options.Redis) is not { } problem
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{Setting} {problem}. {Shape}");

    /// <summary>What is wrong with the connection string, or null when the multiplexer can use it.</summary>
    internal static string? Describe(string connectionString)
    {
        // Parse silently drops an endpoint it cannot read ("127.0.0.1:notaport"), so endpoints are checked one by one.
        foreach (var part in connectionString.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Contains('='))
                continue;
            try
            {
                new ConfigurationOptions().EndPoints.Add(part);
            }
            catch (ArgumentException)
            {
                return $"has '{Echo(part)}', which is not a host:port endpoint";
            }
        }
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException e)
        {
            // StackExchange.Redis names the keyword and, for numbers, the value ("Keyword 'connectTimeout' requires an integer value; the value 'abc' is not recognised.").
            var message = e.Message;
            var parameter = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
            return "is not a Redis connection string: " + (parameter > 0 ? message[..parameter] : message).TrimEnd('.');
        }
        return parsed.EndPoints.Count == 0 ? "names no endpoint" : null;
    }

    private static string Echo(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}
