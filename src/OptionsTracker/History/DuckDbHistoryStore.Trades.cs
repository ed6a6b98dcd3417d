using OptionsTracker.Tape;

namespace OptionsTracker.History;

// PLACEHOLDER of the trade seam (issue 17): replaced whole by the trades table of this store.
public sealed partial class DuckDbHistoryStore
{
    public Task WriteTradesAsync(IReadOnlyList<Trade> trades, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Trades are not recorded by this store yet.");

    public Task<IReadOnlyList<Trade>> TradesAsync(string coin, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Trades are not recorded by this store yet.");
}
