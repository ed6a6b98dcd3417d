namespace OptionsTracker.Tests.Api;

/// <summary>
/// The stream attack runs apart from every other test: it prints the tracker's memory and API latency, which other
/// tests' hosts would otherwise share and blur, and it opens a thousand sockets.
/// </summary>
[CollectionDefinition(nameof(StreamAbuseCollection), DisableParallelization = true)]
public sealed class StreamAbuseCollection;
