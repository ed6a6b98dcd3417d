namespace OptionsTracker.Simulator;

/// <summary>How <see cref="SimulatorFaults.FailNextRestRequests"/> fails a REST request.</summary>
public enum RestFailure
{
    /// <summary>HTTP 429: Bybit's system-level protection; retry with backoff.</summary>
    Http429,

    /// <summary>HTTP 403: Bybit's IP rate limit ban ("access too frequent").</summary>
    Http403,

    /// <summary>HTTP 200 with retCode 10006, too many visits.</summary>
    RetCode10006,

    /// <summary>HTTP 200 with retCode 10016, server error.</summary>
    RetCode10016,

    /// <summary>HTTP 200 with retCode 10001, request parameter error: not transient, retrying the same request cannot help.</summary>
    RetCode10001,
}
