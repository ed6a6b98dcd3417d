using OptionsTracker.Book;
using OptionsTracker.Feed;
using OptionsTracker.Measures;

namespace OptionsTracker.Bybit;

/// <summary>
/// What Bybit serves of the past, for the history's backfill: realised volatility (<c>/v5/market/historical-volatility</c>,
/// hourly, the last 2 years, at most 30 days per request: docs/v5/market/iv.mdx) and settlement history
/// (<c>/v5/market/new-delivery-price</c>, the newest 50 deliveries per coin). Every call goes through the client's
/// <see cref="RestGate"/>, so an IP ban pauses the backfill with every other request.
/// </summary>
public sealed class BybitVenueHistory(BybitRestClient client) : IVenueHistory
{
    public Venue Venue => Venue.Bybit;

    public IReadOnlyList<int> RealisedVolatilityPeriods => RealisedVolatilityPoller.Periods;

    /// <summary>"This endpoint can query the last 2 years worth of data" (iv.mdx); 730 days, a day short of any leap-year doubt.</summary>
    public TimeSpan RealisedVolatilityDepth { get; } = TimeSpan.FromDays(729);

    /// <summary>"make sure [endTime - startTime] &lt;= 30 days" (iv.mdx).</summary>
    public TimeSpan RealisedVolatilityWindow { get; } = TimeSpan.FromDays(30);

    /// <summary>As the live poller's: at most 10 a second, a twelfth of Bybit's 600 per 5 s per IP.</summary>
    public TimeSpan RequestSpacing => RealisedVolatilityPoller.RequestSpacing;

    public Task<IReadOnlyList<RealisedVolatilityPoint>?> RealisedVolatilityAsync(
        string coin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        client.GetHistoricalVolatilityRangeAsync(coin, periodDays, from, to, cancellationToken);

    public async Task<IReadOnlyList<VenueSettlement>> SettlementsAsync(string coin, CancellationToken cancellationToken)
    {
        var history = await client.GetSettlementHistoryAsync(coin, cancellationToken);
        return [.. history.Select(p => new VenueSettlement(DateTimeOffset.FromUnixTimeMilliseconds(p.Key), p.Value))];
    }
}
