using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;
using OptionsTracker.Simulator;

namespace OptionsTracker.History;

/// <summary>
/// A recorded history played as the simulator's market (<c>--replay FILE --speed N</c>, tests, benchmarks): the
/// simulator lists the recorded options and serves the recorded tickers (pushes and REST snapshots), one recorded
/// snapshot after another at the recorded pace times <see cref="ReplayClock.Speed"/>, on a <see cref="ReplayClock"/> that
/// the tracker uses too. The quotes are read with <see cref="IHistoryStore.ReadQuotesAsync"/>, streamed, one reader per
/// coin; nothing is written to the store. The tracker that tracks the replay must not record into the history it plays:
/// <see cref="FeedSettings"/> turns its history off.
/// </summary>
public sealed class HistoryReplay : IAsyncDisposable
{
    private readonly IHistoryStore _store;
    private readonly bool _ownsStore;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, long> _framesPlayed;
    private Task _completion = Task.CompletedTask;

    private HistoryReplay(IHistoryStore store, bool ownsStore, BybitSimulator simulator, ReplayClock clock, IReadOnlyList<string> coins, ILogger logger)
    {
        _store = store;
        _ownsStore = ownsStore;
        Simulator = simulator;
        Clock = clock;
        Coins = coins;
        _logger = logger;
        _framesPlayed = coins.ToDictionary(c => c, _ => 0L, StringComparer.Ordinal);
    }

    /// <summary>The simulator playing the history: point the tracker's <c>Bybit:RestUrl</c> and <c>Bybit:WsUrl</c> at it.</summary>
    public BybitSimulator Simulator { get; }

    /// <summary>The replay's time: the tracker's <see cref="TimeProvider"/> while it tracks the replay.</summary>
    public ReplayClock Clock { get; }

    /// <summary>The coins recorded (and played).</summary>
    public IReadOnlyList<string> Coins { get; }

    /// <summary>Ends when every coin has played its last recorded snapshot (or the replay was stopped).</summary>
    public Task Completion => _completion;

    /// <summary>Recorded snapshots played so far, all coins.</summary>
    public long FramesPlayed
    {
        get
        {
            lock (_framesPlayed)
                return _framesPlayed.Values.Sum();
        }
    }

