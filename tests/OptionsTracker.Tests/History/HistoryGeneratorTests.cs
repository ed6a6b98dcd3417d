using System.Diagnostics;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Measures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The history generator: a board that moves as a market does (quotes consistent with their IVs and Greeks, deliveries
/// and listings over the days, measures that agree with the quotes), the same from the same seed.
/// </summary>
public sealed class HistoryGeneratorTests(ITestOutputHelper output)
{
    /// <summary>A Friday 06:00 UTC: two hours before a daily and weekly delivery, so two days cross two 08:00s.</summary>
    private static readonly DateTimeOffset Start = new(2026, 11, 6, 6, 0, 0, TimeSpan.Zero);

    private static HistoryGeneratorSettings Small(int seed = 42) => new()
    {
        Coins = ["BTC"],
        OptionCount = 200,
        Start = Start,
        Span = TimeSpan.FromDays(2),
        Interval = TimeSpan.FromMinutes(10),
        Seed = seed,
    };

    [Fact]
    public void The_same_seed_generates_the_same_history_and_another_seed_another()
    {
        var first = Fingerprint(new HistoryGenerator(Small()));
        var again = Fingerprint(new HistoryGenerator(Small()));
        var other = Fingerprint(new HistoryGenerator(Small(seed: 7)));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Every_quote_is_consistent_with_its_iv_its_forward_and_its_book()
    {
        var checkedQuotes = 0;
        foreach (var step in new HistoryGenerator(Small()).Steps(TestContext.Current.CancellationToken))
        {
            foreach (var (instrument, quote, _) in step.Snapshot.Quotes)
            {
                if (quote.Status != ListingStatus.Trading)
                    continue;
                var years = (instrument.ExpiryUtc - step.Snapshot.Time).TotalDays / 365;
                // The mark is Black-76 at the mark IV on the forward (underlyingPrice): within the IV's 4 decimals.
                var model = Black76.Price(quote.UnderlyingPrice, instrument.StrikeValue, years, quote.MarkIv, instrument.Type);
                var vegaPerPoint = Black76.Greeks(quote.UnderlyingPrice, instrument.StrikeValue, years, quote.MarkIv, instrument.Type).Vega;
                Assert.True(Math.Abs(model - quote.MarkPrice) <= vegaPerPoint * 0.01 + 1e-6 * quote.UnderlyingPrice,
                    $"{instrument.Symbol} at {step.Snapshot.Time:O}: mark {quote.MarkPrice}, Black-76 at {quote.MarkIv} gives {model}");
                Assert.True(quote.AskPrice >= quote.MarkPrice && (quote.BidPrice == 0 || quote.BidPrice <= quote.MarkPrice),
                    $"{instrument.Symbol}: bid {quote.BidPrice}, mark {quote.MarkPrice}, ask {quote.AskPrice}");
                Assert.True(quote.BidPrice == 0 || quote.BidIv <= quote.MarkIv && quote.MarkIv <= quote.AskIv);
                // Bybit's grids: prices on the tick (BTC 5), sizes on the quantity step (0.01).
                Assert.Equal(0, Math.Round(quote.AskPrice / 5 - Math.Round(quote.AskPrice / 5), 9));
                Assert.Equal(0, Math.Round(quote.OpenInterest / 0.01 - Math.Round(quote.OpenInterest / 0.01), 6));
                Assert.InRange(quote.Delta, instrument.Type == OptionType.Call ? 0 : -1, instrument.Type == OptionType.Call ? 1 : 0);
                Assert.InRange(quote.ExchangeTimeMs, step.Snapshot.Time.ToUnixTimeMilliseconds() - 100, step.Snapshot.Time.ToUnixTimeMilliseconds());
                checkedQuotes++;
            }
        }
        output.WriteLine($"{checkedQuotes} quotes checked");
        Assert.True(checkedQuotes > 10_000);
    }

    [Fact]
    public void Volumes_and_turnovers_move_with_trades_only_and_the_24h_ones_drop_as_trades_age_out()
    {
        // Bybit's turnover is the trades' notional (its example: volume24h 26.55, turnover24h 446,802.85 at an index of
        // 16,823.73), so between trades nothing of these four changes, whatever the index does; the totals only grow; the
        // 24 h ones also fall, stepwise, as trades leave the window.
        var previous = new Dictionary<string, OptionQuote>();
        int unchangedSteps = 0, tradeSteps = 0, agedOutSteps = 0;
        foreach (var step in new HistoryGenerator(Small()).Steps(TestContext.Current.CancellationToken))
        {
            var index = step.Snapshot.Quotes.First(q => q.Quote.Status == ListingStatus.Trading).Quote.IndexPrice;
            foreach (var (instrument, quote, _) in step.Snapshot.Quotes)
            {
                if (quote.Status != ListingStatus.Trading)
                    continue;
                if (quote.Volume24h > 0)
                {
                    // Notional at the index of each trade's time: within the index's range over the two days.
                    Assert.InRange(quote.Turnover24h / quote.Volume24h, index * 0.7, index * 1.3);
                }
                else
                {
                    Assert.Equal(0, quote.Turnover24h);
                }
                if (previous.TryGetValue(instrument.Symbol, out var before))
                {
                    Assert.True(quote.TotalVolume >= before.TotalVolume && quote.TotalTurnover >= before.TotalTurnover,
                        $"{instrument.Symbol} at {step.Snapshot.Time:O}: totals fell");
                    var traded = quote.TotalVolume > before.TotalVolume;
                    if (traded)
                        tradeSteps++;
                    else
                        Assert.Equal(before.TotalTurnover, quote.TotalTurnover);
                    if (!traded && quote.Volume24h == before.Volume24h)
                    {
                        Assert.Equal(before.Turnover24h, quote.Turnover24h);
                        unchangedSteps++;
                    }
                    if (!traded && quote.Volume24h < before.Volume24h)
                    {
                        Assert.True(quote.Turnover24h < before.Turnover24h, $"{instrument.Symbol}: volume aged out, turnover did not");
                        agedOutSteps++;
                    }
                }
                previous[instrument.Symbol] = quote;
            }
        }
        output.WriteLine($"{unchangedSteps} option steps without a trade, {tradeSteps} with, {agedOutSteps} with trades aging out");
        Assert.True(unchangedSteps > 4 * tradeSteps, "most option steps (10 minutes here) have no trade");
        Assert.True(tradeSteps > 100 && agedOutSteps > 100);
    }

    [Fact]
    public void Expiries_deliver_at_eight_stay_delivering_until_noon_and_new_ones_are_listed()
    {
        var generator = new HistoryGenerator(Small());
        var firstSymbols = new HashSet<string>();
        var allSymbols = new HashSet<string>();
        var settlements = new List<Settlement>();
        var deliveringSeen = new Dictionary<string, (DateTimeOffset First, DateTimeOffset Last, double Price)>();
        var counts = new List<int>();
        foreach (var step in generator.Steps(TestContext.Current.CancellationToken))
        {
            settlements.AddRange(step.Settlements);
            counts.Add(step.Snapshot.Quotes.Count);
            foreach (var (instrument, quote, _) in step.Snapshot.Quotes)
            {
                if (firstSymbols.Count == 0 || step.Snapshot.Time == Start)
                    firstSymbols.Add(instrument.Symbol);
                allSymbols.Add(instrument.Symbol);
                if (quote.Status == ListingStatus.Delivering)
                {
                    var seen = deliveringSeen.TryGetValue(instrument.Symbol, out var known) ? known : (First: step.Snapshot.Time, Last: step.Snapshot.Time, Price: quote.DeliveryPrice);
                    deliveringSeen[instrument.Symbol] = (seen.First, step.Snapshot.Time, quote.DeliveryPrice);
                }
            }
        }

        output.WriteLine($"options per snapshot: first {counts[0]}, min {counts.Min()}, max {counts.Max()}; listed over the span {allSymbols.Count}; settlements {settlements.Count}");
        Assert.InRange(counts[0], 150, 250);
        // Two 08:00 deliveries in two days (Friday's daily and weekly together, then Saturday's daily).
        Assert.Equal(2, settlements.Count);
        Assert.All(settlements, s => Assert.Equal(8, s.DeliveryTime.Hour));
        foreach (var (symbol, (first, last, price)) in deliveringSeen)
        {
            Assert.Equal(8, first.Hour);
            Assert.True(last.Hour < 12 && last.Date == first.Date, $"{symbol} still listed at {last:O}");
            Assert.Contains(settlements, s => s.Price == price && s.DeliveryTime == first.AddMinutes(-first.Minute));
        }
        Assert.NotEmpty(deliveringSeen);
        Assert.True(allSymbols.Count > firstSymbols.Count, "new expiries or strikes listed over the span");
    }

    [Fact]
    public void Each_snapshot_carries_the_measures_of_its_own_quotes()
    {
        var generator = new HistoryGenerator(Small() with { Span = TimeSpan.FromHours(3) });
        var atm = new List<double>();
        foreach (var step in generator.Steps(TestContext.Current.CancellationToken))
        {
            var measures = step.Snapshot.Measures.ToDictionary(m => m.Name, m => m.Value);
            var index = step.Snapshot.Quotes.First(q => q.Quote.Status == ListingStatus.Trading).Quote.IndexPrice;
            Assert.Equal(index, measures["index_price"], 6);
            Assert.All(measures.Keys, name => Assert.True(MeasureNames.IsValid(name), name));
            atm.Add(measures["atm_iv_30d"]);
            // Realised volatility of the generated path: hv and vrp are there from the first hour.
            Assert.True(double.IsFinite(measures["hv_30d"]));
            Assert.Equal(measures["atm_iv_30d"] - measures["hv_30d"], measures["vrp_30d"], 9);
        }
        output.WriteLine($"atm_iv_30d from {atm.Min():P2} to {atm.Max():P2} over {atm.Count} snapshots");
        Assert.All(atm, v => Assert.InRange(v, 0.2, 1.2));
        Assert.True(atm.Distinct().Count() > atm.Count / 2, "ATM IV moves from snapshot to snapshot");
    }

    [Fact]
    public void A_board_of_4000_options_is_generated_at_a_rate_the_figures_are_printed_for()
    {
        var settings = new HistoryGeneratorSettings { Start = Start, Span = TimeSpan.FromMinutes(60), Interval = TimeSpan.FromMinutes(1) };
        foreach (var measures in new[] { false, true })
        {
            var started = Stopwatch.GetTimestamp();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            long quotes = 0, names = 0;
            foreach (var step in new HistoryGenerator(settings with { Measures = measures }).Steps(TestContext.Current.CancellationToken))
            {
                quotes += step.Snapshot.Quotes.Count;
                names += step.Snapshot.Measures.Count;
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            output.WriteLine($"measures {measures}: {settings.SnapshotCount} snapshots, {quotes / settings.SnapshotCount} options and {names / settings.SnapshotCount} measures each, " +
                $"{elapsed.TotalMilliseconds / settings.SnapshotCount:F2} ms wall ({cpuUsed.TotalMilliseconds / settings.SnapshotCount:F2} ms CPU) per snapshot");
            Assert.InRange(quotes / settings.SnapshotCount, 3_500, 4_500);
        }
    }

    private static string Fingerprint(HistoryGenerator generator)
    {
        var hash = new HashCode();
        foreach (var step in generator.Steps(TestContext.Current.CancellationToken))
        {
            hash.Add(step.Snapshot.Time);
            foreach (var (instrument, quote, changed) in step.Snapshot.Quotes)
            {
                hash.Add(instrument.Symbol);
                hash.Add(changed);
                hash.Add(quote.ExchangeTimeMs);
                for (var f = 0; f < QuoteFields.Count; f++)
                    hash.Add(quote.Values[f]);
            }
            foreach (var measure in step.Snapshot.Measures)
                hash.Add(measure);
        }
        return hash.ToHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
