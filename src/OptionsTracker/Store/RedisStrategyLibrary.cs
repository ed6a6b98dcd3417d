using System.Text.Json;
using Microsoft.Extensions.Options;
using OptionsTracker.Strategies;
using StackExchange.Redis;

namespace OptionsTracker.Store;

/// <summary>
/// The saved strategies in Redis (<see cref="RedisKeys.Strategies"/>: one hash, field = the name upper-cased so names
/// are unique in any case, value = the strategy's JSON), so every instance of a scaled-out deployment lists, opens and
/// changes the same ones. Nothing is cached: a strategy saved on one instance is there on the next request to any
/// other. Each command waits at most <see cref="StoreOptions.CommandTimeout"/>; while Redis is away the library says
/// so (<see cref="StrategyLibraryUnavailableException"/>) rather than answer from a copy that may be stale. Here, not in
/// Strategies/, as <see cref="SharedAssets"/> is: the store keeps the shared state, the feature knows only its interface.
/// </summary>
internal sealed class RedisStrategyLibrary(RedisConnection connection, IOptions<StoreOptions> store, IOptions<StrategiesOptions> options,
    ILogger<RedisStrategyLibrary> logger) : IStrategyLibrary
{
    // KEYS[1] the hash; ARGV[1] the field, ARGV[2] the JSON, ARGV[3] the limit. A script, so the count and the write
    // are one step for every instance: two saving new names at once cannot both squeeze past the limit.
    private const string SaveScript = """
        if redis.call('hexists', KEYS[1], ARGV[1]) == 0 and redis.call('hlen', KEYS[1]) >= tonumber(ARGV[3]) then
          return 0
        end
        redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;
    private readonly RedisKey _key = connection.Keys.Strategies;

    public string Location => $"Redis ({connection.Endpoint}, {_key})";

    public async Task<IReadOnlyList<SavedStrategy>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = await RunAsync(database => database.HashGetAllAsync(_key), cancellationToken);
        var list = new List<SavedStrategy>(entries.Length);
        foreach (var entry in entries)
        {
            if (Read(entry.Value) is { } strategy)
                list.Add(strategy);
        }
        list.Sort((a, b) => StrategyNames.Comparer.Compare(a.Name, b.Name));
        return list;
    }

    public async Task<SavedStrategy?> GetAsync(string name, CancellationToken cancellationToken)
    {
        var value = await RunAsync(database => database.HashGetAsync(_key, StrategyNames.Key(name)), cancellationToken);
        return value.IsNull ? null : Read(value);
    }

    public async Task SaveAsync(SavedStrategy strategy, CancellationToken cancellationToken)
    {
        if (StrategyNames.Problem(strategy.Name) is { } problem)
            throw new ArgumentException(problem, nameof(strategy));
        var json = JsonSerializer.SerializeToUtf8Bytes(strategy, StrategiesJsonContext.Default.SavedStrategy);
        var maxCount = options.Value.MaxCount;
        var saved = await RunAsync(database => database.ScriptEvaluateAsync(SaveScript, [_key], [StrategyNames.Key(strategy.Name), json, maxCount]),
            cancellationToken);
        if ((long)saved == 0)
        {
            Strategies.Log.LibraryFull(logger, strategy.Name, maxCount);
            throw new StrategyLibraryFullException(maxCount);
        }
        Strategies.Log.StrategySaved(logger, strategy.Name, strategy.Legs.Count, strategy.Asset, Location);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = await RunAsync(database => database.HashDeleteAsync(_key, StrategyNames.Key(name)), cancellationToken);
        if (deleted)
            Strategies.Log.StrategyDeleted(logger, name, Location);
        return deleted;
    }

    private async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken cancellationToken)
    {
        try
        {
            var multiplexer = await connection.GetAsync(cancellationToken).WaitAsync(store.Value.CommandTimeout, cancellationToken);
            return await command(multiplexer.GetDatabase()).WaitAsync(store.Value.CommandTimeout, cancellationToken);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new StrategyLibraryUnavailableException($"The saved strategies are in Redis, which does not answer ({connection.Describe() ?? e.Message}).", e);
        }
    }

    private SavedStrategy? Read(RedisValue value)
    {
        try
        {
            var strategy = JsonSerializer.Deserialize((byte[])value!, StrategiesJsonContext.Default.SavedStrategy);
            if (strategy is not null && SavedStrategies.Problem(strategy) is null)
                return strategy;
            Strategies.Log.SavedStrategySkipped(logger, Location, strategy is null ? "null" : SavedStrategies.Problem(strategy)!);
        }
        catch (JsonException e)
        {
            Strategies.Log.SavedStrategySkipped(logger, Location, e.Message);
        }
        return null;
    }
}
