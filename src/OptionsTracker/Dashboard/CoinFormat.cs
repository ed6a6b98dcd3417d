using System.Globalization;
using OptionsTracker.Book;

namespace OptionsTracker.Dashboard;

/// <summary>
/// How one coin's numbers read on the dashboard: every quote cell (table, chain, detail) goes through
/// <see cref="Value"/>, so a column reads the same wherever it is shown, and every figure of a column has the same
/// number of decimals, so the figures line up. <see cref="LiveBoard"/> builds one (<see cref="For"/>) when its coin's
/// rows change, not per render.
/// </summary>
/// <remarks>
/// Prices (bid, ask, mark, last, 24 h high and low) read at the option's tick size (Bybit's
/// <c>priceFilter.tickSize</c>: BTC 5 → 1,655; ETH 0.1 → 17.9; SOL 0.01 → 6.27), sizes (bid/ask size, open interest,
/// volume) at its quantity step (<c>lotSizeFilter.qtyStep</c>), so trailing zeros stay. Without a grid (a venue or an
/// old store hash that has none) the coin's own quotes stand in: the fewest decimals that show every one of them
/// exactly. Greeks read with about three significant digits at the coin's median |value| of that column (BTC gamma
/// 0.0000112, XRP vega 0.000912), at least two decimals (theta -583.77, vega 21.53); delta always four; IV one decimal
/// of a percent.
/// </remarks>
public sealed class CoinFormat
{
    /// <summary>Before any coin is chosen, and for figures of a coin without its rows (the asset buttons).</summary>
    public static readonly CoinFormat Plain = new();

    private const int MaxDecimals = 10;
    private const int GreekSignificantDigits = 3;
    private const int UnderlyingSignificantDigits = 4;

    /// <summary>Greeks before the coin has any: four decimals, as the dashboard first showed them.</summary>
    private const int DefaultGreekDecimals = 4;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    // "#,##0", "#,##0.0", "#,##0.00", …: one cached format per number of decimals.
    private static readonly string[] Formats =
        [.. Enumerable.Range(0, MaxDecimals + 1).Select(d => d == 0 ? "#,##0" : "#,##0." + new string('0', d))];

    // The coin's decimals per field, for fields read the same on every row; prices and sizes fall back to these when
    // the row's instrument has no grid.
    private readonly int[] _decimals = new int[QuoteFields.Count];

    // -1: no coin (Plain), strikes read in their shortest exact form.
    private readonly int _strikeDecimals = -1;

    // -1: no coin (Plain), the underlying reads by its own magnitude.
    private readonly int _underlyingDecimals = -1;

    private CoinFormat()
    {
        for (var field = 0; field < QuoteFields.Count; field++)
            _decimals[field] = DefaultDecimals((QuoteField)field);
        IsProvisional = true;
    }

    private CoinFormat(IReadOnlyList<OptionRow> rows)
    {
        var provisional = false;
        var values = new List<double>(rows.Count);
        // Bids and asks sit on the price grid (marks are computed and do not), so they stand in for a missing tick size.
        var prices = GridDecimals(rows, static i => i.UsdTickSize, [QuoteField.BidPrice, QuoteField.AskPrice], convertedDecimals: 2);
        for (var index = 0; index < QuoteFields.Count; index++)
        {
            var field = (QuoteField)index;
            int? decimals = KindOf(field) switch
            {
                Kind.Price => prices,
                Kind.Size => GridDecimals(rows, static i => i.QtyStep, [field]),
                Kind.Greek => SignificantDecimals(MedianMagnitude(rows, field, values), GreekSignificantDigits, 2, MaxDecimals),
                Kind.Amount => SignificantDecimals(MedianMagnitude(rows, field, values), GreekSignificantDigits, 0, 4),
                _ => DefaultDecimals(field),
            };
            // Turnovers are not on screen; a venue that never sends them should not keep the format provisional.
            provisional |= decimals is null && KindOf(field) != Kind.Amount;
            _decimals[(int)field] = decimals ?? DefaultDecimals(field);
        }

        _strikeDecimals = 0;
        foreach (var row in rows)
            _strikeDecimals = Math.Max(_strikeDecimals, DecimalsOf(row.Instrument.Strike));
        var underlying = SignificantDecimals(MedianMagnitude(rows, QuoteField.UnderlyingPrice, values), UnderlyingSignificantDigits, 2, 8);
        provisional |= underlying is null;
        _underlyingDecimals = Math.Max(_strikeDecimals, underlying ?? 2);
        IsProvisional = provisional;
    }

