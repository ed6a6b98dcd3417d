using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Deribit;

/// <summary>One option as <c>public/get_instruments</c> lists it, with what the venue keeps beside the book's instrument.</summary>
internal sealed record DeribitListing(OptionInstrument Instrument, string Currency, string PriceIndex);

/// <summary>
/// Deribit's public REST methods (<c>GET {RestUrl}public/{method}?{params}</c>, JSON-RPC replies). Every call waits its
/// turn at the <see cref="DeribitRequestGate"/>; a <c>too_many_requests</c> (10028) reply pauses the gate for every
/// caller; any error reply becomes a <see cref="DeribitApiException"/>.
/// </summary>
public sealed class DeribitRestClient(
    HttpClient http,
    DeribitRequestGate gate,
    IOptions<DeribitOptions> options,
    TimeProvider time,
    ILogger<DeribitRestClient> logger)
{
    private readonly Lock _cacheLock = new();
    private readonly Dictionary<string, (DateTimeOffset At, Task<IReadOnlyList<DeribitListing>> Listing)> _instruments = new(StringComparer.Ordinal);

    /// <summary>Calls a public method and returns the reply's bytes (its <c>result</c> read by the caller).</summary>
    internal async Task<byte[]> CallAsync(string method, string query, CancellationToken cancellationToken, bool instruments = false)
    {
        await gate.WaitAsync(cancellationToken, instruments ? RequestKind.Instruments : RequestKind.Ordinary);
        var path = $"public/{method}?{query}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RequestTimeout);
        byte[] body;
        HttpStatusCode status;
        try
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, timeout.Token);
            status = response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer from {path} within {options.Value.RequestTimeout}");
        }
        if (TryReadError(body, out var code, out var message))
        {
            if (code == DeribitApiException.TooManyRequests)
                gate.TooManyRequests(path);
            else
                Log.RequestFailed(logger, path, code, message);
            throw new DeribitApiException(code, message);
        }
        if (status == HttpStatusCode.TooManyRequests)
        {
            gate.TooManyRequests(path);
            throw new DeribitApiException(DeribitApiException.TooManyRequests, $"HTTP 429 from {path}");
        }
        if ((int)status is < 200 or > 299)
            throw new HttpRequestException($"HTTP {(int)status} from {path}", null, status);
        return body;
    }

    /// <summary>
    /// Every live option of a Deribit currency (<c>BTC</c>, <c>ETH</c>, <c>USDC</c>…). Answers are reused for
    /// <see cref="DeribitOptions.InstrumentsReuse"/>, so the coins of one currency share a request (get_instruments allows 1
    /// per 10 s); a failed answer is not reused, nor one asked for before <paramref name="staleBefore"/> (a listing or an
    /// end was announced since).
    /// </summary>
    internal Task<IReadOnlyList<DeribitListing>> GetInstrumentsAsync(string currency, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_cacheLock)
        {
            if (_instruments.TryGetValue(currency, out var cached) && now - cached.At < options.Value.InstrumentsReuse
                && cached.At > staleBefore && !cached.Listing.IsFaulted && !cached.Listing.IsCanceled)
                return cached.Listing;
            var fetch = FetchInstrumentsAsync(currency, cancellationToken);
            _instruments[currency] = (now, fetch);
            return fetch;
        }
    }

    private async Task<IReadOnlyList<DeribitListing>> FetchInstrumentsAsync(string currency, CancellationToken cancellationToken)
    {
        var body = await CallAsync("get_instruments", $"currency={Uri.EscapeDataString(currency)}&kind=option&expired=false", cancellationToken, instruments: true);
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
            throw new JsonException("get_instruments: no result array");
        var listings = new List<DeribitListing>();
        var skipped = 0;
        foreach (var item in result.EnumerateArray())
        {
            if (TryReadInstrument(item, currency) is { } listing)
                listings.Add(listing);
            else
                skipped++;
        }
        if (skipped > 0)
            Log.InstrumentsSkipped(logger, currency, skipped);
        Log.InstrumentsFetched(logger, currency, listings.Count);
        return listings;
    }

    private static DeribitListing? TryReadInstrument(JsonElement item, string currency)
    {
        if (item.ValueKind != JsonValueKind.Object || Text(item, "kind") is { } kind && kind != "option")
            return null;
        var name = Text(item, "instrument_name");
        var baseCoin = Text(item, "base_currency");
        var optionType = Text(item, "option_type");
        if (name is null || baseCoin is null || optionType is not ("call" or "put")
            || !item.TryGetProperty("strike", out var strikeElement) || !strikeElement.TryGetDecimal(out var strike) || strike <= 0
            || !item.TryGetProperty("expiration_timestamp", out var expiryElement) || !expiryElement.TryGetInt64(out var expiryMs))
            return null;
        var inverse = Text(item, "instrument_type") == "reversed";
        var settle = Text(item, "settlement_currency") ?? (inverse ? baseCoin : currency);
        var active = !item.TryGetProperty("is_active", out var activeElement) || activeElement.ValueKind != JsonValueKind.False;
        var instrument = new OptionInstrument(
            DeribitVenue.Id, name, baseCoin.ToUpperInvariant(), DateTimeOffset.FromUnixTimeMilliseconds(expiryMs), strike,
            optionType == "call" ? OptionType.Call : OptionType.Put,
            settleCoin: settle,
            status: active ? ListingStatus.Trading : ListingStatus.PreLaunch,
            tickSize: Number(item, "tick_size"),
            qtyStep: Number(item, "min_trade_amount"),
            priceCurrency: inverse ? baseCoin.ToUpperInvariant() : null);
        var index = Text(item, "price_index") ?? (inverse ? $"{baseCoin.ToLowerInvariant()}_usd" : $"{baseCoin.ToLowerInvariant()}_{settle.ToLowerInvariant()}");
        return new DeribitListing(instrument, currency, index);
    }

    /// <summary>Reads a currency's option summaries and applies them to the book.</summary>
    internal async Task<SummaryResult> LoadBookSummaryAsync(string currency, OptionBook book, CancellationToken cancellationToken)
    {
        var body = await CallAsync("get_book_summary_by_currency", $"currency={Uri.EscapeDataString(currency)}&kind=option", cancellationToken);
        return DeribitTickerParser.ApplyBookSummary(body, book, DeribitVenue.Id, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>A currency's newest option trades, newest first (at most <paramref name="count"/>, Deribit's maximum 1,000).</summary>
    internal async Task<(List<RawDeribitTrade> Trades, int BadItems, bool HasMore)> GetLastTradesAsync(string currency, int count, CancellationToken cancellationToken)
    {
        var body = await CallAsync("get_last_trades_by_currency",
            $"currency={Uri.EscapeDataString(currency)}&kind=option&count={count.ToString(CultureInfo.InvariantCulture)}&sorting=desc", cancellationToken);
        return DeribitTradeParser.ParseLastTrades(body);
    }

    /// <summary>An index's delivery prices by date (<c>public/get_delivery_prices</c>, newest first).</summary>
    internal async Task<IReadOnlyDictionary<DateOnly, double>> GetDeliveryPricesAsync(string indexName, int count, CancellationToken cancellationToken)
    {
        var body = await CallAsync("get_delivery_prices",
            $"index_name={Uri.EscapeDataString(indexName)}&offset=0&count={count.ToString(CultureInfo.InvariantCulture)}", cancellationToken);
        using var document = JsonDocument.Parse(body);
        var prices = new Dictionary<DateOnly, double>();
        if (!document.RootElement.TryGetProperty("result", out var result) || !result.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new JsonException("get_delivery_prices: no result.data array");
        foreach (var item in data.EnumerateArray())
        {
            if (Text(item, "date") is { } date && DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                && Number(item, "delivery_price") is var price && price > 0)
                prices[day] = price;
        }
        return prices;
    }

    /// <summary>Whether a JSON-RPC reply is an error, and which.</summary>
    internal static bool TryReadError(ReadOnlySpan<byte> body, out int code, out string message)
    {
        code = 0;
        message = "";
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                    return false;
                string? reason = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("code"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Number)
                            reader.TryGetInt32(out code);
                    }
                    else if (reader.ValueTextEquals("message"u8))
                    {
                        reader.Read();
                        message = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : "";
                    }
                    else if (reader.ValueTextEquals("data"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            using var data = JsonDocument.ParseValue(ref reader);
                            if (data.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String)
                                reason = r.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
                if (reason is not null)
                    message = $"{message} ({reason})";
                return true;
            }
        }
        catch (JsonException)
        {
            // Not JSON: the HTTP status speaks.
        }
        return false;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static double Number(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : double.NaN;
}
