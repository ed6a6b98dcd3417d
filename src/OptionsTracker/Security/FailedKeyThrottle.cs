using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Security;

/// <summary>
/// Locks out a client that keeps sending wrong keys (the <c>X-API-Key</c> header or the sign-in form):
/// <see cref="SecurityOptions.FailedKeyAttempts"/> wrong keys within <see cref="SecurityOptions.FailedKeyWindow"/>
/// lock it out for <see cref="SecurityOptions.FailedKeyLockout"/>, each further lockout twice as long up to
/// <see cref="SecurityOptions.MaxFailedKeyLockout"/>; a right key, or a quiet period as long as the longest
/// lockout, forgives. While locked out every key it sends is refused unread (429), so guessing stops.
/// The built-in rate limiter counts requests, not failures, and has no growing backoff: hence this small
/// table. Any thread may call; each client's entry has its own lock.
/// </summary>
internal sealed class FailedKeyThrottle(IOptions<SecurityOptions> options, TimeProvider time, ILogger<FailedKeyThrottle> logger)
{
    // Stale entries are swept when the table grows past this, at most once per sweep interval, so a spray of
    // addresses costs memory only for as long as their failures still count.
    private const int SweepAbove = 1_000;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<IPAddress, Client> _clients = new();
    private long _nextSweepTicks;

    /// <summary>Whether <paramref name="client"/> is locked out now, and for how much longer.</summary>
    public bool IsLockedOut(IPAddress client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (_clients.IsEmpty || !_clients.TryGetValue(client, out var state))
            return false;
        var now = time.GetUtcNow();
        lock (state)
        {
            if (state.LockedUntil <= now)
                return false;
            retryAfter = state.LockedUntil - now;
            return true;
        }
    }

    /// <summary>Counts a wrong key; returns the lockout it starts, or <see cref="TimeSpan.Zero"/>.</summary>
    public TimeSpan Failed(IPAddress client)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        Sweep(now, settings);
        var state = _clients.GetOrAdd(client, static _ => new Client());
        TimeSpan lockout;
        lock (state)
        {
            if (state.Lockouts > 0 && now - state.LockedUntil >= settings.MaxFailedKeyLockout)
                state.Lockouts = 0;
            if (now - state.WindowStart >= settings.FailedKeyWindow)
            {
                state.WindowStart = now;
                state.Failures = 0;
            }
            if (++state.Failures < settings.FailedKeyAttempts)
                return TimeSpan.Zero;
            var doubling = Math.Min(state.Lockouts, 30);
            lockout = TimeSpan.FromTicks(Math.Min(settings.FailedKeyLockout.Ticks * (1L << doubling), settings.MaxFailedKeyLockout.Ticks));
            state.Lockouts++;
            state.Failures = 0;
            state.LockedUntil = now + lockout;
            // Failures after the lockout start a new window.
            state.WindowStart = state.LockedUntil;
        }
        Log.ClientLockedOut(logger, client, settings.FailedKeyAttempts, lockout);
        return lockout;
    }

    /// <summary>A right key: the client's earlier failures no longer count.</summary>
    public void Succeeded(IPAddress client)
    {
        if (!_clients.IsEmpty)
            _clients.TryRemove(client, out _);
    }

    private void Sweep(DateTimeOffset now, SecurityOptions settings)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        // One caller sweeps; the others go on.
        if (now.UtcTicks < due || _clients.Count <= SweepAbove
            || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due)
            return;
        foreach (var (address, state) in _clients)
        {
            bool stale;
            lock (state)
                stale = now - state.WindowStart >= settings.FailedKeyWindow && now - state.LockedUntil >= settings.MaxFailedKeyLockout;
            if (stale)
                _clients.TryRemove(new KeyValuePair<IPAddress, Client>(address, state));
        }
    }

    private sealed class Client
    {
        public int Failures;
        public DateTimeOffset WindowStart;
        public DateTimeOffset LockedUntil;
        public int Lockouts;
    }
}
