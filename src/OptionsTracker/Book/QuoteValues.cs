using System.Runtime.CompilerServices;

namespace OptionsTracker.Book;

/// <summary>
/// The numeric fields of a ticker inline, indexed by <see cref="QuoteField"/>. NaN means the exchange sent
/// nothing (<c>""</c>): missing is not zero.
/// </summary>
[InlineArray(QuoteFields.Count)]
public struct QuoteValues
{
    private double _first;

    public static QuoteValues AllMissing()
    {
        var values = new QuoteValues();
        ((Span<double>)values).Fill(double.NaN);
        return values;
    }
}
