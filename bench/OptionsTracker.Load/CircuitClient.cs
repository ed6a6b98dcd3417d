using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace OptionsTracker.Load;

/// <summary>
/// One dashboard viewer without a browser: it fetches the prerendered page, opens the Blazor hub (<c>/_blazor</c>, the
/// "blazorpack" protocol) and starts the circuit from the page's component markers as blazor.web.js does
/// (<c>StartCircuit</c>, then <c>UpdateRootComponents</c> with the markers and the persisted state). It acknowledges
/// every render batch (<c>OnRenderCompleted</c>: the server holds back further batches until the browser has applied
/// the earlier ones) and answers the page's JS calls as a fresh browser profile would (<c>localStorage.getItem</c>:
/// nothing stored; <c>Date.now</c>: the time), so the server does for it what it does for a real tab. It does not
/// apply the batches to a DOM: that work is the browser's, not the server's.
/// </summary>
internal sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _renderBatches;
    private long _renderBytes;
    private long _jsCalls;
    private static long s_nextObjectId;

    private CircuitClient(HubConnection hub) => _hub = hub;

    /// <summary>Render batches received (and acknowledged) so far: the updates this viewer got.</summary>
    public long RenderBatches => Interlocked.Read(ref _renderBatches);

    public long RenderBytes => Interlocked.Read(ref _renderBytes);

    public long JsCalls => Interlocked.Read(ref _jsCalls);

    /// <summary>The first error the server reported or the connection closed with, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>JS functions the page called that this client does not know (answered with null); printed by the bench.</summary>
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> UnknownCalls = new(StringComparer.Ordinal);

    /// <summary>Opens <paramref name="path"/> on <paramref name="baseUrl"/> and waits for the circuit's first render batch.</summary>
    public static async Task<CircuitClient> OpenAsync(HttpClient http, Uri baseUrl, string path, CancellationToken cancellationToken)
    {
        var pageUrl = new Uri(baseUrl, path);
        var html = await http.GetStringAsync(pageUrl, cancellationToken);
        var markers = Marker().Matches(html).Select(m => m.Groups[1].Value)
            .Where(json => json.Contains("\"descriptor\"", StringComparison.Ordinal)).ToList();
        if (markers.Count == 0)
            throw new InvalidOperationException($"{pageUrl} has no interactive component markers");
        var state = State().Match(html) is { Success: true } match ? match.Groups[1].Value : "";

        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUrl, "_blazor"), o => o.Transports = HttpTransportType.WebSockets);
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var hub = builder.Build();
        var client = new CircuitClient(hub);
        client.Wire();
        await hub.StartAsync(cancellationToken);

        var secret = await hub.InvokeAsync<string?>("StartCircuit", baseUrl.AbsoluteUri, pageUrl.AbsoluteUri, "[]", "", cancellationToken);
        if (string.IsNullOrEmpty(secret))
            throw new InvalidOperationException("the server refused StartCircuit: " + client.Error);

        // The operations blazor.web.js sends for a prerendered page: add each interactive root at its marker.
        var operations = new List<object>();
        for (var i = 0; i < markers.Count; i++)
        {
            using var marker = JsonDocument.Parse(markers[i]);
            operations.Add(new { type = "add", ssrComponentId = i + 1, marker = marker.RootElement.Clone() });
        }
        await hub.SendAsync("UpdateRootComponents", JsonSerializer.Serialize(new { batchId = 1, operations }), state, cancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await client._started.Task.WaitAsync(timeout.Token);
        return client.Error is null ? client : throw new InvalidOperationException(client.Error);
    }

    private void Wire()
    {
        _hub.On<long, byte[]>("JS.RenderBatch", async (batchId, batch) =>
        {
            Interlocked.Increment(ref _renderBatches);
            Interlocked.Add(ref _renderBytes, batch.Length);
            _started.TrySetResult();
            await _hub.SendAsync("OnRenderCompleted", batchId, null);
        });
        // .NET 10: (async handle, identifier, arguments JSON, result type, target instance, call type).
        _hub.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)], async args =>
        {
            Interlocked.Increment(ref _jsCalls);
            var handle = (long)args[0]!;
            var identifier = (string)args[1]!;
            // Result type 1 asks for a JS object reference (a module from "import", QuickGrid's init): a new id for each,
            // so later calls on it (target instance) reach "the object" and are answered like any other call.
            var result = (int)args[3]! == 1 ? $"{{\"__jsObjectId\":{Interlocked.Increment(ref s_nextObjectId)}}}" : identifier switch
            {
                "Date.now" => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                "localStorage.getItem" or "localStorage.setItem" => "null",
                _ => Unknown(identifier),
            };
            // A handle of 0 is a call that wants no answer.
            if (handle != 0)
                await _hub.SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,{result}]");
        });
        _hub.On("JS.AttachComponent", [typeof(int), typeof(string)], _ => Task.CompletedTask);
        _hub.On("JS.EndUpdateRootComponents", [typeof(long)], _ => Task.CompletedTask);
        _hub.On("JS.EndInvokeDotNet", [typeof(string)], _ => Task.CompletedTask);
        _hub.On<string>("JS.Error", message =>
        {
            Error ??= "JS.Error: " + message;
            _started.TrySetResult();
        });
        _hub.Closed += ex =>
        {
            Error ??= "closed" + (ex is null ? "" : ": " + ex.Message);
            _started.TrySetResult();
            return Task.CompletedTask;
        };
    }

    private static string Unknown(string identifier)
    {
        UnknownCalls.AddOrUpdate(identifier, 1, (_, n) => n + 1);
        return "null";
    }

    public async ValueTask DisposeAsync()
    {
        Error ??= "disposed";
        await _hub.DisposeAsync();
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex State();

    /// <summary>Blazor's hub accepts only "blazorpack": SignalR's MessagePack protocol under its own name.</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol _messagePack = new();

        public string Name => "blazorpack";

        public int Version => _messagePack.Version;

        public TransferFormat TransferFormat => TransferFormat.Binary;

        public bool IsVersionSupported(int version) => _messagePack.IsVersionSupported(version);

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
            _messagePack.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _messagePack.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _messagePack.GetMessageBytes(message);
    }
}
