using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tape;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The trades part of <see cref="IHistoryStore"/>, checked on both stores (as <see cref="HistoryStoreContract"/> checks
/// the rest): every field written comes back as written (NaN as NaN, a missing block id as null), a trade written twice
/// is kept once with its first sequence, reads are in exchange order, within the range, at most the limit, one coin's.
/// </summary>
public abstract class TradeStoreContract : IAsyncLifetime
{
    private static readonly HistorySource Bybit = new("bybit", ["https://api.bybit.com/"]);
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expiry = new(2026, 12, 25, 8, 0, 0, TimeSpan.Zero);
    private readonly List<IHistoryStore> _stores = [];

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected abstract Task<IHistoryStore> CreateStoreAsync();

    protected abstract ValueTask DeleteStorageAsync();

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
            await store.DisposeAsync();
        await DeleteStorageAsync();
        GC.SuppressFinalize(this);
    }

    private async Task<IHistoryStore> OpenAsync()
    {
        var store = await CreateStoreAsync();
        _stores.Add(store);
        await store.OpenAsync(Bybit, Token);
        return store;
    }

    /// <summary>A trade with every field set to a value of its own (exact in binary: what is written must come back equal).</summary>
    private static Trade Make(string coin, string id, long timeMs, long sequence, long exchangeSequence = 0, Venue? venue = null) => new()
    {
        Venue = venue ?? Venue.Bybit,
        Id = id,
        Symbol = $"{coin}-25DEC26-95000-P",
        BaseCoin = coin,
        ExpiryUtc = Expiry,
        Strike = 95000.5m,
        Type = OptionType.Put,
        TimeMs = timeMs,
        Side = TradeSide.Sell,
        Size = 1.25,
        Price = 1234.5,
        Iv = 0.4321,
        MarkIv = 0.4123,
        MarkPrice = 1230.25,
        IndexPrice = 97123.75,
        Delta = -0.3125,
        Gamma = 0.0000123,
        Vega = 98.765,
        IsBlock = true,
        BlockId = "rfq-" + id,
        ExchangeSequence = exchangeSequence,
        Sequence = sequence,
    };

    [Fact]
    public async Task Every_field_is_read_back_as_written_and_missing_values_stay_missing()
    {
        var store = await OpenAsync();
        var full = Make("BTC", "t-1", T0.ToUnixTimeMilliseconds(), 1, 987654321);
        var sparse = Make("BTC", "t-2", T0.ToUnixTimeMilliseconds() + 1, 2) with
        {
            Type = OptionType.Call,
            Side = TradeSide.Buy,
            Iv = double.NaN,
            MarkIv = double.NaN,
            MarkPrice = double.NaN,
            IndexPrice = double.NaN,
            Delta = double.NaN,
            Gamma = double.NaN,
            Vega = double.NaN,
            IsBlock = false,
            BlockId = null,
        };
        await store.WriteTradesAsync([full, sparse], Token);

        var read = await store.TradesAsync("BTC", T0, T0.AddMinutes(1), 100, Token);

        Assert.Equal([full, sparse], read);
        Assert.True(double.IsNaN(read[1].Iv));
        Assert.Null(read[1].BlockId);
    }

    [Fact]
    public async Task A_trade_written_twice_is_kept_once_with_its_first_sequence()
    {
        var store = await OpenAsync();
        var time = T0.ToUnixTimeMilliseconds();
        var first = Make("BTC", "dup", time, 7);
        await store.WriteTradesAsync([first, Make("BTC", "other", time + 5, 8)], Token);
        // Again later (a recorder retrying, a new collector recording its tape again), and twice within one batch.
        await store.WriteTradesAsync([first with { Sequence = 70 }, Make("BTC", "new", time + 9, 9), Make("BTC", "new", time + 9, 99)], Token);

        var read = await store.TradesAsync("BTC", T0, T0.AddMinutes(1), 100, Token);

        Assert.Equal(["dup", "other", "new"], read.Select(t => t.Id));
        Assert.Equal([7L, 8, 9], read.Select(t => t.Sequence));
    }

    [Fact]
    public async Task The_same_id_on_another_venue_is_another_trade()
    {
        var store = await OpenAsync();
        var time = T0.ToUnixTimeMilliseconds();
        await store.WriteTradesAsync([Make("BTC", "same", time, 1), Make("BTC", "same", time, 2, venue: Venue.Parse("deribit"))], Token);

        var read = await store.TradesAsync("BTC", T0, T0.AddMinutes(1), 100, Token);

        Assert.Equal(2, read.Count);
        Assert.Equal(["bybit", "deribit"], read.Select(t => t.Venue.Id).Order());
    }

    [Fact]
    public async Task Trades_come_back_in_exchange_order_within_the_range_up_to_the_limit_and_of_one_coin()
    {
        var store = await OpenAsync();
        var time = T0.ToUnixTimeMilliseconds();
        // Written out of order: by time, then the venue's sequence, then the id (ordinal: "B" before "a").
        Trade[] trades =
        [
            Make("BTC", "late", time + 60_000, 5),
            Make("BTC", "a", time + 1000, 4, exchangeSequence: 3),
            Make("BTC", "B", time + 1000, 3, exchangeSequence: 3),
            Make("BTC", "first-seq", time + 1000, 2, exchangeSequence: 1),
            Make("BTC", "earliest", time, 1),
            Make("ETH", "eth", time + 1000, 1),
            Make("BTC", "before", time - 1, 6),
        ];
        await store.WriteTradesAsync(trades, Token);

        var all = await store.TradesAsync("BTC", T0, T0.AddMinutes(1), 100, Token);
        Assert.Equal(["earliest", "first-seq", "B", "a", "late"], all.Select(t => t.Id));
        var ordered = all.ToList();
        ordered.Sort(Trade.CompareByExchangeOrder);
        Assert.Equal(ordered, all);

        var limited = await store.TradesAsync("BTC", T0, T0.AddMinutes(1), 2, Token);
        Assert.Equal(["earliest", "first-seq"], limited.Select(t => t.Id));

        var inside = await store.TradesAsync("BTC", T0.AddSeconds(1), T0.AddSeconds(1), 100, Token);
        Assert.Equal(["first-seq", "B", "a"], inside.Select(t => t.Id));

        Assert.Equal(["eth"], (await store.TradesAsync("ETH", T0, T0.AddMinutes(1), 100, Token)).Select(t => t.Id));
        Assert.Empty(await store.TradesAsync("SOL", T0, T0.AddMinutes(1), 100, Token));
    }

    [Fact]
    public async Task Trades_survive_a_reopen_and_retention_removes_those_older_than_keep_hourly()
    {
        var store = await OpenAsync();
        var old = Make("BTC", "old", T0.AddDays(-3).ToUnixTimeMilliseconds(), 1);
        var recent = Make("BTC", "recent", T0.ToUnixTimeMilliseconds(), 2);
        await store.WriteTradesAsync([old, recent], Token);
        await store.DisposeAsync();
        _stores.Remove(store);

        var reopened = await OpenAsync();
        Assert.Equal([old, recent], await reopened.TradesAsync("BTC", T0.AddDays(-4), T0, 100, Token));

        await reopened.ApplyRetentionAsync(T0.AddHours(1), TimeSpan.FromDays(1), TimeSpan.FromDays(2), Token);

        Assert.Equal([recent], await reopened.TradesAsync("BTC", T0.AddDays(-4), T0, 100, Token));
    }

    [Fact]
    public async Task A_batch_of_thousands_is_written_once_and_read_back_whole()
    {
        var store = await OpenAsync();
        var time = T0.ToUnixTimeMilliseconds();
        var trades = Enumerable.Range(1, 5000).Select(i => Make("BTC", $"bulk-{i:D5}", time + i * 10, i)).ToList();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await store.WriteTradesAsync(trades, Token);
        var first = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        started = System.Diagnostics.Stopwatch.GetTimestamp();
        await store.WriteTradesAsync(trades, Token);
        var again = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        TestContext.Current.TestOutputHelper?.WriteLine($"5,000 trades: written in {first.TotalMilliseconds:F0} ms, written again (all duplicates) in {again.TotalMilliseconds:F0} ms");

        var read = await store.TradesAsync("BTC", T0, T0.AddHours(1), 10_000, Token);

        Assert.Equal(trades, read);
    }
}

