using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Feed;

/// <summary>
/// The base coins the user tracks, each enabled or not, persisted to <see cref="TrackerOptions.AssetsFile"/> so a
/// coin added from the dashboard survives a restart. Until the file exists the set is <see cref="TrackerOptions.Assets"/>.
/// The file also records the configured set it was made from: when <see cref="TrackerOptions.Assets"/> has changed
/// since, the configuration is the newer word and wins. A file that cannot be read is reported and configuration
/// used. With Redis the set is shared instead (see <c>Store.SharedAssets</c>): kept in Redis for every instance, which
/// then wins over both; the file keeps a copy, for a start while Redis is away. Thread-safe; every change is saved at once (file: written to a temporary file, then moved over
/// the old one), and a change that cannot be saved is not made.
/// </summary>
public sealed class TrackedAssets
{
    private readonly Lock _lock = new();
    private readonly string _path;
    private readonly string[] _configured;
    private List<TrackedAsset> _assets;
    private Action<TrackedAssetsFile>? _sharedSave;
    private string? _sharedLocation;

    public TrackedAssets(IOptions<TrackerOptions> options, IHostEnvironment environment, ILogger<TrackedAssets>? logger = null)
    {
        var file = options.Value.AssetsFile;
        _path = Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file);
        _configured = [.. options.Value.Assets];
        _assets = Load(_path, _configured, logger) ?? [.. _configured.Select(c => new TrackedAsset(c, true))];
    }

    /// <summary>Increases with every change, so readers can tell cheaply whether to look again.</summary>
    public int Version { get; private set; }

    public IReadOnlyList<TrackedAsset> All
    {
        get { lock (_lock) return [.. _assets]; }
    }

    public IReadOnlyList<string> Enabled
    {
        get { lock (_lock) return [.. _assets.Where(a => a.Enabled).Select(a => a.Coin)]; }
    }

    public bool IsEnabled(string coin)
    {
        lock (_lock) return _assets.Any(a => a.Enabled && a.Coin == coin);
    }

    /// <summary>Where the set is saved: the file, or the shared store once it is used.</summary>
    public string Location => Volatile.Read(ref _sharedLocation) ?? _path;

    /// <summary>
    /// Raised after every change, made here or arriving from the shared store (on the thread that made it); the
    /// collector follows it, tracking enabled coins and dropping the others.
    /// </summary>
    public event Action? Changed;

    /// <summary>Adds (or re-enables) a coin. Returns false when it was already tracked and enabled.</summary>
    /// <exception cref="IOException">The file could not be written; nothing changed.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written; nothing changed.</exception>
    public bool Add(string coin) => Change(assets =>
    {
        var at = assets.FindIndex(a => a.Coin == coin);
        if (at >= 0 && assets[at].Enabled)
            return false;
        if (at >= 0)
            assets[at] = assets[at] with { Enabled = true };
        else
            assets.Add(new TrackedAsset(coin, true));
        return true;
    });

    public bool SetEnabled(string coin, bool enabled) => Change(assets =>
    {
        var at = assets.FindIndex(a => a.Coin == coin);
        if (at < 0 || assets[at].Enabled == enabled)
            return false;
        assets[at] = assets[at] with { Enabled = enabled };
        return true;
    });

    public bool Remove(string coin) => Change(assets => assets.RemoveAll(a => a.Coin == coin) > 0);

    /// <summary>Applies a change to a copy, saves it, and only then makes it current: a failed save changes nothing.</summary>
    private bool Change(Func<List<TrackedAsset>, bool> change)
    {
        lock (_lock)
        {
            var next = new List<TrackedAsset>(_assets);
            if (!change(next))
                return false;
            var saved = new TrackedAssetsFile(next, [.. _configured]);
            if (_sharedSave is { } save)
            {
                save(saved);
                // The shared store has it; the file only keeps a copy for a start while Redis is away.
                TryWriteFile(saved);
            }
            else
            {
                WriteFile(saved);
            }
            _assets = next;
            Version++;
        }
        Changed?.Invoke();
        return true;
    }

    /// <summary>From now on changes are saved with <paramref name="save"/> (it throws when it cannot), not to the file.</summary>
    internal void UseShared(string location, Action<TrackedAssetsFile> save)
    {
        lock (_lock)
            _sharedSave = save;
        Volatile.Write(ref _sharedLocation, location);
    }

    /// <summary>The set as saved, for seeding the shared store.</summary>
    internal TrackedAssetsFile Snapshot()
    {
        lock (_lock)
            return new TrackedAssetsFile([.. _assets], [.. _configured]);
    }

    /// <summary>
    /// Takes the set another instance saved. Returns whether anything changed. <paramref name="applied"/> runs under the
    /// same lock as every change, so no change made here can come between taking the set and the shared store noting
    /// which version of it this instance has seen (a save based on the new set, checked against the old version, would
    /// be refused as a conflict).
    /// </summary>
    internal bool ApplyShared(TrackedAssetsFile shared, Action applied)
    {
        List<TrackedAsset> next = [.. shared.Assets.Where(a => TrackerOptions.IsValidCoin(a.Coin)).DistinctBy(a => a.Coin)];
        lock (_lock)
        {
            applied();
            if (next.SequenceEqual(_assets))
                return false;
            _assets = next;
            Version++;
            TryWriteFile(new TrackedAssetsFile(next, [.. _configured]));
        }
        Changed?.Invoke();
        return true;
    }

    private void WriteFile(TrackedAssetsFile saved)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temporary = _path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(saved, TrackedAssetsJsonContext.Default.TrackedAssetsFile));
        File.Move(temporary, _path, overwrite: true);
    }

    private void TryWriteFile(TrackedAssetsFile saved)
    {
        try
        {
            WriteFile(saved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only a copy: the shared store holds the set.
        }
    }

    private static List<TrackedAsset>? Load(string path, string[] configured, ILogger? logger)
    {
        if (!File.Exists(path))
            return null;
        TrackedAssetsFile? file;
        try
        {
            file = JsonSerializer.Deserialize(File.ReadAllBytes(path), TrackedAssetsJsonContext.Default.TrackedAssetsFile);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            if (logger is not null)
                Log.AssetsFileUnreadable(logger, path, e.Message, string.Join(",", configured));
            return null;
        }
        if (file?.Configured is { } madeFrom && !madeFrom.ToHashSet(StringComparer.Ordinal).SetEquals(configured))
        {
            if (logger is not null)
                Log.AssetsConfigurationChanged(logger, path, string.Join(",", madeFrom), string.Join(",", configured));
            return null;
        }
        return file?.Assets
            .Where(a => TrackerOptions.IsValidCoin(a.Coin))
            .DistinctBy(a => a.Coin)
            .ToList();
    }
}

public sealed record TrackedAsset(string Coin, bool Enabled);

/// <summary>The shared set changed elsewhere since this instance last read it: the change was not made.</summary>
internal sealed class TrackedAssetsConflictException(string message) : Exception(message);

/// <param name="Configured">The configured coins the file was made from; null in files written before it was kept.</param>
internal sealed record TrackedAssetsFile(List<TrackedAsset> Assets, List<string>? Configured = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(TrackedAssetsFile))]
internal sealed partial class TrackedAssetsJsonContext : JsonSerializerContext;
