namespace OptionsTracker.Api;

/// <summary>
/// How many more messages a <c>/ws</c> client may send: a token bucket of <see cref="ApiOptions.WsMaxMessagesPerSecond"/>
/// tokens, refilled at that rate, so a burst of as many is fine and a flood is not. Each message may cost the server a
/// snapshot, so without it 33 KB of subscribes bought a gigabyte of replies. One socket, its receive loop only.
/// </summary>
internal sealed class WebSocketMessageAllowance(int perSecond, TimeProvider time)
{
    private double _tokens = perSecond;
    private long _last = time.GetTimestamp();

    public int PerSecond => perSecond;

    /// <summary>Takes a message's token; false when the client sent more than the limit allows.</summary>
    public bool TryTake()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(perSecond, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * perSecond);
        _last = now;
        if (_tokens < 1)
            return false;
        _tokens--;
        return true;
    }
}
