using System.Collections.Concurrent;
using System.Globalization;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// Deribit's view of a <see cref="SimulatedMarket"/>: which of its options Deribit lists (BTC and ETH as inverse options,
/// SOL and XRP as linear USDC ones), under Deribit's names and grids, and each option's ticker in Deribit's units. The
/// market model (index walk, forwards, smile, books) is the Bybit simulator's, shared domain code; everything Deribit-shaped
/// is here. Each strike's IV differs from the market's by a fixed seeded offset, so the two venues disagree a little, as
/// real venues do. Listings follow the market; an option can also be closed on Deribit alone.
/// </summary>
internal sealed class DeribitMarket
{
    /// <summary>Deribit's currencies of the coins it lists (base coin → currency of get_instruments).</summary>
    private static readonly Dictionary<string, CoinRules> Rules = new(StringComparer.Ordinal)
    {
        // Inverse: contract size 1 coin, minimum 0.1 BTC / 1 ETH, tick 0.0001 coin (Deribit's get_instruments for options).
        ["BTC"] = new("BTC", IsInverse: true, ContractSize: 1, MinTradeAmount: 0.1, TickSize: 0.0001, IndexName: "btc_usd"),
        ["ETH"] = new("ETH", IsInverse: true, ContractSize: 1, MinTradeAmount: 1, TickSize: 0.0001, IndexName: "eth_usd"),
        // Linear USDC options (unverified grids: one public client's fixture shows SOL_USDC contract_size 10 and
        // min_trade_amount 10; XRP by analogy). Amounts are in the base coin.
        ["SOL"] = new("USDC", IsInverse: false, ContractSize: 10, MinTradeAmount: 10, TickSize: 0.01, IndexName: "sol_usdc"),
        ["XRP"] = new("USDC", IsInverse: false, ContractSize: 1000, MinTradeAmount: 1000, TickSize: 0.0001, IndexName: "xrp_usdc"),
    };

    private static readonly string[] AllCurrencies = ["BTC", "ETH", "USDC"];

    private readonly SimulatedMarket _market;
    private readonly TimeProvider _time;
    private readonly double _ivOffsetPoints;
    private readonly int _seed;
    private readonly ConcurrentDictionary<InstrumentState, ListedOption> _bySource = new();
    private readonly ConcurrentDictionary<string, ListedOption> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _closed = new(StringComparer.Ordinal);

    public DeribitMarket(SimulatedMarket market, TimeProvider time, double ivOffsetPoints, int seed)
    {
        _market = market;
        _time = time;
        _ivOffsetPoints = ivOffsetPoints;
        _seed = seed;
    }

    public SimulatedMarket Source => _market;

    /// <summary>The currencies listed (BTC, ETH, USDC), in that order, those the market has coins for.</summary>
    public IReadOnlyList<string> Currencies =>
        [.. AllCurrencies.Where(c => _market.Boards.Any(b => Rules.TryGetValue(b.BaseCoin, out var r) && r.Currency == c))];

    public static bool IsListedCoin(string baseCoin) => Rules.ContainsKey(baseCoin);

    /// <summary>The currency a coin's options are listed under, or null if Deribit does not list it.</summary>
    public static string? CurrencyOf(string baseCoin) => Rules.TryGetValue(baseCoin, out var r) ? r.Currency : null;

    /// <summary>The index name (<c>btc_usd</c>, <c>sol_usdc</c>) of a coin.</summary>
    public static string? IndexNameOf(string baseCoin) => Rules.TryGetValue(baseCoin, out var r) ? r.IndexName : null;

    /// <summary>The coin of an index name, or null.</summary>
    public string? CoinOfIndex(string indexName)
    {
        foreach (var (coin, rules) in Rules)
        {
            if (string.Equals(rules.IndexName, indexName, StringComparison.Ordinal) && _market.FindBoard(coin) is not null)
                return coin;
        }

        return null;
    }

    public static bool IsCurrency(string currency) => currency is "BTC" or "ETH" or "USDC";

