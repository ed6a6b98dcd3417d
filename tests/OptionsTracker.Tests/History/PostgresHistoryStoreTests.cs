using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptionsTracker.History;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.History;

/// <summary>
/// The store contract on PostgreSQL: one real server for the class (<see cref="PostgresServerFixture"/>), a database of
/// its own for each test, dropped after it.
/// </summary>
public sealed class PostgresHistoryStoreTests(PostgresServerFixture postgres) : HistoryStoreContract, IClassFixture<PostgresServerFixture>
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
