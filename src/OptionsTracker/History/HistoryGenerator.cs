using OptionsTracker.Book;
using OptionsTracker.Measures;
using OptionsTracker.Simulator;

namespace OptionsTracker.History;

/// <summary>
/// A realistic recorded history without waiting for one: the boards of <see cref="HistoryGeneratorSettings.Coins"/> as
/// the recorder would have written them every <see cref="HistoryGeneratorSettings.Interval"/> over
/// <see cref="HistoryGeneratorSettings.Span"/>, for the benchmarks, the tests, <c>--generate-history</c> and the replay.
/// <para>
/// The board is the simulator's (its coin profiles, Bybit's expiry calendar, its strike grids, symbols, Black-76 on the
/// forward, its smile, spreads, sizes and decimals), set moving as a market does over days: the index walks with a
/// volatility that itself mean-reverts (and rises when the index falls), the skew and the futures basis drift, so ATM
/// IV, RR and BF move over the span and IV rank means something. Every option's mark, book, IVs and Greeks change every
/// snapshot; open interest and volumes change with the occasional trade; each day at 08:00 UTC the nearest expiry
/// delivers (Delivering with its settlement price until 12:00 UTC, then gone) and the calendar's new expiries and the
/// strikes the moved index needs are listed. The measures of each snapshot are <see cref="MeasureNames.Collect"/> over
/// <see cref="CoinAnalytics"/> of a book holding that snapshot (with realised volatility from the generated path), so they
/// agree with the quotes exactly as recorded ones do. Deterministic: the same settings give the same history.
/// </para>
/// </summary>
public sealed class HistoryGenerator
{
    /// <summary>
    /// The source a generated history is written as: simulated data, like <c>--demo</c>'s, so it never mixes with a real
    /// exchange's history and the demo tracker reads it.
    /// </summary>
    public static readonly HistorySource Source = new("simulator", []);

    /// <summary>Bybit's realised volatility periods (days), written hourly as the exchange serves them.</summary>
    private static readonly int[] RealisedPeriods = [7, 14, 21, 30, 60, 90, 180, 270];

    private const double Basis = 0.03;
    private const double YearMs = 365 * 24 * 3600_000.0;
    private const long DayMs = 86_400_000L;

    private readonly HistoryGeneratorSettings _settings;