    /// <summary>The open (trading, not closed) options of a currency, in the market's listing order.</summary>
    public List<ListedOption> Listed(string currency)
    {
        var result = new List<ListedOption>();
        foreach (var board in _market.Boards)
        {
            if (!Rules.TryGetValue(board.BaseCoin, out var rules) || rules.Currency != currency)
                continue;
            foreach (var state in board.Listed)
            {
                if (state.Info.SettleCoin != "USDT")
                    continue; // Bybit's legacy USDC names would collide with Deribit's own: not listed here.
                var listing = ListingOf(state, rules);
                if (!_closed.ContainsKey(listing.Name))
                    result.Add(listing);
            }
        }

        return result;
    }

    /// <summary>Every open option of every currency.</summary>
    public List<ListedOption> AllListed() => [.. Currencies.SelectMany(Listed)];

    /// <summary>An open option by Deribit name.</summary>
    public bool TryGetOpen(string name, out ListedOption listing)
    {
        if (_byName.TryGetValue(name, out listing!) && listing.Source.IsListed && !_closed.ContainsKey(name))
            return true;
        listing = null!;
        return false;
    }

    /// <summary>Any option ever listed here, by name (closed and delivered ones included).</summary>
    public bool TryGetKnown(string name, out ListedOption listing) => _byName.TryGetValue(name, out listing!);

    /// <summary>Closes an option on Deribit only: it leaves get_instruments, its ticker stops; the market keeps it.</summary>
    public bool Close(string name) => _byName.ContainsKey(name) && _closed.TryAdd(name, 0);

    public bool IsClosed(string name) => _closed.ContainsKey(name);

    /// <summary>The ticker of an open option now, in Deribit's units.</summary>
    public DeribitTicker Ticker(ListedOption listing) => Ticker(listing, listing.Source.ReadTicker(), _time.GetUtcNow().ToUnixTimeMilliseconds());

    public static DeribitTicker Ticker(ListedOption listing, in SimulatedTicker t, long nowMs)
    {
        var info = listing.Info;
        double offset = listing.IvOffset; // fraction
        double shiftUsd = t.Vega * offset * 100; // Vega is per vol point.
        // Deribit's coin prices are the USD value over the expiry's forward (underlying_price), the price its IVs use;
        // linear options are quoted in USDC directly.
        double conversion = info.IsInverse ? t.UnderlyingPrice : 1;
        double tick = info.TickSize;
        double markUsd = Math.Max(0, t.MarkPrice + shiftUsd);
        double mark = Math.Round(markUsd / conversion, info.IsInverse ? 8 : 6);

        double bid = 0, bidAmount = 0, bidIv = 0;
        if (t.BidPrice > 0)
        {
            bid = RoundToStep((t.BidPrice + shiftUsd) / conversion, tick, Math.Floor);
            if (bid >= tick)
            {
                bidAmount = Amount(t.BidSize, info.MinTradeAmount);
                bidIv = Math.Round((t.BidIv + offset) * 100, 2);
            }
            else
            {
                bid = 0;
            }
        }

        double ask = 0, askAmount = 0, askIv = 0;
        if (t.AskPrice > 0)
        {
            ask = Math.Max(tick, RoundToStep((t.AskPrice + shiftUsd) / conversion, tick, Math.Ceiling));
            askAmount = Amount(t.AskSize, info.MinTradeAmount);
            askIv = Math.Round((t.AskIv + offset) * 100, 2);
        }

        double last = t.LastPrice > 0 ? Math.Max(tick, RoundToStep((t.LastPrice + shiftUsd) / conversion, tick, Math.Round)) : double.NaN;
        double high = t.HighPrice24h > 0 ? Math.Max(tick, RoundToStep((t.HighPrice24h + shiftUsd) / conversion, tick, Math.Round)) : double.NaN;
        double low = t.LowPrice24h > 0 ? Math.Max(tick, RoundToStep((t.LowPrice24h + shiftUsd) / conversion, tick, Math.Round)) : double.NaN;
        double years = Math.Max(0, (listing.ExpirationMs - nowMs) / (365.0 * 24 * 3600 * 1000));
        if (double.IsNaN(listing.SettlementPrice))
            listing.SettlementPrice = mark; // The last settlement's mark: the first one seen here.
        double volume = RoundToStep(t.Volume24h, info.MinTradeAmount / 10, Math.Round);

        return new DeribitTicker(
            info.InstrumentName, nowMs, "open",
            mark, Math.Round((t.MarkIv + offset) * 100, 2),
            bid, bidAmount, bidIv,
            ask, askAmount, askIv,
            last, t.IndexPrice, t.UnderlyingPrice, listing.UnderlyingIndex,
            RoundToStep(t.OpenInterest, info.MinTradeAmount / 10, Math.Round), listing.SettlementPrice, t.IndexPrice, 0,
            tick, RoundToStep(mark * 2 + 10 * tick, tick, Math.Ceiling),
            Math.Round(t.Delta, 5), Math.Round(t.Gamma, 8), Math.Round(t.Vega, 5), Math.Round(t.Theta, 5),
            // Black-76 rho (per 1 % rate): -T x value, in USD like the other Greeks.
            Math.Round(-years * markUsd / 100, 5),
            volume, Math.Round(t.Turnover24h, 2),
            t.LastPrice > 0 ? Math.Round(t.Change24h * 100, 4) : double.NaN, high, low);
    }

