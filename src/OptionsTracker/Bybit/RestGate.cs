namespace OptionsTracker.Bybit;

/// <summary>
/// The one door every REST call to Bybit goes through, so an IP ban stops all of them at once. Bybit answers HTTP 403
/// "access too frequent" past its IP limit (600 requests per 5 s) and asks clients to "terminate all HTTP sessions and
/// wait for at least 10 minutes" (docs/v5/rate-limit/rate-limit.mdx, verified 2026-07-24): a call that keeps going while
/// another waits would only prolong the ban. Background callers (bootstraps, snapshot loops, refreshes, delivery prices)
/// wait here until the pause ends; an interactive caller (the dashboard's asset check) is refused at once instead.
/// Thread-safe; the ban end is one atomic value.
/// </summary>
public sealed class RestGate(TimeProvider time, Microsoft.Extensions.Options.IOptions<BybitOptions> options, ILogger<RestGate> logger)
{
    // UTC ticks of the ban's end; 0 when never banned. Only ever moved later while a ban is on.
    private long _banUntilTicks;
    private int _banLogged;

    /// <summary>The end of the current ban, or null when REST calls may go out.</summary>
    public DateTimeOffset? BannedUntil
    {
        get
        {
            var until = Interlocked.Read(ref _banUntilTicks);
            return until > time.GetUtcNow().UtcTicks ? new DateTimeOffset(until, TimeSpan.Zero) : null;
        }
    }

    /// <summary>Waits while a ban is on (a ban that starts during the wait extends it).</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (BannedUntil is { } until)
        {
            var wait = until - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, time, cancellationToken);
        }
        if (Volatile.Read(ref _banLogged) == 1 && Interlocked.Exchange(ref _banLogged, 0) == 1)
            Log.IpBanOver(logger);
    }

    /// <summary>Refuses at once while a ban is on: for callers that must not hang for minutes.</summary>
    public void ThrowIfBanned(string url)
    {
        if (BannedUntil is { } until)
            throw new BybitHttpException(403, url, until);
    }

    /// <summary>
    /// Records an HTTP 403: every caller pauses for <see cref="BybitOptions.IpBanBackoff"/> from now. Logged once per ban,
    /// however many calls were answered 403 while it lasts.
    /// </summary>
    public DateTimeOffset Ban(string url)
    {
        var until = time.GetUtcNow() + options.Value.IpBanBackoff;
        long current;
        do
        {
            current = Interlocked.Read(ref _banUntilTicks);
            if (current >= until.UtcTicks)
                return new DateTimeOffset(current, TimeSpan.Zero);
        }
        while (Interlocked.CompareExchange(ref _banUntilTicks, until.UtcTicks, current) != current);
        if (Interlocked.Exchange(ref _banLogged, 1) == 0)
            Log.IpBanned(logger, url, until, options.Value.IpBanBackoff);
        return until;
    }
}
