using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator;

/// <summary>The trade endpoints: <c>/v5/market/recent-trade</c> for options and <c>/v5/rfq/public-trades</c>.</summary>
internal sealed partial class RestApi
{
    /// <summary>
    /// <c>/v5/market/recent-trade?category=option</c> (market/recent-trade.mdx): the newest trades of <c>baseCoin</c> (BTC when
    /// not passed, as documented) or of <c>symbol</c>, optionally of one <c>optionType</c> (<c>Call</c> or <c>Put</c>),
    /// <c>limit</c> 1..1000 (default 500), newest first (the docs do not say; Bybit's live answers are newest first and
    /// ccxt reads them so). No cursor: older trades are not reachable, which is why the feed must backfill before the window
    /// moves on. An unknown coin answers an empty list; an unknown symbol shape, a bad <c>optionType</c> or <c>limit</c>, 10001.
    /// </summary>
    public async Task RecentTradeAsync(HttpContext context)
    {
        if (await RejectedAsync(context))
            return;
        var query = context.Request.Query;
        int limit = 500;
        string? limitText = query["limit"];
        if (limitText is not null
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
        {
            await WriteErrorAsync(context, 10001, "params error: limit must be between 1 and 1000");
            return;
        }

        string? optionType = query["optionType"];
        if (optionType is not null && optionType is not ("Call" or "Put"))
        {
            await WriteErrorAsync(context, 10001, "params error: optionType must be Call or Put");
            return;
        }

        string? symbol = query["symbol"].ToString() is { Length: > 0 } s ? s : null;
        string baseCoin = query["baseCoin"].ToString() is { Length: > 0 } coin ? coin : "BTC";
        if (symbol is not null)
        {
            int dash = symbol.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0)
            {
                await WriteErrorAsync(context, 10001, "params error: symbol invalid");
                return;
            }

            baseCoin = symbol[..dash];
        }

        var list = trades.Recent(baseCoin, symbol, optionType, limit);
        var json = StartEnvelope(context);
        json.WriteStartObject("result"u8);
        json.WriteString("category"u8, "option"u8);
        json.WriteStartArray("list"u8);
        foreach (var trade in list)
        {
            TradeFrames.WriteRecentTrade(json, trade);
            await FlushIfFullAsync(context, json);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }

    /// <summary>
    /// <c>/v5/rfq/public-trades</c> (rfq/trade/public-trades.mdx): executed blocks, newest first (as the docs' example),
    /// <c>limit</c> 1..100 (default 50), <c>startTime</c>/<c>endTime</c> (ms) at most 30 days apart, paged by <c>cursor</c>
    /// (empty when nothing is left; the docs do not say what it is then). No <c>category</c> parameter. The docs' example
    /// sends API-key headers; whether a key is needed is not said, and none is asked here.
    /// </summary>
    public async Task RfqPublicTradesAsync(HttpContext context)
    {
        if (await RejectedAsync(context, anyCategory: true))
            return;
        var query = context.Request.Query;
        int limit = 50;
        string? limitText = query["limit"];
        if (limitText is not null
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            await WriteErrorAsync(context, 10001, "params error: limit must be between 1 and 100");
            return;
        }

        const long thirtyDaysMs = 30L * 24 * 3_600_000;
        long fromMs = long.MinValue, toMs = long.MaxValue;
        string? startText = query["startTime"], endText = query["endTime"];
        if ((startText is not null && !long.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out fromMs))
            || (endText is not null && !long.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out toMs))
            || toMs < fromMs
            || (startText is not null && endText is not null && toMs - fromMs > thirtyDaysMs))
        {
            await WriteErrorAsync(context, 10001, "params error: startTime and endTime are ms, at most 30 days apart");
            return;
        }

        string? cursor = query["cursor"].ToString() is { Length: > 0 } c ? c : null;
        var blocks = trades.RecentBlocks(fromMs, toMs, cursor, limit, out bool more);
        var json = StartEnvelope(context);
        json.WriteStartObject("result"u8);
        json.WriteString("cursor"u8, more && blocks.Count > 0 ? blocks[^1].RfqId : "");
        json.WriteStartArray("list"u8);
        foreach (var block in blocks)
            TradeFrames.WriteBlock(json, block);
        json.WriteEndArray();
        json.WriteEndObject();
        await EndEnvelopeAsync(context, json);
    }
}
