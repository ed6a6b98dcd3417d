using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Deribit;

/// <summary>
/// The one door every request to Deribit goes through, REST and WebSocket alike, so the account's credits are spent at
/// one pace and an error 10028 <c>too_many_requests</c> stops all of them at once. Deribit answers 10028 when the credits
/// are used up, "and terminate[s] the session"; the credits refill continuously (docs/venues.md): every caller then waits
/// here for <see cref="DeribitOptions.TooManyRequestsPause"/>, doubled for a repeat within a pause's length after the
/// last, and every connection reconnects only after it. Background callers wait; an interactive one
/// (<see cref="ThrowIfPaused"/>) is refused at once. Thread-safe.
/// </summary>
public sealed class DeribitRequestGate : IDisposable
{
    private readonly TimeProvider _time;
    private readonly DeribitOptions _options;
    private readonly ILogger<DeribitRequestGate> _logger;
    private readonly TokenBucketRateLimiter _pace;
    // get_instruments has its own, stricter limit: 1 per 10 s with a burst of 5.
    private readonly TokenBucketRateLimiter _instrumentsPace;
    // public/subscribe and unsubscribe cost more credits than other requests: their own, slower pace.
    private readonly TokenBucketRateLimiter _subscribePace;
    private readonly Lock _lock = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private TimeSpan _lastPause = TimeSpan.Zero;
    private long _refusals;
    private bool _pauseLogged;

    public DeribitRequestGate(TimeProvider time, IOptions<DeribitOptions> options, ILogger<DeribitRequestGate> logger)
    {
        _time = time;
        _options = options.Value;
        _logger = logger;
        var perSecond = _options.RequestsPerSecond;
        // Up to 10 per second, one token per 1/rate s; above, refilled in 100 ms steps (timers are not finer than that).
        var (period, tokens) = perSecond <= 10
            ? (TimeSpan.FromSeconds(1 / perSecond), 1)
            : (TimeSpan.FromMilliseconds(100), (int)Math.Round(perSecond / 10));
        _pace = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _options.RequestBurst,
            ReplenishmentPeriod = period,
            TokensPerPeriod = tokens,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        _subscribePace = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _options.SubscribeBurst,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1 / _options.SubscribesPerSecond),
            TokensPerPeriod = 1,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        _instrumentsPace = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 5,
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            TokensPerPeriod = 1,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>The end of the current pause, or null while requests may go out.</summary>
    public DateTimeOffset? PausedUntil
    {
        get
        {
            lock (_lock)
                return _pausedUntil > _time.GetUtcNow() ? _pausedUntil : null;
        }
    }

    /// <summary>How many 10028 answers Deribit has given since start.</summary>
    public long Refusals => Interlocked.Read(ref _refusals);

    /// <summary>Waits out a pause, then for the request's turn in the pace.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken, RequestKind kind = RequestKind.Ordinary)
    {
        await WaitPauseAsync(cancellationToken);
        if (kind == RequestKind.Instruments)
            (await _instrumentsPace.AcquireAsync(1, cancellationToken)).Dispose();
        else if (kind == RequestKind.Subscribe)
            (await _subscribePace.AcquireAsync(1, cancellationToken)).Dispose();
        (await _pace.AcquireAsync(1, cancellationToken)).Dispose();
        // A pause that began while this request queued for its turn holds it too.
        await WaitPauseAsync(cancellationToken);
    }

    /// <summary>Waits while a pause is on (for a connection about to reconnect).</summary>
    public async ValueTask WaitPauseAsync(CancellationToken cancellationToken)
    {
        while (PausedUntil is { } until)
        {
            var wait = until - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _time, cancellationToken);
        }
        bool over;
        lock (_lock)
        {
            over = _pauseLogged;
            _pauseLogged = false;
        }
        if (over)
            Log.RequestsResumed(_logger);
    }

    /// <summary>Refuses at once while paused: for callers that must not hang (a page asking whether a coin is listed).</summary>
    public void ThrowIfPaused()
    {
        if (PausedUntil is { } until)
            throw new DeribitApiException(DeribitApiException.TooManyRequests, $"too_many_requests: Deribit's request credits are used up; requests resume at {until:HH:mm:ss} UTC");
    }

    /// <summary>
    /// Records a 10028: every request pauses from now for the configured pause, doubled when the last pause ended less
    /// than its own length ago (the credits had not refilled). Logged once per pause.
    /// </summary>
    public DateTimeOffset TooManyRequests(string where)
    {
        Interlocked.Increment(ref _refusals);
        var now = _time.GetUtcNow();
        DateTimeOffset until;
        bool log;
        lock (_lock)
        {
            if (_pausedUntil > now)
                return _pausedUntil; // the same episode: one answer per request in flight
            var pause = _lastPause > TimeSpan.Zero && now - _pausedUntil < _lastPause
                ? TimeSpan.FromTicks(Math.Min(_lastPause.Ticks * 2, _options.MaxTooManyRequestsPause.Ticks))
                : _options.TooManyRequestsPause;
            _lastPause = pause;
            _pausedUntil = until = now + pause;
            log = !_pauseLogged;
            _pauseLogged = true;
        }
        if (log)
            Log.TooManyRequests(_logger, where, until, until - now);
        return until;
    }

    public void Dispose()
    {
        _pace.Dispose();
        _instrumentsPace.Dispose();
        _subscribePace.Dispose();
    }
}

/// <summary>Which pace a request keeps besides the common one.</summary>
public enum RequestKind : byte
{
    Ordinary,

    /// <summary><c>public/get_instruments</c> (1 per 10 s, burst 5).</summary>
    Instruments,

    /// <summary><c>public/subscribe</c> and <c>public/unsubscribe</c> (<see cref="DeribitOptions.SubscribesPerSecond"/>).</summary>
    Subscribe,
}
