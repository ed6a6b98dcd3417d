using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;
using StackExchange.Redis;

namespace OptionsTracker.Tests.Store;

/// <summary>The Redis writer and an option delisted and listed again between two flushes (its cursor reports both).</summary>
public sealed class RedisWriterRelistTests
{
    [Fact]
    public async Task An_option_delisted_and_listed_again_between_two_flushes_ends_written_in_redis()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(
            new SimulatorOptions { BaseCoins = ["BTC"], PushInterval = TimeSpan.FromMilliseconds(200) }, cancellationToken);
        await using var collector = await TrackerApp.StartAsync(simulator, RedisTestSettings.For(redis.Endpoint, "collector"));
        await collector.WaitForFullBoardAsync();
        var database = await redis.DatabaseAsync();
        var book = collector.Book;
        var slot = book.Index.All[book.Index.Count / 2];
        var symbol = slot.Instrument.Symbol;
        await Eventually.Until(async () => await database.SetContainsAsync("options:coin:BTC", symbol), "the option in Redis");

        var relisted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscriber = database.Multiplexer.GetSubscriber();
        await subscriber.SubscribeAsync(RedisChannel.Literal("options:changes"), (_, message) =>
        {
            var text = (string?)message ?? "";
            if (text.Split(' ').Contains("-" + symbol))
                relisted.TrySetResult(text);
        });
        // Back to back, so one flush almost always sees both; when two flushes split them the test still holds.
        book.RemoveInstruments([new OptionsTracker.Book.InstrumentKey(OptionsTracker.Book.Venue.Bybit, symbol)]);
        book.AddInstruments([slot.Instrument]);

        var text = await relisted.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var tokens = text.Split(' ');
        // The message is published after the batch's writes, in their order: a web instance applies its tokens in turn.
        var written = Array.LastIndexOf(tokens, symbol);
        Assert.True(written > Array.IndexOf(tokens, "-" + symbol) || !tokens.Contains(symbol),
            $"the deletion of {symbol} (token {Array.IndexOf(tokens, "-" + symbol)}) must come before its rewrite (token {written})");
        await Eventually.Until(
            async () => await database.KeyExistsAsync($"option:{symbol}") && await database.SetContainsAsync("options:coin:BTC", symbol),
            "the relisted option written in Redis again");
        TestContext.Current.TestOutputHelper?.WriteLine($"message with the relist: {tokens.Length} tokens, rewrite in the same message: {written >= 0}");
    }
}
