using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>
/// The boards of every coin and the model that moves them: each coin's index follows a seeded random walk, and each
/// option's mark, IV and Greeks come from Black-76 on the expiry's forward with a smile (skew and convexity) and a
/// term structure. All writes happen under one lock, from the step timer or the public test controls.
/// </summary>
internal sealed partial class SimulatedMarket : IDisposable
{
    /// <summary>How often the index walks and the boards are recomputed (several pushes see each value move).</summary>
    private static readonly TimeSpan StepInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Annual basis of the forward over the index (crypto futures trade in contango).</summary>
    private const double Basis = 0.03;

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly CoinBoard[] _boards;
    private readonly ConcurrentDictionary<string, InstrumentState> _bySymbol = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (double Price, long DeliveryTimeMs)> _delivered = new(StringComparer.Ordinal);
    private ITimer? _timer;
    private int _nextSymbolId = 1001;
    private int _listings;
    private DateTimeOffset _lastStep;
    private readonly bool _external;

    public SimulatedMarket(SimulatorOptions options, ILogger logger)
    {
        _time = options.TimeProvider;
        _logger = logger;
        _random = new Random(options.Seed);
        _boards = [.. options.BaseCoins.Select(c => c.Trim().ToUpperInvariant()).Distinct().Select(c => new CoinBoard(CoinProfile.For(c)))];

        var now = _time.GetUtcNow();
        _lastStep = now;
        _external = options.ExternalMarket;
        if (_external)
            return; // Played from outside (Play): nothing is listed until the first frame.
        var expiries = ExpiryCalendar.Expiries(now);
        double scale = options.TargetInstrumentCount is int target
            ? StrikeGrid.ScaleFor([.. _boards.Select(b => b.Profile)], expiries, now, target)
            : 1;

        lock (_gate)
        {
            foreach (var board in _boards)
            {
                var listed = new List<InstrumentState>();
                foreach (var (deliveryTime, kind) in expiries)
                {
                    decimal step = StrikeGrid.Step(board.Profile, kind, scale);
                    foreach (decimal strike in StrikeGrid.Strikes(board.Profile, StrikeGrid.Years(deliveryTime, now), step))
                    {
                        listed.Add(CreateInstrument(board, deliveryTime, kind, step, strike, isCall: true, now));
                        listed.Add(CreateInstrument(board, deliveryTime, kind, step, strike, isCall: false, now));
                    }
                }

                if (options.LegacyUsdcOptions)
                {
                    // Bybit's older USDC-settled options (no -USDT suffix) beside the USDT ones, on the farthest
                    // expiry's grid: the same strikes under two symbols, so a client must keep them apart.
                    var (deliveryTime, kind) = expiries[^1];
                    decimal step = StrikeGrid.Step(board.Profile, kind, scale);
                    foreach (decimal strike in StrikeGrid.Strikes(board.Profile, StrikeGrid.Years(deliveryTime, now), step))
                    {
                        listed.Add(CreateInstrument(board, deliveryTime, kind, step, strike, isCall: true, now, legacyUsdc: true));
                        listed.Add(CreateInstrument(board, deliveryTime, kind, step, strike, isCall: false, now, legacyUsdc: true));
                    }
                }

                board.Listing = board.Listing with { Listed = [.. listed] };
                RecomputeBoard(board, now);
            }
        }
    }

    public IReadOnlyList<CoinBoard> Boards => _boards;

    /// <summary>The clock the market steps on (a Deribit simulator over this market keeps its time).</summary>
    public TimeProvider Time => _time;

    public int InstrumentCount => _bySymbol.Count;

