using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator;

/// <summary>
/// Bybit's V5 market REST endpoints for options: <c>/v5/market/instruments-info</c>, <c>/v5/market/tickers</c>,
/// <c>/v5/market/delivery-price</c>, <c>/v5/market/new-delivery-price</c> and <c>/v5/market/historical-volatility</c>, with the
/// exchange's envelope (<c>retCode</c>, <c>retMsg</c>, <c>result</c>, <c>retExtInfo</c>, <c>time</c>) and REST field names.
/// </summary>
internal sealed partial class RestApi(SimulatedMarket market, SimulatorFaults faults, SimulatorOptions options, TradeGenerator trades)
{
    /// <summary>Flush the response to the socket whenever this much JSON is pending, so big boards stream.</summary>
    private const int FlushThreshold = 32 * 1024;

    private const int DefaultInstrumentsLimit = 500;
    private const int MaxInstrumentsLimit = 1000;
    private static readonly string[] InstrumentStatuses = ["PreLaunch", "Trading", "Delivering", "Closed"];

    /// <summary>Bybit's option periods (docs/v5/enum.mdx, optionPeriod), in days.</summary>
    private static readonly int[] VolatilityPeriods = [7, 14, 21, 30, 60, 90, 180, 270];

    private long _requests;
    private long _volatilityRequests;

    /// <summary>How far back historical-volatility serves (iv.mdx: "the last 2 years"), 730 days.</summary>
    private const long VolatilityDepthMs = 730L * 24 * 3_600_000;

    private readonly System.Collections.Concurrent.ConcurrentQueue<HistoricalVolatilityRequest> _volatilityRanges = new();

    /// <summary>Ranged historical-volatility requests answered (with <c>startTime</c> and <c>endTime</c>), in arrival order.</summary>
    public IReadOnlyCollection<HistoricalVolatilityRequest> HistoricalVolatilityRanges => _volatilityRanges;

    public long RequestsReceived => Interlocked.Read(ref _requests);

    public long HistoricalVolatilityRequestsReceived => Interlocked.Read(ref _volatilityRequests);

