using OptionsTracker.Book;

namespace OptionsTracker.Load;

/// <summary>
/// Exchange-to-book latency as a consumer of the book sees it: with a <see cref="BookCursor"/> (as the API's streams
/// and the Redis writer have), woken by the book's change signal, it takes the slots changed since its last pass and,
/// for every quote with a newer exchange time, records the local clock after the read minus the frame's <c>ts</c> (the
/// simulator's send time).
/// </summary>
internal static class BookLatencyProbe
{
    public static async Task<List<double>> RunAsync(OptionBook book, TimeSpan duration, CancellationToken cancellationToken)
    {
        var samples = new List<double>(1 << 20);
        var lastSeen = new Dictionary<OptionSlot, long>(ReferenceEqualityComparer.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var cursor = new BookCursor(book);
        var snapshot = cursor.TakeChanges().Changed;
        for (var i = 0; i < snapshot.Count; i++)
            lastSeen[snapshot[i]] = snapshot[i].ReadQuote().ExchangeTimeMs;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await cursor.WaitForChangeAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            var changed = cursor.TakeChanges().Changed;
            for (var i = 0; i < changed.Count; i++)
            {
                var slot = changed[i];
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