    private ListedOption ListingOf(InstrumentState state, CoinRules rules) =>
        _bySource.GetOrAdd(state, s =>
        {
            var info = s.Info;
            string date = OptionSymbol.DateCode(info.DeliveryTime);
            string root = rules.IsInverse ? info.BaseCoin : info.BaseCoin + "_USDC";
            string name = $"{root}-{date}-{OptionSymbol.Strike(info.Strike)}-{(s.IsCall ? 'C' : 'P')}";
            var instrument = new DeribitInstrument(
                name, rules.Currency, info.BaseCoin, s.IsCall ? "call" : "put", info.Strike, info.DeliveryTime,
                rules.IsInverse, rules.ContractSize, rules.TickSize, rules.MinTradeAmount);
            // Deribit names a real future as the underlying on quarterly expiries, a synthetic one (SYN.) otherwise.
            string underlying = s.ExpiryKind == ExpiryKind.Quarterly ? $"{root}-{date}" : $"SYN.{root}-{date}";
            var listing = new ListedOption(instrument, s, underlying, rules.IndexName, IvOffsetFor(name),
                _time.GetUtcNow().ToUnixTimeMilliseconds(), SettlementPeriod(s.ExpiryKind));
            _byName.TryAdd(name, listing);
            return listing;
        });

    /// <summary>A fixed offset per strike and expiry in [-max, +max] vol points plus a quarter of max as the venue's bias.</summary>
    private double IvOffsetFor(string name)
    {
        // Seeded from the name without its C/P: a call and a put of one strike share the offset (put-call parity holds).
        var random = new Random(unchecked(_seed * 31 + StableHash(name[..^2])));
        double points = _ivOffsetPoints * (2 * random.NextDouble() - 1) + 0.25 * _ivOffsetPoints;
        return points / 100;
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            int hash = (int)2166136261;
            foreach (char c in text)
                hash = (hash ^ c) * 16777619;
            return hash;
        }
    }

    private static string SettlementPeriod(ExpiryKind kind) => kind switch
    {
        ExpiryKind.Daily => "day",
        ExpiryKind.Weekly => "week",
        _ => "month",
    };

    private static double Amount(double size, double step) => Math.Max(step, RoundToStep(size, step, Math.Round));

    internal static double RoundToStep(double value, double step, Func<double, double> round) =>
        Math.Round(round(value / step + 1e-9) * step, 10);

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed record CoinRules(string Currency, bool IsInverse, double ContractSize, double MinTradeAmount, double TickSize, string IndexName);
}

/// <summary>One option Deribit lists, tied to the market's instrument it mirrors.</summary>
internal sealed class ListedOption(
    DeribitInstrument info, InstrumentState source, string underlyingIndex, string indexName, double ivOffset, long creationMs, string settlementPeriod)
{
    public DeribitInstrument Info { get; } = info;
    public InstrumentState Source { get; } = source;
    public string Name => Info.InstrumentName;
    public string UnderlyingIndex { get; } = underlyingIndex;
    public string IndexName { get; } = indexName;
    public double IvOffset { get; } = ivOffset;
    public long CreationMs { get; } = creationMs;
    public string SettlementPeriod { get; } = settlementPeriod;
    public long ExpirationMs { get; } = info.Expiration.ToUnixTimeMilliseconds();
    public bool IsCall { get; } = info.OptionType == "call";
    public string TickerChannel { get; } = $"ticker.{info.InstrumentName}.100ms";
    public double SettlementPrice { get; set; } = double.NaN;
    public long TradeSeq;
}
