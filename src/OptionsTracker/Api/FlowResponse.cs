using System.Text.Json.Serialization;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// <c>/api/flow/{asset}</c>: the window (<c>from</c>, <c>to</c>), from when the figures hold every trade
/// (<c>complete_from</c>, <c>complete</c>), how many trades came from the tape and from the history, the totals, the
/// same figures by strike, by expiry and by type, and the largest trades by premium. Each figure as in
/// <see cref="FlowFigures"/> (docs/tape.md, "Flow").
/// </summary>
public sealed record FlowResponse(
    string Asset,
    string Window,
    DateTime From,
    DateTime To,
    DateTime CompleteFrom,
    bool Complete,
    int TapeTrades,
    int HistoryTrades,
    bool HistoryUnavailable,
    FlowFigures Total,
    IReadOnlyList<FlowStrikeItem> ByStrike,
    IReadOnlyList<FlowExpiryItem> ByExpiry,
    IReadOnlyList<FlowTypeItem> ByType,
    IReadOnlyList<TradeItem> Largest)
{
    public static FlowResponse Of(FlowReport report)
    {
        var figures = report.Figures;
        return new FlowResponse(
            report.Asset,
            report.Window.Name,
            report.Window.From.UtcDateTime,
            report.Window.To.UtcDateTime,
            report.CompleteFrom.UtcDateTime,
            report.Complete,
            report.TapeTrades,
            report.HistoryTrades,
            report.HistoryUnavailable,
            figures.Total,
            [.. figures.ByStrike.Select(s => new FlowStrikeItem(s.Strike, s.Figures))],
            [.. figures.ByExpiry.Select(e => new FlowExpiryItem(e.Label, e.ExpiryUtc.UtcDateTime, e.Figures))],
            [.. figures.ByType.Select(t => new FlowTypeItem(OptionFields.TypeName(t.Type), t.Figures))],
            [.. figures.Largest.Select(TradeItem.From)]);
    }
}

/// <summary>The figures of one strike (every expiry and type), flat: <c>strike</c> then each figure.</summary>
public sealed record FlowStrikeItem : FlowFigures
{
    public FlowStrikeItem(decimal strike, FlowFigures figures)
        : base(figures) => Strike = strike;

    [JsonPropertyOrder(-1)]
    public decimal Strike { get; init; }
}

/// <summary>The figures of one expiry, flat: <c>expiry</c> (26DEC25), <c>expiry_date</c>, then each figure.</summary>
public sealed record FlowExpiryItem : FlowFigures
{
    public FlowExpiryItem(string expiry, DateTime expiryDate, FlowFigures figures)
        : base(figures) => (Expiry, ExpiryDate) = (expiry, expiryDate);

    [JsonPropertyOrder(-2)]
    public string Expiry { get; init; }

    [JsonPropertyOrder(-1)]
    public DateTime ExpiryDate { get; init; }
}

/// <summary>The figures of the calls or the puts, flat: <c>type</c> (Call or Put), then each figure.</summary>
public sealed record FlowTypeItem : FlowFigures
{
    public FlowTypeItem(string type, FlowFigures figures)
        : base(figures) => Type = type;

    [JsonPropertyOrder(-1)]
    public string Type { get; init; }
}
