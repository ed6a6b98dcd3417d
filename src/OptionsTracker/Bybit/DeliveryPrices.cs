namespace OptionsTracker.Bybit;

/// <summary>
/// Settlement prices of one coin's delivered options: per symbol (delivery-price) and per delivery time
/// (new-delivery-price, and delivery-price's own items). Every option of a coin and delivery time settles at the same
/// price (the index's average before 08:00 UTC), so a symbol missing from the first is priced from the second.
/// </summary>
public sealed record DeliveryPrices(IReadOnlyDictionary<string, double> BySymbol, IReadOnlyDictionary<long, double> ByDeliveryTime)
{
    /// <summary>The price of an option delivered at <paramref name="deliveryUtc"/>, or NaN when Bybit gave none yet.</summary>
    public double PriceOf(string symbol, DateTimeOffset deliveryUtc) =>
        BySymbol.TryGetValue(symbol, out var price) ? price
        : ByDeliveryTime.TryGetValue(deliveryUtc.ToUnixTimeMilliseconds(), out price) ? price
        : double.NaN;
}
