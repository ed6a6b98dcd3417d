using OptionsTracker.Book;
using OptionsTracker.Store;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Store;

/// <summary>The store rebuilds an instrument from its hash's fields, never by reading the venue's symbol format.</summary>
public class QuoteHashInstrumentTests
{
    private static readonly Venue Okx = Venue.Parse("okx");
    private static readonly DateTimeOffset Delivery = new(2024, 12, 27, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_instrument_whose_symbol_the_store_cannot_parse_survives_the_hash()
    {
        // OKX writes its dates as yymmdd: nothing in Book or Store could parse this symbol.
        var written = new OptionInstrument(Okx, "BTC-USD-241227-100000.5-P", "BTC", Delivery, 100000.5m, OptionType.Put,
            status: ListingStatus.PreLaunch);
        var quote = OptionQuote.Empty;
        quote.Status = ListingStatus.Delivering;

        Assert.True(QuoteHash.TryReadInstrument(Okx, QuoteHash.ToEntries(written, quote), out var read));

        Assert.Equal(written.Key, read!.Key);
        Assert.Equal("BTC", read.BaseCoin);
        Assert.Equal(100000.5m, read.Strike);
        Assert.Equal(OptionType.Put, read.Type);
        Assert.Equal(Delivery, read.ExpiryUtc);
        Assert.Equal("27DEC24", read.ExpiryLabel);
        Assert.Equal(ListingStatus.Delivering, read.Status); // the hash's current status, not the listed one
    }

    [Fact]
    public void Without_delivery_time_the_labels_date_at_0800_utc_is_the_expiry()
    {
        HashEntry[] entries = [new("symbol", "ETH-26DEC25-3000-P"), new("base_coin", "ETH"), new("expiry", "26DEC25"),
            new("strike", "3000"), new("type", "Put")];
        Assert.True(QuoteHash.TryReadInstrument(Venue.Bybit, entries, out var read));
        Assert.Equal(new DateTimeOffset(2025, 12, 26, 8, 0, 0, TimeSpan.Zero), read!.ExpiryUtc);
        Assert.Equal(ListingStatus.Trading, read.Status);
    }

    [Theory]
    [InlineData("symbol")]
    [InlineData("base_coin")]
    [InlineData("strike")]
    [InlineData("type")]
    public void A_hash_missing_a_part_is_not_read(string missing)
    {
        HashEntry[] all = [new("symbol", "ETH-26DEC25-3000-P"), new("base_coin", "ETH"), new("expiry", "26DEC25"),
            new("delivery_time", "1766736000000"), new("strike", "3000"), new("type", "Put")];
        Assert.False(QuoteHash.TryReadInstrument(Venue.Bybit, [.. all.Where(e => e.Name != missing)], out _));
    }
}
