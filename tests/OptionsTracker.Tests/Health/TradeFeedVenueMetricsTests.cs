using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Health;

/// <summary>
/// Both venues' trade feeds in <c>/metrics</c>, with both simulators trading over real sockets: the trade feed metrics
/// (the names Bybit's feed had) carry a <c>venue</c> label, and each venue's series counts that venue's trades alone.
/// </summary>
public sealed class TradeFeedVenueMetricsTests
{
    private const string Coin = "BTC";

    private static readonly Venue Deribit = Venue.Parse("deribit");

    /// <summary>Every sample of <c>/metrics</c>, by series (name with its labels, as printed).</summary>
    private static async Task<Dictionary<string, double>> SamplesAsync(TrackerApp app)
    {
        var text = await app.Client.GetStringAsync("/metrics", TestContext.Current.CancellationToken);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var space = line.LastIndexOf(' ');
            samples[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return samples;
    }

    private static string Series(string name, string venue, string? extra = null) =>
        extra is null ? $"{name}{{venue=\"{venue}\"}}" : $"{name}{{venue=\"{venue}\",{extra}}}";

    [Fact]
    public async Task Each_venues_trade_feed_is_counted_under_its_venue_label()
    {
        await using var app = await TrackerApp.StartWithBothVenuesAsync(new Dictionary<string, string?> { ["Tape:Enabled"] = "true" });
        var tape = app.Services.GetRequiredService<TradeTape>();

        // Deribit's trades include a block of 3 legs, which carry their block_trade_id.
        var bybit = app.Simulator!.EmitTrades(Coin, 12);
        var deribit = app.Deribit!.EmitTrades(Coin, 20).Concat(app.Deribit.EmitBlock(Coin, 3)).Concat(app.Deribit.EmitTrades(Coin, 7)).ToList();
        await Eventually.Until(() => bybit.All(t => tape.Contains(Coin, Venue.Bybit, t.Id)) && deribit.All(t => tape.Contains(Coin, Deribit, t.TradeId)),
            "every emitted trade on the tape");
        var onTape = tape.Newest(Coin, 100_000, _ => true);
        var deribitBlockLegs = onTape.Count(t => t.Venue == Deribit && t.IsBlock);
        Assert.Equal(3, deribit.Count(t => t.BlockTradeId is not null));
        Assert.Equal(3, deribitBlockLegs);

        var samples = await SamplesAsync(app);
        foreach (var (series, value) in samples.Where(s => s.Key.Contains("trade", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal))
            TestContext.Current.TestOutputHelper?.WriteLine($"{series} {value}");

        foreach (var (venue, made) in new[] { ("bybit", bybit.Count), ("deribit", deribit.Count) })
        {
            var id = Venue.Parse(venue);
            var appended = onTape.Count(t => t.Venue == id);
            Assert.Equal(made, appended);
            Assert.Equal(appended, samples[Series("optionstracker_trades_appended_total", venue)]);
            // Each trade came over the stream, or from a backfill when it was made before the channel was confirmed.
            Assert.True(samples[Series("optionstracker_trades_received_total", venue, "source=\"stream\"")]
                + samples[Series("optionstracker_trades_received_total", venue, "source=\"rest\"")] >= made, venue);
            Assert.True(samples[Series("optionstracker_trade_recoveries_total", venue)] >= 1, venue);
            Assert.Equal(0, samples[Series("optionstracker_trades_malformed_total", venue)]);
            Assert.Equal(0, samples[Series("optionstracker_trade_gaps_total", venue)]);
            Assert.Equal(0, samples[Series("optionstracker_trade_backfills_failing", venue)]);
            Assert.True(samples.ContainsKey(Series("optionstracker_trades_duplicates_total", venue)), venue);
            Assert.True(samples.ContainsKey(Series("optionstracker_trades_held", venue)), venue);
        }
        // Deribit's block trades carry their block id in the trade itself.
        Assert.Equal(deribitBlockLegs, samples[Series("optionstracker_block_trade_legs_total", "deribit", "block_id=\"known\"")]);
        Assert.Equal(0, samples[Series("optionstracker_block_trade_legs_total", "deribit", "block_id=\"unknown\"")]);
        // No series without a venue: a sum over the name is every venue's, counted once.
        Assert.DoesNotContain(samples.Keys, k => k.StartsWith("optionstracker_trades_appended_total", StringComparison.Ordinal) && !k.Contains("venue=", StringComparison.Ordinal));
    }
}
