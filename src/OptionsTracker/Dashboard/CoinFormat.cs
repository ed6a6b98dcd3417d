using OptionsTracker.Book;

namespace OptionsTracker.Dashboard;

/// <summary>
/// How one coin's numbers read on the dashboard: every quote cell (table, chain, detail) goes through
/// <see cref="Value"/>, so a column reads the same wherever it is shown. <see cref="LiveBoard"/> keeps one for its coin.
/// </summary>
public sealed class CoinFormat
{
    /// <summary>Before any coin is chosen.</summary>
    public static readonly CoinFormat Plain = new();

    /// <summary>One quote field of one option, as its cell shows it (missing values as <see cref="Display.Missing"/>).</summary>
    public string Value(OptionRow row, QuoteField field)
    {
        var value = row.Quote.Values[(int)field];
        return field switch
        {
            QuoteField.BidPrice or QuoteField.AskPrice => Display.BookPrice(value),
            QuoteField.LastPrice or QuoteField.MarkPrice or QuoteField.HighPrice24h or QuoteField.LowPrice24h => Display.Price(value),
            QuoteField.MarkIv or QuoteField.BidIv or QuoteField.AskIv => Display.Iv(value),
            QuoteField.Delta or QuoteField.Gamma or QuoteField.Vega or QuoteField.Theta => Display.Greek(value),
            QuoteField.UnderlyingPrice or QuoteField.IndexPrice or QuoteField.PredictedDeliveryPrice => Display.Underlying(value),
            _ => Display.Amount(value),
        };
    }

    public string Strike(double value) => Display.Strike(value);

    public string Underlying(double value) => Display.Underlying(value);

    public string Iv(double fraction) => Display.Iv(fraction);
}
