using OptionsTracker.Book;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Bybit;

public class BybitSymbolTests
{
    [Theory]
    [InlineData("BTC-27MAR26-70000-P-USDT", "BTC", 2026, 3, 27, "70000", OptionType.Put, "USDT")]
    [InlineData("BTC-6JAN23-17500-C", "BTC", 2023, 1, 6, "17500", OptionType.Call, null)]
    [InlineData("ETH-9MAY25-2000-C-USDT", "ETH", 2025, 5, 9, "2000", OptionType.Call, "USDT")]
    [InlineData("ETH-28FEB25-2800-C", "ETH", 2025, 2, 28, "2800", OptionType.Call, null)]
    [InlineData("DOGE-28MAR26-0.2-C-USDT", "DOGE", 2026, 3, 28, "0.2", OptionType.Call, "USDT")]
    [InlineData("XRP-06JAN26-2.35-P-USDT", "XRP", 2026, 1, 6, "2.35", OptionType.Put, "USDT")]
    [InlineData("SOL-31DEC25-180-P-USDC", "SOL", 2025, 12, 31, "180", OptionType.Put, "USDC")]
    public void Every_symbol_form_parses(string symbol, string coin, int year, int month, int day, string strike, OptionType type, string? settle)
    {
        Assert.True(BybitSymbol.TryParse(symbol, out var parsed));
        Assert.Equal(coin, parsed.BaseCoin);
        Assert.Equal(new DateOnly(year, month, day), parsed.ExpiryDate);
        Assert.Equal(decimal.Parse(strike, System.Globalization.CultureInfo.InvariantCulture), parsed.Strike);
        Assert.Equal(type, parsed.Type);
        Assert.Equal(settle, parsed.SettleCoin);
        Assert.Equal(new DateTimeOffset(year, month, day, 8, 0, 0, TimeSpan.Zero), parsed.ImpliedDeliveryUtc);
    }

    [Theory]
    [InlineData("")]
    [InlineData("BTC")]
    [InlineData("BTC-27XYZ26-70000-P-USDT")]
    [InlineData("BTC-32JAN26-70000-P-USDT")]
    [InlineData("BTC-29FEB25-70000-P-USDT")]
    [InlineData("BTC-27MAR26-abc-P-USDT")]
    [InlineData("BTC-27MAR26-70000-X-USDT")]
    [InlineData("BTC-27MAR26--70000-P")]
    [InlineData("BTC-27MAR26-70000-P-USDT-X")]
    [InlineData("btc-27MAR26-70000-P-USDT")]
    public void Malformed_symbols_are_rejected(string symbol)
    {
        Assert.False(BybitSymbol.TryParse(symbol, out _));
    }

    [Fact]
    public void Expiry_comes_from_delivery_time_when_the_exchange_gives_one()
    {
        var delivery = new DateTimeOffset(2026, 3, 27, 8, 0, 0, TimeSpan.Zero);
        Assert.True(BybitSymbol.TryCreateInstrument("BTC-27MAR26-70000-P-USDT", delivery, "Trading", out var instrument));
        Assert.Equal(delivery, instrument!.ExpiryUtc);
        Assert.Equal("27MAR26", instrument.ExpiryLabel);
        Assert.Equal(70000d, instrument.StrikeValue);
    }

    [Theory]
    [InlineData("PreLaunch", ListingStatus.PreLaunch)]
    [InlineData("Trading", ListingStatus.Trading)]
    [InlineData("Delivering", ListingStatus.Delivering)]
    [InlineData("Closed", ListingStatus.Delivering)]
    [InlineData("Settling", ListingStatus.Delivering)]
    [InlineData("Deliverying", ListingStatus.Delivering)]
    [InlineData(null, ListingStatus.Trading)]
    [InlineData("SomethingNew", ListingStatus.Trading)]
    public void Bybit_status_words_become_the_books_listing_status(string? word, ListingStatus expected)
    {
        Assert.Equal(expected, BybitListingStatus.Parse(word));
        Assert.True(BybitSymbol.TryCreateInstrument("BTC-27MAR26-70000-P-USDT", null, word, out var instrument));
        Assert.Equal(expected, instrument!.Status);
    }
}
