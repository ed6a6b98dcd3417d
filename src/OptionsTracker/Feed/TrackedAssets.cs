using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Feed;

/// <summary>
/// The base coins the user tracks, each enabled or not, persisted to <see cref="TrackerOptions.AssetsFile"/> so a
/// coin added from the dashboard survives a restart. Until the file exists the set is <see cref="TrackerOptions.Assets"/>.
/// The file also records the configured set it was made from: when <see cref="TrackerOptions.Assets"/> has changed
/// since, the configuration is the newer word and wins. A file that cannot be read is reported and configuration
/// used. With Redis the set is shared instead (the Redis store's <c>SharedAssets</c>): kept in Redis for every instance, which
/// then wins over both; the file keeps a copy, for a start while Redis is away. Thread-safe; every change is saved at once (file: written to a temporary file, then moved over
/// the old one), and a change that cannot be saved is not made. Reads never wait: not for a save (Redis may be slow), nor
/// for each other.
/// </summary>
public sealed class TrackedAssets : IDisposable
{
    // Readers (every dashboard render, every API request) read _current without a lock: it is an immutable snapshot,
    // replaced whole. _lock orders the writers (a change's commit, a set from the shared store) and keeps the shared
    // version seen together with the set it belongs to; no reader takes it and no network I/O happens under it (the
    // file is written under it: local, and the file's order must follow the set's).
    private readonly Lock _lock = new();
    // One change at a time, from computing it to making it current, so two changes made here cannot lose one another;
    // held across the save, which readers never wait for.
    private readonly SemaphoreSlim _changeGate = new(1, 1);
    private readonly string _path;
    private readonly string[] _configured;
    private volatile TrackedSet _current;
    private SharedSave? _sharedSave;
    private string? _sharedLocation;
    // The shared set this instance's own set was last made equal to (as the shared store holds it; null: none there):
    // a shared save succeeds only while the store still holds it. Guarded by _lock.
    private string? _sharedVersion;

    /// <summary>
    /// Saves <paramref name="file"/> to the shared store provided it still holds <paramref name="seen"/> (the version
    /// this instance last took), and returns the new version; throws when it cannot (<see cref="TrackedAssetsConflictException"/>
    /// when another instance saved since).
    /// </summary>
    internal delegate Task<string> SharedSave(TrackedAssetsFile file, string? seen, CancellationToken cancellationToken);

    public TrackedAssets(IOptions<TrackerOptions> options, IHostEnvironment environment, ILogger<TrackedAssets>? logger = null)
    {
        var file = options.Value.AssetsFile;
        _path = Path.IsPathRooted(file) ? file : Path.Combine(environment.ContentRootPath, file);
        _configured = [.. options.Value.Assets];
        _current = new TrackedSet(Load(_path, _configured, logger) ?? [.. _configured.Select(c => new TrackedAsset(c, true))]);
    }

    /// <summary>Every tracked coin, enabled or not. An immutable snapshot: never waits for a change being saved.</summary>
    public IReadOnlyList<TrackedAsset> All => _current.All;

    /// <summary>The enabled coins. An immutable snapshot: never waits for a change being saved.</summary>
    public IReadOnlyList<string> Enabled => _current.Enabled;

    public bool IsEnabled(string coin) => _current.Enabled.Contains(coin, StringComparer.Ordinal);

