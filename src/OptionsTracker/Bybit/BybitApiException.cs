namespace OptionsTracker.Bybit;

/// <summary>Bybit answered with a non-zero <c>retCode</c> (10001 parameter error, 10006 too many visits, …).</summary>
public sealed class BybitApiException(int retCode, string retMsg)
    : Exception($"Bybit retCode {retCode}: {retMsg}")
{
    public int RetCode { get; } = retCode;
    public string RetMsg { get; } = retMsg;

    /// <summary>10006 (too many visits), 10000 (server timeout) and 10016 (server error) are worth retrying.</summary>
    public bool IsTransient => RetCode is 10006 or 10000 or 10016;
}

/// <summary>Bybit answered an HTTP status that is not 200 (403 IP ban, 429 system protection, 5xx).</summary>
public sealed class BybitHttpException(int statusCode, string url)
    : Exception($"Bybit answered HTTP {statusCode} for {url}")
{
    public int StatusCode { get; } = statusCode;
}
