using OptionsTracker.Book;
using OptionsTracker.Measures;

namespace OptionsTracker.Strategies;

/// <summary>
/// One coin's board as the strategy builder reads it, at one moment: legs by symbol (or an expiry's forward) resolved
/// to a <see cref="StrategyLeg"/> with its market and smile, each expiry's forward, the presets' board, and the
/// evaluation with the first expiry's ATM IV for the probability of profit. The one resolution shared by
/// <c>POST /api/strategy/evaluate</c> and the dashboard's builder, so a link, a saved strategy and an API call evaluate
/// the same legs on the same figures. Cheap to make: a view over the book's index and the coin's analytics snapshot.
/// </summary>
public sealed class StrategyBoard(BookIndex index, KnownVenues venues, CoinIndex coin, CoinAnalytics? analytics, DateTimeOffset now)
{
    public CoinIndex Coin => coin;

    /// <summary>The evaluation instant: the clock, or a recorded snapshot's time.</summary>
    public DateTimeOffset Now => now;

    /// <summary>The expiries not yet settled, chronological.</summary>
    public IReadOnlyList<ExpiryIndex> LiveExpiries => [.. coin.Expiries.Where(e => e.ExpiryUtc > now)];

    /// <summary>
    /// The expiry's forward: the analytics' (one for every leg of that expiry, so legs quoted a moment apart never see two
    /// forwards), else the first quoted underlying price of the expiry, else the index price.
    /// </summary>
    public double ForwardOf(ExpiryIndex expiry)
    {
        if (analytics?.Expiries.FirstOrDefault(e => e.Expiry.ExpiryUtc == expiry.ExpiryUtc) is { Forward: > 0 } figures)
            return figures.Forward;
        foreach (var slot in expiry.Slots)
        {
            var underlying = slot.ReadQuote().UnderlyingPrice;
            if (underlying > 0)
                return underlying;
        }
        return analytics?.IndexPrice ?? double.NaN;
    }

    /// <summary>The analytics' ATM IV of the expiry at <paramref name="expiryUtc"/>; NaN without one.</summary>
    public double AtmIvOf(DateTimeOffset expiryUtc) =>
        analytics?.Expiries.FirstOrDefault(e => e.Expiry.ExpiryUtc == expiryUtc).AtmIv ?? double.NaN;

    /// <summary>
    /// An option leg: the option listed as <paramref name="symbol"/> (any case) of this coin and not expired, with its
    /// quote on its expiry's forward; its expiry's smile only for <see cref="VolModel.StickyDelta"/> (a pass over the
    /// expiry's quotes). Otherwise the reason, naming the symbol.
    /// </summary>
    public LegResolution ResolveOption(string symbol, Venue? venue, LegSide side, double quantity, VolModel volModel)
    {
        symbol = symbol.Trim();
        if (symbol.Length == 0 || symbol.Length > StrategyLimits.MaxSymbolLength)
            return LegResolution.Invalid("Give an option's symbol, or `forward` with an expiry for the underlying.");
        if (!venues.TryFindOption(index, venue, symbol, out var slot)
            && !venues.TryFindOption(index, venue, symbol.ToUpperInvariant(), out slot))
        {
            return LegResolution.Invalid($"{StrategyLimits.Echo(symbol)} is not listed (unknown, expired or delisted).", LegProblem.NotListed);
        }
        var instrument = slot.Instrument;
        if (!string.Equals(instrument.BaseCoin, coin.BaseCoin, StringComparison.OrdinalIgnoreCase))
            return LegResolution.Invalid($"{instrument.Symbol} is a {instrument.BaseCoin} option; every leg must be of {coin.BaseCoin}.", LegProblem.OtherCoin);
        if (instrument.ExpiryUtc <= now)
            return LegResolution.Invalid($"{instrument.Symbol} expired at {instrument.ExpiryUtc:O}.", LegProblem.Expired);
        var expiry = coin.Expiries.First(e => e.ExpiryUtc == instrument.ExpiryUtc);
        var market = LegMarkets.Of(slot.ReadQuote(), ForwardOf(expiry));
        return new LegResolution(new StrategyLeg
        {
            Symbol = instrument.Symbol,
            Side = side,
            Quantity = quantity,
            ExpiryUtc = instrument.ExpiryUtc,
            Strike = instrument.StrikeValue,
            Type = instrument.Type,
            Market = market,
            // Read only when asked: a smile costs a pass over the expiry's quotes.
            Smile = volModel == VolModel.StickyDelta ? LegMarkets.SmileOf(expiry, market.Forward) : ExpirySmile.Empty,
        }, null, LegProblem.None);
    }

