using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace OptionsTracker.Load;

/// <summary>Loopback HTTP load on one endpoint: closed loop for the most requests per second, open loop at a set rate.</summary>
internal static class ApiProbe
{
    /// <summary>Bytes the client takes from the socket per read, and asks the kernel to buffer per connection.</summary>
    private const int ReadBytes = 1 << 20;

    /// <summary>
    /// A client that takes answers in large reads, as a bulk downloader does: with small buffers a 584 KB answer needs
    /// dozens of socket round trips, and the server's sends stall on a full socket, costing both sides CPU on the
    /// cores they share here.
    /// </summary>
    public static HttpClient CreateClient(Uri baseUrl) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = ReadBytes };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(10),
        };

    public static async Task<(HttpStatusCode Status, int Bytes)> GetOnceAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return (response.StatusCode, body.Length);
    }

    /// <summary><paramref name="concurrency"/> clients each sending the next request when the last answered.</summary>
    public static async Task<LoadResult> ClosedLoopAsync(HttpClient http, string path, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = new List<double>(1 << 16);
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                var sent = Stopwatch.GetTimestamp();
                if (!await TryGetAsync(http, path, cancellationToken))
                    Interlocked.Increment(ref errors);
                mine.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count, elapsed, new Percentiles(all), errors);
    }

    /// <summary>
    /// Requests started at <paramref name="rate"/> per second whatever the answers do (so a slow server is seen as
    /// queueing, not hidden by a waiting client); latency from each request's start to its last byte.
    /// </summary>
    public static async Task<LoadResult> OpenLoopAsync(HttpClient http, string path, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(rate * (int)Math.Ceiling(duration.TotalSeconds));
        var gate = new Lock();
        var errors = 0;
        var inFlight = new List<Task>();
        var started = Stopwatch.GetTimestamp();
        long launched = 0;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= duration)
                break;
            var due = (long)(elapsed.TotalSeconds * rate);
            for (; launched < due; launched++)
                inFlight.Add(OneAsync());
            await Task.Delay(1, cancellationToken);
        }
        await Task.WhenAll(inFlight);
        return new LoadResult(latencies.Count, Stopwatch.GetElapsedTime(started), new Percentiles(latencies), errors);

        async Task OneAsync()
        {
            var sent = Stopwatch.GetTimestamp();
            var ok = await TryGetAsync(http, path, cancellationToken);
            var ms = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            lock (gate)
            {
                latencies.Add(ms);
                if (!ok)
                    errors++;
            }
        }
    }

    private static async Task<bool> TryGetAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        try
        {
            // Read the body through a pooled buffer and drop it: buffering 85 KB+ answers would put them on the
            // client's large object heap, and its collections would show up as server latency.
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(ReadBytes);
            try
            {
                while (await body.ReadAsync(buffer, cancellationToken) > 0)
                {
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient.Timeout: a failed request, counted; the run goes on.
            return false;
        }
    }

    /// <summary>
    /// Exchange-to-API latency as a polling client sees it: GETs <paramref name="path"/> back to back and, for every item
    /// whose <c>updated_at</c> (the exchange time) is newer than in the previous answer, records the time the answer
    /// arrived minus that exchange time. So it includes the wait for the next poll (at most one answer's duration).
    /// The client reads into one reused buffer and parses without allocating per item: in the in-process run it shares
    /// the garbage collector with the tracker, and its own collections would count as the tracker's latency.
    /// </summary>
    public static async Task<(List<double> Samples, int Polls)> LatencyAsync(HttpClient http, string path, TimeSpan duration, CancellationToken cancellationToken)
    {
        var samples = new List<double>(1 << 18);
        var last = new Dictionary<string, double>(StringComparer.Ordinal);
        var lastBySpan = last.GetAlternateLookup<ReadOnlySpan<char>>();
        var body = new byte[1 << 20];
        var started = Stopwatch.GetTimestamp();
        var polls = 0;
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            int length;
            using (var response = await http.GetAsync(new Uri(path, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, cancellationToken))
            {
                if (!response.IsSuccessStatusCode)
                    continue;
                (body, length) = await ReadAllAsync(response, body, cancellationToken);
            }
            var arrived = Clock.NowUnixMs();
            var first = polls++ == 0;
            ForEachItem(body.AsSpan(0, length), (symbol, updatedMs) =>
            {
                if (lastBySpan.TryGetValue(symbol, out var previous) && updatedMs <= previous)
                    return;
                lastBySpan[symbol] = updatedMs;
                if (!first)
                    samples.Add(arrived - updatedMs);
            });
        }
        return (samples, polls);
    }

    /// <summary>How many options of a GET answer carry an exchange time (a quote).</summary>
    public static async Task<int> CountQuotedAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            return 0;
        var quoted = 0;
        ForEachItem(body, (_, _) => quoted++);
        return quoted;
    }

    private static async Task<(byte[] Buffer, int Length)> ReadAllAsync(HttpResponseMessage response, byte[] buffer, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
                Array.Resize(ref buffer, buffer.Length * 2);
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
                return (buffer, length);
            length += read;
        }
    }

    private delegate void ItemVisitor(ReadOnlySpan<char> symbol, double updatedMs);

    /// <summary>Every JSON object, at any depth, that has a string <c>symbol</c> and an <c>updated_at</c> (ISO 8601 or ms).</summary>
    private static void ForEachItem(ReadOnlySpan<byte> body, ItemVisitor visit)
    {
        var reader = new Utf8JsonReader(body);
        Span<char> symbol = stackalloc char[128];
        var symbolLength = -1;
        var updated = double.NaN;
        var itemDepth = -1;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueTextEquals("symbol"u8) ? 1 : reader.ValueTextEquals("updated_at"u8) ? 2 : 0;
                var depth = reader.CurrentDepth;
                reader.Read();
                if (name == 1 && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length <= symbol.Length)
                {
                    symbolLength = System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, symbol);
                    itemDepth = depth - 1;
                }
                else if (name == 2)
                {
                    updated = reader.TokenType switch
                    {
                        JsonTokenType.Number => reader.GetDouble(),
                        JsonTokenType.String when reader.TryGetDateTimeOffset(out var at) => (at - DateTimeOffset.UnixEpoch).TotalMilliseconds,
                        _ => double.NaN,
                    };
                }
            }
            else if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == itemDepth)
            {
                if (symbolLength >= 0 && !double.IsNaN(updated))
                    visit(symbol[..symbolLength], updated);
                symbolLength = -1;
                updated = double.NaN;
                itemDepth = -1;
            }
        }
    }
}

internal sealed record LoadResult(int Requests, TimeSpan Elapsed, Percentiles Latency, int Errors)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
}