    public async Task InstrumentsInfoAsync(HttpContext context)
    {
        if (await RejectedAsync(context))
            return;
        var query = context.Request.Query;

        if (ReadPaging(query, DefaultInstrumentsLimit, MaxInstrumentsLimit, out int limit, out int afterSymbolId) is { } pagingError)
        {
            await WriteErrorAsync(context, 10001, pagingError);
            return;
        }

        string? status = query["status"];
        if (status is not null && !InstrumentStatuses.Contains(status, StringComparer.Ordinal))
        {
            await WriteErrorAsync(context, 10001, "params error: status invalid");
            return;
        }

        // Option instruments-info without baseCoin answers BTC only (facts §2). Without status it lists PreLaunch, Trading
        // and Delivering options (market/instrument.mdx); Closed ones are never listed here.
        string baseCoin = query["baseCoin"].ToString() is { Length: > 0 } coin ? coin : "BTC";
        string? symbol = query["symbol"];
        InstrumentState[] candidates;
        if (!string.IsNullOrEmpty(symbol))
            candidates = market.TryGetListed(symbol, out var one) || market.TryGetNotTrading(symbol, out one) ? [one] : [];
        else if (market.FindBoard(baseCoin) is { } board)
            candidates = board.Listing.All();
        else
            candidates = [];
        if (faults.EmptyInstrumentLists)
            candidates = [];
        if (status is not null)
            candidates = [.. candidates.Where(i => i.Info.Status == status)];

        int start = FirstAfter(candidates, afterSymbolId);
        int pageSize = Math.Min(limit, options.MaxInstrumentsPageSize);
        int end = Math.Min(candidates.Length, start + pageSize);
        string nextCursor = end < candidates.Length ? Cursor(candidates[end - 1].SymbolId, pageSize) : "";

        var json = StartEnvelope(context);
        json.WriteStartObject("result"u8);
        json.WriteString("category"u8, "option"u8);
        json.WriteString("nextPageCursor"u8, nextCursor);
        json.WriteStartArray("list"u8);
        for (int i = start; i < end; i++)
        {
            WriteInstrument(json, candidates[i], market.GetBoard(candidates[i].Info.BaseCoin).Profile);
            await FlushIfFullAsync(context, json);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }

    public async Task TickersAsync(HttpContext context)
    {
        if (await RejectedAsync(context))
            return;
        var query = context.Request.Query;
        string? symbol = query["symbol"];
        string? baseCoin = query["baseCoin"];
        string? expDate = query["expDate"];

        IReadOnlyList<InstrumentState> selected;
        if (!string.IsNullOrEmpty(symbol))
        {
            if (!market.TryGetListed(symbol, out var one))
            {
                await WriteErrorAsync(context, 10001, "params error: symbol invalid");
                return;
            }

            selected = [one];
        }
        else if (!string.IsNullOrEmpty(baseCoin))
        {
            selected = market.FindBoard(baseCoin)?.Listed ?? [];
        }
        else
        {
            // Options need symbol or baseCoin (facts §3; ccxt PR 22041).
            await WriteErrorAsync(context, 10001, "params error: symbol or baseCoin is required for option");
            return;
        }

        if (!string.IsNullOrEmpty(expDate))
        {
            if (!OptionSymbol.TryParseDateCode(expDate, out var date))
            {
                await WriteErrorAsync(context, 10001, "params error: expDate invalid");
                return;
            }

            selected = [.. selected.Where(i => DateOnly.FromDateTime(i.Info.DeliveryTime.UtcDateTime) == date)];
        }

        var json = StartEnvelope(context);
        json.WriteStartObject("result"u8);
        json.WriteString("category"u8, "option"u8);
        json.WriteStartArray("list"u8);
        foreach (var instrument in selected)
        {
            if (!instrument.IsListed)
                continue;
            WriteTicker(json, instrument.ReadTicker());
            await FlushIfFullAsync(context, json);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }

    /// <summary>
    /// <c>/v5/market/delivery-price</c> for options (market/delivery-price.mdx): without <c>symbol</c>, only the options
    /// now <c>Delivering</c> (08:00-12:00 UTC) of <c>baseCoin</c> (default BTC) and <c>settleCoin</c> (default USDC, as
    /// documented: USDT options need <c>settleCoin=USDT</c>); with <c>symbol</c>, that option's price once delivered.
    /// <c>limit</c> 1..200, default 50; paged by <c>cursor</c>. Items: <c>symbol</c>, <c>deliveryPrice</c>,
    /// <c>deliveryTime</c> (ms), all strings.
    /// </summary>
    public async Task DeliveryPriceAsync(HttpContext context)
    {
        if (await RejectedAsync(context))
            return;
        var query = context.Request.Query;
        if (ReadPaging(query, defaultLimit: 50, maxLimit: 200, out int limit, out int afterSymbolId) is { } pagingError)
        {
            await WriteErrorAsync(context, 10001, pagingError);
            return;
        }

        string baseCoin = query["baseCoin"].ToString() is { Length: > 0 } coin ? coin : "BTC";
        string settleCoin = query["settleCoin"].ToString() is { Length: > 0 } settle ? settle : "USDC";
        string? symbol = query["symbol"];
        var items = new List<(string Symbol, double Price, long DeliveryTimeMs, int SymbolId)>();
        if (!string.IsNullOrEmpty(symbol))
        {
            if (market.TryGetDelivery(symbol, out double price, out long deliveryTimeMs))
                items.Add((symbol, price, deliveryTimeMs, 0));
        }
        else if (market.FindBoard(baseCoin) is { } board)
        {
            foreach (var instrument in board.Delivering)
            {
                if (instrument.Info.SettleCoin == settleCoin && instrument.SymbolId > afterSymbolId)
                    items.Add((instrument.Symbol, instrument.DeliveryPrice, instrument.DeliveryTimeMs, instrument.SymbolId));
            }
        }

        int end = Math.Min(items.Count, limit);
        var json = StartEnvelope(context);
        json.WriteStartObject("result"u8);
        json.WriteString("category"u8, "option"u8);
        json.WriteString("nextPageCursor"u8, end < items.Count ? Cursor(items[end - 1].SymbolId, limit) : "");
        json.WriteStartArray("list"u8);
        for (int i = 0; i < end; i++)
        {
            json.WriteStartObject();
            json.WriteString("symbol"u8, items[i].Symbol);
            WriteNumber(json, "deliveryPrice"u8, items[i].Price);
            json.WriteString("deliveryTime"u8, items[i].DeliveryTimeMs.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }

    /// <summary>
    /// <c>/v5/market/new-delivery-price</c> (market/new-delivery-price.mdx, added 2025-08-26): the settlement history of one
    /// <c>baseCoin</c> (required), the 50 most recent, newest first; items <c>deliveryPrice</c> and <c>deliveryTime</c> (ms),
    /// strings; no paging. One price per delivery time: every option of a coin and expiry settles at the same price.
    /// </summary>
    public async Task NewDeliveryPriceAsync(HttpContext context)
    {
        if (await RejectedAsync(context))
            return;
        string? baseCoin = context.Request.Query["baseCoin"];
        if (string.IsNullOrEmpty(baseCoin))
        {
            await WriteErrorAsync(context, 10001, "params error: baseCoin is required");
            return;
        }

        var settlements = new List<KeyValuePair<long, double>>();
        if (market.FindBoard(baseCoin) is { } board)
            market.ReadSettlements(board, settlements);
        var json = StartEnvelope(context, retMsg: "");
        json.WriteStartObject("result"u8);
        json.WriteString("category"u8, "option"u8);
        json.WriteStartArray("list"u8);
        foreach (var (deliveryTimeMs, price) in settlements.OrderByDescending(p => p.Key).Take(50))
        {
            json.WriteStartObject();
            WriteNumber(json, "deliveryPrice"u8, price);
            json.WriteString("deliveryTime"u8, deliveryTimeMs.ToString(CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }

    /// <summary>
    /// <c>/v5/market/historical-volatility</c> (docs/v5/market/iv.mdx): hourly realised volatility of <c>baseCoin</c> (default
    /// BTC) over <c>period</c> days (default 7), as a fraction in a string. Shaped as the docs' example, not as the other
    /// market endpoints: <c>{"retCode":0,"retMsg":"SUCCESS","category":"option","result":[{"period":30,"value":"0.45024716","time":"1672052400000"}]}</c>.
    /// Without <c>startTime</c>/<c>endTime</c>, the most recent hour; the two go together, at most 30 days apart. Coverage as
    /// docs/v5/enum.mdx (optionPeriod) lists it: BTC and ETH every period, SOL 7 to 90 days, no other coin. A period outside
    /// the enum is refused with 10001; a coin or period without data answers an empty list (the docs do not say what Bybit
    /// answers there: docs/analytics.md).
    /// </summary>
    public async Task HistoricalVolatilityAsync(HttpContext context)
    {
        if (await RejectedAsync(context, historicalVolatility: true))
            return;
        var query = context.Request.Query;
        string baseCoin = query["baseCoin"].ToString() is { Length: > 0 } coin ? coin : "BTC";
        string quoteCoin = query["quoteCoin"].ToString() is { Length: > 0 } quote ? quote : "USD";
        if (quoteCoin is not ("USD" or "USDT"))
        {
            await WriteErrorAsync(context, 10001, "params error: quoteCoin invalid");
            return;
        }

        int period = 7;
        string? periodText = query["period"];
        if (periodText is not null
            && (!int.TryParse(periodText, NumberStyles.None, CultureInfo.InvariantCulture, out period) || !VolatilityPeriods.Contains(period)))
        {
            await WriteErrorAsync(context, 10001, "params error: period invalid");
            return;
        }

        const long hourMs = 3_600_000;
        long nowMs = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        long fromMs, toMs;
        string? startText = query["startTime"], endText = query["endTime"];
        if (startText is null && endText is null)
        {
            fromMs = toMs = nowMs / hourMs * hourMs;
        }
        else if (!long.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out fromMs)
            || !long.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out toMs)
            || toMs < fromMs || toMs - fromMs > 30 * 24 * hourMs)
        {
            await WriteErrorAsync(context, 10001, "params error: startTime and endTime go together, at most 30 days apart");
            return;
        }
        else if (fromMs < nowMs - VolatilityDepthMs)
        {
            // iv.mdx: "This endpoint can query the last 2 years worth of data". What Bybit answers beyond is not written;
            // a parameter error here, so a client asking too far back fails loudly in tests instead of silently.
            await WriteErrorAsync(context, 10001, "params error: startTime is more than 2 years back");
            return;
        }
        else
        {
            _volatilityRanges.Enqueue(new HistoricalVolatilityRequest(baseCoin, period,
                DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs)));
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteNumber("retCode"u8, 0);
        json.WriteString("retMsg"u8, "SUCCESS"u8);
        json.WriteString("category"u8, "option"u8);
        json.WriteStartArray("result"u8);
        if (market.FindBoard(baseCoin) is { } board && ServesVolatility(board.BaseCoin, period))
        {
            for (long hour = (fromMs + hourMs - 1) / hourMs * hourMs; hour <= Math.Min(toMs, nowMs); hour += hourMs)
            {
                json.WriteStartObject();
                json.WriteNumber("period"u8, period);
                WriteNumber(json, "value"u8, Math.Round(RealisedVolatility(board.Profile, period, hour / hourMs), 8));
                json.WriteString("time"u8, hour.ToString(CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>The coverage docs/v5/enum.mdx gives for optionPeriod: BTC and ETH 7 to 270 days, SOL 7 to 90.</summary>
    private static bool ServesVolatility(string baseCoin, int period) => baseCoin switch
    {
        "BTC" or "ETH" => true,
        "SOL" => period <= 90,
        _ => false,
    };

    /// <summary>
    /// A plausible realised volatility: below the coin's ATM implied vol (a positive premium, as usual), a little higher
    /// over short periods, with a small hourly wobble; deterministic in the coin, the period and the hour.
    /// </summary>
    internal static double RealisedVolatility(CoinProfile profile, int periodDays, long hourIndex) =>
        profile.AtmVol * (0.82 + 0.12 * Math.Exp(-periodDays / 30.0)) * (1 + 0.02 * Math.Sin((hourIndex * 0.37) + periodDays));

    /// <summary>Reads <c>limit</c> (1 to <paramref name="maxLimit"/>) and <c>cursor</c>; returns Bybit's error text for a bad one.</summary>
    private static string? ReadPaging(IQueryCollection query, int defaultLimit, int maxLimit, out int limit, out int afterSymbolId)
    {
        limit = defaultLimit;
        afterSymbolId = 0;
        string? limitText = query["limit"];
        if (limitText is not null
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > maxLimit))
            return $"params error: limit must be between 1 and {maxLimit.ToString(CultureInfo.InvariantCulture)}";
        string? cursor = query["cursor"];
        if (!string.IsNullOrEmpty(cursor) && !TryParseCursor(cursor, out afterSymbolId))
            return "params error: cursor invalid";
        return null;
    }

    /// <summary>Counts the request (historical volatility apart), then answers it with an IP ban, an injected fault or a bad category, if any.</summary>
    private async Task<bool> RejectedAsync(HttpContext context, bool historicalVolatility = false, bool anyCategory = false)
    {
        Interlocked.Increment(ref historicalVolatility ? ref _volatilityRequests : ref _requests);
        if (faults.IsIpBanned)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("access too frequent", context.RequestAborted);
            return true;
        }

        if (historicalVolatility ? faults.TryTakeHistoricalVolatilityFailure(out var failure) : faults.TryTakeRestFailure(out failure))
        {
            switch (failure)
            {
                case RestFailure.Http429:
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    await context.Response.WriteAsync("Too Many Requests", context.RequestAborted);
                    break;
                case RestFailure.Http403:
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync("access too frequent", context.RequestAborted);
                    break;
                case RestFailure.RetCode10006:
                    long resetMs = options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() + 1000;
                    context.Response.Headers["X-Bapi-Limit"] = "10";
                    context.Response.Headers["X-Bapi-Limit-Status"] = "0";
                    context.Response.Headers["X-Bapi-Limit-Reset-Timestamp"] = resetMs.ToString(CultureInfo.InvariantCulture);
                    await WriteErrorAsync(context, 10006, "Too many visits!");
                    break;
                case RestFailure.RetCode10001:
                    await WriteErrorAsync(context, 10001, "params error: injected parameter error");
                    break;
                default:
                    await WriteErrorAsync(context, 10016, "Server error.");
                    break;
            }

            return true;
        }

        if (!anyCategory && context.Request.Query["category"] != "option")
        {
            await WriteErrorAsync(context, 10001, "params error: category invalid (this server lists only category=option)");
            return true;
        }

        return false;
    }

    private static Utf8JsonWriter StartEnvelope(HttpContext context, int retCode = 0, string retMsg = "OK")
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteNumber("retCode"u8, retCode);
        json.WriteString("retMsg"u8, retMsg);
        return json;
    }

    private async Task EndEnvelopeAsync(HttpContext context, Utf8JsonWriter json)
    {
        json.WriteStartObject("retExtInfo"u8);
        json.WriteEndObject();
        json.WriteNumber("time"u8, options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
        await json.DisposeAsync();
    }

    private async Task WriteErrorAsync(HttpContext context, int retCode, string retMsg)
    {
        var json = StartEnvelope(context, retCode, retMsg);
        json.WriteStartObject("result"u8);
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }

    private static async ValueTask FlushIfFullAsync(HttpContext context, Utf8JsonWriter json)
    {
        if (json.BytesPending >= FlushThreshold)
            await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// A cursor as Bybit writes it: percent-encoded in the JSON itself (<c>"1234%2C500"</c>, ccxt's bybit.js; a live
    /// sample: <c>"132766%3A2%2C132766%3A2"</c>). A client sends it back as received, so the query decodes once to
    /// <c>1234,500</c>; escaping it again (<c>1234%252C500</c>) decodes to <c>1234%2C500</c>, which is refused here with
    /// 10001 "cursor invalid" so that a client that double-encodes fails its tests, not in production.
    /// </summary>
    private static string Cursor(int lastSymbolId, int pageSize) =>
        Uri.EscapeDataString(string.Create(CultureInfo.InvariantCulture, $"{lastSymbolId},{pageSize}"));

    private static bool TryParseCursor(string cursor, out int afterSymbolId)
    {
        int comma = cursor.IndexOf(',', StringComparison.Ordinal);
        afterSymbolId = 0;
        return comma > 0 && int.TryParse(cursor.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out afterSymbolId);
    }

    /// <summary>Index of the first instrument with a symbolId above <paramref name="symbolId"/> (lists ascend by id).</summary>
    private static int FirstAfter(InstrumentState[] instruments, int symbolId)
    {
        int lo = 0, hi = instruments.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (instruments[mid].SymbolId <= symbolId)
                lo = mid + 1;
            else
                hi = mid;
        }

        return lo;
    }

    private static void WriteInstrument(Utf8JsonWriter json, InstrumentState instrument, CoinProfile profile)
    {
        var info = instrument.Info;
        json.WriteStartObject();
        json.WriteString("symbol"u8, info.Symbol);
        json.WriteString("status"u8, info.Status);
        json.WriteString("baseCoin"u8, info.BaseCoin);
        json.WriteString("quoteCoin"u8, info.SettleCoin);
        json.WriteString("settleCoin"u8, info.SettleCoin);
        json.WriteString("optionsType"u8, info.OptionsType);
        json.WriteString("launchTime"u8, instrument.LaunchTimeMs.ToString(CultureInfo.InvariantCulture));
        json.WriteString("deliveryTime"u8, instrument.DeliveryTimeMs.ToString(CultureInfo.InvariantCulture));
        json.WriteString("deliveryFeeRate"u8, "0.00015"u8);
        json.WriteStartObject("priceFilter"u8);
        json.WriteString("minPrice"u8, OptionSymbol.Strike(profile.TickSize));
        json.WriteString("maxPrice"u8, OptionSymbol.Strike(Math.Round((decimal)profile.Spot * 12 / profile.TickSize) * profile.TickSize));
        json.WriteString("tickSize"u8, OptionSymbol.Strike(profile.TickSize));
        json.WriteEndObject();
        json.WriteStartObject("lotSizeFilter"u8);
        json.WriteString("maxOrderQty"u8, OptionSymbol.Strike(profile.MaxOrderQty));
        json.WriteString("minOrderQty"u8, OptionSymbol.Strike(profile.MinOrderQty));
        json.WriteString("qtyStep"u8, OptionSymbol.Strike(profile.MinOrderQty));
        json.WriteEndObject();
        json.WriteString("displayName"u8, instrument.DisplayName);
        json.WriteNumber("symbolId"u8, instrument.SymbolId);
        json.WriteEndObject();
    }

    private static void WriteTicker(Utf8JsonWriter json, in SimulatedTicker t)
    {
        json.WriteStartObject();
        json.WriteString("symbol"u8, t.Symbol);
        WriteNumber(json, "bid1Price"u8, t.BidPrice);
        WriteNumber(json, "bid1Size"u8, t.BidSize);
        WriteNumber(json, "bid1Iv"u8, t.BidIv);
        WriteNumber(json, "ask1Price"u8, t.AskPrice);
        WriteNumber(json, "ask1Size"u8, t.AskSize);
        WriteNumber(json, "ask1Iv"u8, t.AskIv);
        WriteNumber(json, "lastPrice"u8, t.LastPrice);
        WriteNumber(json, "highPrice24h"u8, t.HighPrice24h);
        WriteNumber(json, "lowPrice24h"u8, t.LowPrice24h);
        WriteNumber(json, "markPrice"u8, t.MarkPrice);
        WriteNumber(json, "indexPrice"u8, t.IndexPrice);
        WriteNumber(json, "markIv"u8, t.MarkIv);
        WriteNumber(json, "underlyingPrice"u8, t.UnderlyingPrice);
        WriteNumber(json, "openInterest"u8, t.OpenInterest);
        WriteNumber(json, "turnover24h"u8, t.Turnover24h);
        WriteNumber(json, "volume24h"u8, t.Volume24h);
        WriteNumber(json, "totalVolume"u8, t.TotalVolume);
        WriteNumber(json, "totalTurnover"u8, t.TotalTurnover);
        WriteNumber(json, "delta"u8, t.Delta);
        WriteNumber(json, "gamma"u8, t.Gamma);
        WriteNumber(json, "vega"u8, t.Vega);
        WriteNumber(json, "theta"u8, t.Theta);
        WriteNumber(json, "predictedDeliveryPrice"u8, t.PredictedDeliveryPrice);
        WriteNumber(json, "change24h"u8, t.Change24h);
        json.WriteEndObject();
    }

    /// <summary>Bybit sends every ticker number as a string; a missing one (NaN here) as <c>""</c>.</summary>
    private static void WriteNumber(Utf8JsonWriter json, ReadOnlySpan<byte> name, double value)
    {
        Span<byte> text = stackalloc byte[PlainNumber.MaxLength];
        if (!PlainNumber.TryFormat(value, text, out int written))
        {
            text[0] = (byte)'0';
            written = 1;
        }

        json.WriteString(name, text[..written]);
    }
}