    /// <summary>
    /// Whether some column had no value to size it by (the coin's quotes had not arrived): the board builds the format
    /// again once they have.
    /// </summary>
    public bool IsProvisional { get; }

    /// <summary>The format of a coin's rows: cheap (a few passes over the rows), built when the rows change.</summary>
    public static CoinFormat For(IReadOnlyList<OptionRow> rows) => rows.Count == 0 ? Plain : new CoinFormat(rows);

    /// <summary>One quote field of one option, as its cell shows it (missing values as <see cref="Display.Missing"/>).</summary>
    public string Value(OptionRow row, QuoteField field)
    {
        var value = row.Quote.Values[(int)field];
        if (value == 0 && IsEmptyWhenZero(row, field))
            return Display.Missing;
        switch (KindOf(field))
        {
            case Kind.Price:
                return Fixed(value, GridOr(row.Instrument.UsdTickSize, field));
            case Kind.Size:
                return Fixed(value, GridOr(row.Instrument.QtyStep, field));
            case Kind.Iv:
                return Iv(value);
            case Kind.Underlying:
                return Underlying(value);
            case Kind.Change:
                return Change(value);
            default:
                return Fixed(value, _decimals[(int)field]);
        }
    }

    /// <summary>
    /// Fields Bybit sends as 0 when there is nothing to show: a side of the book that is empty (its price "0", its IV
    /// and size 0 too), the last price and the 24 h high and low of an option not traded (no trade is at 0: the lowest price is
    /// one tick), and the predicted delivery price outside the hour before delivery. A dash, not a figure.
    /// </summary>
    private static bool IsEmptyWhenZero(OptionRow row, QuoteField field) => field switch
    {
        QuoteField.BidPrice or QuoteField.AskPrice => true,
        QuoteField.LastPrice or QuoteField.HighPrice24h or QuoteField.LowPrice24h => true,
        QuoteField.BidIv or QuoteField.BidSize => !(row.Quote.BidPrice > 0),
        QuoteField.AskIv or QuoteField.AskSize => !(row.Quote.AskPrice > 0),
        QuoteField.PredictedDeliveryPrice => true,
        _ => false,
    };

    /// <summary>A sum over a column (e.g. the coin's open interest) at that column's decimals for this coin.</summary>
    public string Total(QuoteField field, double value) => Fixed(value, _decimals[(int)field]);

    /// <summary>A strike of this coin: every strike with the coin's most decimals (XRP 1.50, 2.25), BTC's none.</summary>
    public string Strike(double value) => _strikeDecimals < 0
        ? double.IsNaN(value) ? Display.Missing : value.ToString("#,##0.########", Invariant)
        : Fixed(value, _strikeDecimals);

    /// <summary>An underlying, index or forward of this coin: four significant digits at its level, at least two decimals.</summary>
    public string Underlying(double value) => Fixed(value, _underlyingDecimals >= 0
        ? _underlyingDecimals
        : SignificantDecimals(Math.Abs(value), UnderlyingSignificantDigits, 2, 8) ?? 2);

    /// <summary>IV arrives as a fraction (0.523) and reads as a percentage with one decimal (52.3%).</summary>
    public string Iv(double fraction) => double.IsNaN(fraction) ? Display.Missing : (fraction * 100).ToString("0.0", Invariant) + "%";

    /// <summary>A price at a tick size (5 → no decimals, 0.1 → one); an unknown tick shows two decimals.</summary>
    public static string Price(double value, double tickSize) => Fixed(value, DecimalsOf(tickSize) ?? 2);

    /// <summary><paramref name="value"/> with exactly <paramref name="decimals"/> decimals and thousands separators; NaN as a dash.</summary>
    public static string Fixed(double value, int decimals) =>
        double.IsNaN(value) ? Display.Missing : value.ToString(Formats[Math.Clamp(decimals, 0, MaxDecimals)], Invariant);

    /// <summary>The decimals a grid step needs (5 → 0, 0.1 → 1, 0.0001 → 4); null when the step is unknown.</summary>
    public static int? DecimalsOf(double step)
    {
        if (!(step > 0) || double.IsInfinity(step))
            return null;
        for (var decimals = 0; decimals < MaxDecimals; decimals++)
        {
            var scaled = step * Math.Pow(10, decimals);
            if (Math.Abs(scaled - Math.Round(scaled)) <= 1e-9 * Math.Max(1, scaled))
                return decimals;
        }
        return MaxDecimals;
    }