    /// <summary>
    /// Starts the market steps. The timer is one-shot and re-armed after each step: a test clock advanced by hours then
    /// runs one step, not one per elapsed interval.
    /// </summary>
    public void Start()
    {
        if (_external)
            return; // Nothing moves on its own: every change comes from Play.
        _timer = _time.CreateTimer(static state => ((SimulatedMarket)state!).StepSafely(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan); // state is this
        _timer.Change(StepInterval, Timeout.InfiniteTimeSpan);
    }


    public CoinBoard? FindBoard(string baseCoin)
    {
        foreach (var board in _boards)
        {
            if (string.Equals(board.BaseCoin, baseCoin, StringComparison.OrdinalIgnoreCase))
                return board;
        }

        return null;
    }

    public CoinBoard GetBoard(string baseCoin) =>
        FindBoard(baseCoin) ?? throw new ArgumentException($"'{baseCoin}' is not one of the simulator's base coins ({string.Join(", ", _boards.Select(b => b.BaseCoin))}).", nameof(baseCoin));

    /// <summary>A listed option by symbol; delivered and unknown symbols are not found.</summary>
    public bool TryGetListed(string symbol, out InstrumentState instrument) =>
        _bySymbol.TryGetValue(symbol, out instrument!); // Not null when found; callers check the result.

    public void SetIndexPrice(string baseCoin, double price)
    {
        if (!double.IsFinite(price) || price <= 0)
            throw new ArgumentOutOfRangeException(nameof(price), price, "The index price must be positive.");
        var board = GetBoard(baseCoin);
        lock (_gate)
        {
            board.Index = price;
            foreach (var instrument in board.Listed)
                instrument.PinnedMark = double.NaN;
            RecomputeBoard(board, _time.GetUtcNow());
        }
    }

    public void SetMarkPrice(string symbol, double markPrice)
    {
        if (!double.IsFinite(markPrice) || markPrice < 0)
            throw new ArgumentOutOfRangeException(nameof(markPrice), markPrice, "The mark price must be zero or positive.");
        if (!TryGetListed(symbol, out var instrument))
            throw new ArgumentException($"'{symbol}' is not a listed option.", nameof(symbol));
        var board = GetBoard(instrument.Info.BaseCoin);
        lock (_gate)
        {
            instrument.PinnedMark = markPrice;
            Recompute(board, instrument, _time.GetUtcNow());
        }
    }

    /// <summary>Lists one new option: alternately a new strike above the nearest expiry's grid and a new far expiry.</summary>
    public string ListNewInstrument(string baseCoin)
    {
        var board = GetBoard(baseCoin);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var listed = board.Listed;
            InstrumentState created;
            bool newStrike = _listings++ % 2 == 0 && listed.Length > 0;
            if (newStrike)
            {
                long nearest = listed.Min(i => i.DeliveryTimeMs);
                var sameExpiry = listed.Where(i => i.DeliveryTimeMs == nearest).ToList();
                var template = sameExpiry[0];
                decimal strike = sameExpiry.Max(i => i.Info.Strike) + template.StrikeStep;
                created = CreateInstrument(board, template.Info.DeliveryTime, template.ExpiryKind, template.StrikeStep, strike, isCall: true, now);
            }
            else
            {
                var farthest = listed.Length > 0
                    ? DateTimeOffset.FromUnixTimeMilliseconds(listed.Max(i => i.DeliveryTimeMs))
                    : ExpiryCalendar.Expiries(now)[^1].DeliveryTime;
                var deliveryTime = farthest.AddDays(7);
                decimal step = StrikeGrid.Step(board.Profile, ExpiryKind.Quarterly, 1);
                decimal strike = Math.Max(step, Math.Round((decimal)board.Index / step) * step);
                created = CreateInstrument(board, deliveryTime, ExpiryKind.Quarterly, step, strike, isCall: false, now);
            }

            // Priced before it is listed: instruments-info never shows an option whose ticker is still empty.
            Recompute(board, created, now);
            board.Listing = board.Listing with { Listed = [.. listed, created] };
            Log.InstrumentListed(_logger, created.Symbol);
            return created.Symbol;
        }
    }

