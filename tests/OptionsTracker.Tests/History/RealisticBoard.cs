using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// A board that moves like Bybit's, minute by minute, for measuring what a day of history costs on disk: every option's
/// mark, IVs, Greeks and bid/ask change every minute (the underlying and the smile move), open interest, sizes and
/// volumes change now and then (a trade, a new quote), and every value has the exchange's own number of decimals
/// (Bybit's option tickers: prices on the tick, mark price and Greeks with 8 decimals, IVs with 4, index with 2).
/// Deterministic for a seed. Not the history generator (that one builds 30 days for the benchmarks); this one only
/// needs to be honest about how values change.
/// </summary>
internal sealed class RealisticBoard
{
    private readonly Random _random;
    private readonly List<Option> _options = [];
    private readonly Dictionary<string, CoinState> _coins = [];

    public RealisticBoard(int optionCount, DateTimeOffset start, int seed = 11)
    {
        _random = new Random(seed);
        Time = start;
        // BTC half of the board, ETH three eighths, SOL the rest, as on Bybit; 10 expiries from 1 to 180 days.
        (string Coin, double Spot, double Tick, double Step, double Share)[] coins =
            [("BTC", 100_000, 5, 0.01, 0.5), ("ETH", 3_500, 0.1, 0.1, 0.375), ("SOL", 200, 0.01, 1, 0.125)];
        int[] days = [1, 2, 3, 7, 14, 28, 56, 91, 119, 180];
        foreach (var (coin, spot, tick, step, share) in coins)
        {
            _coins[coin] = new CoinState { Index = spot, AtmVol = 0.5 };
            var perExpiry = (int)(optionCount * share / days.Length / 2);
            foreach (var d in days)
            {
                var expiry = DateOnly.FromDateTime(start.UtcDateTime).AddDays(d);
                var width = 0.08 * Math.Sqrt(d) + 0.1;
                for (var k = 0; k < perExpiry; k++)
                {
                    var strike = RoundStrike(spot * (1 - width + 2 * width * k / Math.Max(1, perExpiry - 1)), spot);
                    foreach (var type in new[] { 'C', 'P' })
                    {
                        var instrument = BookBuilder.Create(coin, expiry, (decimal)strike, type, tick, step);
                        if (_options.Any(o => o.Instrument.Key == instrument.Key))
                            continue;
                        _options.Add(new Option(instrument, d, _random.NextDouble()));
                    }
                }
            }
        }
        foreach (var option in _options)
        {
            option.OpenInterest = Math.Round(_random.NextDouble() * 500, 2);
            option.TotalVolume = Math.Round(option.OpenInterest * 3, 2);
            option.BidSize = Math.Round(_random.NextDouble() * 50, 2);
            option.AskSize = Math.Round(_random.NextDouble() * 50, 2);
        }
        Step(TimeSpan.Zero);
    }

    public DateTimeOffset Time { get; private set; }

    public int Count => _options.Count;

    public BoardSnapshot Snapshot { get; } = new();

