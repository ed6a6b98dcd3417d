using OptionsTracker.Book;
using OptionsTracker.Store;

namespace OptionsTracker.Tests.Store;

/// <summary>
/// Redis names: Bybit's options keep the original tool's <c>option:{symbol}</c>; another venue's are
/// <c>option:{venue}:{symbol}</c>, and the index sets and change channel carry the same member text.
/// </summary>
public class RedisVenueKeyTests
{
    private const string Symbol = "BTC-26DEC25-100000-C";
    private static readonly Venue Deribit = Venue.Parse("deribit");

    [Fact]
    public void Bybit_keeps_the_original_key_and_other_venues_are_prefixed()
    {
        var keys = new RedisKeys("");
        var prefixed = new RedisKeys("team1:");

        Assert.Equal("option:" + Symbol, (string?)keys.Option(new InstrumentKey(Venue.Bybit, Symbol)));
        Assert.Equal("option:deribit:" + Symbol, (string?)keys.Option(new InstrumentKey(Deribit, Symbol)));
        Assert.Equal("team1:option:deribit:" + Symbol, (string?)prefixed.Option(new InstrumentKey(Deribit, Symbol)));
        Assert.Equal(Symbol, RedisKeys.Member(new InstrumentKey(Venue.Bybit, Symbol)));
        Assert.Equal("deribit:" + Symbol, RedisKeys.Member(new InstrumentKey(Deribit, Symbol)));
    }

    [Theory]
    [InlineData(Symbol, "bybit", Symbol)]
    [InlineData("deribit:" + Symbol, "deribit", Symbol)]
    [InlineData("deribit:SOL_USDC-27DEC24-200-C", "deribit", "SOL_USDC-27DEC24-200-C")]
    [InlineData("bybit:" + Symbol, "bybit", Symbol)]
    public void Members_read_back_to_venue_and_symbol(string member, string venue, string symbol)
    {
        Assert.True(RedisKeys.TryParseMember(member, out var key));
        Assert.Equal(new InstrumentKey(Venue.Parse(venue), symbol), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("deribit:")]
    [InlineData(":BTC-26DEC25-100000-C")]
    [InlineData("9x:BTC-26DEC25-100000-C")]
    public void Malformed_members_are_not_read(string member) =>
        Assert.False(RedisKeys.TryParseMember(member, out _));

    [Fact]
    public void Every_venue_round_trips_through_its_member()
    {
        foreach (var key in new[] { new InstrumentKey(Venue.Bybit, Symbol), new InstrumentKey(Deribit, Symbol), new InstrumentKey(Venue.Parse("okx"), "BTC-USD-251226-100000-C") })
        {
            Assert.True(RedisKeys.TryParseMember(RedisKeys.Member(key), out var back));
            Assert.Equal(key, back);
        }
    }
}
