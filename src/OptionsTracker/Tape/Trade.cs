using OptionsTracker.Book;

namespace OptionsTracker.Tape;

/// <summary>
/// One option trade, as every reader sees it whatever the venue: prices in USD, sizes in the base coin, IVs as
/// fractions, times in UTC ms. Trades are events, not state (DESIGN.md 11): each is delivered once, in order, never
/// coalesced. <see cref="Id"/> is the venue's trade id (Bybit's <c>i</c> / <c>execId</c>), unique per venue;
/// <see cref="Sequence"/> is the tape's own order, given by the collector that appended it and kept by every instance
/// that mirrors it (so a stream client resumes with it anywhere).
/// </summary>
public sealed record Trade
{
    public required Venue Venue { get; init; }

    /// <summary>The venue's trade id, unique within the venue.</summary>
    public required string Id { get; init; }

    public required string Symbol { get; init; }
    public required string BaseCoin { get; init; }
    public required DateTimeOffset ExpiryUtc { get; init; }
    public required decimal Strike { get; init; }
    public required OptionType Type { get; init; }

    /// <summary>When the venue matched it (Bybit's <c>T</c> / <c>time</c>), UTC ms.</summary>
    public required long TimeMs { get; init; }

    /// <summary>The taker's side.</summary>
    public required TradeSide Side { get; init; }

    /// <summary>Contracts, in the base coin.</summary>
    public required double Size
    {
        get;
        init
        {
            field = value;
            PremiumUsd = MultiplyAsDecimals(Price, value);
        }
    }

    /// <summary>The price of one contract, USD.</summary>
    public required double Price
    {
        get;
        init
        {
            field = value;
            PremiumUsd = MultiplyAsDecimals(value, Size);
        }
    }

    /// <summary>The trade's implied volatility (fraction); NaN when the venue gave none.</summary>
    public double Iv { get; init; } = double.NaN;

    /// <summary>The mark IV at the trade (fraction): <see cref="Iv"/> above it means the taker paid over mark.</summary>
    public double MarkIv { get; init; } = double.NaN;

    /// <summary>The mark price at the trade, USD.</summary>
    public double MarkPrice { get; init; } = double.NaN;

    /// <summary>The index price at the trade, USD.</summary>
    public double IndexPrice { get; init; } = double.NaN;

    /// <summary>Delta of one contract at trade time (<see cref="TradeGreeks"/>); NaN when it cannot be formed.</summary>
    public double Delta { get; init; } = double.NaN;

    /// <summary>Gamma of one contract at trade time, per 1 USD of the underlying.</summary>
    public double Gamma { get; init; } = double.NaN;

    /// <summary>Vega of one contract at trade time, USD per vol point.</summary>
    public double Vega { get; init; } = double.NaN;

    /// <summary>A block trade (Bybit's <c>BT</c> / <c>isBlockTrade</c>).</summary>
    public bool IsBlock { get; init; }

    /// <summary>The block this trade is a leg of (Bybit's RFQ <c>rfqId</c>), when known: legs of one block share it.</summary>
    public string? BlockId { get; init; }

    /// <summary>The venue's own sequence number of the trade (Bybit's <c>seq</c>), 0 when none: orders trades of one time.</summary>
    public long ExchangeSequence { get; init; }

    /// <summary>The tape's order (from 1, per coin); 0 until <see cref="TradeTape.Append"/> gives it.</summary>
    public long Sequence { get; init; }

    /// <summary>
    /// Price × size, USD (what the taker paid or received). Multiplied as decimals: both came from the venue's decimal
    /// text, and the product of their doubles is not the product of the decimals (587.1 × 2 = 1174.1999999999998).
    /// Set by <see cref="Price"/> and <see cref="Size"/> (whichever comes last, also through <c>with</c>): the decimal
    /// product costs ~70 ns, and the flow reads it for every trade in each of its sums and in the largest trades' order.
    /// </summary>
    public double PremiumUsd { get; private init; }

    /// <summary>
    /// <paramref name="a"/> × <paramref name="b"/> through decimal (each double taken at its 15 significant digits, which
    /// round-trip a venue's decimal text), so the product is the double nearest the decimal product; outside decimal's
    /// range, or for NaN, the plain double product.
    /// </summary>
    internal static double MultiplyAsDecimals(double a, double b) =>
        double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a) < 1e14 && Math.Abs(b) < 1e14
            ? (double)((decimal)a * (decimal)b)
            : a * b;

    /// <summary>+1 for a taker buy, −1 for a taker sell: the sign flow figures weigh a trade's Greeks with.</summary>
    public int SideSign => Side == TradeSide.Buy ? 1 : -1;

    /// <summary>The instant of <see cref="TimeMs"/>.</summary>
    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeMilliseconds(TimeMs);

    /// <summary>
    /// Whether a reader asking for <paramref name="venue"/> gets this trade: every venue's when null (absent or <c>all</c>),
    /// else that venue's only. The one venue filter of the tape's readers (<c>/api/trades</c>, its SSE stream, <c>/ws</c>'s
    /// trades channel, the flow, the trade alert rules), so no two of them disagree on what a venue's trades are.
    /// </summary>
    public bool IsOn(Venue? venue) => venue is not { } only || Venue == only;

    /// <summary>Exchange order: time, then the venue's sequence, then the id (ordinal), so a merge of two sources is stable.</summary>
    public static int CompareByExchangeOrder(Trade a, Trade b)
    {
        var byTime = a.TimeMs.CompareTo(b.TimeMs);
        if (byTime != 0)
            return byTime;
        var bySequence = a.ExchangeSequence.CompareTo(b.ExchangeSequence);
        return bySequence != 0 ? bySequence : string.CompareOrdinal(a.Id, b.Id);
    }
}