    /// <summary>Moves the market on by <paramref name="elapsed"/> and fills <see cref="Snapshot"/> with the board then.</summary>
    public void Step(TimeSpan elapsed)
    {
        Time += elapsed;
        var minutes = elapsed.TotalMinutes;
        foreach (var (_, state) in _coins)
        {
            // About 50 % a year for the underlying, a slowly wandering ATM vol.
            state.Index *= Math.Exp(0.5 / Math.Sqrt(525_600) * Gaussian() * Math.Sqrt(minutes));
            state.AtmVol = Math.Clamp(state.AtmVol + 0.0005 * Gaussian() * Math.Sqrt(minutes), 0.2, 1.5);
        }
        var now = Time.ToUnixTimeMilliseconds();
        Snapshot.Clear();
        Snapshot.Time = Time;
        foreach (var option in _options)
        {
            var coin = _coins[option.Instrument.BaseCoin];
            var years = Math.Max((option.Instrument.ExpiryUtc - Time).TotalDays, 0.01) / 365;
            var index = Math.Round(coin.Index, 2);
            var forward = Math.Round(coin.Index * (1 + 0.05 * years), 2);
            var moneyness = Math.Log(option.Instrument.StrikeValue / forward) / Math.Sqrt(years);
            var vol = Math.Max(0.1, coin.AtmVol + 0.15 * moneyness * moneyness - 0.05 * moneyness + 0.02 * option.Quirk);
            var type = option.Instrument.Type;
            var mark = Math.Max(Black76.Price(forward, option.Instrument.StrikeValue, years, vol, type), 0);
            var greeks = Black76.Greeks(forward, option.Instrument.StrikeValue, years, vol, type);
            var tick = option.Instrument.TickSize;
            var spread = Math.Max(tick, mark * 0.03);
            var quote = new OptionQuote { Values = QuoteValues.AllMissing(), DeliveryPrice = double.NaN, Status = ListingStatus.Trading };
            // A trade now and then moves last price, volumes and open interest; quotes' sizes change more often.
            if (_random.NextDouble() < 0.02)
            {
                var size = Math.Round(_random.NextDouble() * 5 + 0.01, 2);
                option.LastPrice = Math.Round(mark / tick) * tick;
                option.Volume24h = Math.Round(option.Volume24h + size, 2);
                option.TotalVolume = Math.Round(option.TotalVolume + size, 2);
                option.Turnover24h = Math.Round(option.Turnover24h + size * index, 4);
                option.OpenInterest = Math.Round(Math.Max(0, option.OpenInterest + (_random.NextDouble() < 0.5 ? size : -size)), 2);
                option.High24h = Math.Max(option.High24h, option.LastPrice);
                option.Low24h = option.Low24h == 0 ? option.LastPrice : Math.Min(option.Low24h, option.LastPrice);
            }
            if (_random.NextDouble() < 0.2)
                option.BidSize = Math.Round(_random.NextDouble() * 50, 2);
            if (_random.NextDouble() < 0.2)
                option.AskSize = Math.Round(_random.NextDouble() * 50, 2);
            var bid = Math.Max(0, Math.Floor((mark - spread) / tick) * tick);
            var ask = Math.Ceiling((mark + spread) / tick) * tick;
            Set(ref quote, QuoteField.BidPrice, bid);
            Set(ref quote, QuoteField.BidSize, bid > 0 ? option.BidSize : 0);
            Set(ref quote, QuoteField.BidIv, bid > 0 ? Math.Round(vol - 0.03, 4) : 0);
            Set(ref quote, QuoteField.AskPrice, ask);
            Set(ref quote, QuoteField.AskSize, option.AskSize);
            Set(ref quote, QuoteField.AskIv, Math.Round(vol + 0.03, 4));
            Set(ref quote, QuoteField.LastPrice, option.LastPrice);
            Set(ref quote, QuoteField.HighPrice24h, option.High24h);
            Set(ref quote, QuoteField.LowPrice24h, option.Low24h);
            Set(ref quote, QuoteField.MarkPrice, Math.Round(mark, 8));
            Set(ref quote, QuoteField.IndexPrice, index);
            Set(ref quote, QuoteField.MarkIv, Math.Round(vol, 4));
            Set(ref quote, QuoteField.UnderlyingPrice, forward);
            Set(ref quote, QuoteField.OpenInterest, option.OpenInterest);
            Set(ref quote, QuoteField.Turnover24h, option.Turnover24h);
            Set(ref quote, QuoteField.Volume24h, option.Volume24h);
            Set(ref quote, QuoteField.TotalVolume, option.TotalVolume);
            Set(ref quote, QuoteField.TotalTurnover, Math.Round(option.TotalVolume * 90_000, 4));
            Set(ref quote, QuoteField.Delta, Math.Round(greeks.Delta, 8));
            Set(ref quote, QuoteField.Gamma, Math.Round(greeks.Gamma, 8));
            Set(ref quote, QuoteField.Vega, Math.Round(greeks.Vega, 8));
            Set(ref quote, QuoteField.Theta, Math.Round(greeks.Theta, 8));
            Set(ref quote, QuoteField.PredictedDeliveryPrice, 0);
            Set(ref quote, QuoteField.Change24h, option.Low24h == 0 ? 0 : Math.Round(option.LastPrice / option.Low24h - 1, 8));
            // Bybit pushes each option's ticker several times a second: the last push is within the second before.
            quote.ExchangeTimeMs = now - _random.Next(0, 1000);
            quote.ReceivedAtMs = quote.ExchangeTimeMs + _random.Next(2, 40);
            Snapshot.Quotes.Add(new RecordedQuote(option.Instrument, quote, Changed: true));
            if (!Snapshot.Coins.Contains(option.Instrument.BaseCoin))
                Snapshot.Coins.Add(option.Instrument.BaseCoin);
        }
        foreach (var (coin, state) in _coins)
        {
            Snapshot.Measures.Add(new RecordedMeasure(coin, "index_price", Math.Round(state.Index, 2)));
            Snapshot.Measures.Add(new RecordedMeasure(coin, "atm_iv_30d", state.AtmVol));
        }
    }

    private static void Set(ref OptionQuote quote, QuoteField field, double value) => quote.Values[(int)field] = value;

    private static double RoundStrike(double strike, double spot)
    {
        var step = spot >= 10_000 ? 500 : spot >= 1_000 ? 25 : 1;
        return Math.Max(step, Math.Round(strike / step) * step);
    }

    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    private sealed class CoinState
    {
        public double Index;
        public double AtmVol;
    }

    private sealed class Option(OptionInstrument instrument, int days, double quirk)
    {
        public OptionInstrument Instrument { get; } = instrument;
        public int Days { get; } = days;
        public double Quirk { get; } = quirk;
        public double OpenInterest, TotalVolume, Volume24h, Turnover24h, BidSize, AskSize, LastPrice, High24h, Low24h;
    }
}
