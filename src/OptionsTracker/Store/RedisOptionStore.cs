using System.Collections.Concurrent;
using OptionsTracker.Book;

namespace OptionsTracker.Store;

/// <summary>
/// The distributed store. The book stays the source every reader uses: in a collecting role the feed fills
/// it and <see cref="RedisWriter"/> copies it to Redis; in the web role <see cref="RedisReader"/> fills it
/// from Redis.
/// </summary>
public sealed class RedisOptionStore(OptionBook book, RedisConnection connection) : IOptionStore
{
    private readonly ConcurrentDictionary<string, string> _problems = new(StringComparer.Ordinal);
    private volatile CollectorStats? _remoteCollector;

    public string Name => "redis";

    public OptionBook Book { get; } = book;

    public string? Problem
    {
        get
        {
            // The connection's state first; the parts' errors carry the server's own words (OOM, auth…).
            string[] problems = [.. new[] { connection.Describe() }.OfType<string>(),
                .. _problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
            return problems.Length == 0 ? null : string.Join("; ", problems);
        }
    }

    public CollectorStats? RemoteCollector => _remoteCollector;

    /// <summary>Records (or, with null, clears) what one part of the store (writer, reader, lease) finds wrong.</summary>
    internal void SetProblem(string part, string? problem)
    {
        if (problem is null)
            _problems.TryRemove(part, out _);
        else
            _problems[part] = problem;
    }

    /// <summary>
    /// Held by <see cref="RedisReader"/> for each round in which it writes the book, and taken once by a
    /// collector that has just won the lease before its feed starts: so the book never has both writers.
    /// </summary>
    internal SemaphoreSlim BookWriterGate { get; } = new(1, 1);

    /// <summary>Set while another process collects; null while this one does.</summary>
    internal void SetRemoteCollector(CollectorStats? stats) => _remoteCollector = stats;
}
