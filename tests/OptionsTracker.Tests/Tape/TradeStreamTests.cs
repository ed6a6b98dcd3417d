using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Tests.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Store;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The tape in Redis, with a real redis-server and real hosts: the active collector writes each coin's trades to a stream
/// (<c>trades:{COIN}</c>, entry id = the tape's sequence), web instances and standbys mirror it with the same sequences,
/// a Redis that was down (and comes back empty) gets everything the tape still holds, once, and a standby that takes the
/// lease continues the sequences. Trades are appended to the collector's tape in-process (the feed's own trades are the
/// feed's tests); the history is off, so these hosts record nothing.
/// </summary>
public sealed class TradeStreamTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["History:Enabled"] = "false",
        // Test hosts keep the tape off unless a test turns it on (Fixtures/TrackerApp.cs).
        ["Tape:Enabled"] = "true",
        ["Tape:RedisPoll"] = "00:00:00.050",
        ["Tracker:Assets"] = "BTC,ETH",
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static long _nextId;

    private static Trade NewTrade(string coin, long timeMs, double size = 1) => new()
    {
        Venue = Venue.Bybit,
        Id = $"t-{Interlocked.Increment(ref _nextId)}",
        Symbol = $"{coin}-25DEC26-100000-C",
        BaseCoin = coin,
        ExpiryUtc = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero),
        Strike = 100_000.5m,
        Type = OptionType.Call,
        TimeMs = timeMs,
        Side = TradeSide.Sell,
        Size = size,
        Price = 1234.25,
        Iv = 0.45,
        MarkIv = double.NaN,
        MarkPrice = 1230,
        IndexPrice = 97000.5,
        Delta = 0.5,
        Gamma = 0.00001,
        Vega = 50.25,
        IsBlock = size > 10,
        BlockId = size > 10 ? "rfq-1" : null,
        ExchangeSequence = timeMs,
    };

    private static IReadOnlyList<Trade> Append(TrackerApp app, string coin, int count, ref long time)
    {
        var trades = new List<Trade>();
        for (var i = 0; i < count; i++)
            trades.Add(NewTrade(coin, ++time, size: i % 7 == 0 ? 25 : 1));
        return app.Services.GetRequiredService<TradeTape>().Append(trades);
    }

    private static TradeTape TapeOf(TrackerApp app) => app.Services.GetRequiredService<TradeTape>();

    private static async Task WaitForLeaseAsync(TrackerApp app) =>
        await Eventually.Until(() => app.Services.GetRequiredService<CollectorLease>().IsHeld, "the collector to hold the lease");

    /// <summary>Every trade of the coin, oldest first, as the stream holds it: entry ids and the trades they carry.</summary>
    private static async Task<List<(long Sequence, Trade Trade)>> StreamAsync(IDatabase database, string coin)
    {
        var entries = await database.StreamRangeAsync($"trades:{coin}", "-", "+");
        var read = new List<(long, Trade)>();
        foreach (var entry in entries)
        {
            Assert.True(TradeStreamEntry.TryParse(entry, out var trade, out var error), error);
            Assert.True(TradeStreamEntry.TryParseId(entry.Id, out var sequence));
            read.Add((sequence, trade));
        }
        return read;
    }

    [Fact]
    public async Task The_collectors_trades_reach_the_stream_and_every_web_instance_with_the_same_sequences()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var collector = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "collector").With(Settings));
        await WaitForLeaseAsync(collector);
        await using var web = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "web").With(Settings));
        var time = 1_780_000_000_000L;

        var btc = Append(collector, "BTC", 1500, ref time).ToList();
        var eth = Append(collector, "ETH", 30, ref time).ToList();

        await Eventually.Until(() => TapeOf(web).LastSequence("BTC") == 1500 && TapeOf(web).LastSequence("ETH") == 30,
            "the web instance to mirror every trade");
        Assert.Equal(btc, TapeOf(web).After("BTC", 0));
        Assert.Equal(eth, TapeOf(web).After("ETH", 0));
        var database = await redis.DatabaseAsync();
        var stream = await StreamAsync(database, "BTC");
        Assert.Equal(btc.Select(t => t.Sequence), stream.Select(e => e.Sequence));
        Assert.Equal(btc, stream.Select(e => e.Trade));

        // More later: read from where the mirror stopped, nothing twice.
        var more = Append(collector, "BTC", 10, ref time);
        await Eventually.Until(() => TapeOf(web).LastSequence("BTC") == 1510, "the web instance to mirror the later trades");
        Assert.Equal([.. btc, .. more], TapeOf(web).After("BTC", 0));
        Assert.Equal(1510, await database.StreamLengthAsync("trades:BTC"));
        Assert.Equal(1540, web.Services.GetRequiredService<TradeStreamMirror>().Mirrored);
    }

    [Fact]
    public async Task Trades_made_while_Redis_is_down_reach_web_instances_once_when_it_is_back_even_empty()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var collector = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "collector").With(Settings));
        await WaitForLeaseAsync(collector);
        await using var web = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "web").With(Settings));
        var time = 1_780_000_000_000L;
        var before = Append(collector, "BTC", 20, ref time).ToList();
        await Eventually.Until(() => TapeOf(web).LastSequence("BTC") == 20, "the web instance to mirror the first trades");

        // Redis dies (and comes back empty, as one without persistence does) while trades keep coming.
        await redis.StopAsync();
        var during = Append(collector, "BTC", 50, ref time).ToList();
        await Eventually.Until(() => !collector.Services.GetRequiredService<RedisConnection>().IsConnected, "the collector to notice Redis is away");
        await redis.StartAgainAsync();
        var after = Append(collector, "BTC", 5, ref time).ToList();

        await Eventually.Until(() => TapeOf(web).LastSequence("BTC") == 75, "the web instance to get the trades made while Redis was down");
        Assert.Equal([.. before, .. during, .. after], TapeOf(web).After("BTC", 0));
        // The empty Redis got the whole tape again, each trade once, in order.
        var stream = await StreamAsync(await redis.DatabaseAsync(), "BTC");
        Assert.Equal(Enumerable.Range(1, 75).Select(i => (long)i), stream.Select(e => e.Sequence));
        Assert.Equal([.. before, .. during, .. after], stream.Select(e => e.Trade));
    }

    [Fact]
    public async Task A_standby_that_takes_the_lease_continues_the_sequences_and_web_instances_follow_without_a_gap()
    {
        await using var redis = await RedisServer.StartAsync();
        var first = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "collector").With(Settings));
        await WaitForLeaseAsync(first);
        await using var standby = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "collector").With(Settings));
        await using var web = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "web").With(Settings));
        var time = 1_780_000_000_000L;
        var byFirst = Append(first, "BTC", 40, ref time).ToList();
        await Eventually.Until(() => TapeOf(standby).LastSequence("BTC") == 40, "the standby to mirror the active collector's trades");

        // The active collector stops (cleanly: its last trades are written, then the lease is handed over).
        var last = Append(first, "BTC", 3, ref time).ToList();
        await first.DisposeAsync();
        await WaitForLeaseAsync(standby);
        var bySecond = Append(standby, "BTC", 10, ref time).ToList();

        Assert.Equal(Enumerable.Range(44, 10).Select(i => (long)i), bySecond.Select(t => t.Sequence));
        await Eventually.Until(() => TapeOf(web).LastSequence("BTC") == 53, "the web instance to follow the new collector");
        Assert.Equal([.. byFirst, .. last, .. bySecond], TapeOf(web).After("BTC", 0));
        Assert.Equal(Enumerable.Range(1, 53).Select(i => (long)i), (await StreamAsync(await redis.DatabaseAsync(), "BTC")).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_malformed_entry_is_logged_and_skipped_and_the_trades_around_it_are_mirrored()
    {
        await using var redis = await RedisServer.StartAsync();
        var logs = new CapturingLoggerProvider();
        await using var web = await TrackerApp.StartWithoutExchangeAsync(RedisTestSettings.For(redis.Endpoint, "web").With(Settings), logs: logs);
        var database = await redis.DatabaseAsync();
        var good1 = NewTrade("BTC", 1_780_000_000_001) with { Sequence = 1 };
        var good3 = NewTrade("BTC", 1_780_000_000_003) with { Sequence = 3 };
        await database.StreamAddAsync("trades:BTC", TradeStreamEntry.ToEntries(good1), "1-0");
        // Every field there, one unreadable: the entry is skipped with the reason, the next one is taken.
        var bad = TradeStreamEntry.ToEntries(NewTrade("BTC", 1_780_000_000_002) with { Sequence = 2 })
            .Select(e => e.Name == "side" ? new NameValueEntry("side", "sideways") : e).ToArray();
        await database.StreamAddAsync("trades:BTC", bad, "2-0");
        await database.StreamAddAsync("trades:BTC", TradeStreamEntry.ToEntries(good3), "3-0");

        await Eventually.Until(() => TapeOf(web).LastSequence("BTC") == 3, "the web instance to mirror the good entries");

        Assert.Equal([good1, good3], TapeOf(web).After("BTC", 0));
        Assert.Contains(logs.Lines, e => e.EventId == 11107 && e.Text.Contains("2-0", StringComparison.Ordinal) && e.Text.Contains("sideways", StringComparison.Ordinal));
    }
}
