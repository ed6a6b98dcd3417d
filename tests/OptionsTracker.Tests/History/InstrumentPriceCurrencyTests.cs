using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.Book;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The instruments' price currency in the history (issue 19, schema 3 of both stores): a recorded Deribit board read back
/// at <c>at=</c> serves <c>price_currency</c> and the native prices as the live answer does, and a history of schema 2
/// gets the column when opened, its options their currency at their next write. Each store's class says how to reach
/// its storage.
/// </summary>
public abstract class InstrumentPriceCurrencyTests : IAsyncDisposable
{
    private static readonly Venue Deribit = Venue.Parse("deribit");
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private const string NativeFields = "symbol,venue,price_currency,mark_price,bid_price,ask_price,index_price,mark_price_native,bid_price_native,ask_price_native";

    protected readonly string Directory = System.IO.Directory.CreateTempSubdirectory("history-price-currency-").FullName;

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The host's settings choosing this store (none: the host's own DuckDB file).</summary>
    protected abstract Task<Dictionary<string, string?>> HostSettingsAsync();

    /// <summary>A new store object over this test's storage (the same storage on every call), opened.</summary>
    protected abstract Task<IHistoryStore> OpenStoreAsync();

    /// <summary>Takes the storage back to schema 2: the instruments without <c>price_currency</c>, the version 2.</summary>
    protected abstract Task DowngradeToSchema2Async();

    /// <summary>The recorded schema version and whether the instruments table has <c>price_currency</c>.</summary>
    protected abstract Task<(string Version, bool HasColumn)> SchemaAsync();

    [Fact]
    public async Task Time_travel_serves_Deribits_price_currency_and_native_prices_as_live_does()
    {
        await using var host = await HistoryApiHost.StartAsync(settings => TrackerApp.StartWithBothVenuesAsync(settings), await HostSettingsAsync());
        var book = host.App.Book;
        await Eventually.Until(() => book.Index.TryGetCoin("BTC", out var coin)
            && coin.TryGetVenue(Deribit, out var deribit) && deribit.Slots.Count > 0 && deribit.Slots.All(s => s.ReadQuote().HasData)
            && coin.TryGetVenue(Venue.Bybit, out var bybit) && bybit.Slots.All(s => s.ReadQuote().HasData),
            "BTC options of both venues in the book, quoted", 120);
        // A still market, so the live answer and the snapshot written from the book can be the same board; a feed that
        // reconnects meanwhile moves the book, and then the snapshot is written again, later, until they agree.
        host.App.Simulator!.Faults.SilentConnections = true;
        host.App.Deribit!.Faults.Silent = true;

        JsonNode live = null!, past = null!;
        var attempts = 0;
        await Eventually.Until(async () =>
        {
            attempts++;
            var time = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var sequence = book.Sequence;
            live = await host.GetJsonAsync($"/api/options/BTC?venue=deribit&limit=1000&fields={NativeFields}");
            await host.Store.WriteSnapshotAsync(host.Capture(time), Token);
            past = await host.GetJsonAsync($"/api/options/BTC?venue=deribit&limit=1000&fields={NativeFields}&at={Uri.EscapeDataString(time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))}");
            return book.Sequence == sequence && JsonNode.DeepEquals(live["data"], past["data"]);
        }, "the recorded Deribit options read back at their time equal to the live answer", 90);
        TestContext.Current.TestOutputHelper?.WriteLine($"equal after {attempts} snapshot(s); {past["data"]!.AsArray().Count} Deribit options");

        var items = past["data"]!.AsArray();
        Assert.NotEmpty(items);
        Assert.All(items, item =>
        {
            Assert.Equal("deribit", (string?)item!["venue"]);
            Assert.Equal("BTC", (string?)item["price_currency"]);
        });
        Assert.Contains(items, item => item!["mark_price_native"] is not null);
        // The native price is the recorded USD price over the recorded index (Book/NativePrice's one conversion).
        foreach (var item in items.Where(i => i!["mark_price_native"] is not null))
            Assert.Equal((double)item!["mark_price"]! / (double)item["index_price"]!, (double)item["mark_price_native"]!, 12);
        // Bybit's options stay dollar-priced in the past too.
        var bybit = await host.GetJsonAsync($"/api/options/BTC?venue=bybit&limit=5&fields={NativeFields}&at={Uri.EscapeDataString((string)past["as_of"]!)}");
        Assert.All(bybit["data"]!.AsArray(), item =>
        {
            Assert.Null(item!["price_currency"]);
            Assert.Null(item["mark_price_native"]);
        });
    }

    [Fact]
    public async Task A_schema_2_history_gets_the_price_currency_when_opened_and_its_options_get_theirs_at_the_next_write()
    {
        var expiry = new DateTimeOffset(2026, 12, 25, 8, 0, 0, TimeSpan.Zero);
        var deribit = new OptionInstrument(Deribit, "BTC-25DEC26-100000-C", "BTC", expiry, 100000m, OptionType.Call,
            settleCoin: "BTC", tickSize: 0.0001, qtyStep: 0.1, priceCurrency: "BTC");
        var bybit = new OptionInstrument(Venue.Bybit, "BTC-25DEC26-100000-C-USDT", "BTC", expiry, 100000m, OptionType.Call,
            settleCoin: "USDT", tickSize: 5, qtyStep: 0.01);

        var first = await OpenStoreAsync();
        await first.WriteSnapshotAsync(Snapshot(T0, deribit, bybit), Token);
        await AssertSchema3Async();
        Assert.Equal("BTC", await PriceCurrencyAtAsync(first, T0));
        await first.DisposeAsync();

        // A history recorded before schema 3: no column, version 2.
        await DowngradeToSchema2Async();
        Assert.Equal(("2", false), await SchemaAsync());

        var reopened = await OpenStoreAsync();
        await AssertSchema3Async();
        // Recorded before the column: read as dollar-priced, as it was.
        Assert.Null(await PriceCurrencyAtAsync(reopened, T0));
        await reopened.DisposeAsync();

        // A process writing the option again records its currency.
        var writer = await OpenStoreAsync();
        await writer.WriteSnapshotAsync(Snapshot(T0.AddMinutes(10), deribit, bybit), Token);
        await writer.DisposeAsync();
        var reader = await OpenStoreAsync();
        Assert.Equal("BTC", await PriceCurrencyAtAsync(reader, T0.AddMinutes(10)));
        var board = await reader.BoardAtAsync("BTC", T0.AddMinutes(10), Token);
        Assert.Null(board!.Quotes.Single(q => q.Instrument.Venue == Venue.Bybit).Instrument.PriceCurrency);
        await reader.DisposeAsync();
    }

    /// <summary>Schema 3 or later (a later step, such as PostgreSQL's hour rows, may have raised the version), with the column.</summary>
    private async Task AssertSchema3Async()
    {
        var (version, hasColumn) = await SchemaAsync();
        Assert.True(int.Parse(version, CultureInfo.InvariantCulture) >= 3, $"schema {version}");
        Assert.True(hasColumn);
    }

    private static async Task<string?> PriceCurrencyAtAsync(IHistoryStore store, DateTimeOffset at)
    {
        var board = await store.BoardAtAsync("BTC", at, Token);
        Assert.NotNull(board);
        return board.Quotes.Single(q => q.Instrument.Venue == Deribit).Instrument.PriceCurrency;
    }

    private static BoardSnapshot Snapshot(DateTimeOffset time, params OptionInstrument[] instruments)
    {
        var snapshot = new BoardSnapshot { Time = time };
        snapshot.Coins.Add("BTC");
        foreach (var instrument in instruments)
        {
            var quote = new OptionQuote { ExchangeTimeMs = time.ToUnixTimeMilliseconds() - 100, ReceivedAtMs = time.ToUnixTimeMilliseconds() - 50 };
            quote.Values[(int)QuoteField.MarkPrice] = 4512.5;
            quote.Values[(int)QuoteField.IndexPrice] = 90250;
            quote.Values[(int)QuoteField.MarkIv] = 0.5;
            snapshot.Quotes.Add(new RecordedQuote(instrument, quote, Changed: true));
        }
        return snapshot;
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A store of a failed test may still hold its file.
        }
        return ValueTask.CompletedTask;
    }
}

