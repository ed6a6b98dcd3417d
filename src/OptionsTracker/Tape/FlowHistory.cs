namespace OptionsTracker.Tape;

/// <summary>
/// Where <see cref="FlowReader"/> reads trades older than the tape holds: the history's recorded trades
/// (<c>IHistoryStore.TradesAsync</c>, adapted in the API's folder, since the history builds on the tape and not the other
/// way round). Not registered, or <see cref="IsAvailable"/> false, when the tracker records no history.
/// </summary>
public interface IFlowHistory
{
    /// <summary>False when there is no history to read (<c>History:Enabled=false</c>).</summary>
    bool IsAvailable { get; }

    /// <summary>The coin's recorded trades with a time in [from, to], oldest first (exchange order), at most <paramref name="limit"/> (the oldest).</summary>
    Task<IReadOnlyList<Trade>> TradesAsync(string coin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);
}
