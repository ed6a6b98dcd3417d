using System.Text.Json;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Strategies;

/// <summary>
/// The saved strategies in a JSON file of the state folder (<see cref="StrategiesOptions.File"/>), for a tracker without
/// Redis (one process: the <c>all</c> role). Reads are served from memory and never wait; saves are serialised (one
/// at a time, so two made together cannot lose one another) and each rewrites the file atomically: written in full to a
/// temporary file, flushed, then renamed over the old one, so a crash leaves the old list or the new one, never half.
/// A file that cannot be read is logged, kept beside it (<c>strategies.json.unreadable-{time}</c>) and the library
/// starts empty: a damaged file must not stop the tracker, nor be overwritten before someone can look at it.
/// </summary>
internal sealed class FileStrategyLibrary : IStrategyLibrary, IDisposable
{
    private readonly SemaphoreSlim _saveGate = new(1, 1);
    private readonly string _path;
    private readonly int _maxCount;
    private readonly ILogger<FileStrategyLibrary> _logger;
    // Replaced whole after each successful write (under _saveGate); readers take it without a lock.
    private volatile Dictionary<string, SavedStrategy> _current;

    public FileStrategyLibrary(IOptions<StrategiesOptions> options, IConfiguration configuration, IHostEnvironment environment,
        TimeProvider time, ILogger<FileStrategyLibrary> logger)
    {
        _logger = logger;
        _maxCount = options.Value.MaxCount;
        _path = PathOf(options.Value, configuration, environment.ContentRootPath);
        _current = Load(time);
        Log.LibraryLoaded(logger, _current.Count, _path);
    }

    /// <summary>The file: <see cref="StrategiesOptions.File"/>, or <c>strategies.json</c> beside the assets file (in <c>state/</c>).</summary>
    internal static string PathOf(StrategiesOptions options, IConfiguration configuration, string contentRoot)
    {
        var file = options.File;
        if (string.IsNullOrWhiteSpace(file))
        {
            // The assets file's setting read by its key, not through the feed's options type: the state folder is all
            // this needs of the feed, and Strategies stays a leaf that the feed and the store may build on.
            var assetsFile = configuration["Tracker:AssetsFile"];
            var folder = string.IsNullOrWhiteSpace(assetsFile) ? StrategiesOptions.DefaultFolder : Path.GetDirectoryName(assetsFile) ?? "";
            file = Path.Combine(folder, "strategies.json");
        }
        return Path.GetFullPath(Path.Combine(contentRoot, file));
    }

    public string Location => _path;

    public Task<IReadOnlyList<SavedStrategy>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SavedStrategy>>([.. _current.Values.OrderBy(s => s.Name, StrategyNames.Comparer)]);

    public Task<SavedStrategy?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_current.GetValueOrDefault(name));

    public async Task SaveAsync(SavedStrategy strategy, CancellationToken cancellationToken)
    {
        if (StrategyNames.Problem(strategy.Name) is { } problem)
            throw new ArgumentException(problem, nameof(strategy));
        await _saveGate.WaitAsync(cancellationToken);
        try
        {
            var next = new Dictionary<string, SavedStrategy>(_current, StrategyNames.Comparer);
            // A new name needs room; replacing one (its case may change) never does.
            if (next.Remove(strategy.Name) is false && next.Count >= _maxCount)
            {
                Log.LibraryFull(_logger, strategy.Name, _maxCount);
                throw new StrategyLibraryFullException(_maxCount);
            }
            next[strategy.Name] = strategy;
            await WriteAsync(next, cancellationToken);
            _current = next;
        }
        finally
        {
            _saveGate.Release();
        }
        Log.StrategySaved(_logger, strategy.Name, strategy.Legs.Count, strategy.Asset, _path);
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _saveGate.WaitAsync(cancellationToken);
        try
        {
            var next = new Dictionary<string, SavedStrategy>(_current, StrategyNames.Comparer);
            if (!next.Remove(name, out var removed))
                return false;
            await WriteAsync(next, cancellationToken);
            _current = next;
            Log.StrategyDeleted(_logger, removed.Name, _path);
            return true;
        }
        finally
        {
            _saveGate.Release();
        }
    }

    public void Dispose() => _saveGate.Dispose();

    private async Task WriteAsync(Dictionary<string, SavedStrategy> strategies, CancellationToken cancellationToken)
    {
        var file = new StrategyLibraryFile(StrategyLibraryFile.CurrentVersion, [.. strategies.Values.OrderBy(s => s.Name, StrategyNames.Comparer)]);
        var temporary = _path + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 16 * 1024, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(stream, file, StrategiesJsonContext.Default.StrategyLibraryFile, cancellationToken);
                // On disk before the rename: a rename can reach the disk before the data it names.
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LibraryWriteFailed(_logger, _path, e);
            throw new StrategyLibraryUnavailableException($"The strategies could not be saved to {Path.GetFileName(_path)}: {e.Message}", e);
        }
    }

    private Dictionary<string, SavedStrategy> Load(TimeProvider time)
    {
        var strategies = new Dictionary<string, SavedStrategy>(StrategyNames.Comparer);
        if (!File.Exists(_path))
            return strategies;
        StrategyLibraryFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(_path), StrategiesJsonContext.Default.StrategyLibraryFile)
                ?? throw new JsonException("the file holds null");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            KeepUnreadable(e, time);
            return strategies;
        }
        foreach (var strategy in file.Strategies ?? [])
        {
            if (strategy is null)
                continue;
            if (SavedStrategies.Problem(strategy) is { } reason)
                Log.SavedStrategySkipped(_logger, _path, reason);
            else if (!strategies.TryAdd(strategy.Name, strategy))
                Log.SavedStrategySkipped(_logger, _path, $"'{strategy.Name}' is there twice; keeping the first");
        }
        return strategies;
    }

    private void KeepUnreadable(Exception error, TimeProvider time)
    {
        var copy = $"{_path}.unreadable-{time.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        try
        {
            File.Copy(_path, copy, overwrite: false);
            Log.LibraryFileUnreadable(_logger, _path, error.Message, copy, error);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LibraryFileUncopyable(_logger, _path, error.Message, e.Message);
        }
    }
}
