using OptionsTracker.Book;
using OptionsTracker.Store;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Store;

public class ListingHashTests
{
    [Fact]
    public void The_current_status_and_delivery_price_survive_the_hash_so_web_instances_show_them()
    {
        Assert.True(BybitSymbol.TryCreateInstrument("ETH-26DEC25-3000-P", new DateTimeOffset(2025, 12, 26, 8, 0, 0, TimeSpan.Zero), "Trading", out var instrument));
        var quote = OptionQuote.Empty;
        quote.Status = ListingStatus.Delivering;
        quote.DeliveryPrice = 2987.12345678;

        var entries = QuoteHash.ToEntries(instrument!, quote);

        var fields = entries.ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("Delivering", fields["status"]);
        Assert.Equal("2987.12345678", fields["delivery_price"]);
        Assert.Equal((ListingStatus.Delivering, 2987.12345678), QuoteHash.ReadListing(entries));

        var before = QuoteHash.ToEntries(instrument!, OptionQuote.Empty).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("Trading", before["status"]);
        Assert.Equal("", before["delivery_price"]);
    }
}
