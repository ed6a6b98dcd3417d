namespace OptionsTracker.Book;

/// <summary>
/// Where the latest option state lives. Every reader (API, streams, dashboard, alerts) reads the
/// <see cref="Book"/>; the store decides how the book is kept: the embedded store is the book itself,
/// a distributed store mirrors it to and from a shared server.
/// </summary>
public interface IOptionStore
{
    /// <summary>"memory" or the name of the distributed store.</summary>
    string Name { get; }

    OptionBook Book { get; }

    /// <summary>Null while the store is fine; otherwise why it is not.</summary>
    string? Problem { get; }

    /// <summary>
    /// The counters of the collector feeding this book when that is another process (a web instance, a
    /// standby collector); null when this process collects.
    /// </summary>
    CollectorStats? RemoteCollector { get; }
}

/// <summary>The default store: the in-process book, nothing to install.</summary>
public sealed class InMemoryOptionStore(OptionBook book) : IOptionStore
{
    public string Name => "memory";

    public OptionBook Book { get; } = book;

    public string? Problem => null;

    public CollectorStats? RemoteCollector => null;
}
