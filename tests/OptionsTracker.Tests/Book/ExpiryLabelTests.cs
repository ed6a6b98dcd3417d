using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Book;

public class ExpiryLabelTests
{
    [Fact]
    public void Expiry_labels_are_zero_padded_like_the_original_and_unpadded_like_the_exchange()
    {
        var date = new DateOnly(2026, 1, 6);
        Assert.Equal("06JAN26", ExpiryLabel.Format(date));
        Assert.Equal("6JAN26", BookBuilder.ExchangeExpiry(date)); // the form the tests write symbols in
        Assert.True(ExpiryLabel.TryParse("06JAN26", out var padded));
        Assert.True(ExpiryLabel.TryParse("6JAN26", out var unpadded));
        Assert.Equal(date, padded);
        Assert.Equal(date, unpadded);
    }

    [Theory]
    [InlineData("BTC-2JAN26-1000-C-USDT", 2026, 1, 2)]
    [InlineData("ETH-26DEC25-3000-P", 2025, 12, 26)]
    [InlineData("BTC-27DEC24-100000-C", 2024, 12, 27)]
    public void The_label_is_found_in_a_symbol_that_carries_it(string symbol, int year, int month, int day)
    {
        Assert.True(ExpiryLabel.TryFindIn(symbol, out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData("BTC-USD-241227-100000-C")]
    [InlineData("BTC")]
    [InlineData("")]
    public void A_symbol_that_writes_its_date_otherwise_has_no_label(string symbol) =>
        Assert.False(ExpiryLabel.TryFindIn(symbol, out _));

    [Theory]
    [InlineData(ListingStatus.PreLaunch)]
    [InlineData(ListingStatus.Trading)]
    [InlineData(ListingStatus.Delivering)]
    public void A_status_reads_back_from_its_name(ListingStatus status) =>
        Assert.Equal(status, ListingStatuses.FromName(ListingStatuses.Name(status)));
}
