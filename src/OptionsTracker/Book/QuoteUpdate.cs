namespace OptionsTracker.Book;

/// <summary>
/// One parsed ticker on the stack: the fields the message carried (<see cref="PresentMask"/> bit per
/// <see cref="QuoteField"/>) and the exchange time. Fields the message did not carry keep their old value;
/// fields it carried as <c>""</c> become missing.
/// </summary>
public struct QuoteUpdate
{
    public QuoteValues Values;
    public uint PresentMask;
    public long ExchangeTimeMs;

    public void Set(QuoteField field, double value)
    {
        Values[(int)field] = value;
        PresentMask |= 1u << (int)field;
    }

    public readonly bool Has(QuoteField field) => (PresentMask & (1u << (int)field)) != 0;
}