public sealed class DuckDbInstrumentPriceCurrencyTests : InstrumentPriceCurrencyTests
{
    private string FilePath => Path.GetFullPath(Path.Combine(Directory, "history.duckdb"));

    protected override Task<Dictionary<string, string?>> HostSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    protected override async Task<IHistoryStore> OpenStoreAsync()
    {
        var store = new DuckDbHistoryStore(Options.Create(new HistoryOptions { Path = FilePath }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System);
        await store.OpenAsync(HistoryGenerator.Source, Token);
        return store;
    }

    protected override async Task DowngradeToSchema2Async()
    {
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = FilePath }.ToString());
        await connection.OpenAsync(Token);
        await using var command = new DuckDBCommand("""
            ALTER TABLE instruments DROP COLUMN price_currency;
            UPDATE meta SET value = '2' WHERE key = 'schema_version';
            """, connection);
        await command.ExecuteNonQueryAsync(Token);
    }

    protected override async Task<(string Version, bool HasColumn)> SchemaAsync()
    {
        await using var connection = new DuckDBConnection(new DuckDBConnectionStringBuilder { DataSource = FilePath }.ToString());
        await connection.OpenAsync(Token);
        await using var version = new DuckDBCommand("SELECT value FROM meta WHERE key = 'schema_version'", connection);
        await using var column = new DuckDBCommand("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'instruments' AND column_name = 'price_currency'", connection);
        return ((string)(await version.ExecuteScalarAsync(Token))!, Convert.ToInt64(await column.ExecuteScalarAsync(Token), CultureInfo.InvariantCulture) > 0);
    }
}

