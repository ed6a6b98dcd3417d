using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Book;

/// <summary>The book keys slots by (venue, symbol): Deribit lists symbols that equal Bybit's.</summary>
public class VenueKeyTests
{
    private const string Symbol = "BTC-26DEC25-100000-C";
    private static readonly Venue Deribit = Venue.Parse("deribit");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private static OptionInstrument On(Venue venue, string symbol)
    {
        Assert.True(BybitSymbol.TryCreateInstrument(venue, symbol, null, "Trading", out var instrument), symbol);
        return instrument!;
    }

    [Fact]
    public void The_same_symbol_on_two_venues_is_two_slots_with_their_own_quotes()
    {
        var book = new OptionBook(_time);

        var added = book.AddInstruments([On(Venue.Bybit, Symbol), On(Deribit, Symbol), On(Deribit, Symbol)]);

        Assert.Equal(2, added.Count);
        Assert.Equal(2, book.Index.Count);
        Assert.Equal([Venue.Bybit, Deribit], book.Index.Venues);
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, Symbol, out var bybit));
        Assert.True(book.Index.TryGetSlot(Deribit, Symbol.AsSpan(), out var deribit));
        Assert.True(book.Index.TryGetSlot(new InstrumentKey(Deribit, Symbol), out var byKey));
        Assert.NotSame(bybit, deribit);
        Assert.Same(deribit, byKey);
        Assert.Equal(Deribit, deribit.Instrument.Venue);

        var update = new QuoteUpdate { ExchangeTimeMs = 1 };
        update.Set(QuoteField.MarkPrice, 42);
        book.Apply(deribit, update);
        Assert.Equal(42, deribit.ReadQuote().MarkPrice);
        Assert.True(double.IsNaN(bybit.ReadQuote().MarkPrice));

        // Both are BTC options of one expiry: the coin's indexes hold both, ordered with the venue last.
        Assert.True(book.Index.TryGetCoin("BTC", out var coin));
        Assert.Equal([bybit, deribit], coin.Slots);
    }

    [Fact]
    public void A_venue_without_the_symbol_finds_nothing()
    {
        var book = BookBuilder.WithSymbols(_time, Symbol);

        Assert.False(book.Index.TryGetSlot(Deribit, Symbol, out _));
        Assert.False(book.Index.TryGetSlot(Venue.Parse("okx"), Symbol.AsSpan(), out _));
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, Symbol, out _));
    }

    [Fact]
    public void Removing_by_key_takes_out_only_that_venues_option()
    {
        var book = new OptionBook(_time);
        book.AddInstruments([On(Venue.Bybit, Symbol), On(Deribit, Symbol)]);

        var removed = book.RemoveInstruments([new InstrumentKey(Deribit, Symbol)]);

        Assert.Equal([new InstrumentKey(Deribit, Symbol)], removed.Select(i => i.Key));
        Assert.True(book.Index.TryGetSlot(Venue.Bybit, Symbol, out _));
        Assert.False(book.Index.TryGetSlot(Deribit, Symbol, out _));
        Assert.Equal([Venue.Bybit], book.Index.Venues);
    }

    [Fact]
    public void Looking_up_a_slot_by_venue_and_symbol_span_allocates_nothing()
    {
        var book = new OptionBook(_time);
        book.AddInstruments([On(Venue.Bybit, Symbol), On(Deribit, Symbol), On(Deribit, "ETH-26DEC25-3000-P")]);
        var index = book.Index;
        var chars = "ETH-26DEC25-3000-P".ToCharArray();
        var found = 0;

        var allocated = Allocations.Fewest(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (index.TryGetSlot(Deribit, chars.AsSpan(), out _) && index.TryGetSlot(Venue.Bybit, Symbol.AsSpan(), out _))
                    found++;
            }
        });

        Assert.Equal(0, allocated);
        Assert.True(found >= 1000);
    }

    [Theory]
    [InlineData("bybit", "bybit")]
    [InlineData("Bybit", "bybit")]
    [InlineData("DERIBIT", "deribit")]
    [InlineData("okx2", "okx2")]
    public void Venue_ids_are_read_in_any_case_and_kept_lowercase(string text, string id)
    {
        Assert.True(Venue.TryParse(text, out var venue));
        Assert.Equal(id, venue.Id);
        Assert.Equal(venue, Venue.Parse(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2x")]
    [InlineData("by bit")]
    [InlineData("deribit:")]
    [InlineData("averyveryverylongvenue")]
    public void Malformed_venue_ids_are_refused(string text)
    {
        Assert.False(Venue.TryParse(text, out _));
        Assert.Throws<ArgumentException>(() => Venue.Parse(text));
    }

    [Fact]
    public void An_instrument_needs_a_venue()
    {
        Assert.True(BybitSymbol.TryParse(Symbol, out var parsed));
        Assert.Throws<ArgumentException>(() => new OptionInstrument(default, Symbol, parsed.BaseCoin, parsed.ImpliedDeliveryUtc, parsed.Strike, parsed.Type));
        Assert.Throws<InvalidOperationException>(() => default(Venue).Id);
    }
}
