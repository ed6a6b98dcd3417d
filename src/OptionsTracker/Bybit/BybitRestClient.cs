using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OptionsTracker.Book;

namespace OptionsTracker.Bybit;

/// <summary>
/// Bybit V5 market REST calls for options. One call, one answer: retries belong to the caller (<see cref="BybitVenue"/>):
/// a rate limit (HTTP 429, retCode 10006) backs off like any passing failure (<c>Bybit__RestRetryDelay</c> doubling to
/// <c>Bybit__MaxRestRetryDelay</c>), an HTTP 403 waits out the IP ban in <see cref="RestGate"/>, and a parameter error
/// (retCode 10001) is not retried.
/// </summary>
public sealed class BybitRestClient(HttpClient http, IOptions<BybitOptions> options, RestGate gate, ILogger<BybitRestClient> logger)
{
    // Requests already logged as refused with retCode 10001: each is logged once, however often a caller repeats it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _refusedRequests = new(StringComparer.Ordinal);

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
                url += "&cursor=" + CursorParameter(cursor);
            var envelope = await GetAsync(url, BybitJsonContext.Default.BybitEnvelopeInstrumentsResult, cancellationToken);
            ThrowIfRefused(url, envelope.RetCode, envelope.RetMsg);
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
        try
        {
            return TickerParser.ApplyRestTickers(body, book);
        }
        catch (BybitApiException refused)
        {
            ThrowIfRefused(url, refused.RetCode, refused.RetMsg);
            throw;
        }
    }

    /// <summary>
    /// The latest executed block trades (RFQs, all categories) from <c>/v5/rfq/public-trades</c> (docs/v5/rfq/trade/
    /// public-trades.mdx, read 2026-12-01: <c>limit</c> 1..100, default 50; <c>startTime</c>/<c>endTime</c> (ms, at most 30
    /// days apart), <c>cursor</c>; items <c>rfqId, strategyType, createdAt, updatedAt, legs[category, symbol, side, price,
    /// qty, markPrice]</c>). Sent without a key, as pybit's <c>get_public_trades</c> does (docs/tape.md, "Block trades": the
    /// documentation's example carries key headers; whether Bybit requires them is not stated). A refusal (an auth retCode)
    /// surfaces as <see cref="BybitApiException"/>.
    /// </summary>
    internal async Task<List<RfqBlock>> GetRfqPublicTradesAsync(int limit, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture, $"v5/rfq/public-trades?limit={limit}");
        using var response = await SendAsync(url, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return TradeParser.ParseRfqPublicTrades(body, "/" + url, out _);
    }

    /// <summary>
    /// The coin's most recent option trades from <c>/v5/market/recent-trade</c> (docs/v5/market/recent-trade.mdx, verified
    /// 2026-07-24: <c>category=option</c>, <c>baseCoin</c> (BTC when absent), <c>limit</c> 1..1000, default 500; items
    /// <c>execId, symbol, price, size, side, time, isBlockTrade, isRPITrade, mP, iP, mIv, iv, seq</c>, numbers as strings).
    /// The order of the list is not documented: callers sort. No time range: it is a window of the latest trades.
    /// </summary>
    internal async Task<RecentTrades> GetRecentTradesAsync(string baseCoin, int limit, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"v5/market/recent-trade?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&limit={limit}");
        using var response = await SendAsync(url, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        try
        {
            var trades = TradeParser.ParseRecentTrades(body, "/" + url, out var badItems);
            return new RecentTrades(trades, badItems);
        }
        catch (BybitApiException refused)
        {
            ThrowIfRefused(url, refused.RetCode, refused.RetMsg);
            throw;
        }
    }

    /// <summary>
    /// Whether Bybit lists options for a base coin (used before a user adds a coin). Refused at once during an IP ban
    /// (<see cref="BybitHttpException.BannedUntil"/> says until when) rather than holding the page for minutes.
    /// </summary>
    public async Task<bool> ListsOptionsAsync(string baseCoin, CancellationToken cancellationToken)
    {
        var url = $"v5/market/instruments-info?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&limit=1";
        gate.ThrowIfBanned(url);
        var envelope = await GetAsync(url, BybitJsonContext.Default.BybitEnvelopeInstrumentsResult, cancellationToken);
        return envelope.RetCode == 0 && envelope.Result is { List.Count: > 0 };
    }

    /// <summary>
    /// Settlement prices of one coin's delivered options. First <c>/v5/market/delivery-price</c> with <c>settleCoin=USDT</c>
    /// (its documented default is USDC), which without a symbol lists only options now <c>Delivering</c> (08:00-12:00 UTC),
    /// paged (limit ≤ 200) by a cursor; then, for delivery times it did not cover (a late start, a legacy USDC option),
    /// <c>/v5/market/new-delivery-price</c>, the coin's settlement history (one price per delivery time, newest 50; best
    /// asked a minute after settlement). Shapes verified in bybit-exchange/docs, docs/v5/market/delivery-price.mdx and
    /// new-delivery-price.mdx (2026-07-24): items <c>symbol</c>, <c>deliveryPrice</c>, <c>deliveryTime</c> (ms), strings.
    /// </summary>
    public async Task<DeliveryPrices> GetDeliveryPricesAsync(string baseCoin, CancellationToken cancellationToken)
    {
        var bySymbol = new Dictionary<string, double>(StringComparer.Ordinal);
        var byDeliveryTime = new Dictionary<long, double>();
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var url = $"v5/market/delivery-price?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&settleCoin=USDT&limit=200";
            if (!string.IsNullOrEmpty(cursor))
                url += "&cursor=" + CursorParameter(cursor);
            var envelope = await GetAsync(url, BybitJsonContext.Default.BybitEnvelopeDeliveryPriceResult, cancellationToken);
            ThrowIfRefused(url, envelope.RetCode, envelope.RetMsg);
            foreach (var item in envelope.Result?.List ?? [])
            {
                if (TryParsePrice(item.DeliveryPrice, out var price))
                {
                    bySymbol[item.Symbol] = price;
                    if (TryParseMs(item.DeliveryTime, out var ms))
                        byDeliveryTime[ms] = price;
                }
            }
            cursor = envelope.Result?.NextPageCursor;
            if (!string.IsNullOrEmpty(cursor) && !seenCursors.Add(cursor))
                throw new JsonException($"delivery-price repeated cursor '{cursor}' for {baseCoin}");
        }
        while (!string.IsNullOrEmpty(cursor));

        var historyUrl = $"v5/market/new-delivery-price?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}";
        var history = await GetAsync(historyUrl, BybitJsonContext.Default.BybitEnvelopeDeliveryPriceResult, cancellationToken);
        ThrowIfRefused(historyUrl, history.RetCode, history.RetMsg);
        foreach (var item in history.Result?.List ?? [])
        {
            if (TryParsePrice(item.DeliveryPrice, out var price) && TryParseMs(item.DeliveryTime, out var ms))
                byDeliveryTime.TryAdd(ms, price);
        }
        Log.DeliveryPricesFetched(logger, baseCoin, bySymbol.Count);
        return new DeliveryPrices(bySymbol, byDeliveryTime);
    }

    /// <summary>
    /// The latest realised volatility of one base coin over <paramref name="periodDays"/> days from
    /// <c>/v5/market/historical-volatility</c> (docs/v5/market/iv.mdx): hourly data; without <c>startTime</c> and
    /// <c>endTime</c> Bybit answers the most recent hour. <c>quoteCoin</c> is left at its default, USD. Null when Bybit
    /// serves nothing for that coin and period: an empty list, or retCode 10001 (a period it does not offer). Any other
    /// refusal throws, as do the HTTP faults every call meets (<see cref="SendAsync"/>).
    /// </summary>
    public async Task<Measures.RealisedVolatilityPoint?> GetHistoricalVolatilityAsync(string baseCoin, int periodDays, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"v5/market/historical-volatility?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&period={periodDays}");
        using var response = await SendAsync(url, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return ParseHistoricalVolatility(body, periodDays, "/" + url);
    }

    /// <summary>
    /// The realised volatility of one base coin over <paramref name="periodDays"/> days measured from <paramref name="from"/>
    /// to <paramref name="to"/>, oldest first, for the history's backfill. docs/v5/market/iv.mdx (bybit-exchange/docs,
    /// 2026-07-24): hourly data, <c>startTime</c> and <c>endTime</c> (ms) go together, at most 30 days apart, over the
    /// last 2 years. Null when Bybit serves nothing for that coin and period (retCode 10001: a period it does not offer);
    /// an empty list when the window holds no point.
    /// </summary>
    public async Task<IReadOnlyList<Measures.RealisedVolatilityPoint>?> GetHistoricalVolatilityRangeAsync(
        string baseCoin, int periodDays, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"v5/market/historical-volatility?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}&period={periodDays}&startTime={from.ToUnixTimeMilliseconds()}&endTime={to.ToUnixTimeMilliseconds()}");
        using var response = await SendAsync(url, cancellationToken);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return ParseHistoricalVolatilitySeries(body, periodDays, "/" + url);
    }

    /// <summary>Every point of <paramref name="periodDays"/> in a historical-volatility answer, oldest first; null for retCode 10001.</summary>
    internal static List<Measures.RealisedVolatilityPoint>? ParseHistoricalVolatilitySeries(ReadOnlySpan<byte> json, int periodDays, string request)
    {
        var envelope = JsonSerializer.Deserialize(json, BybitJsonContext.Default.HistoricalVolatilityEnvelope)
            ?? throw new JsonException($"empty answer from {request}");
        if (envelope.RetCode == 10001)
            return null;
        if (envelope.RetCode != 0)
            throw new BybitApiException(envelope.RetCode, envelope.RetMsg ?? "no retMsg", request);
        if (envelope.Result.ValueKind != JsonValueKind.Array)
            throw new JsonException($"historical-volatility answer has no result list ({request})");
        var items = envelope.Result.Deserialize(BybitJsonContext.Default.ListHistoricalVolatilityItem) ?? [];
        var points = new List<Measures.RealisedVolatilityPoint>(items.Count);
        foreach (var item in items)
        {
            if (item.Period == periodDays
                && double.TryParse(item.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value) && value > 0
                && TryParseMs(item.Time, out var ms))
                points.Add(new Measures.RealisedVolatilityPoint(periodDays, value, DateTimeOffset.FromUnixTimeMilliseconds(ms)));
        }
        points.Sort((a, b) => a.Time.CompareTo(b.Time));
        return points;
    }

    /// <summary>
    /// The coin's settlement history from <c>/v5/market/new-delivery-price</c> (docs/v5/market/new-delivery-price.mdx,
    /// 2026-07-24: <c>baseCoin</c> required, <c>settleCoin</c> default USDT, the most recent 50 records newest first, items
    /// <c>deliveryPrice</c> and <c>deliveryTime</c> in ms, strings): delivery time (ms) → price.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, double>> GetSettlementHistoryAsync(string baseCoin, CancellationToken cancellationToken)
    {
        var url = $"v5/market/new-delivery-price?category=option&baseCoin={Uri.EscapeDataString(baseCoin)}";
        var history = await GetAsync(url, BybitJsonContext.Default.BybitEnvelopeDeliveryPriceResult, cancellationToken);
        ThrowIfRefused(url, history.RetCode, history.RetMsg);
        var byDeliveryTime = new Dictionary<long, double>();
        foreach (var item in history.Result?.List ?? [])
        {
            if (TryParsePrice(item.DeliveryPrice, out var price) && TryParseMs(item.DeliveryTime, out var ms))
                byDeliveryTime.TryAdd(ms, price);
        }
        return byDeliveryTime;
    }

    /// <summary>
    /// Reads a historical-volatility answer: the point of <paramref name="periodDays"/> with the latest <c>time</c>
    /// (an item of another period is ignored); null for retCode 10001 or when no item has a positive, finite value.
    /// </summary>
    internal static Measures.RealisedVolatilityPoint? ParseHistoricalVolatility(ReadOnlySpan<byte> json, int periodDays, string request) =>
        ParseHistoricalVolatilitySeries(json, periodDays, request) is { Count: > 0 } points ? points[^1] : null;

    private static bool TryParsePrice(string? text, out double price) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out price) && double.IsFinite(price) && price > 0;

    private static bool TryParseMs(string? text, out long ms) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ms) && ms > 0;

    /// <summary>
    /// Bybit writes <c>nextPageCursor</c> already percent-encoded (<c>"0%2C2"</c>; ccxt's bybit.js: send it back as
    /// received). Escaping it again would send <c>0%252C2</c>, a different cursor. So a cursor made only of characters a
    /// query may carry as they are (unreserved ones and <c>%XX</c> escapes) goes as received; any other is escaped.
    /// </summary>
    internal static string CursorParameter(string cursor)
    {
        for (var i = 0; i < cursor.Length; i++)
        {
            var c = cursor[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')
                continue;
            if (c == '%' && i + 2 < cursor.Length && char.IsAsciiHexDigit(cursor[i + 1]) && char.IsAsciiHexDigit(cursor[i + 2]))
            {
                i += 2;
                continue;
            }
            return Uri.EscapeDataString(cursor);
        }
        return cursor;
    }

    /// <summary>
    /// Throws for a non-zero retCode. 10001 (a parameter error) is logged with the request once: retrying the same request
    /// cannot succeed, so callers stop instead of retrying it forever.
    /// </summary>
    private void ThrowIfRefused(string url, int retCode, string? retMsg)
    {
        if (retCode == 0)
            return;
        var message = retMsg ?? "no retMsg";
        if (retCode == 10001 && _refusedRequests.Count < 1000 && _refusedRequests.TryAdd(url, 0))
            Log.ParameterError(logger, "/" + url, retCode, message);
        throw new BybitApiException(retCode, message, "/" + url);
    }

    internal static bool TryCreateInstrument(InstrumentInfo item, out OptionInstrument instrument)
    {
        DateTimeOffset? delivery = long.TryParse(item.DeliveryTime, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
        var ok = BybitSymbol.TryCreateInstrument(Venue.Bybit, item.Symbol, delivery, item.Status,
            Step(item.PriceFilter?.TickSize), Step(item.LotSizeFilter?.QtyStep), out var created);
        instrument = created!;
        return ok;
    }

    // A grid step as Bybit writes it ("5", "0.01"); absent or unreadable is NaN, which readers treat as unknown.
    private static double Step(string? text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var step) && step > 0 ? step : double.NaN;

    private async Task<T> GetAsync<T>(string url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(url, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken)
            ?? throw new JsonException($"empty answer from {url}");
    }

    private async Task<HttpResponseMessage> SendAsync(string url, CancellationToken cancellationToken)
    {
        // Every call waits out an IP ban here, whoever makes it: one 403 pauses them all.
        await gate.WaitAsync(cancellationToken);
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
            var absolute = new Uri(http.BaseAddress!, url).ToString();
            if (status == (int)HttpStatusCode.Forbidden)
                throw new BybitHttpException(status, absolute, gate.Ban(absolute));
            throw new BybitHttpException(status, absolute);
        }
        return response;
    }
}

/// <summary>A recent-trade answer: the trades read, and how many items were not trades.</summary>
internal sealed record RecentTrades(List<RawTrade> Trades, int BadItems);
