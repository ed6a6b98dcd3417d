namespace OptionsTracker.Deribit;

/// <summary>A JSON-RPC error from Deribit: <c>{"error":{"code":…,"message":…,"data":{…}}}</c>.</summary>
public sealed class DeribitApiException(int code, string message) : Exception($"Deribit error {code}: {message}")
{
    /// <summary><c>too_many_requests</c>: the account's request credits are used up.</summary>
    public const int TooManyRequests = 10028;

    public int Code { get; } = code;

    public bool IsTooManyRequests => Code == TooManyRequests;

    /// <summary>
    /// The request itself is wrong (JSON-RPC's invalid request, unknown method, invalid params; Deribit's bad_arguments
    /// 10019 and not_found 13020): asking again would fail the same way.
    /// </summary>
    public bool IsParameterError => Code is -32600 or -32601 or -32602 or 10019 or 13020;
}
