namespace OptionsTracker.Simulator;

/// <summary>What differs between coins: spot level, volatility and the exchange's price and quantity grids.</summary>
internal sealed record CoinProfile(
    string BaseCoin, double Spot, double AtmVol, decimal TickSize, decimal MinOrderQty, decimal MaxOrderQty)
{
    /// <summary>Spot and grids near the exchange's levels; an unknown coin gets a made-up mid-priced profile.</summary>
    public static CoinProfile For(string baseCoin) => baseCoin switch
    {
        "BTC" => new("BTC", 95_000, 0.50, 5m, 0.01m, 500m),
        "ETH" => new("ETH", 3_400, 0.65, 0.1m, 0.1m, 10_000m),
        "SOL" => new("SOL", 180, 0.80, 0.01m, 1m, 50_000m),
        "XRP" => new("XRP", 2.3, 0.85, 0.0001m, 10m, 1_000_000m),
        "DOGE" => new("DOGE", 0.30, 0.95, 0.00001m, 100m, 10_000_000m),
        "MNT" => new("MNT", 1.0, 0.90, 0.0001m, 10m, 1_000_000m),
        _ => new(baseCoin, 25, 0.90, 0.001m, 1m, 100_000m),
    };
}
