using System.Globalization;
using System.Text;

namespace OptionsTracker.Api;

/// <summary>
/// The CSV export of a strategy and its evaluation (docs/strategies.md, "Export"): one table, one header, one row per
/// figure, so a spreadsheet filters it by <c>section</c>. RFC 4180 (comma, CRLF, quotes doubled), numbers in the
/// invariant culture, an empty cell for a missing figure. Sections: <c>strategy</c> (asset, name, choices), <c>leg</c>
/// (one per leg: its market), <c>entry</c> (touch, mark), <c>warning</c>, <c>greeks</c> (model_delta … exchange_theta),
/// <c>summary</c> (forward, max_profit, max_loss (empty = unbounded), pop, pop_iv, breakeven), <c>payoff</c>
/// (at_expiry, now, at: spot → P&amp;L) and <c>grid</c> (date × spot shift % × vol shift points → P&amp;L).
/// </summary>
internal static class StrategyExportCsv
{
    public const string Header = "section,name,symbol,side,quantity,expiry,strike,type,bid,ask,bid_size,ask_size,mark,mark_iv,forward,"
        + "date,spot,spot_shift_pct,vol_shift_pts,value,text";

    private const int Columns = 21;

    public static string Write(StrategyExport export)
    {
        var e = export.Evaluation;
        var text = new StringBuilder(64 * 1024);
        text.Append(Header).Append("\r\n");
        var row = new string?[Columns];

        Row(text, row, "strategy", "asset", textValue: e.Asset);
        if (export.Name is { } name)
            Row(text, row, "strategy", "name", textValue: name);
        Row(text, row, "strategy", "time", date: e.Time);
        Row(text, row, "strategy", "vol_model", textValue: export.VolModel);
        Row(text, row, "strategy", "entry_basis", textValue: export.Entry);

        foreach (var leg in e.Legs)
        {
            Array.Clear(row);
            row[0] = "leg";
            row[2] = leg.Symbol;
            row[3] = leg.Side;
            row[4] = Number(leg.Quantity);
            row[5] = leg.Expiry;
            row[6] = Number(leg.Strike);
            row[7] = leg.Type;
            row[8] = Number(leg.Bid);
            row[9] = Number(leg.Ask);
            row[10] = Number(leg.BidSize);
            row[11] = Number(leg.AskSize);
            row[12] = Number(leg.Mark);
            row[13] = Number(leg.MarkIv);
            row[14] = Number(leg.Forward);
            Append(text, row);
        }

        Row(text, row, "entry", "touch", value: e.Entry.Touch.Premium, textValue: e.Entry.Touch.Complete ? null : "incomplete");
        Row(text, row, "entry", "mark", value: e.Entry.Mark.Premium, textValue: e.Entry.Mark.Complete ? null : "incomplete");
        foreach (var warning in e.Warnings)
            Row(text, row, "warning", "warning", textValue: warning);

        Greeks(text, row, "model", e.Greeks.Model);
        Greeks(text, row, "exchange", e.Greeks.Exchange);

        Row(text, row, "summary", "first_expiry", textValue: e.FirstExpiry);
        Row(text, row, "summary", "forward", value: e.Forward);
        Row(text, row, "summary", "max_profit", value: e.MaxProfit, textValue: e.MaxProfit is null ? "unbounded" : null);
        Row(text, row, "summary", "max_loss", value: e.MaxLoss, textValue: e.MaxLoss is null ? "unbounded" : null);
        foreach (var breakeven in e.Breakevens)
            Row(text, row, "summary", "breakeven", value: breakeven);
        Row(text, row, "summary", "pop", value: e.Pop.Probability, textValue: e.Pop.Model);
        Row(text, row, "summary", "pop_forward", value: e.Pop.Forward);
        Row(text, row, "summary", "pop_iv", value: e.Pop.Iv, textValue: e.Pop.IvSource);

        Curve(text, row, "at_expiry", null, e.Payoff.Spot, e.Payoff.AtExpiry);
        Curve(text, row, "now", e.Time, e.Payoff.Spot, e.Payoff.Now);
        if (e.Payoff.At is { } at)
            Curve(text, row, "at", e.Payoff.Date, e.Payoff.Spot, at);

        foreach (var grid in e.Grid)
        {
            for (var v = 0; v < grid.VolShifts.Count; v++)
            {
                for (var s = 0; s < grid.SpotShifts.Count; s++)
                {
                    Array.Clear(row);
                    row[0] = "grid";
                    row[1] = "pnl";
                    row[15] = Date(grid.Date);
                    row[16] = e.Forward is { } forward ? Number(forward * (1 + (grid.SpotShifts[s] / 100))) : null;
                    row[17] = Number(grid.SpotShifts[s]);
                    row[18] = Number(grid.VolShifts[v]);
                    row[19] = Number(grid.Pnl[v][s]);
                    Append(text, row);
                }
            }
        }
        return text.ToString();
    }

    private static void Greeks(StringBuilder text, string?[] row, string source, StrategyGreeksItem greeks)
    {
        Row(text, row, "greeks", source + "_delta", value: greeks.Delta);
        Row(text, row, "greeks", source + "_gamma", value: greeks.Gamma);
        Row(text, row, "greeks", source + "_vega", value: greeks.Vega);
        Row(text, row, "greeks", source + "_theta", value: greeks.Theta);
    }

    private static void Curve(StringBuilder text, string?[] row, string name, DateTime? date, IReadOnlyList<double> spot, double?[] values)
    {
        for (var i = 0; i < spot.Count && i < values.Length; i++)
        {
            Array.Clear(row);
            row[0] = "payoff";
            row[1] = name;
            row[15] = date is { } d ? Date(d) : null;
            row[16] = Number(spot[i]);
            row[19] = Number(values[i]);
            Append(text, row);
        }
    }

    private static void Row(StringBuilder text, string?[] row, string section, string name, double? value = null, string? textValue = null, DateTime? date = null)
    {
        Array.Clear(row);
        row[0] = section;
        row[1] = name;
        row[15] = date is { } d ? Date(d) : null;
        row[19] = Number(value);
        row[20] = textValue;
        Append(text, row);
    }

    private static void Append(StringBuilder text, string?[] row)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
                text.Append(',');
            if (row[i] is { } cell)
                AppendCell(text, cell);
        }
        text.Append("\r\n");
    }

    /// <summary>
    /// One cell: quoted when it holds a comma, quote or line break (RFC 4180). A text that a spreadsheet would run as a
    /// formula (a user's name beginning with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c>) gets a leading apostrophe, as OWASP
    /// advises for CSV files opened in spreadsheets; numbers never do (they are written, not typed by a user).
    /// </summary>
    private static void AppendCell(StringBuilder text, string cell)
    {
        var formula = cell.Length > 0 && cell[0] is '=' or '+' or '@' or '-' && !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        if (formula)
            cell = "'" + cell;
        if (cell.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            text.Append(cell);
            return;
        }
        text.Append('"').Append(cell.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    private static string? Number(double? value) => value is { } v && double.IsFinite(v) ? v.ToString(CultureInfo.InvariantCulture) : null;

    private static string Date(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
