using OptionsTracker.Book;

namespace OptionsTracker.Tests.Fixtures;

public static class BookBuilder
{
    public static OptionInstrument Instrument(string symbol)
    {
        Assert.True(OptionInstrument.TryCreate(Venue.Bybit, symbol, null, "Trading", out var instrument), symbol);
        return instrument!;
    }

    public static OptionBook WithSymbols(TimeProvider time, params string[] symbols)
    {
        var book = new OptionBook(time);
        book.AddInstruments(symbols.Select(Instrument));
        return book;
    }
}
