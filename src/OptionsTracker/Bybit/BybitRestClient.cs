using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// Bybit V5 market REST calls for options. One call, one answer: retries and backoff belong to the caller,
/// which knows whether to wait 1 s (429, retCode 10006) or 10 minutes (403, the IP ban).
/// </summary>
public sealed class BybitRestClient(HttpClient http, IOptions<BybitOptions> options, ILogger<BybitRestClient> logger)
{
    /// <summary>
    /// Every option of one base coin, following <c>nextPageCursor</c> until it is empty; a short page does not
    /// mean the last page. <c>baseCoin</c> is always passed: without it Bybit returns BTC only.
    /// </summary>
    public async Task<IReadOnlyList<OptionInstrument>> GetInstrumentsAsync(string baseCoin, CancellationToken cancellationToken)
    {
        var instruments = new List<OptionInstrument>();
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = $"v5/market/instruments-info?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&limit={options.Value.InstrumentsPageLimit}";
            if (!string.IsNullOrEmpty(cursor))
                url += "&cursor=" + Uri.EscapeDataString(cursor);
            var envelope = await GetAsync(url, BybitJsonContext.Default.BybitEnvelopeInstrumentsResult, cancellationToken);
            if (envelope.RetCode != 0)
                throw new BybitApiException(envelope.RetCode, envelope.RetMsg ?? "no retMsg");
            var result = envelope.Result ?? throw new JsonException("instruments-info answer has no result");
            foreach (var item in result.List)
            {
                if (TryCreateInstrument(item, out var instrument))
                    instruments.Add(instrument);
                else
                    Log.UnparsableInstrument(logger, item.Symbol);
            }
            cursor = result.NextPageCursor;
            pages++;
            if (!string.IsNullOrEmpty(cursor) && !seenCursors.Add(cursor))
                throw new JsonException($"instruments-info repeated cursor '{cursor}' for {baseCoin}");
        }
        while (!string.IsNullOrEmpty(cursor));
        Log.InstrumentsFetched(logger, baseCoin, instruments.Count, pages);
        return instruments;
    }

    /// <summary>Reads the ticker snapshot of one base coin and applies it to the book.</summary>
    internal async Task<RestTickerResult> LoadTickersAsync(string baseCoin, OptionBook book, CancellationToken cancellationToken)
    {
        var url = $"v5/market/tickers?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}";
        using var response = await SendAsync(url, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return TickerParser.ApplyRestTickers(body, book);
    }

    /// <summary>Whether Bybit lists options for a base coin (used before a user adds a coin).</summary>
    public async Task<bool> ListsOptionsAsync(string baseCoin, CancellationToken cancellationToken)
    {
        var url = $"v5/market/instruments-info?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&limit=1";
        var envelope = await GetAsync(url, BybitJsonContext.Default.BybitEnvelopeInstrumentsResult, cancellationToken);
        return envelope.RetCode == 0 && envelope.Result is { List.Count: > 0 };
    }

    internal static bool TryCreateInstrument(InstrumentInfo item, out OptionInstrument instrument)
    {
        DateTimeOffset? delivery = long.TryParse(item.DeliveryTime, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        var ok = OptionInstrument.TryCreate(item.Symbol, delivery, item.Status, out var created);
        instrument = created!;
        return ok;
    }

    private async Task<T> GetAsync<T>(string url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(url, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken)
            ?? throw new JsonException($"empty answer from {url}");
    }

    private async Task<HttpResponseMessage> SendAsync(string url, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Bybit did not answer {url} within {options.Value.RestTimeout.TotalSeconds:0} s");
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new BybitHttpException(status, new Uri(http.BaseAddress!, url).ToString());
        }
        return response;
    }
}
