namespace OptionsTracker.Bybit;

/// <summary>Bybit answered with a non-zero <c>retCode</c> (10001 parameter error, 10006 too many visits, …).</summary>
public sealed class BybitApiException(int retCode, string retMsg, string? request = null)
    : Exception(request is null ? $"Bybit retCode {retCode}: {retMsg}" : $"Bybit retCode {retCode} for {request}: {retMsg}")
{
    public int RetCode { get; } = retCode;
    public string RetMsg { get; } = retMsg;

    /// <summary>The request's path and query, when known.</summary>
    public string? Request { get; } = request;

    /// <summary>10001, a request parameter error: the same request fails the same way, so it is never retried as it is.</summary>
    public bool IsParameterError => RetCode == 10001;
}

/// <summary>Bybit answered an HTTP status that is not 200 (403 IP ban, 429 system protection, 5xx).</summary>
public sealed class BybitHttpException(int statusCode, string url, DateTimeOffset? bannedUntil = null)
    : Exception(bannedUntil is { } until
        ? $"Bybit has banned this IP (HTTP 403, too many requests) until {until:HH:mm:ss} UTC; no REST call before then ({url})"
        : $"Bybit answered HTTP {statusCode} for {url}")
{
    public int StatusCode { get; } = statusCode;

    /// <summary>For a 403: when the REST pause ends.</summary>
    public DateTimeOffset? BannedUntil { get; } = bannedUntil;

    /// <summary>HTTP 403: Bybit's IP ban (rate-limit/rate-limit.mdx).</summary>
    public bool IsIpBan => StatusCode == 403;
}