    /// <summary>
    /// Plays the DuckDB history in <paramref name="path"/> (as recorded, whatever its source: a real exchange's or
    /// simulated) at <paramref name="speed"/>. The file is only read; the replay owns the store and closes it.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static async Task<HistoryReplay> StartFileAsync(string path, double speed, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No recorded history at {Path.GetFullPath(path)} to replay.", path);
        var factory = loggerFactory ?? NullLoggerFactory.Instance;
        var store = new DuckDbHistoryStore(Options.Create(new HistoryOptions { Path = path }), factory.CreateLogger<DuckDbHistoryStore>(), TimeProvider.System);
        try
        {
            // The file says what it was recorded from: the first open learns it (a mismatch names it) and the second reads with it.
            try
            {
                await store.OpenAsync(HistoryGenerator.Source, cancellationToken);
            }
            catch (HistorySourceMismatchException mismatch)
            {
                await store.OpenAsync(mismatch.Recorded, cancellationToken);
            }
            return await StartAsync(store, ownsStore: true, speed, coins: null, factory, cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Plays <paramref name="store"/> (already opened by the caller, who keeps owning it) at <paramref name="speed"/>:
    /// <paramref name="coins"/>, or every coin the simulator knows that has a recorded snapshot. Returns once the first
    /// recorded snapshot of each coin is listed, with the clock running.
    /// </summary>
    public static Task<HistoryReplay> StartAsync(IHistoryStore store, double speed, IReadOnlyList<string>? coins, ILoggerFactory? loggerFactory,
        CancellationToken cancellationToken) =>
        StartAsync(store, ownsStore: false, speed, coins, loggerFactory ?? NullLoggerFactory.Instance, cancellationToken);

    private static async Task<HistoryReplay> StartAsync(IHistoryStore store, bool ownsStore, double speed, IReadOnlyList<string>? coins,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var ranges = new Dictionary<string, RecordedRange>(StringComparer.Ordinal);
        foreach (var coin in (coins ?? SimulatorOptions.ExchangeOptionCoins).Select(c => c.Trim().ToUpperInvariant()).Distinct())
        {
            if (await store.RangeAsync(coin, cancellationToken) is { } range)
                ranges[coin] = range;
        }
        if (ranges.Count == 0)
            throw new InvalidOperationException($"The history holds no recorded snapshot of {string.Join(", ", coins ?? SimulatorOptions.ExchangeOptionCoins)}: nothing to replay.");
        var from = ranges.Values.Min(r => r.First);
        var to = ranges.Values.Max(r => r.Last);
        var clock = new ReplayClock(from, to, speed);
        var simulator = await BybitSimulator.StartAsync(new SimulatorOptions
        {
            BaseCoins = [.. ranges.Keys],
            ExternalMarket = true,
            TimeProvider = clock,
            LoggerFactory = loggerFactory,
        }, cancellationToken);
        var replay = new HistoryReplay(store, ownsStore, simulator, clock, [.. ranges.Keys], loggerFactory.CreateLogger<HistoryReplay>());
        try
        {
            var readers = new List<CoinReader>();
            foreach (var (coin, range) in ranges)
            {
                var reader = new CoinReader(coin, store.ReadQuotesAsync(coin, range.First, range.Last, replay._stopping.Token).GetAsyncEnumerator(replay._stopping.Token));
                // The first snapshot is listed before the tracker starts, so its first instrument list finds the board.
                if (await reader.NextFrameAsync() is { } first)
                    replay.Play(coin, first);
                readers.Add(reader);
            }
            clock.Run();
            replay._completion = Task.WhenAll(readers.Select(replay.PlayAsync));
            Log.ReplayStarted(replay._logger, string.Join(", ", ranges.Keys), from, to, speed);
            return replay;
        }
        catch
        {
            await replay.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The settings a tracker needs to track this replay: the simulator's URLs, the recorded coins, no history of its own
    /// (it must not record into the file it plays, nor mix a replay into a live history), and the feed's timeouts
    /// stretched by the speed, since ages on the replay's clock grow that much faster (a pong 50 ms late at 600x is
    /// 30 recorded seconds late).
    /// </summary>
    public Dictionary<string, string?> FeedSettings()
    {
        static string Stretch(TimeSpan wall, double speed, TimeSpan max)
        {
            var stretched = TimeSpan.FromTicks((long)Math.Min(wall.Ticks * speed, max.Ticks));
            return stretched.ToString("c", CultureInfo.InvariantCulture);
        }
        return new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = Simulator.RestUrl.AbsoluteUri,
            ["Bybit:WsUrl"] = Simulator.WsUrl.AbsoluteUri,
            ["Bybit:RfqWsUrl"] = Simulator.RfqWsUrl.AbsoluteUri,
            ["Tracker:Assets"] = string.Join(",", Coins),
            ["History:Enabled"] = "false",
            ["History:Simulated"] = "true",
            // The upper bounds of BybitOptions' validation.
            ["Bybit:PongTimeout"] = Stretch(TimeSpan.FromSeconds(10), Clock.Speed, TimeSpan.FromMinutes(5)),
            ["Bybit:AckTimeout"] = Stretch(TimeSpan.FromSeconds(10), Clock.Speed, TimeSpan.FromMinutes(5)),
            ["Bybit:DataTimeout"] = Stretch(TimeSpan.FromSeconds(45), Clock.Speed, TimeSpan.FromMinutes(30)),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _completion;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        await Simulator.DisposeAsync();
        if (_ownsStore)
            await _store.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>Plays one coin's recorded snapshots, each when the replay's clock reaches its time.</summary>
    private async Task PlayAsync(CoinReader reader)
    {
        var cancellationToken = _stopping.Token;
        var last = DateTimeOffset.MinValue;
        long frames;
        try
        {
            while (await reader.NextFrameAsync() is { } frame)
            {
                var ahead = frame.Time - Clock.GetUtcNow();
                if (ahead > TimeSpan.Zero)
                    await Task.Delay(ahead / Clock.Speed, TimeProvider.System, cancellationToken);
                Play(reader.Coin, frame);
                last = frame.Time;
            }
            lock (_framesPlayed)
                frames = _framesPlayed[reader.Coin];
            Log.ReplayFinished(_logger, reader.Coin, last, frames);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The replay is stopping.
        }
        catch (Exception ex)
        {
            Log.ReplayFailed(_logger, ex, reader.Coin);
        }
        finally
        {
            await reader.DisposeAsync();
        }
    }

    private void Play(string coin, Frame frame)
    {
        Simulator.Play(coin, frame.Time, frame.Options);
        lock (_framesPlayed)
            _framesPlayed[coin]++;
    }

    /// <summary>The recorded quote as the simulator serves it: the same values, NaN (not sent) staying NaN.</summary>
    private static ExternalOption ToExternal(OptionInstrument instrument, in OptionQuote quote)
    {
        var listing = new SimulatedInstrument(instrument.Symbol, instrument.BaseCoin, instrument.Type == OptionType.Call ? "Call" : "Put",
            instrument.Strike, instrument.ExpiryUtc, ListingStatuses.Name(quote.Status))
        {
            // Bybit's legacy USDC options name no settle coin in their symbol (OptionInstrument.SettleCoin is null).
            SettleCoin = instrument.SettleCoin ?? "USDC",
        };
        var ticker = new SimulatedTicker(instrument.Symbol,
            quote.BidPrice, quote.BidSize, quote.BidIv, quote.AskPrice, quote.AskSize, quote.AskIv,
            quote.LastPrice, quote.HighPrice24h, quote.LowPrice24h,
            quote.MarkPrice, quote.IndexPrice, quote.MarkIv, quote.UnderlyingPrice,
            quote.OpenInterest, quote.Turnover24h, quote.Volume24h, quote.TotalVolume, quote.TotalTurnover,
            quote.Delta, quote.Gamma, quote.Vega, quote.Theta, quote.PredictedDeliveryPrice, quote.Change24h);
        return new ExternalOption(listing, ticker, quote.DeliveryPrice);
    }

    private sealed record Frame(DateTimeOffset Time, List<ExternalOption> Options);

    /// <summary>One coin's recorded rows, grouped into snapshots (rows come ordered by snapshot time).</summary>
    private sealed class CoinReader(string coin, IAsyncEnumerator<RecordedRow> rows) : IAsyncDisposable
    {
        private bool _hasPending;
        private bool _ended;

        public string Coin { get; } = coin;

        public async Task<Frame?> NextFrameAsync()
        {
            if (_ended)
                return null;
            if (!_hasPending && !(_hasPending = await rows.MoveNextAsync()))
            {
                _ended = true;
                return null;
            }
            var frame = new Frame(rows.Current.Time, []);
            while (_hasPending && rows.Current.Time == frame.Time)
            {
                var row = rows.Current;
                // The simulator speaks Bybit: a later venue's rows are not its to play.
                if (row.Instrument.Venue == Venue.Bybit)
                    frame.Options.Add(ToExternal(row.Instrument, row.Quote));
                _hasPending = await rows.MoveNextAsync();
            }
            _ended = !_hasPending;
            return frame;
        }

        public ValueTask DisposeAsync() => rows.DisposeAsync();
    }
}