    private static int DecimalsOf(decimal value)
    {
        var decimals = 0;
        while (decimals < MaxDecimals && value != decimal.Truncate(value))
        {
            value *= 10;
            decimals++;
        }
        return decimals;
    }

    /// <summary>Decimals that show <paramref name="significant"/> digits of <paramref name="magnitude"/>; null when it is unknown.</summary>
    private static int? SignificantDecimals(double magnitude, int significant, int min, int max) =>
        double.IsNaN(magnitude) || magnitude <= 0 || double.IsInfinity(magnitude)
            ? null
            : Math.Clamp(significant - 1 - (int)Math.Floor(Math.Log10(magnitude)), min, max);

    private int GridOr(double step, QuoteField field) => DecimalsOf(step) ?? _decimals[(int)field];

    /// <summary>
    /// The coin's decimals of a price or size column, for rows without a grid: the most decimals any of its rows' grids
    /// needs, or, when none has a grid, the fewest that show every quote of <paramref name="onGrid"/> exactly. A price of an
    /// option its venue quotes in a coin is a USD conversion with no grid of its own: cents (<paramref name="convertedDecimals"/>).
    /// </summary>
    private static int? GridDecimals(IReadOnlyList<OptionRow> rows, Func<OptionInstrument, double> step, QuoteField[] onGrid,
        int? convertedDecimals = null)
    {
        int? decimals = null;
        foreach (var row in rows)
        {
            if (DecimalsOf(step(row.Instrument)) is { } d)
                decimals = Math.Max(decimals ?? 0, d);
        }
        if (decimals is not null)
            return decimals;
        foreach (var row in rows)
        {
            if (convertedDecimals is { } converted && row.Instrument.IsCoinPriced)
            {
                decimals = Math.Max(decimals ?? 0, converted);
                continue;
            }
            foreach (var field in onGrid)
            {
                var value = Math.Abs(row.Quote.Values[(int)field]);
                if (value > 0 && DecimalsOf(value) is { } d)
                    decimals = Math.Max(decimals ?? 0, d);
            }
        }
        // Exchange grids have a few decimals at most; a longer one would be noise in a value.
        return decimals is null ? null : Math.Min(decimals.Value, 6);
    }

    /// <summary>The median |value| of a column over the coin's rows, zeros and missing values left out; NaN when none.</summary>
    private static double MedianMagnitude(IReadOnlyList<OptionRow> rows, QuoteField field, List<double> scratch)
    {
        scratch.Clear();
        foreach (var row in rows)
        {
            var value = Math.Abs(row.Quote.Values[(int)field]);
            if (value > 0 && !double.IsInfinity(value))
                scratch.Add(value);
        }
        if (scratch.Count == 0)
            return double.NaN;
        scratch.Sort();
        return scratch[scratch.Count / 2];
    }

    /// <summary>A 24 h change arrives as a fraction (-0.3333) and reads as a signed percentage (-33.33%).</summary>
    private static string Change(double fraction) =>
        double.IsNaN(fraction) ? Display.Missing : (fraction * 100).ToString("+#,##0.00;-#,##0.00;0.00", Invariant) + "%";

    private static int DefaultDecimals(QuoteField field) => field switch
    {
        QuoteField.Delta => 4,
        QuoteField.Gamma or QuoteField.Vega or QuoteField.Theta => DefaultGreekDecimals,
        _ => 2,
    };

    private enum Kind { Price, Size, Greek, Delta, Iv, Underlying, Amount, Change }

    private static Kind KindOf(QuoteField field) => field switch
    {
        QuoteField.BidPrice or QuoteField.AskPrice or QuoteField.LastPrice or QuoteField.MarkPrice
            or QuoteField.HighPrice24h or QuoteField.LowPrice24h => Kind.Price,
        QuoteField.BidSize or QuoteField.AskSize or QuoteField.OpenInterest or QuoteField.Volume24h or QuoteField.TotalVolume => Kind.Size,
        QuoteField.Gamma or QuoteField.Vega or QuoteField.Theta => Kind.Greek,
        QuoteField.Delta => Kind.Delta,
        QuoteField.MarkIv or QuoteField.BidIv or QuoteField.AskIv => Kind.Iv,
        QuoteField.UnderlyingPrice or QuoteField.IndexPrice or QuoteField.PredictedDeliveryPrice => Kind.Underlying,
        QuoteField.Change24h => Kind.Change,
        _ => Kind.Amount, // turnovers
    };
}