    /// <summary>The enabled coin named <paramref name="coin"/> in any case (its own spelling), or null.</summary>
    public string? FindEnabled(ReadOnlySpan<char> coin)
    {
        foreach (var enabled in _current.Enabled)
        {
            if (coin.Equals(enabled, StringComparison.OrdinalIgnoreCase))
                return enabled;
        }
        return null;
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
    /// <exception cref="TrackedAssetsConflictException">Another instance changed the shared set since this one read it; nothing changed.</exception>
    /// <remarks>With the shared store, its own failures too (Redis unreachable, timed out): nothing changed.</remarks>
    public Task<bool> AddAsync(string coin, CancellationToken cancellationToken) => ChangeAsync(assets =>
    {
        var at = assets.FindIndex(a => a.Coin == coin);
        if (at >= 0 && assets[at].Enabled)
            return false;
        if (at >= 0)
            assets[at] = assets[at] with { Enabled = true };
        else
            assets.Add(new TrackedAsset(coin, true));
        return true;
    }, cancellationToken);

    public Task<bool> SetEnabledAsync(string coin, bool enabled, CancellationToken cancellationToken) => ChangeAsync(assets =>
    {
        var at = assets.FindIndex(a => a.Coin == coin);
        if (at < 0 || assets[at].Enabled == enabled)
            return false;
        assets[at] = assets[at] with { Enabled = enabled };
        return true;
    }, cancellationToken);

    public Task<bool> RemoveAsync(string coin, CancellationToken cancellationToken) =>
        ChangeAsync(assets => assets.RemoveAll(a => a.Coin == coin) > 0, cancellationToken);

    /// <summary>
    /// Applies a change to a copy, saves it, and only then makes it current: a failed save changes nothing, and readers
    /// see the old set until the save is done.
    /// </summary>
    private async Task<bool> ChangeAsync(Func<List<TrackedAsset>, bool> change, CancellationToken cancellationToken)
    {
        await _changeGate.WaitAsync(cancellationToken);
        try
        {
            TrackedSet basis;
            List<TrackedAsset> next;
            SharedSave? save;
            string? seen;
            lock (_lock)
            {
                basis = _current;
                next = [.. basis.All];
                if (!change(next))
                    return false;
                save = _sharedSave;
                seen = _sharedVersion;
                if (save is null)
                {
                    // Only the file: written before the set is made current, so a set that cannot be kept is not made.
                    WriteFile(new TrackedAssetsFile(next, [.. _configured]));
                    _current = new TrackedSet(next);
                }
            }
            if (save is not null)
            {
                // The set and the version it was made from were taken together above; the store refuses the save if
                // another instance saved since, so nothing it has not seen is overwritten.
                var saved = await save(new TrackedAssetsFile(next, [.. _configured]), seen, cancellationToken);
                lock (_lock)
                {
                    // A set read from the shared store meanwhile (ours read back, or a newer one saved after it) is
                    // already current with its version: it stays. Otherwise ours is the newest the store holds.
                    if (ReferenceEquals(_current, basis))
                    {
                        _current = new TrackedSet(next);
                        _sharedVersion = saved;
                        // The shared store has it; the file only keeps a copy for a start while Redis is away.
                        TryWriteFile(new TrackedAssetsFile(next, [.. _configured]));
                    }
                }
            }
        }
        finally
        {
            _changeGate.Release();
        }
        Changed?.Invoke();
        return true;
    }

    /// <summary>From now on changes are saved with <paramref name="save"/> (it throws when it cannot), not to the file.</summary>
    internal void UseShared(string location, SharedSave save)
    {
        lock (_lock)
            _sharedSave = save;
        Volatile.Write(ref _sharedLocation, location);
    }

    /// <summary>The set as saved, for seeding the shared store.</summary>
    internal TrackedAssetsFile Snapshot() => new([.. _current.All], [.. _configured]);

    /// <summary>
    /// Takes the set another instance saved (<paramref name="version"/>: as the shared store holds it). Returns whether
    /// anything changed. The version is noted under the same lock as the set is taken, and a change made here takes the
    /// set and the version together under it too: so no change can be based on the new set but checked against the old
    /// version (it would be refused as a conflict), nor on the old set but checked against the new version (it would
    /// overwrite what it has not seen).
    /// </summary>
    internal bool ApplyShared(TrackedAssetsFile shared, string version)
    {
        List<TrackedAsset> next = [.. shared.Assets.Where(a => TrackerOptions.IsValidCoin(a.Coin)).DistinctBy(a => a.Coin)];
        lock (_lock)
        {
            _sharedVersion = version;
            if (next.SequenceEqual(_current.All))
                return false;
            _current = new TrackedSet(next);
            TryWriteFile(new TrackedAssetsFile(next, [.. _configured]));
        }
        Changed?.Invoke();
        return true;
    }

    public void Dispose() => _changeGate.Dispose();

    /// <summary>One version of the set, never changed once made.</summary>
    private sealed class TrackedSet(List<TrackedAsset> assets)
    {
        public IReadOnlyList<TrackedAsset> All { get; } = Array.AsReadOnly(assets.ToArray());

        public IReadOnlyList<string> Enabled { get; } = Array.AsReadOnly(assets.Where(a => a.Enabled).Select(a => a.Coin).ToArray());
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