/// <summary>The trades contract on the DuckDB store: a file in a temporary directory of each test's own.</summary>
public sealed class DuckDbTradeStoreTests : TradeStoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("history-trades-duckdb-").FullName;

    protected override Task<IHistoryStore> CreateStoreAsync() =>
        Task.FromResult<IHistoryStore>(new DuckDbHistoryStore(
            Options.Create(new HistoryOptions { Path = Path.Combine(_directory, "history.duckdb") }), NullLogger<DuckDbHistoryStore>.Instance,
            TimeProvider.System));

    protected override ValueTask DeleteStorageAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The trades contract on PostgreSQL: one real server for the class, a database of each test's own.</summary>
public sealed class PostgresTradeStoreTests(PostgresServerFixture postgres) : TradeStoreContract, IClassFixture<PostgresServerFixture>
{
    private string? _connectionString;

    public override async ValueTask InitializeAsync() => _connectionString = await postgres.Server.CreateDatabaseAsync();

    protected override Task<IHistoryStore> CreateStoreAsync() =>
        Task.FromResult<IHistoryStore>(new PostgresHistoryStore(
            Options.Create(new HistoryOptions { Postgres = _connectionString }), NullLogger<PostgresHistoryStore>.Instance));

    protected override async ValueTask DeleteStorageAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database;
        await using var connection = new NpgsqlConnection(postgres.Server.ConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
