using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;
using OptionsTracker.Tests.Measures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The recorder's capture of a coin listed by two venues: the combined figures under the plain measure names, each
/// venue's own under its prefixed names, all equal to the analytics they come from; a coin of one venue records the plain
/// names only. And the API's measure names accept the venue prefix.
/// </summary>
public sealed class VenueMeasureCaptureTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Two_venues_record_the_combined_figures_under_plain_names_and_each_venue_s_under_its_own()
    {
        var time = new FakeTimeProvider(T0);
        var book = VenueAnalyticsTests.Board(time, _ => true);
        var analytics = new MarketAnalytics(new InMemoryOptionStore(book), new RealisedVolatility(), time, Options.Create(new AnalyticsOptions()));
        var capture = new BoardCapture(book, analytics);
        var snapshot = new BoardSnapshot();
        capture.Capture(snapshot, T0, ["BTC", "ETH"]);

        var deribit = Venue.Parse("deribit");
        double Recorded(string coin, string name) => snapshot.Measures.Single(m => m.Coin == coin && m.Name == name).Value;
        var near = DateOnly.FromDateTime(book.Index.All.Min(s => s.Instrument.ExpiryUtc).UtcDateTime);
        Assert.Equal(analytics.Get("BTC")!.Expiries[0].AtmIv, Recorded("BTC", MeasureNames.ForExpiry("atm_iv", near)));
        Assert.Equal(analytics.Get("BTC", deribit)!.Expiries[0].AtmIv, Recorded("BTC", $"deribit:{MeasureNames.ForExpiry("atm_iv", near)}"));
        Assert.Equal(analytics.Get("BTC", Venue.Bybit)!.Expiries[0].AtmIv, Recorded("BTC", $"bybit:{MeasureNames.ForExpiry("atm_iv", near)}"));
        Assert.Equal(analytics.Get("BTC", deribit)!.Positioning.TotalGex, Recorded("BTC", "deribit:total_gex"));
        Assert.Equal(analytics.Get("BTC")!.Positioning.TotalGex, Recorded("BTC", "total_gex"));
        var plain = snapshot.Measures.Count(m => m.Coin == "BTC" && !m.Name.Contains(':', StringComparison.Ordinal));
        Assert.Equal(plain, snapshot.Measures.Count(m => m.Coin == "BTC" && m.Name.StartsWith("bybit:", StringComparison.Ordinal)));
        // ETH is on one venue: its plain names only.
        Assert.DoesNotContain(snapshot.Measures, m => m.Coin == "ETH" && m.Name.Contains(':', StringComparison.Ordinal));
        Assert.Contains(snapshot.Measures, m => m.Coin == "ETH" && m.Name == "total_gex");
        TestContext.Current.TestOutputHelper?.WriteLine($"{snapshot.Measures.Count} measures recorded, {plain} plain names of BTC");
    }

    [Theory]
    [InlineData("deribit:atm_iv_30d", true)]
    [InlineData("bybit:rr25@2030-01-31", true)]
    [InlineData("deribit:total_gex", true)]
    [InlineData("deribit:", false)]
    [InlineData(":atm_iv_30d", false)]
    [InlineData("deribit:bybit:atm_iv_30d", false)]
    [InlineData("deribit:nonsense", false)]
    public void Measure_names_accept_a_venue_prefix_on_a_valid_name_only(string name, bool valid) =>
        Assert.Equal(valid, MeasureNames.IsValid(name));
}
