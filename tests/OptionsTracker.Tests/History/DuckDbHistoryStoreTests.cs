using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OptionsTracker.History;

namespace OptionsTracker.Tests.History;

/// <summary>The store contract on the embedded DuckDB store: a file in a temporary directory of each test's own.</summary>
public sealed class DuckDbHistoryStoreTests : HistoryStoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("history-duckdb-").FullName;

    private string FilePath => Path.Combine(_directory, "state", "history.duckdb");

    protected override Task<IHistoryStore> CreateStoreAsync() =>
        Task.FromResult<IHistoryStore>(new DuckDbHistoryStore(
            Options.Create(new HistoryOptions { Path = FilePath }), NullLogger<DuckDbHistoryStore>.Instance, TimeProvider.System));

    protected override ValueTask DeleteStorageAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
