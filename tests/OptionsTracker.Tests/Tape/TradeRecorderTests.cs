using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.History;

namespace OptionsTracker.Tests.Tape;

/// <summary>
/// The trade recorder writing the tape into a real PostgreSQL that goes away: the trades wait on the tape and are
/// recorded once the server is back, each once; those that left the tape meanwhile (Tape:Keep) are a gap, reported.
/// Trades are appended to the tape in-process; the host has no exchange.
/// </summary>
public sealed class TradeRecorderTests(ITestOutputHelper output)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static long _nextId;

    private static IReadOnlyList<Trade> Append(TrackerApp app, int count, ref long time)
    {
        var trades = new List<Trade>();
        for (var i = 0; i < count; i++)
        {
            trades.Add(new Trade
            {
                Venue = Venue.Bybit,
                Id = $"r-{Interlocked.Increment(ref _nextId)}",
                Symbol = "BTC-25DEC26-100000-P",
                BaseCoin = "BTC",
                ExpiryUtc = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero),
                Strike = 100_000m,
                Type = OptionType.Put,
                TimeMs = ++time,
                Side = i % 2 == 0 ? TradeSide.Buy : TradeSide.Sell,
                Size = 0.5 + i,
                Price = 2500.5,
                Iv = i % 3 == 0 ? double.NaN : 0.5,
                MarkIv = 0.49,
            });
        }
        return app.Services.GetRequiredService<TradeTape>().Append(trades);
    }

    private static async Task<TrackerApp> StartAsync(string connectionString, int keep) =>
        await TrackerApp.StartWithoutExchangeAsync(new Dictionary<string, string?>
        {
            ["History:Enabled"] = "true",
            ["History:Postgres"] = connectionString,
            ["History:Backfill"] = "00:00:00",
            // Snapshots on the hour only: /health's history entry speaks of the trades, not of snapshots the outage delayed.
            ["History:Interval"] = "01:00:00",
            ["Tape:Keep"] = keep.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        // Unpooled: a pooled connection from before the server's restart would fail its first use.
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }

    [Fact]
    public async Task Trades_made_while_the_store_is_down_are_recorded_once_when_it_is_back()
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await using var app = await StartAsync(connectionString, keep: 1000);
        var recorder = app.Services.GetRequiredService<TradeRecorder>();
        var time = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

        var before = Append(app, 30, ref time);
        // The store creates its tables when it first opens: until then the table does not exist (42P01), which is "not yet".
        await Eventually.Until(async () =>
        {
            try
            {
                return await CountAsync(connectionString, "SELECT count(*) FROM trades") == 30;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                return false;
            }
        }, "the first trades in PostgreSQL");

        await server.StopAsync(immediate: true);
        var during = Append(app, 40, ref time);
        await Eventually.Until(() => recorder.GetStatus() is { Problem: not null, Pending: 40 }, "the trades to wait on the tape while PostgreSQL is away");
        var (status, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"server away: {status}: {reason}");
        Assert.Equal("Degraded", status);

        await server.StartAgainAsync();
        var after = Append(app, 5, ref time);
        await Eventually.Until(() => recorder.GetStatus() is { Problem: null, Pending: 0 }, "the recorder to catch up", 60);

        Assert.Equal(75, await CountAsync(connectionString, "SELECT count(*) FROM trades"));
        Assert.Equal(75, await CountAsync(connectionString, "SELECT count(DISTINCT trade_id) FROM trades"));
        var recorded = await RecorderHost.Store(app).TradesAsync("BTC", DateTimeOffset.FromUnixTimeMilliseconds(0),
            DateTimeOffset.FromUnixTimeMilliseconds(time), 1000, Token);
        Assert.Equal([.. before, .. during, .. after], recorded);
        Assert.Equal(0, recorder.GetStatus().Missed);
        Assert.True(await RecorderHost.MetricAsync(app, "optionstracker_history_trades_written_total") >= 75);
        Assert.True(await RecorderHost.MetricAsync(app, "optionstracker_history_trades_write_failures_total") >= 1);
    }

    [Fact]
    public async Task Trades_that_left_the_tape_before_the_store_came_back_are_reported_as_a_gap_and_the_rest_recorded()
    {
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await server.CreateDatabaseAsync();
        await using var app = await StartAsync(connectionString, keep: 100);
        var recorder = app.Services.GetRequiredService<TradeRecorder>();
        var time = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

        Append(app, 10, ref time);
        await Eventually.Until(() => recorder.GetStatus() is { Written: 10, Pending: 0 }, "the first trades recorded");
        await server.StopAsync(immediate: true);
        // 250 trades while the store is away: the tape keeps the newest 100, so sequences 11 to 160 leave it unrecorded.
        var during = Append(app, 250, ref time);
        await Eventually.Until(() => recorder.GetStatus().Problem is not null, "the recorder to meet the stopped server");
        await server.StartAgainAsync();

        await Eventually.Until(() => recorder.GetStatus() is { Problem: null, Pending: 0, Missed: > 0 }, "the recorder to catch up and report the gap", 60);
        var status = recorder.GetStatus();
        output.WriteLine($"missed {status.Missed}: {status.LastGap}");
        Assert.Equal(new TradeGap("BTC", 11, 160, status.LastGap!.NotedAt), status.LastGap);
        Assert.Equal(150, status.Missed);
        Assert.Equal(110, await CountAsync(connectionString, "SELECT count(*) FROM trades"));
        Assert.Equal(during.Skip(150).Select(t => t.Id),
            (await RecorderHost.Store(app).TradesAsync("BTC", DateTimeOffset.FromUnixTimeMilliseconds(0), DateTimeOffset.FromUnixTimeMilliseconds(time), 1000, Token))
                .Skip(10).Select(t => t.Id));
        var (health, reason) = await RecorderHost.HealthAsync(app);
        output.WriteLine($"after the gap: {health}: {reason}");
        Assert.Equal("Degraded", health);
        Assert.Contains("150 trades of BTC", reason, StringComparison.Ordinal);
    }
}
