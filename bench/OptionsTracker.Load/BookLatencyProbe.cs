using OptionsTracker.Book;

namespace OptionsTracker.Load;

/// <summary>
/// Exchange-to-book latency as a consumer of the book sees it: woken by the book's change signal (as the API's streams
/// and the Redis writer are), it takes the slots changed since its last pass and, for every quote with a newer exchange
/// time, records the local clock after the read minus the frame's <c>ts</c> (the simulator's send time).
/// </summary>
internal static class BookLatencyProbe
{
    public static async Task<List<double>> RunAsync(OptionBook book, TimeSpan duration, CancellationToken cancellationToken)
    {
        var samples = new List<double>(1 << 20);
        var lastSeen = new Dictionary<OptionSlot, long>(ReferenceEqualityComparer.Instance);
        var changed = new List<OptionSlot>(4096);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var seen = book.Sequence;
        foreach (var slot in book.Index.All)
            lastSeen[slot] = slot.ReadQuote().ExchangeTimeMs;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await book.WaitForChangeAsync(seen, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var sequence = book.Sequence;
            changed.Clear();
            book.CollectChangedSince(seen, book.Index, changed);
            seen = sequence;
            foreach (var slot in changed)
            {
                var quote = slot.ReadQuote();
                var now = Clock.NowUnixMs();
                if (lastSeen.TryGetValue(slot, out var last) && quote.ExchangeTimeMs <= last)
                    continue;
                lastSeen[slot] = quote.ExchangeTimeMs;
                samples.Add(now - quote.ExchangeTimeMs);
            }
        }
        return samples;
    }
}
