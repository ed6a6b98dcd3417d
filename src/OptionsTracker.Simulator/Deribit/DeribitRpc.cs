using System.Globalization;
using System.Text.Json;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// The public methods, one implementation for both transports: HTTP GET <c>/api/v2/public/{method}</c> (session null) and
/// JSON-RPC over the WebSocket. Each validates its parameters first (an error writes nothing), then writes <c>"result"</c>.
/// </summary>
internal sealed class DeribitRpc(DeribitSimulator owner)
{
    /// <summary>What <c>public/test</c> answers (Deribit answers its API version).</summary>
    private const string Version = "1.2.26";

    public static void WriteError(Utf8JsonWriter w, RpcError error)
    {
        w.WriteStartObject("error");
        w.WriteNumber("code", error.Code);
        w.WriteString("message", error.Message);
        if (error.Reason is not null || error.Param is not null)
        {
            w.WriteStartObject("data");
            if (error.Reason is not null)
                w.WriteString("reason", error.Reason);
            if (error.Param is not null)
                w.WriteString("param", error.Param);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public RpcError? Handle(string method, RpcParams p, Utf8JsonWriter w, DeribitSession? session)
    {
        owner.CountRequest(method);
        switch (method)
        {
            case "public/test":
                w.WriteStartObject("result");
                w.WriteString("version", Version);
                w.WriteEndObject();
                return null;
            case "public/get_time":
                w.WriteNumber("result", owner.Time.GetUtcNow().ToUnixTimeMilliseconds());
                return null;
            case "public/set_heartbeat":
                return SetHeartbeat(p, w, session);
            case "public/disable_heartbeat":
                if (session is null)
                    return WebSocketOnly(method);
                session.SetHeartbeat(null);
                w.WriteString("result", "ok");
                return null;
            case "public/subscribe":
                return Subscribe(p, w, session);
            case "public/unsubscribe":
                return Unsubscribe(p, w, session);
            case "public/unsubscribe_all":
                if (session is null)
                    return WebSocketOnly(method);
                session.UnsubscribeAll();
                w.WriteString("result", "ok");
                return null;
            case "public/get_instruments":
                return GetInstruments(p, w);
            case "public/get_book_summary_by_currency":
                return GetBookSummary(p, w);
            case "public/ticker":
                return Ticker(p, w);
            case "public/get_index_price":
                return GetIndexPrice(p, w);
            case "public/get_last_trades_by_currency":
                return GetLastTrades(p, w);
            case "public/get_last_settlements_by_currency":
                return GetLastSettlements(p, w);
            case "public/get_delivery_prices":
                return GetDeliveryPrices(p, w);
            default:
                return RpcError.MethodNotFound(method);
        }
    }

    private static RpcError WebSocketOnly(string method) =>
        new(-32601, "Method not found", $"{method} is available over WebSocket only");

    private RpcError? SetHeartbeat(RpcParams p, Utf8JsonWriter w, DeribitSession? session)
    {
        if (session is null)
            return WebSocketOnly("public/set_heartbeat");
        if (!p.TryGetNumber("interval", out double? interval) || interval is null)
            return RpcError.InvalidParams("interval", "must be a number of seconds");
        if (interval < 10)
            return RpcError.InvalidParams("interval", "must be at least 10");
        session.SetHeartbeat(owner.Options.HeartbeatIntervalOverride ?? TimeSpan.FromSeconds(interval.Value));
        w.WriteString("result", "ok");
        return null;
    }

    private static RpcError? Subscribe(RpcParams p, Utf8JsonWriter w, DeribitSession? session)
    {
        if (session is null)
            return WebSocketOnly("public/subscribe");
        var channels = p.GetStringArray("channels");
        if (channels is null || channels.Count == 0)
            return RpcError.InvalidParams("channels", "must be a non-empty array of channel names");
        var subscribed = new List<string>(channels.Count);
        if (session.Subscribe(channels, subscribed) is { } error)
            return error;
        WriteStringArray(w, subscribed);
        return null;
    }

    private static RpcError? Unsubscribe(RpcParams p, Utf8JsonWriter w, DeribitSession? session)
    {
        if (session is null)
            return WebSocketOnly("public/unsubscribe");
        var channels = p.GetStringArray("channels");
        if (channels is null || channels.Count == 0)
            return RpcError.InvalidParams("channels", "must be a non-empty array of channel names");
        var removed = new List<string>(channels.Count);
        session.Unsubscribe(channels, removed);
        WriteStringArray(w, removed);
        return null;
    }

    private static void WriteStringArray(Utf8JsonWriter w, List<string> items)
    {
        w.WriteStartArray("result");
        foreach (string item in items)
            w.WriteStringValue(item);
        w.WriteEndArray();
    }

    private static RpcError? Currency(RpcParams p, out string currency, bool allowAny = false)
    {
        currency = p.GetString("currency") ?? "";
        if (currency.Length == 0)
            return RpcError.InvalidParams("currency", "must be given");
        if (!(DeribitMarket.IsCurrency(currency) || (allowAny && currency == "any")))
            return RpcError.InvalidParams("currency", "wrong format");
        return null;
    }

    private static RpcError? OptionKind(RpcParams p)
    {
        string? kind = p.GetString("kind");
        return kind is null or "option" or "any" ? null : kind is "future" or "spot" or "future_combo" or "option_combo"
            ? null
            : RpcError.InvalidParams("kind", "wrong format");
    }

    private static bool OnlyOptions(RpcParams p) => p.GetString("kind") is null or "option" or "any";

    private RpcError? GetInstruments(RpcParams p, Utf8JsonWriter w)
    {
        if (Currency(p, out string currency, allowAny: true) is { } error)
            return error;
        if (OptionKind(p) is { } kindError)
            return kindError;
        if (!p.TryGetBoolean("expired", out bool? expired))
            return RpcError.InvalidParams("expired", "must be true or false");
        w.WriteStartArray("result");
        if (OnlyOptions(p))
        {
            // expired=true lists the delivered and closed options instead of the open ones, as Deribit's parameter does.
            IEnumerable<ListedOption> listings = expired == true ? owner.ExpiredOf(currency) : ListedOf(currency);
            foreach (var listing in listings)
                DeribitJson.WriteInstrument(w, listing, isActive: expired != true);
        }

        w.WriteEndArray();
        return null;
    }

    private List<ListedOption> ListedOf(string currency) =>
        currency == "any" ? owner.Market.AllListed() : owner.Market.Listed(currency);

    private RpcError? GetBookSummary(RpcParams p, Utf8JsonWriter w)
    {
        if (Currency(p, out string currency) is { } error)
            return error;
        if (OptionKind(p) is { } kindError)
            return kindError;
        long nowMs = owner.Time.GetUtcNow().ToUnixTimeMilliseconds();
        w.WriteStartArray("result");
        if (OnlyOptions(p))
        {
            foreach (var listing in owner.Market.Listed(currency))
            {
                var ticker = DeribitMarket.Ticker(listing, listing.Source.ReadTicker(), nowMs);
                DeribitJson.WriteBookSummary(w, listing, ticker);
            }
        }

        w.WriteEndArray();
        return null;
    }

    private RpcError? Ticker(RpcParams p, Utf8JsonWriter w)
    {
        string? name = p.GetString("instrument_name");
        if (string.IsNullOrEmpty(name))
            return RpcError.InvalidParams("instrument_name", "must be given");
        if (!owner.Market.TryGetOpen(name, out var listing))
            return new RpcError(10009, "instrument_not_found", "instrument not found", "instrument_name");
        var ticker = owner.Market.Ticker(listing);
        w.WritePropertyName("result");
        DeribitJson.WriteTicker(w, ticker);
        return null;
    }

    private RpcError? GetIndexPrice(RpcParams p, Utf8JsonWriter w)
    {
        string? index = p.GetString("index_name");
        if (string.IsNullOrEmpty(index))
            return RpcError.InvalidParams("index_name", "must be given");
        string? coin = owner.Market.CoinOfIndex(index);
        if (coin is null)
            return RpcError.InvalidParams("index_name", "wrong format");
        double price = owner.Market.Source.GetBoard(coin).Index;
        w.WriteStartObject("result");
        w.WriteNumber("index_price", Math.Round(price, 8));
        w.WriteNumber("estimated_delivery_price", Math.Round(price, 8));
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetLastTrades(RpcParams p, Utf8JsonWriter w)
    {
        if (Currency(p, out string currency) is { } error)
            return error;
        if (OptionKind(p) is { } kindError)
            return kindError;
        if (!p.TryGetNumber("count", out double? count) || count is < 1 or > 1000)
            return RpcError.InvalidParams("count", "must be 1 to 1000");
        if (!p.TryGetNumber("start_timestamp", out double? start))
            return RpcError.InvalidParams("start_timestamp", "must be a number");
        if (!p.TryGetNumber("end_timestamp", out double? end))
            return RpcError.InvalidParams("end_timestamp", "must be a number");
        string? startId = p.GetString("start_id");
        string? endId = p.GetString("end_id");
        string sorting = p.GetString("sorting") ?? "default";
        if (sorting is not ("asc" or "desc" or "default"))
            return RpcError.InvalidParams("sorting", "must be asc, desc or default");

        int limit = (int)(count ?? 10);
        var trades = OnlyOptions(p) ? owner.Trades.Emitted(currency) : [];
        IEnumerable<DeribitTrade> matching = trades.Where(t =>
            (start is null || t.Timestamp >= start) && (end is null || t.Timestamp <= end)
            && (startId is null || CompareIds(t.TradeId, startId) >= 0) && (endId is null || CompareIds(t.TradeId, endId) <= 0));
        // Deribit's default is newest first; "asc" from the start of the range, "desc" from its end.
        var ordered = sorting == "asc" ? matching.ToList() : matching.Reverse().ToList();
        w.WriteStartObject("result");
        w.WriteStartArray("trades");
        foreach (var trade in ordered.Take(limit))
            DeribitJson.WriteTrade(w, trade);
        w.WriteEndArray();
        w.WriteBoolean("has_more", ordered.Count > limit);
        w.WriteEndObject();
        return null;
    }

    /// <summary>Trade ids are decimal strings here; compares them as numbers.</summary>
    private static int CompareIds(string a, string b) =>
        long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out long x) && long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out long y)
            ? x.CompareTo(y)
            : string.CompareOrdinal(a, b);

    private RpcError? GetLastSettlements(RpcParams p, Utf8JsonWriter w)
    {
        if (Currency(p, out string currency) is { } error)
            return error;
        string? type = p.GetString("type");
        if (type is not (null or "settlement" or "delivery" or "bankruptcy"))
            return RpcError.InvalidParams("type", "must be settlement, delivery or bankruptcy");
        if (!p.TryGetNumber("count", out double? count) || count is < 1 or > 1000)
            return RpcError.InvalidParams("count", "must be 1 to 1000");
        if (!p.TryGetNumber("search_start_timestamp", out double? searchStart))
            return RpcError.InvalidParams("search_start_timestamp", "must be a number");
        string? continuation = p.GetString("continuation");
        long before = long.MaxValue;
        if (continuation is not null && !long.TryParse(continuation, NumberStyles.None, CultureInfo.InvariantCulture, out before))
            return RpcError.InvalidParams("continuation", "wrong format");
        long from = searchStart is null ? long.MaxValue : (long)searchStart.Value;
        int limit = (int)(count ?? 20);

        // Newest first; options here only deliver (no daily settlement records are kept).
        var rows = type is null or "delivery"
            ? owner.Deliveries(currency).Where(d => d.Timestamp <= from && d.Timestamp < before).OrderByDescending(d => d.Timestamp).ThenBy(d => d.InstrumentName, StringComparer.Ordinal).ToList()
            : [];
        w.WriteStartObject("result");
        w.WriteStartArray("settlements");
        foreach (var d in rows.Take(limit))
        {
            w.WriteStartObject();
            w.WriteString("type", "delivery");
            w.WriteNumber("timestamp", d.Timestamp);
            w.WriteString("instrument_name", d.InstrumentName);
            w.WriteNumber("index_price", d.IndexPrice);
            w.WriteNumber("mark_price", d.MarkPrice);
            w.WriteNumber("position", 0);
            w.WriteNumber("profit_loss", 0);
            w.WriteNumber("session_profit_loss", 0);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (rows.Count > limit)
            w.WriteString("continuation", rows[limit - 1].Timestamp.ToString(CultureInfo.InvariantCulture));
        else
            w.WriteString("continuation", "none");
        w.WriteEndObject();
        return null;
    }

    private RpcError? GetDeliveryPrices(RpcParams p, Utf8JsonWriter w)
    {
        string? index = p.GetString("index_name");
        if (string.IsNullOrEmpty(index))
            return RpcError.InvalidParams("index_name", "must be given");
        string? coin = owner.Market.CoinOfIndex(index);
        if (coin is null)
            return RpcError.InvalidParams("index_name", "wrong format");
        if (!p.TryGetNumber("offset", out double? offset) || offset < 0)
            return RpcError.InvalidParams("offset", "must be zero or positive");
        if (!p.TryGetNumber("count", out double? count) || count is < 1 or > 1000)
            return RpcError.InvalidParams("count", "must be 1 to 1000");
        var settlements = new List<KeyValuePair<long, double>>();
        owner.Market.Source.ReadSettlements(owner.Market.Source.GetBoard(coin), settlements);
        settlements.Reverse(); // Newest first.
        w.WriteStartObject("result");
        w.WriteStartArray("data");
        foreach (var (timeMs, price) in settlements.Skip((int)(offset ?? 0)).Take((int)(count ?? 10)))
        {
            w.WriteStartObject();
            w.WriteString("date", DateTimeOffset.FromUnixTimeMilliseconds(timeMs).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("delivery_price", price);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("records_total", settlements.Count);
        w.WriteEndObject();
        return null;
    }
}