    /// <summary>An underlying leg at the forward of the listed expiry on <paramref name="date"/>; otherwise the reason.</summary>
    public LegResolution ResolveForward(DateOnly date, LegSide side, double quantity)
    {
        var expiry = coin.Expiries.FirstOrDefault(e => e.Date == date);
        var forward = expiry is null ? double.NaN : ForwardOf(expiry);
        if (expiry is null || !(forward > 0))
            return LegResolution.Invalid($"{coin.BaseCoin} has no listed expiry {ExpiryLabel.Format(date)} with a forward.", LegProblem.NotListed);
        if (expiry.ExpiryUtc <= now)
            return LegResolution.Invalid($"{coin.BaseCoin}'s {expiry.Label} expired at {expiry.ExpiryUtc:O}.", LegProblem.Expired);
        return new LegResolution(new StrategyLeg
        {
            Symbol = ForwardSymbol(coin.BaseCoin, expiry.Label),
            Side = side,
            Quantity = quantity,
            ExpiryUtc = expiry.ExpiryUtc,
            Market = new LegMarket { Forward = forward, Bid = forward, Ask = forward, Mark = forward },
        }, null, LegProblem.None);
    }

    /// <summary>The name of an underlying leg (<c>BTC-26DEC25 forward</c>).</summary>
    public static string ForwardSymbol(string coin, string expiryLabel) => $"{coin}-{expiryLabel} forward";

    /// <summary>The presets' board on <paramref name="near"/> and <paramref name="far"/> (null: none, so presets needing one build nothing).</summary>
    public PresetBoard PresetBoardOf(ExpiryIndex near, ExpiryIndex? far) =>
        new(near, ForwardOf(near), far, far is null ? double.NaN : ForwardOf(far));

    /// <summary>The live expiry after <paramref name="expiry"/>; null for the last.</summary>
    public ExpiryIndex? NextAfter(ExpiryIndex expiry) => coin.Expiries.FirstOrDefault(e => e.ExpiryUtc > expiry.ExpiryUtc && e.ExpiryUtc > now);

    /// <summary>Evaluates the legs with the first expiry's ATM IV for the probability of profit (see <see cref="StrategyEvaluator"/>).</summary>
    public StrategyEvaluation Evaluate(IReadOnlyList<StrategyLeg> legs, EvaluationSettings settings) =>
        StrategyEvaluator.Evaluate(legs, settings with { FirstExpiryAtmIv = AtmIvOf(legs.Min(l => l.ExpiryUtc)) });
}

/// <summary>Why a leg could not be resolved: the user's input (<see cref="Invalid"/>) or the market (the rest).</summary>
public enum LegProblem : byte
{
    None,

    /// <summary>The request itself is wrong (no symbol, too long).</summary>
    Invalid,

    /// <summary>The board does not list it (an unknown symbol, or one delisted or settled and gone).</summary>
    NotListed,

    /// <summary>Listed, but settled by the evaluation instant.</summary>
    Expired,

    /// <summary>An option of another coin than the strategy's.</summary>
    OtherCoin,
}

/// <summary>A resolved leg, or why there is none (<see cref="Problem"/> names the leg in words).</summary>
public readonly record struct LegResolution(StrategyLeg? Leg, string? Problem, LegProblem Kind)
{
    internal static LegResolution Invalid(string problem, LegProblem kind = LegProblem.Invalid) => new(null, problem, kind);
}