public sealed class PostgresInstrumentPriceCurrencyTests(PostgresServerFixture postgres) : InstrumentPriceCurrencyTests, IClassFixture<PostgresServerFixture>
{
    private string? _connectionString;

    private async Task<string> DatabaseAsync() => _connectionString ??= await postgres.Server.CreateDatabaseAsync();

    protected override async Task<Dictionary<string, string?>> HostSettingsAsync() => new() { ["History:Postgres"] = await DatabaseAsync() };

    protected override async Task<IHistoryStore> OpenStoreAsync()
    {
        var store = new PostgresHistoryStore(Options.Create(new HistoryOptions { Postgres = await DatabaseAsync() }), NullLogger<PostgresHistoryStore>.Instance);
        await store.OpenAsync(HistoryGenerator.Source, Token);
        return store;
    }

    protected override async Task DowngradeToSchema2Async()
    {
        await using var connection = new NpgsqlConnection(await DatabaseAsync());
        await connection.OpenAsync(Token);
        await using var command = new NpgsqlCommand("""
            ALTER TABLE instruments DROP COLUMN price_currency;
            UPDATE history_meta SET value = '2' WHERE key = 'schema_version';
            """, connection);
        await command.ExecuteNonQueryAsync(Token);
    }

    protected override async Task<(string Version, bool HasColumn)> SchemaAsync()
    {
        await using var connection = new NpgsqlConnection(await DatabaseAsync());
        await connection.OpenAsync(Token);
        await using var version = new NpgsqlCommand("SELECT value FROM history_meta WHERE key = 'schema_version'", connection);
        await using var column = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'instruments' AND column_name = 'price_currency'", connection);
        return ((string)(await version.ExecuteScalarAsync(Token))!, (long)(await column.ExecuteScalarAsync(Token))! > 0);
    }
}