    /// <summary>
    /// Lists a new far expiry (a call at the money) as <c>PreLaunch</c>: in instruments-info at once, with no ticker and no
    /// topic until <paramref name="launchesIn"/> has passed on the simulator's clock; then it trades like any other.
    /// </summary>
    public string ListPreLaunchInstrument(string baseCoin, TimeSpan launchesIn)
    {
        var board = GetBoard(baseCoin);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var all = board.Listed.Concat(board.PreLaunch).ToList();
            var farthest = all.Count > 0
                ? DateTimeOffset.FromUnixTimeMilliseconds(all.Max(i => i.DeliveryTimeMs))
                : ExpiryCalendar.Expiries(now)[^1].DeliveryTime;
            var deliveryTime = farthest.AddDays(7);
            decimal step = StrikeGrid.Step(board.Profile, ExpiryKind.Quarterly, 1);
            decimal strike = Math.Max(step, Math.Round((decimal)board.Index / step) * step);
            var created = CreateInstrument(board, deliveryTime, ExpiryKind.Quarterly, step, strike, isCall: true, now,
                launchTime: now + launchesIn);
            board.Listing = board.Listing with { PreLaunch = [.. board.PreLaunch, created] };
            Log.InstrumentListed(_logger, created.Symbol);
            return created.Symbol;
        }
    }

    /// <summary>Launches a <c>PreLaunch</c> option now, whatever its launch time said.</summary>
    public void LaunchNow(string symbol)
    {
        lock (_gate)
        {
            var board = _boards.FirstOrDefault(b => b.PreLaunch.Any(i => i.Symbol == symbol))
                ?? throw new ArgumentException($"'{symbol}' is not a PreLaunch option.", nameof(symbol));
            var instrument = board.PreLaunch.First(i => i.Symbol == symbol);
            instrument.Launch(_time.GetUtcNow().ToUnixTimeMilliseconds());
            AdvanceListings(board, _time.GetUtcNow());
        }
    }

    /// <summary>A delivered option still listed (<c>Delivering</c>) or delivered earlier: its delivery price and time.</summary>
    public bool TryGetDelivery(string symbol, out double price, out long deliveryTimeMs)
    {
        if (_delivered.TryGetValue(symbol, out var delivery))
        {
            (price, deliveryTimeMs) = delivery;
            return true;
        }

        (price, deliveryTimeMs) = (double.NaN, 0);
        return false;
    }

    /// <summary>Copies a coin's settlement history (delivery time ms → price) under the market lock.</summary>
    public void ReadSettlements(CoinBoard board, List<KeyValuePair<long, double>> into)
    {
        lock (_gate)
            into.AddRange(board.Settlements);
    }

    /// <summary>A <c>PreLaunch</c> or <c>Delivering</c> option by symbol (neither has a ticker).</summary>
    public bool TryGetNotTrading(string symbol, out InstrumentState instrument)
    {
        foreach (var board in _boards)
        {
            var listing = board.Listing;
            foreach (var candidate in listing.PreLaunch.Concat(listing.Delivering))
            {
                if (candidate.Symbol == symbol)
                {
                    instrument = candidate;
                    return true;
                }
            }
        }

        instrument = null!; // Callers check the result.
        return false;
    }

    /// <summary>Delivers the nearest expiry of a coin; returns the delivered symbols (none if the board is empty).</summary>
    public IReadOnlyList<string> DeliverNextExpiry(string baseCoin)
    {
        var board = GetBoard(baseCoin);
        lock (_gate)
        {
            var listed = board.Listed;
            if (listed.Length == 0)
                return [];
            long nearest = listed.Min(i => i.DeliveryTimeMs);
            return Deliver(board, i => i.DeliveryTimeMs == nearest);
        }
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>
    /// Delivers at the coin's index: the options stop trading (no ticker, no pushes, no new subscriptions) but stay in
    /// instruments-info as <c>Delivering</c>, and in delivery-price, until 12:00 UTC of their delivery day (Bybit's
    /// delivery-price documentation: "DELIVERING (UTC 8 - UTC 12)"); the price joins new-delivery-price's history.
    /// </summary>
    private List<string> Deliver(CoinBoard board, Func<InstrumentState, bool> due)
    {
        var delivered = new List<InstrumentState>();
        double price = RoundSignificant(board.Index, 10);
        foreach (var instrument in board.Listed)
        {
            if (!due(instrument))
                continue;
            instrument.Deliver(price);
            _delivered[instrument.Symbol] = (price, instrument.DeliveryTimeMs);
            board.Settlements[instrument.DeliveryTimeMs] = price;
            delivered.Add(instrument);
        }

        if (delivered.Count > 0)
        {
            // One swap: a reader of instruments-info sees the delivered options as Trading or as Delivering, never gone.
            var listing = board.Listing;
            board.Listing = listing with
            {
                Listed = [.. listing.Listed.Where(i => i.IsListed)],
                Delivering = [.. listing.Delivering.Concat(delivered).OrderBy(i => i.SymbolId)],
            };
            foreach (var instrument in delivered)
                _bySymbol.TryRemove(instrument.Symbol, out _);
            Log.ExpiryDelivered(_logger, board.BaseCoin, delivered.Count);
        }

        return [.. delivered.Select(i => i.Symbol)];
    }

    /// <summary>Launches PreLaunch options whose time has come and drops Delivering ones after 12:00 UTC of their day.</summary>
    private void AdvanceListings(CoinBoard board, DateTimeOffset now)
    {
        long nowMs = now.ToUnixTimeMilliseconds();
        var due = board.PreLaunch.Where(i => i.LaunchTimeMs <= nowMs).ToList();
        if (due.Count > 0)
        {
            foreach (var instrument in due)
            {
                instrument.Launch(nowMs);
                _bySymbol[instrument.Symbol] = instrument;
                Recompute(board, instrument, now); // priced before the listing shows it trading
            }

            var listing = board.Listing;
            board.Listing = listing with
            {
                PreLaunch = [.. listing.PreLaunch.Except(due)],
                Listed = [.. listing.Listed.Concat(due).OrderBy(i => i.SymbolId)],
            };
        }

        if (board.Delivering.Any(i => nowMs >= DeliveringUntilMs(i)))
            board.Listing = board.Listing with { Delivering = [.. board.Delivering.Where(i => nowMs < DeliveringUntilMs(i))] };
    }

    /// <summary>12:00 UTC of the delivery day: four hours after the 08:00 delivery.</summary>
    private static long DeliveringUntilMs(InstrumentState instrument) =>
        instrument.DeliveryTimeMs + (long)TimeSpan.FromHours(4).TotalMilliseconds;

    private void StepSafely()
    {
        try
        {
            Step();
        }
        catch (Exception ex)
        {
            Log.MarketStepFailed(_logger, ex);
        }

        try
        {
            _timer?.Change(StepInterval, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while stepping: the market is stopping.
        }
    }

    private void Step()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            double years = Math.Clamp((now - _lastStep).TotalDays / 365, 0, 1.0 / 365);
            _lastStep = now;
            long nowMs = now.ToUnixTimeMilliseconds();

            foreach (var board in _boards)
            {
                Deliver(board, i => i.DeliveryTimeMs <= nowMs);
                AdvanceListings(board, now);

                double vol = board.Profile.AtmVol * (1 + board.VolShift);
                board.Index *= Math.Exp(vol * Math.Sqrt(years) * Gaussian() - 0.5 * vol * vol * years);
                board.VolShift = Math.Clamp(0.98 * board.VolShift + 0.003 * Gaussian(), -0.3, 0.3);

                double tick = (double)board.Profile.TickSize;
                foreach (var instrument in board.Listed)
                {
                    if (!instrument.HasTraded || _random.NextDouble() > 0.01)
                        continue;
                    double mark = instrument.ReadTicker().MarkPrice;
                    double price = Math.Max(tick, RoundToStep(mark, tick, Math.Round));
                    instrument.LastPrice = price;
                    instrument.High24h = Math.Max(instrument.High24h, price);
                    instrument.Low24h = Math.Min(instrument.Low24h, price);
                    double size = instrument.BookSizeBase * _random.NextDouble();
                    instrument.TradedVolume += size;
                    instrument.TradedTurnover += size * board.Index;
                }

                RecomputeBoard(board, now);
            }
        }
    }

    private InstrumentState CreateInstrument(
        CoinBoard board, DateTimeOffset deliveryTime, ExpiryKind kind, decimal step, decimal strike, bool isCall, DateTimeOffset now,
        bool legacyUsdc = false, DateTimeOffset? launchTime = null)
    {
        var profile = board.Profile;
        string symbol = OptionSymbol.Symbol(profile.BaseCoin, deliveryTime, strike, isCall, legacyUsdc);
        bool preLaunch = launchTime > now;
        var info = new SimulatedInstrument(symbol, profile.BaseCoin, isCall ? "Call" : "Put", strike, deliveryTime, preLaunch ? "PreLaunch" : "Trading")
        {
            SettleCoin = legacyUsdc ? "USDC" : "USDT",
        };
        var life = kind switch
        {
            ExpiryKind.Daily => TimeSpan.FromDays(3),
            ExpiryKind.Weekly => TimeSpan.FromDays(35),
            ExpiryKind.Monthly => TimeSpan.FromDays(120),
            _ => TimeSpan.FromDays(365),
        };
        var launch = deliveryTime - life;
        if (launch > now - TimeSpan.FromHours(1))
            launch = now - TimeSpan.FromHours(1);
        if (preLaunch)
            launch = launchTime!.Value;

        var instrument = new InstrumentState(info, _nextSymbolId++, kind, step, launch.ToUnixTimeMilliseconds());

        double years = StrikeGrid.Years(deliveryTime, now);
        double moneyness = Math.Log((double)strike / profile.Spot) / (profile.AtmVol * Math.Sqrt(years));
        double qtyScale = (double)profile.MinOrderQty * 100;
        double nearness = Math.Exp(-0.5 * moneyness * moneyness);
        instrument.OpenInterestBase = qtyScale * 300 * nearness * (1 + 3 * Math.Exp(-years * 12)) * (0.5 + _random.NextDouble());
        instrument.VolumeFraction = 0.05 + 0.4 * _random.NextDouble();
        instrument.LifetimeMultiple = 5 + 40 * _random.NextDouble();
        instrument.ListingIndex = board.Index;
        instrument.BookSizeBase = (double)profile.MinOrderQty * (10 + 1000 * _random.NextDouble() * (0.2 + nearness));
        // Far wings often never trade: Bybit then sends "0" for last price, 24 h high/low and change (its examples and a
        // live sample in ccxt PR 21878), not "".
        instrument.HasTraded = _random.NextDouble() > (Math.Abs(moneyness) > 2 ? 0.5 : 0.1);
        // Nobody bids for some far wings: an empty side, which Bybit sends as "0".
        instrument.HasBidQuote = _random.NextDouble() > (Math.Abs(moneyness) > 2 ? 0.4 : 0.02);

        if (!preLaunch)
            _bySymbol[symbol] = instrument;
        return instrument;
    }

    private void RecomputeBoard(CoinBoard board, DateTimeOffset now)
    {
        foreach (var instrument in board.Listed)
            Recompute(board, instrument, now);
    }

    private void Recompute(CoinBoard board, InstrumentState instrument, DateTimeOffset now)
    {
        var profile = board.Profile;
        double spot = board.Index;
        double years = StrikeGrid.Years(instrument.Info.DeliveryTime, now);
        double forward = spot * Math.Exp(Basis * years);
        double baseVol = profile.AtmVol * (1 + board.VolShift);
        double atmVol = baseVol * (1 + 0.3 * Math.Exp(-years * 25));
        double moneyness = Math.Clamp(Math.Log(instrument.Strike / forward) / (baseVol * Math.Sqrt(years)), -5, 5);
        double iv = Math.Clamp(atmVol * (1 - 0.05 * moneyness + 0.035 * moneyness * moneyness), 0.05, 5);
        var value = Black76.Value(forward, instrument.Strike, years, iv, instrument.IsCall);

        double tick = (double)profile.TickSize;
        double qtyStep = (double)profile.MinOrderQty;
        double mark = double.IsNaN(instrument.PinnedMark) ? Math.Round(value.Price, 8) : instrument.PinnedMark;
        // Makers quote a few vol points wide: a price spread for cheap wings, capped in vol terms for deep in-the-money ones.
        double halfSpread = Math.Max(tick, Math.Min(mark * (0.015 + 0.01 * Math.Abs(moneyness)), 0.03 * value.VegaPerPoint * 100));
        double bid = RoundToStep(mark - halfSpread, tick, Math.Floor);
        double ask = Math.Max(tick, RoundToStep(mark + halfSpread, tick, Math.Ceiling));
        double vegaPerUnit = value.VegaPerPoint * 100;
        double bidIv = 0, bidSize = 0;
        if (bid < tick || !instrument.HasBidQuote)
        {
            bid = 0; // Bybit writes an empty side as "0".
        }
        else
        {
            bidIv = vegaPerUnit > 1e-12 ? Math.Clamp(iv - (mark - bid) / vegaPerUnit, 0.01, iv) : iv;
            bidSize = Math.Max(qtyStep, RoundToStep(instrument.BookSizeBase * (0.5 + _random.NextDouble()), qtyStep, Math.Round));
        }

        double askIv = vegaPerUnit > 1e-12 ? Math.Min(iv + (ask - mark) / vegaPerUnit, 5) : 5;
        double askSize = Math.Max(qtyStep, RoundToStep(instrument.BookSizeBase * (0.5 + _random.NextDouble()), qtyStep, Math.Round));

        if (instrument.HasTraded && double.IsNaN(instrument.LastPrice))
        {
            instrument.LastPrice = Math.Max(tick, RoundToStep(mark * (0.9 + 0.2 * _random.NextDouble()), tick, Math.Round));
            instrument.Open24h = Math.Max(tick, RoundToStep(instrument.LastPrice * (0.7 + 0.6 * _random.NextDouble()), tick, Math.Round));
            instrument.High24h = Math.Max(instrument.LastPrice, instrument.Open24h) + tick * _random.Next(0, 20);
            instrument.Low24h = Math.Max(tick, Math.Min(instrument.LastPrice, instrument.Open24h) - tick * _random.Next(0, 20));
        }

        double openInterest = RoundToStep(instrument.OpenInterestBase, qtyStep, Math.Round);
        // The volume the option was listed with, then the trades since. Turnover is the trades' notional (Bybit's example:
        // volume24h 26.55, turnover24h 446,802.85 at an index of 16,823.73): it moves with trades, not with the index.
        double listedVolume = instrument.OpenInterestBase * instrument.VolumeFraction;
        double volume = RoundToStep(listedVolume + instrument.TradedVolume, qtyStep, Math.Round);
        double totalVolume = RoundToStep(listedVolume * instrument.LifetimeMultiple + instrument.TradedVolume, qtyStep, Math.Round);
        double turnover = Math.Round(listedVolume * instrument.ListingIndex + instrument.TradedTurnover, 4);
        double totalTurnover = Math.Round(listedVolume * instrument.LifetimeMultiple * instrument.ListingIndex + instrument.TradedTurnover, 4);
        double index = RoundSignificant(spot, 8);
        bool nearDelivery = instrument.DeliveryTimeMs - now.ToUnixTimeMilliseconds() <= 30 * 60 * 1000;

        instrument.PublishTicker(new SimulatedTicker(
            instrument.Symbol,
            bid, bidSize, Math.Round(bidIv, 4),
            ask, askSize, Math.Round(askIv, 4),
            instrument.HasTraded ? instrument.LastPrice : 0,
            instrument.HasTraded ? instrument.High24h : 0,
            instrument.HasTraded ? instrument.Low24h : 0,
            mark, index, Math.Round(iv, 4), RoundSignificant(forward, 8),
            openInterest, turnover, volume, totalVolume, totalTurnover,
            Math.Round(value.Delta, 8), Math.Round(value.Gamma, 8), Math.Round(value.VegaPerPoint, 8), Math.Round(value.ThetaPerDay, 8),
            nearDelivery ? index : 0,
            instrument.HasTraded ? Math.Round(instrument.LastPrice / instrument.Open24h - 1, 8) : 0));
    }

    private double Gaussian()
    {
        double u1 = 1 - _random.NextDouble();
        double u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double RoundToStep(double value, double step, Func<double, double> round) =>
        Math.Round(round(value / step) * step, 10);

    private static double RoundSignificant(double value, int digits)
    {
        if (value <= 0 || !double.IsFinite(value))
            return value;
        int decimals = digits - 1 - (int)Math.Floor(Math.Log10(value));
        return decimals >= 0 ? Math.Round(value, Math.Min(decimals, 15)) : value;
    }
}