    public HistoryGenerator(HistoryGeneratorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Interval <= TimeSpan.Zero || settings.Span < TimeSpan.Zero || settings.Coins.Count == 0)
            throw new ArgumentException("The interval must be positive, the span not negative, and at least one coin named.", nameof(settings));
        _settings = settings;
    }

    public HistoryGeneratorSettings Settings => _settings;

    /// <summary>
    /// Generates the history into <paramref name="store"/> (opened as <see cref="Source"/>): every snapshot, the
    /// settlements of the expiries delivered on the way and Bybit's hourly realised volatility of the generated path.
    /// Snapshots whose time the store already holds are left as they are (the store's writes are idempotent by time).
    /// </summary>
    public async Task<GeneratedHistory> WriteAsync(IHistoryStore store, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await store.OpenAsync(Source, cancellationToken);
        if (store is IHistoryBulkWriter bulk)
            return await WriteBulkAsync(store, bulk, progress, cancellationToken);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long snapshots = 0, quotes = 0, measures = 0;
        foreach (var step in Steps(cancellationToken))
        {
            await store.WriteSnapshotAsync(step.Snapshot, cancellationToken);
            if (step.Settlements.Count > 0)
                await store.WriteSettlementsAsync(step.Settlements, cancellationToken);
            foreach (var (coin, points) in step.RealisedVolatility)
                await store.WriteRealisedVolatilityAsync(coin, points, cancellationToken);
            snapshots++;
            quotes += step.Snapshot.Quotes.Count;
            measures += step.Snapshot.Measures.Count;
            if (snapshots % 1000 == 0)
                progress?.Report((int)snapshots);
        }
        return new GeneratedHistory(snapshots, quotes, measures, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// At most this many quote rows in one bulk batch: an hour of the 4,000-option board at 1 minute (240,000 rows; up to
    /// ~330,000 while expiries overlap around a delivery) is one batch, so each option's hour is one block, as the
    /// recorder's hourly compaction makes it (a split hour is two blocks: more bytes and more to read).
    /// </summary>
    private const int BulkRows = 400_000;

    /// <summary>
    /// Through the store's bulk path: the snapshots of each UTC hour (at most <see cref="BulkRows"/> quote rows) in one
    /// batch, written while the next batch is generated (two threads: generating and writing each take about half the
    /// time). Two sets of snapshot copies are reused, so memory stays at two batches whatever the span.
    /// </summary>
    private async Task<GeneratedHistory> WriteBulkAsync(IHistoryStore store, IHistoryBulkWriter bulk, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long snapshots = 0, quotes = 0, measures = 0;
        var filling = new Batch();
        var spare = new Batch();
        Task writing = Task.CompletedTask;
        foreach (var step in Steps(cancellationToken))
        {
            var hour = step.Snapshot.Time.ToUnixTimeMilliseconds() / 3600_000L;
            if (filling.Count > 0 && (hour != filling.Hour || filling.Rows + step.Snapshot.Quotes.Count > BulkRows))
            {
                // The spare batch's write is done once `writing` is: it takes the next snapshots while this one is written.
                await writing;
                var full = filling;
                writing = Task.Run(() => full.WriteAsync(store, bulk, cancellationToken), cancellationToken);
                filling = spare;
                spare = full;
                filling.Clear();
            }
            filling.Add(step, hour);
            snapshots++;
            quotes += step.Snapshot.Quotes.Count;
            measures += step.Snapshot.Measures.Count;
            if (snapshots % 1000 == 0)
                progress?.Report((int)snapshots);
        }
        await writing;
        if (filling.Count > 0)
            await filling.WriteAsync(store, bulk, cancellationToken);
        return new GeneratedHistory(snapshots, quotes, measures, System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Copies of the snapshots of one bulk batch, and what came with them; reused.</summary>
    private sealed class Batch
    {
        private readonly List<BoardSnapshot> _pool = [];
        private readonly List<BoardSnapshot> _snapshots = [];
        private readonly List<Settlement> _settlements = [];
        private readonly List<(string Coin, IReadOnlyList<RealisedVolatilityPoint> Points)> _realised = [];

        public int Count => _snapshots.Count;
        public long Hour { get; private set; }
        public int Rows { get; private set; }

        public void Add(GeneratedStep step, long hour)
        {
            if (_snapshots.Count == 0)
                Hour = hour;
            var copy = _snapshots.Count < _pool.Count ? _pool[_snapshots.Count] : Grow();
            copy.Clear();
            copy.Time = step.Snapshot.Time;
            copy.Coins.AddRange(step.Snapshot.Coins);
            copy.Quotes.AddRange(step.Snapshot.Quotes);
            copy.Measures.AddRange(step.Snapshot.Measures);
            _snapshots.Add(copy);
            Rows += copy.Quotes.Count;
            _settlements.AddRange(step.Settlements);
            // The points arrays are fresh for every step (HourlyRealised allocates them): kept as they are.
            _realised.AddRange(step.RealisedVolatility);
        }

        private BoardSnapshot Grow()
        {
            var snapshot = new BoardSnapshot();
            _pool.Add(snapshot);
            return snapshot;
        }

        public void Clear()
        {
            _snapshots.Clear();
            _settlements.Clear();
            _realised.Clear();
            Rows = 0;
        }

        public async Task WriteAsync(IHistoryStore store, IHistoryBulkWriter bulk, CancellationToken cancellationToken)
        {
            await bulk.WriteSnapshotsAsync(_snapshots, cancellationToken);
            if (_settlements.Count > 0)
                await store.WriteSettlementsAsync(_settlements, cancellationToken);
            foreach (var (coin, points) in _realised)
                await store.WriteRealisedVolatilityAsync(coin, points, cancellationToken);
        }
    }

    /// <summary>
    /// The history one snapshot at a time, oldest first, without a store (tests and benchmarks read it directly). The
    /// step and its snapshot are reused: read them before asking for the next.
    /// </summary>
    public IEnumerable<GeneratedStep> Steps(CancellationToken cancellationToken = default)
    {
        var count = _settings.SnapshotCount;
        var intervalMs = (long)_settings.Interval.TotalMilliseconds;
        var startMs = _settings.Start.ToUnixTimeMilliseconds();
        var clock = new SteppedClock(_settings.Start);
        var book = new OptionBook(clock);
        var realised = new RealisedVolatility();
        var profiles = _settings.Coins.Select(c => CoinProfile.For(c.Trim().ToUpperInvariant())).DistinctBy(p => p.BaseCoin).ToList();
        var calendar = ExpiryCalendar.Expiries(_settings.Start);
        var scale = _settings.OptionCount is int target ? StrikeGrid.ScaleFor(profiles, calendar, _settings.Start, target) : 1;
        var coins = profiles.Select((p, i) => new CoinWalk(p, scale, _settings, count, _settings.Seed + 7919 * (i + 1))).ToList();
        var step = new GeneratedStep();

        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var nowMs = startMs + i * intervalMs;
            var now = DateTimeOffset.FromUnixTimeMilliseconds(nowMs);
            clock.Now = now;
            step.Clear();
            step.Snapshot.Time = now;
            var listingChanged = false;
            foreach (var coin in coins)
                listingChanged |= coin.Advance(i, nowMs, step.Settlements);
            if (_settings.Measures && listingChanged)
                Relist(book, coins);

            foreach (var coin in coins)
            {
                if (coin.HourlyRealised(i, nowMs, intervalMs) is { } points)
                {
                    step.RealisedVolatility.Add((coin.Profile.BaseCoin, points));
                    realised.Set(coin.Profile.BaseCoin, points);
                }
                if (coin.Options.Count == 0)
                    continue;
                step.Snapshot.Coins.Add(coin.Profile.BaseCoin);
                coin.Quote(i, nowMs, step.Snapshot.Quotes);
                if (!_settings.Measures)
                    continue;
                foreach (var option in coin.Options)
                {
                    if (option.Slot is not { } slot)
                        continue;
                    var update = new QuoteUpdate { Values = option.Quote.Values, PresentMask = EveryField, ExchangeTimeMs = option.Quote.ExchangeTimeMs };
                    book.Apply(slot, update, option.Quote.ReceivedAtMs);
                    book.SetListing(slot, option.Quote.Status, option.Quote.DeliveryPrice);
                }
                if (book.Index.TryGetCoin(coin.Profile.BaseCoin, out var index))
                {
                    coin.Analytics = CoinAnalytics.Build(index, book.Sequence, now, realised, coin.Analytics);
                    MeasureNames.Collect(coin.Analytics, step.Snapshot.Measures);
                }
            }
            yield return step;
        }
    }

    private const uint EveryField = (1u << QuoteFields.Count) - 1;

    /// <summary>Brings the measures' book to the coins' option lists (rare: a listing or a removal) and re-finds every slot.</summary>
    private static void Relist(OptionBook book, List<CoinWalk> coins)
    {
        var live = coins.SelectMany(c => c.Options).Select(o => o.Instrument.Key).ToHashSet();
        book.RemoveWhere(i => !live.Contains(i.Key));
        book.AddInstruments(coins.SelectMany(c => c.Options).Select(o => o.Instrument));
        var index = book.Index;
        foreach (var option in coins.SelectMany(c => c.Options))
            option.Slot = index.TryGetSlot(option.Instrument.Key, out var slot) ? slot : null;
    }

    /// <summary>One coin's market: its macro path (index, volatility level, skew, basis), its expiries and options.</summary>
    private sealed class CoinWalk
    {
        private readonly HistoryGeneratorSettings _settings;
        private readonly double _scale;
        private readonly Random _random;
        private readonly double _dtYears;
        private readonly double[] _logSpot;
        private readonly double[] _volFactor;
        private readonly double[] _skew;
        private readonly double[] _basis;
        private readonly double[] _squaredReturns;
        private readonly double _initialRealisedVar;
        private readonly Dictionary<long, ExpiryState> _expiries = [];
        private long _nextListingMs = long.MinValue;
        private long _nextDailyResetMs = long.MinValue;
        private int _nextSymbolId;

        public CoinWalk(CoinProfile profile, double scale, HistoryGeneratorSettings settings, int count, int seed)
        {
            Profile = profile;
            _settings = settings;
            _scale = scale;
            _random = new Random(seed);
            _dtYears = settings.Interval.TotalMilliseconds / YearMs;
            (_logSpot, _volFactor, _skew, _basis) = Walk(profile, count, _dtYears, new Random(seed ^ 0x5bd1e995), settings.EndAtSimulatorLevels);
            _squaredReturns = new double[count];
            double sum = 0;
            for (var i = 1; i < count; i++)
            {
                var r = _logSpot[i] - _logSpot[i - 1];
                sum += r * r;
                _squaredReturns[i] = sum;
            }
            var realisedVol = RealisedShare * profile.AtmVol * Math.Exp(_volFactor[0]);
            _initialRealisedVar = realisedVol * realisedVol;
        }

        /// <summary>Realised volatility as a share of implied: options trade above what the index then does (a positive VRP).</summary>
        private const double RealisedShare = 0.9;

        public CoinProfile Profile { get; }
        public List<GeneratedOption> Options { get; } = [];
        public CoinAnalytics? Analytics { get; set; }

        public double Spot(int i) => Math.Exp(_logSpot[i]);

        /// <summary>
        /// The macro path, drawn up front so it can be pinned: a log-volatility factor (mean-reverting over a week, spread
        /// ±25 %, its shocks partly opposite to the index's, as crypto volatility rises in sell-offs), the index walking at
        /// a realised volatility below the implied, the 25Δ skew and the basis drifting around the simulator's levels.
        /// With <paramref name="pinEnd"/>, a bridge ends the index at the profile's spot and the volatility at its level.
        /// </summary>
        private static (double[] LogSpot, double[] Vol, double[] Skew, double[] Basis) Walk(CoinProfile profile, int count, double dt, Random random, bool pinEnd)
        {
            var logSpot = new double[count];
            var vol = new double[count];
            var skew = new double[count];
            var basis = new double[count];
            logSpot[0] = Math.Log(profile.Spot);
            skew[0] = -0.05;
            basis[0] = Basis;
            static double Decay(double dt, double tauYears) => Math.Exp(-dt / tauYears);
            var volDecay = Decay(dt, 7 / 365.0);
            var skewDecay = Decay(dt, 5 / 365.0);
            var basisDecay = Decay(dt, 10 / 365.0);
            for (var i = 1; i < count; i++)
            {
                var g1 = Gaussian(random);
                var g2 = Gaussian(random);
                var shock = -0.4 * g1 + Math.Sqrt(1 - 0.16) * g2;
                vol[i] = vol[i - 1] * volDecay + 0.25 * Math.Sqrt(1 - volDecay * volDecay) * shock;
                var sigma = RealisedShare * profile.AtmVol * Math.Exp(vol[i - 1]);
                logSpot[i] = logSpot[i - 1] - 0.5 * sigma * sigma * dt + sigma * Math.Sqrt(dt) * g1;
                skew[i] = -0.05 + (skew[i - 1] + 0.05) * skewDecay + 0.03 * Math.Sqrt(1 - skewDecay * skewDecay) * Gaussian(random);
                basis[i] = Basis + (basis[i - 1] - Basis) * basisDecay + 0.02 * Math.Sqrt(1 - basisDecay * basisDecay) * Gaussian(random);
            }
            if (pinEnd && count > 1)
            {
                var spotGap = Math.Log(profile.Spot) - logSpot[^1];
                var volGap = -vol[^1];
                for (var i = 0; i < count; i++)
                {
                    var share = (double)i / (count - 1);
                    logSpot[i] += share * spotGap;
                    vol[i] += share * volGap;
                }
            }
            return (logSpot, vol, skew, basis);
        }

        /// <summary>Deliveries, removals and listings at step <paramref name="i"/>; true when the option list changed.</summary>
        public bool Advance(int i, long nowMs, List<Settlement> settlements)
        {
            var changed = false;
            var spot = Spot(i);
            foreach (var expiry in _expiries.Values)
            {
                if (expiry.Delivered || expiry.DeliveryMs > nowMs)
                    continue;
                // Delivered at the index of the moment, as the simulator delivers (Bybit: the 30-minute average before 08:00).
                expiry.Delivered = true;
                expiry.DeliveryPrice = RoundSignificant(spot, 10);
                settlements.Add(new Settlement(Venue.Bybit, Profile.BaseCoin, DateTimeOffset.FromUnixTimeMilliseconds(expiry.DeliveryMs), expiry.DeliveryPrice));
            }
            // Delivered options stay (Delivering, last values, settlement price) until 12:00 UTC of their day.
            changed |= Options.RemoveAll(o => nowMs >= o.DeliveryMs + 4 * 3600_000L) > 0;
            foreach (var id in _expiries.Where(e => e.Value.Delivered && nowMs >= e.Key + 4 * 3600_000L).Select(e => e.Key).ToList())
                _expiries.Remove(id);

            if (nowMs >= _nextListingMs)
            {
                changed |= List(DateTimeOffset.FromUnixTimeMilliseconds(nowMs), spot);
                _nextListingMs = NextEight(nowMs);
            }
            return changed;
        }

        // Whether the starting board has been listed (List's first call).
        private bool _listedBefore;

        /// <summary>The calendar's expiries at <paramref name="now"/> and, on every live expiry, the strikes the index now needs.</summary>
        private bool List(DateTimeOffset now, double spot)
        {
            var added = false;
            var here = Profile with { Spot = spot };
            foreach (var (deliveryTime, kind) in ExpiryCalendar.Expiries(now))
            {
                var deliveryMs = deliveryTime.ToUnixTimeMilliseconds();
                if (!_expiries.TryGetValue(deliveryMs, out var expiry))
                {
                    expiry = new ExpiryState(deliveryMs, kind, StrikeGrid.Step(here, kind, _scale));
                    _expiries.Add(deliveryMs, expiry);
                }
                if (expiry.Delivered)
                    continue;
                foreach (var strike in StrikeGrid.Strikes(here, StrikeGrid.Years(deliveryTime, now), expiry.Step))
                {
                    if (!expiry.Strikes.Add(strike))
                        continue;
                    Options.Add(NewOption(deliveryTime, strike, isCall: true, spot, now));
                    Options.Add(NewOption(deliveryTime, strike, isCall: false, spot, now));
                    added = true;
                }
            }
            _listedBefore = true;
            return added;
        }

        private GeneratedOption NewOption(DateTimeOffset deliveryTime, decimal strike, bool isCall, double spot, DateTimeOffset now)
        {
            var symbol = OptionSymbol.Symbol(Profile.BaseCoin, deliveryTime, strike, isCall);
            var instrument = new OptionInstrument(Venue.Bybit, symbol, Profile.BaseCoin, deliveryTime, strike, isCall ? OptionType.Call : OptionType.Put,
                "USDT", ListingStatus.Trading, (double)Profile.TickSize, (double)Profile.MinOrderQty);
            // As the simulator sizes a new option: interest and books thickest near the money and on near expiries.
            var years = StrikeGrid.Years(deliveryTime, now);
            var moneyness = Math.Log((double)strike / spot) / (Profile.AtmVol * Math.Sqrt(years));
            var nearness = Math.Exp(-0.5 * moneyness * moneyness);
            var qtyScale = (double)Profile.MinOrderQty * 100;
            var option = new GeneratedOption(instrument, _nextSymbolId++)
            {
                OpenInterestBase = qtyScale * 300 * nearness * (1 + 3 * Math.Exp(-years * 12)) * (0.5 + _random.NextDouble()),
                BookSizeBase = (double)Profile.MinOrderQty * (10 + 1000 * _random.NextDouble() * (0.2 + nearness)),
                HasTraded = _random.NextDouble() > (Math.Abs(moneyness) > 2 ? 0.5 : 0.1),
                HasBidQuote = _random.NextDouble() > (Math.Abs(moneyness) > 2 ? 0.4 : 0.02),
                TradeRatePerDay = 2 + 40 * nearness,
            };
            option.OpenInterest = RoundToStep(option.OpenInterestBase, (double)Profile.MinOrderQty);
            // The board the history starts on has traded before it; an option listed later starts with no volume.
            if (option.HasTraded && !_listedBefore)
                SeedDayTrades(option, spot, now.ToUnixTimeMilliseconds());
            return option;
        }

        /// <summary>
        /// The trades of the 24 hours before <paramref name="nowMs"/> that make up a new option's 24 h volume, at its trade
        /// rate and spread over that day, each with its notional at <paramref name="spot"/> (Bybit's turnover: in its
        /// example volume24h 26.55 and turnover24h 446,802.85 at an index of 16,823.73). They leave the 24 h volume and
        /// turnover one by one as they age (<see cref="Trade"/>), as the exchange's rolling window does; the volume and
        /// turnover before them are the totals' start.
        /// </summary>
        private void SeedDayTrades(GeneratedOption option, double spot, long nowMs)
        {
            var qtyStep = (double)Profile.MinOrderQty;
            var volume = option.OpenInterestBase * (0.05 + 0.4 * _random.NextDouble());
            var count = Math.Max(1, (int)Math.Round(option.TradeRatePerDay));
            Span<double> weights = stackalloc double[count];
            Span<long> times = stackalloc long[count];
            var sum = 0.0;
            for (var t = 0; t < count; t++)
            {
                weights[t] = 0.1 + _random.NextDouble();
                sum += weights[t];
                times[t] = nowMs - 1 - (long)(_random.NextDouble() * (DayMs - 1));
            }
            times.Sort();
            for (var t = 0; t < count; t++)
            {
                var size = Math.Max(qtyStep, RoundToStep(volume * weights[t] / sum, qtyStep));
                var notional = Math.Round(size * spot, 4);
                option.DayTrades.Enqueue(new DayTrade(times[t], size, notional));
                option.Volume24h = RoundToStep(option.Volume24h + size, qtyStep);
                option.Turnover24h = Math.Round(option.Turnover24h + notional, 4);
            }
            option.TotalVolume = RoundToStep(option.Volume24h * (5 + 40 * _random.NextDouble()), qtyStep);
            option.TotalTurnover = Math.Round(option.TotalVolume * spot, 4);
        }

        /// <summary>Bybit's realised volatility of the generated path at each whole hour (and at the start); null otherwise.</summary>
        public RealisedVolatilityPoint[]? HourlyRealised(int i, long nowMs, long intervalMs)
        {
            if (i > 0 && nowMs / 3600_000L == (nowMs - intervalMs) / 3600_000L)
                return null;
            var time = DateTimeOffset.FromUnixTimeMilliseconds(nowMs / 3600_000L * 3600_000L);
            var points = new RealisedVolatilityPoint[RealisedPeriods.Length];
            for (var p = 0; p < RealisedPeriods.Length; p++)
            {
                var window = (int)Math.Round(RealisedPeriods[p] / 365.0 / _dtYears);
                // Before the start the path had its starting volatility: the window's missing part counts at that variance.
                var sum = i >= window ? _squaredReturns[i] - _squaredReturns[i - window] : _squaredReturns[i] + (window - i) * _initialRealisedVar * _dtYears;
                points[p] = new RealisedVolatilityPoint(RealisedPeriods[p], Math.Round(Math.Sqrt(sum / (window * _dtYears)), 4), time);
            }
            return points;
        }

        /// <summary>Every option's quote at step <paramref name="i"/>, appended to <paramref name="into"/>.</summary>
        public void Quote(int i, long nowMs, List<RecordedQuote> into)
        {
            var spot = Spot(i);
            var baseVol = Profile.AtmVol * Math.Exp(_volFactor[i]);
            var skew = _skew[i];
            var basis = _basis[i];
            var tick = (double)Profile.TickSize;
            var qtyStep = (double)Profile.MinOrderQty;
            var index = RoundSignificant(spot, 8);
            var resetDay = nowMs >= _nextDailyResetMs;
            if (resetDay)
                _nextDailyResetMs = NextEight(nowMs);
            var dayShare = _dtYears * 365;
            foreach (var option in Options)
            {
                var expiry = _expiries[option.DeliveryMs];
                if (expiry.Delivered)
                {
                    var wasTrading = option.Quote.Status != ListingStatus.Delivering;
                    option.Quote.Status = ListingStatus.Delivering;
                    option.Quote.DeliveryPrice = expiry.DeliveryPrice;
                    into.Add(new RecordedQuote(option.Instrument, option.Quote, wasTrading));
                    continue;
                }
                var years = Math.Max((option.DeliveryMs - nowMs) / YearMs, 1.0 / (365 * 24 * 60));
                var forward = spot * Math.Exp(basis * years);
                // The simulator's smile (SimulatedMarket.Recompute) with a moving skew: short expiries carry a premium,
                // the wings rise with convexity, and puts over calls by the skew.
                var atmVol = baseVol * (1 + 0.3 * Math.Exp(-years * 25));
                var moneyness = Math.Clamp(Math.Log(option.Strike / forward) / (baseVol * Math.Sqrt(years)), -5, 5);
                var iv = Math.Clamp(atmVol * (1 + skew * moneyness + 0.035 * moneyness * moneyness), 0.05, 5);
                var value = Simulator.Black76.Value(forward, option.Strike, years, iv, option.IsCall);
                var mark = Math.Round(value.Price, 8);
                var halfSpread = Math.Max(tick, Math.Min(mark * (0.015 + 0.01 * Math.Abs(moneyness)), 0.03 * value.VegaPerPoint * 100));
                var bid = RoundToStep(mark - halfSpread, tick, Math.Floor);
                var ask = Math.Max(tick, RoundToStep(mark + halfSpread, tick, Math.Ceiling));
                var vegaPerUnit = value.VegaPerPoint * 100;
                double bidIv = 0, bidSize = 0;
                if (bid < tick || !option.HasBidQuote)
                {
                    bid = 0; // Bybit writes an empty side as "0".
                }
                else
                {
                    bidIv = vegaPerUnit > 1e-12 ? Math.Clamp(iv - (mark - bid) / vegaPerUnit, 0.01, iv) : iv;
                    bidSize = Math.Max(qtyStep, RoundToStep(option.BookSizeBase * (0.5 + _random.NextDouble()), qtyStep));
                }
                var askIv = vegaPerUnit > 1e-12 ? Math.Min(iv + (ask - mark) / vegaPerUnit, 5) : 5;
                var askSize = Math.Max(qtyStep, RoundToStep(option.BookSizeBase * (0.5 + _random.NextDouble()), qtyStep));

                Trade(option, mark, tick, qtyStep, spot, nowMs, dayShare, resetDay);

                ref var v = ref option.Quote.Values;
                v[(int)QuoteField.BidPrice] = bid;
                v[(int)QuoteField.BidSize] = bidSize;
                v[(int)QuoteField.BidIv] = Math.Round(bidIv, 4);
                v[(int)QuoteField.AskPrice] = ask;
                v[(int)QuoteField.AskSize] = askSize;
                v[(int)QuoteField.AskIv] = Math.Round(askIv, 4);
                v[(int)QuoteField.LastPrice] = option.HasTraded ? option.LastPrice : 0;
                v[(int)QuoteField.HighPrice24h] = option.HasTraded ? option.High24h : 0;
                v[(int)QuoteField.LowPrice24h] = option.HasTraded ? option.Low24h : 0;
                v[(int)QuoteField.MarkPrice] = mark;
                v[(int)QuoteField.IndexPrice] = index;
                v[(int)QuoteField.MarkIv] = Math.Round(iv, 4);
                v[(int)QuoteField.UnderlyingPrice] = RoundSignificant(forward, 8);
                v[(int)QuoteField.OpenInterest] = option.OpenInterest;
                v[(int)QuoteField.Turnover24h] = option.Turnover24h;
                v[(int)QuoteField.Volume24h] = option.Volume24h;
                v[(int)QuoteField.TotalVolume] = option.TotalVolume;
                v[(int)QuoteField.TotalTurnover] = option.TotalTurnover;
                v[(int)QuoteField.Delta] = Math.Round(value.Delta, 8);
                v[(int)QuoteField.Gamma] = Math.Round(value.Gamma, 8);
                v[(int)QuoteField.Vega] = Math.Round(value.VegaPerPoint, 8);
                v[(int)QuoteField.Theta] = Math.Round(value.ThetaPerDay, 8);
                v[(int)QuoteField.PredictedDeliveryPrice] = option.DeliveryMs - nowMs <= 30 * 60_000 ? index : 0;
                v[(int)QuoteField.Change24h] = option.HasTraded ? Math.Round(option.LastPrice / option.Open24h - 1, 8) : 0;
                // The last push before the snapshot: within Bybit's 100 ms, received a few milliseconds later.
                option.Quote.ExchangeTimeMs = nowMs - _random.Next(0, 100);
                option.Quote.ReceivedAtMs = option.Quote.ExchangeTimeMs + _random.Next(3, 30);
                option.Quote.Status = ListingStatus.Trading;
                into.Add(new RecordedQuote(option.Instrument, option.Quote, true));
            }
        }

        /// <summary>
        /// The option's trades since the last snapshot (a Poisson draw at its rate): each moves the last price to the mark,
        /// the 24 h high and low, the volumes and turnovers (its notional at the index), and the open interest by a few per
        /// cent around its level. Trades older than 24 hours leave the 24 h volume and turnover first. Between trades
        /// nothing of these changes, as on the exchange: the turnovers are not the volumes revalued at each index.
        /// </summary>
        private void Trade(GeneratedOption option, double mark, double tick, double qtyStep, double spot, long nowMs, double dayShare, bool resetDay)
        {
            if (!option.HasTraded)
                return;
            if (double.IsNaN(option.LastPrice))
            {
                option.LastPrice = Math.Max(tick, RoundToStep(mark * (0.9 + 0.2 * _random.NextDouble()), tick));
                option.Open24h = option.High24h = option.Low24h = option.LastPrice;
            }
            if (resetDay)
                option.Open24h = option.High24h = option.Low24h = option.LastPrice;
            while (option.DayTrades.TryPeek(out var aged) && aged.TimeMs <= nowMs - DayMs)
            {
                option.DayTrades.Dequeue();
                // Summed and taken away in rounded steps; the last one out leaves exactly nothing.
                option.Volume24h = option.DayTrades.Count == 0 ? 0 : Math.Max(0, RoundToStep(option.Volume24h - aged.Size, qtyStep));
                option.Turnover24h = option.DayTrades.Count == 0 ? 0 : Math.Max(0, Math.Round(option.Turnover24h - aged.Notional, 4));
            }
            if (_random.NextDouble() >= 1 - Math.Exp(-option.TradeRatePerDay * dayShare))
                return;
            var size = Math.Max(qtyStep, RoundToStep(option.BookSizeBase * _random.NextDouble(), qtyStep));
            option.LastPrice = Math.Max(tick, RoundToStep(mark, tick));
            option.High24h = Math.Max(option.High24h, option.LastPrice);
            option.Low24h = Math.Min(option.Low24h, option.LastPrice);
            var notional = Math.Round(size * spot, 4);
            option.DayTrades.Enqueue(new DayTrade(nowMs, size, notional));
            option.Volume24h = RoundToStep(option.Volume24h + size, qtyStep);
            option.Turnover24h = Math.Round(option.Turnover24h + notional, 4);
            option.TotalVolume = RoundToStep(option.TotalVolume + size, qtyStep);
            option.TotalTurnover = Math.Round(option.TotalTurnover + notional, 4);
            option.OpenInterestLog = 0.97 * option.OpenInterestLog + 0.06 * Gaussian(_random);
            option.OpenInterest = RoundToStep(option.OpenInterestBase * Math.Exp(option.OpenInterestLog), qtyStep);
        }
    }

    private static long NextEight(long nowMs)
    {
        var day = nowMs / 86_400_000L * 86_400_000L;
        var eight = day + 8 * 3600_000L;
        return eight > nowMs ? eight : eight + 86_400_000L;
    }

    private static double Gaussian(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double RoundToStep(double value, double step, Func<double, double> round) => Math.Round(round(value / step) * step, 10);

    private static double RoundToStep(double value, double step) => Math.Round(Math.Round(value / step) * step, 10);

    private static double RoundSignificant(double value, int digits)
    {
        if (value <= 0 || !double.IsFinite(value))
            return value;
        var decimals = digits - 1 - (int)Math.Floor(Math.Log10(value));
        return decimals >= 0 ? Math.Round(value, Math.Min(decimals, 15)) : value;
    }

    private sealed class ExpiryState(long deliveryMs, ExpiryKind kind, decimal step)
    {
        public long DeliveryMs { get; } = deliveryMs;
        public ExpiryKind Kind { get; } = kind;
        public decimal Step { get; } = step;
        public HashSet<decimal> Strikes { get; } = [];
        public bool Delivered { get; set; }
        public double DeliveryPrice { get; set; } = double.NaN;
    }

    /// <summary>A stopped clock moved by the generator: the measures' book and analytics see the snapshot's time.</summary>
    private sealed class SteppedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

/// <summary>One generated option: its instrument, the model's state for it and its latest quote.</summary>
internal sealed class GeneratedOption(OptionInstrument instrument, int id)
{
    public OptionInstrument Instrument { get; } = instrument;
    public int Id { get; } = id;
    public double Strike { get; } = instrument.StrikeValue;
    public bool IsCall { get; } = instrument.Type == OptionType.Call;
    public long DeliveryMs { get; } = instrument.ExpiryUtc.ToUnixTimeMilliseconds();
    public OptionSlot? Slot { get; set; }
    public OptionQuote Quote = OptionQuote.Empty;
    public double OpenInterestBase;
    public double OpenInterestLog;
    public double OpenInterest;
    public double Volume24h;
    public double TotalVolume;
    public double Turnover24h;
    public double TotalTurnover;

    /// <summary>The trades of the last 24 hours, oldest first: they leave the 24 h volume and turnover as they age.</summary>
    public Queue<DayTrade> DayTrades { get; } = new();
    public double BookSizeBase;
    public double TradeRatePerDay;
    public bool HasTraded;
    public bool HasBidQuote;
    public double LastPrice = double.NaN;
    public double Open24h = double.NaN;
    public double High24h = double.NaN;
    public double Low24h = double.NaN;
}

/// <summary>
/// One generated snapshot and what came with it: the settlements of expiries delivered at it and, at each whole hour, the
/// coins' realised volatility. Reused from one step to the next.
/// </summary>
public sealed class GeneratedStep
{
    public BoardSnapshot Snapshot { get; } = new();

    public List<Settlement> Settlements { get; } = [];

    public List<(string Coin, IReadOnlyList<RealisedVolatilityPoint> Points)> RealisedVolatility { get; } = [];

    internal void Clear()
    {
        Snapshot.Clear();
        Settlements.Clear();
        RealisedVolatility.Clear();
    }
}

/// <summary>What <see cref="HistoryGenerator.WriteAsync"/> wrote, and how long it took.</summary>
public readonly record struct GeneratedHistory(long Snapshots, long Quotes, long Measures, TimeSpan Elapsed);

/// <summary>One generated trade still inside the 24 h window: when, its size and its notional (size times the index).</summary>
internal readonly record struct DayTrade(long TimeMs, double Size, double Notional);
