namespace OptionsTracker.Feed;

/// <summary>How a venue's retry treats one failed REST call (the venue decides: <see cref="RestCallFailure"/>).</summary>
internal enum RestFailureKind
{
    /// <summary>Worth asking again after the backoff (the exchange unreachable, a timeout, a server error).</summary>
    Transient,

    /// <summary>
    /// Asked again at once: the venue's request gate holds the call, with every other one, until the exchange's pause
    /// (a ban, a credit refill) ends; the gate logged it.
    /// </summary>
    Paused,

    /// <summary>Asking again would fail the same way (a parameter refused): not retried, the exception goes to the caller.</summary>
    Permanent,
}

/// <summary>
/// A venue's reading of a failed REST call: <see cref="Kind"/>, the <see cref="Reason"/> its status and log show, and the
/// <see cref="LogKey"/> under which repeats are one fault (an HTTP status, an exception type), not the changing message.
/// </summary>
internal readonly record struct RestCallFailure(RestFailureKind Kind, string Reason, string LogKey);

/// <summary>
/// The venues' REST retry: calls until the exchange answers, with backoff and jitter (<see cref="Backoff"/>), the first
/// failure of each kind logged and then only every <see cref="Diagnostics.LogThrottle.DefaultInterval"/>. What a failure
/// means is the venue's (<paramref name="classify"/>): its protocol's errors, its bans, its URLs.
/// </summary>
internal static class RestRetry
{
    /// <param name="call">The request.</param>
    /// <param name="classify">The venue's reading of a failure; a <see cref="RestFailureKind.Permanent"/> one is rethrown.</param>
    /// <param name="failed">Told every failure that is retried (a venue keeps the last reason for its status).</param>
    /// <param name="logRetry">Writes the venue's retry line (its event id), with the delay before the next attempt.</param>
    /// <param name="backoff">The venue's retry delays.</param>
    /// <param name="time">The clock the delays run on.</param>
    /// <param name="cancellationToken">Stops retrying; cancellation is never retried.</param>
    public static async Task<T> UntilAnsweredAsync<T>(
        Func<CancellationToken, Task<T>> call,
        Func<Exception, RestCallFailure> classify,
        Action<RestCallFailure> failed,
        Action<RestCallFailure, TimeSpan> logRetry,
        Backoff backoff,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        // Retried for as long as the exchange is away: the first failure (and a new kind of one) is logged, then rarely.
        var retryLog = new Diagnostics.LogThrottle(time, Diagnostics.LogThrottle.DefaultInterval);
        while (true)
        {
            RestCallFailure failure = default;
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException
                && (failure = classify(ex)).Kind != RestFailureKind.Permanent)
            {
                failed(failure);
                if (failure.Kind == RestFailureKind.Paused)
                    continue;
                var delay = backoff.Next();
                if (retryLog.ShouldLog(failure.LogKey))
                    logRetry(failure, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }
}
