using System.ComponentModel;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;
using OptionsTracker.Tape;

namespace OptionsTracker.Api;

/// <summary>
/// The trade tape over HTTP: <c>/api/trades/{asset}</c> (the newest trades the tape holds, filtered; JSON or CSV) and
/// <c>/api/flow/{asset}</c> (the flow figures of a window, <see cref="FlowReader"/>). A web instance answers from its
/// mirrored tape with the same code. docs/tape.md, "API" and "Flow".
/// </summary>
public static class TradesApi
{
    public static void MapTradesApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/trades/{asset}", GetTrades)
            .WithTags("Trades")
            .WithName("Trades")
            .WithSummary("The asset's latest trades, newest first, filtered; JSON or CSV (format=csv)")
            .WithDescription("With since= older than the tape's oldest trade, the older trades come from the recorded history (when History:Enabled), after the tape's, each once. Items: id (the venue's), time, symbol, expiry, expiry_date, strike, type, side (the taker's), size, price, premium_usd (price × size), iv, mark_iv, mark_price, index_price, block, block_id, sequence (the tape's order; the stream's event id), venue, delta, gamma, vega (one contract, at trade time). From the tape in memory (Tape:Keep per coin). CSV: a header row of those names, RFC 4180, invariant numbers, empty = missing.")
            .Produces<TradeListResponse>()
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();

        app.MapGet("/api/flow/{asset}", GetFlowAsync)
            .WithTags("Trades")
            .WithName("Flow")
            .WithSummary("The asset's flow over a window: volume and premium by strike, expiry and type, taker buys against sells, net Greeks traded, block share, the largest trades")
            .WithDescription("Definitions in docs/tape.md (Flow). window: day (since the last 08:00 UTC, default), 15m, 1h, 4h, 24h, 7d (1m to 7d). complete_from: the figures hold every trade from then (the tape's memory, or the history's, begins there); complete when that is the window's start.")
            .Produces<FlowResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem();
    }

    internal static async Task<Results<Ok<TradeListResponse>, TradeCsvResult, ProblemHttpResult, ValidationProblem>> GetTrades(
        string asset, [AsParameters] TradeQuery query, BookReader reader, TradeTape tape, IFlowHistory history, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        var filter = query.Parse(errors, reader.Now);
        var venue = errors.Venue(query.Venue, reader.Venues, index);
        if (errors.HasErrors)
            return errors.ToProblem();
        var lastSequence = tape.LastSequence(name);
        Func<Trade, bool> matches = venue is null ? filter.Matches : t => t.IsOn(venue) && filter.Matches(t);
        IReadOnlyList<Trade> trades = tape.Newest(name, filter.Limit, matches);
        if (filter.SinceMs is { } since && trades.Count < filter.Limit && history.IsAvailable
            && (tape.OldestTimeMs(name) is not { } oldest || since < oldest))
        {
            // Asked further back than the tape remembers: the rest from the recorded history, after the tape's trades.
            try
            {
                var older = await OlderFromHistoryAsync(history, tape, name, matches, since, filter.Limit - trades.Count, reader.Now, cancellationToken);
                if (older.Count > 0)
                    trades = [.. trades, .. older];
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The tape's trades still answer; the log says why the older ones are missing.
                Log.TradeHistoryReadFailed(loggers.CreateLogger(typeof(TradesApi)), name, e);
            }
        }
        if (filter.Csv)
            return new TradeCsvResult(trades, $"trades-{name}-{reader.Now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.csv");
        return TypedResults.Ok(new TradeListResponse(name, trades.Count, lastSequence, [.. trades.Select(TradeItem.From)]));
    }

    internal static async Task<Results<Ok<FlowResponse>, ProblemHttpResult, ValidationProblem>> GetFlowAsync(
        string asset,
        [FromQuery(Name = "window"), Description($"{FlowWindow.Accepted}.")] string? window,
        [FromQuery(Name = "largest"), Description("How many of the largest trades (by premium) to list, 0 to 100. Default: 10.")] string? largest,
        [FromQuery(Name = "venue"), Description("A venue such as bybit, or all (default).")] string? venue,
        BookReader reader, FlowReader flow, CancellationToken cancellationToken)
    {
        var index = reader.Book.Index;
        if (!reader.TryResolveAsset(index, asset, out var name, out _))
            return reader.UnknownAsset(index, asset);
        var errors = new QueryErrors();
        if (!FlowWindow.TryParse(window, reader.Now, out var span, out var error))
            errors.Add("window", error);
        var count = errors.Integer(largest, "largest", 0, MaxLargest) ?? FlowBuilder.DefaultLargest;
        var only = errors.Venue(venue, reader.Venues, index);
        if (errors.HasErrors)
            return errors.ToProblem();
        var report = await flow.ReadAsync(name, span, count, only, cancellationToken);
        return TypedResults.Ok(FlowResponse.Of(report));
    }

    private const int MaxLargest = 100;

    /// <summary>Recorded trades read per history query: a window holding more is split.</summary>
    internal const int HistoryReadLimit = 10_000;

    /// <summary>
    /// Up to <paramref name="need"/> recorded trades of the coin from <paramref name="sinceMs"/> up to the tape's oldest
    /// (inclusive: trades of that very millisecond the ring forgot), newest first, passing the filter and not on the tape.
    /// The history answers a window oldest first and at most <see cref="HistoryReadLimit"/> of them, so the windows walk
    /// back from the tape: a window that fills the limit is narrowed and read again, one that does not widens the next.
    /// </summary>
    private static async Task<List<Trade>> OlderFromHistoryAsync(
        IFlowHistory history, TradeTape tape, string coin, Func<Trade, bool> matches, long sinceMs, int need, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new List<Trade>();
        var toMs = tape.OldestTimeMs(coin) ?? now.ToUnixTimeMilliseconds();
        var spanMs = 60L * 60 * 1000;
        for (var reads = 0; toMs >= sinceMs && result.Count < need && reads < 200; reads++)
        {
            var fromMs = Math.Max(sinceMs, toMs - spanMs + 1);
            var window = await history.TradesAsync(coin, DateTimeOffset.FromUnixTimeMilliseconds(fromMs), DateTimeOffset.FromUnixTimeMilliseconds(toMs),
                HistoryReadLimit, cancellationToken);
            if (window.Count >= HistoryReadLimit && toMs > fromMs)
            {
                // More in the window than one read returns (and those returned are its oldest): narrow it and read again.
                spanMs = Math.Max(1, (toMs - fromMs + 1) / 4);
                continue;
            }
            for (var i = window.Count - 1; i >= 0 && result.Count < need; i--)
            {
                var trade = window[i];
                if (matches(trade) && !tape.Contains(coin, trade.Venue, trade.Id))
                    result.Add(trade);
            }
            toMs = fromMs - 1;
            if (window.Count < HistoryReadLimit / 4)
                spanMs = Math.Min(spanMs * 4, 30L * 24 * 60 * 60 * 1000);
        }
        return result;
    }
}

/// <summary>The filters of <c>/api/trades/{asset}</c>, bound as text and parsed by <see cref="QueryErrors"/>.</summary>
public sealed class TradeQuery
{
    /// <summary>The most trades one answer lists: the default tape's whole memory of a coin.</summary>
    public const int MaxLimit = 50_000;

    public const int DefaultLimit = 100;

    [FromQuery(Name = "since"), Description("Only trades at or after this: an ISO 8601 instant with Z or an offset (2026-12-01T09:30:00Z), day (since the last 08:00 UTC), or a span back from now such as 15m, 1h, 7d.")]
    public string? Since { get; init; }

    [FromQuery(Name = "symbol"), Description("One option, e.g. BTC-26DEC25-100000-C-USDT (any case).")]
    public string? Symbol { get; init; }

    [FromQuery(Name = "expiry"), Description("26DEC25 (6JAN26 works too), an ISO date like 2025-12-26, or all (default).")]
    public string? Expiry { get; init; }

    [FromQuery(Name = "strike"), Description("A strike such as 100000, or all (default).")]
    public string? Strike { get; init; }

    [FromQuery(Name = "type"), Description("call, put or all (default).")]
    public string? Type { get; init; }

    [FromQuery(Name = "side"), Description("The taker's side: buy, sell or all (default).")]
    public string? Side { get; init; }

    [FromQuery(Name = "min_size"), Description("Only trades of at least this many contracts (0 to 1000000000000).")]
    public string? MinSize { get; init; }

    [FromQuery(Name = "min_premium"), Description("Only trades of at least this premium, USD (0 to 1000000000000000).")]
    public string? MinPremium { get; init; }

    [FromQuery(Name = "block"), Description("true: block trades only; false: no block trades; all (default).")]
    public string? Block { get; init; }

    [FromQuery(Name = "before"), Description("Only trades before this tape sequence (to page back: the last item's sequence).")]
    public string? Before { get; init; }

    [FromQuery(Name = "limit"), Description("At most this many trades, 1 to 50000. Default: 100.")]
    public string? Limit { get; init; }

    [FromQuery(Name = "format"), Description("json (default) or csv (a download).")]
    public string? Format { get; init; }

    [FromQuery(Name = "venue"), Description("A venue such as bybit, or all (default).")]
    public string? Venue { get; init; }

    internal TradeFilter Parse(QueryErrors errors, DateTimeOffset now)
    {
        DateTimeOffset? since = null;
        if (!string.IsNullOrWhiteSpace(Since))
        {
            if (char.IsAsciiDigit(Since.Trim()[0]) && Since.Contains('-', StringComparison.Ordinal))
                since = errors.Instant(Since, "since");
            else if (FlowWindow.TryParse(Since, now, out var window, out _))
                since = window.From;
            else
                errors.Add("since", $"'{QueryErrors.Echo(Since)}' is not accepted. Use an ISO 8601 instant with Z or an offset (2026-12-01T09:30:00Z), day, or a span back from now such as 15m, 1h or 7d.");
        }
        string? symbol = null;
        if (!string.IsNullOrWhiteSpace(Symbol))
        {
            symbol = Symbol.Trim();
            if (symbol.Length > 64)
                errors.Add("symbol", $"'{QueryErrors.Echo(Symbol)}' is not a symbol. Symbols look like BTC-26DEC25-100000-C-USDT.");
        }
        var side = (Side?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "all" => (TradeSide?)null,
            "buy" or "b" => TradeSide.Buy,
            "sell" or "s" => TradeSide.Sell,
            _ => Invalid<TradeSide>(errors, "side", Side!, "Use buy, sell or all."),
        };
        var block = (Block?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "all" => (bool?)null,
            "true" or "1" or "yes" or "only" => true,
            "false" or "0" or "no" => false,
            _ => Invalid<bool>(errors, "block", Block!, "Use true (blocks only), false (no blocks) or all."),
        };
        var csv = (Format?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "json" => false,
            "csv" => true,
            _ => Invalid<bool>(errors, "format", Format!, "Use json or csv.") ?? false,
        };
        long? before = null;
        if (!string.IsNullOrWhiteSpace(Before))
        {
            if (long.TryParse(Before.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence) && sequence >= 1)
                before = sequence;
            else
                errors.Add("before", $"'{QueryErrors.Echo(Before)}' is not a sequence. Use a whole number from 1, such as the sequence of the last trade listed.");
        }
        return new TradeFilter(
            since?.ToUnixTimeMilliseconds(),
            symbol,
            errors.Expiry(Expiry),
            errors.Strike(Strike),
            errors.Type(Type),
            side,
            errors.Number(MinSize, "min_size", 0, QueryErrors.MaxVolume),
            errors.Number(MinPremium, "min_premium", 0, 1e15),
            block,
            before,
            errors.Integer(Limit, "limit", 1, MaxLimit) ?? DefaultLimit,
            csv);
    }

    private static T? Invalid<T>(QueryErrors errors, string parameter, string text, string hint) where T : struct
    {
        errors.Add(parameter, $"'{QueryErrors.Echo(text)}' is not accepted. {hint}");
        return null;
    }
}

/// <summary>A parsed <see cref="TradeQuery"/>: <see cref="Matches"/> is the filter the tape applies.</summary>
internal sealed record TradeFilter(
    long? SinceMs, string? Symbol, DateOnly? Expiry, decimal? Strike, OptionType? Type, TradeSide? Side,
    double? MinSize, double? MinPremium, bool? Block, long? Before, int Limit, bool Csv)
{
    public bool Matches(Trade trade) =>
        (SinceMs is not { } since || trade.TimeMs >= since)
        && (Symbol is null || trade.Symbol.Equals(Symbol, StringComparison.OrdinalIgnoreCase))
        && (Expiry is not { } expiry || DateOnly.FromDateTime(trade.ExpiryUtc.UtcDateTime) == expiry)
        && (Strike is not { } strike || trade.Strike == strike)
        && (Type is not { } type || trade.Type == type)
        && (Side is not { } side || trade.Side == side)
        && (MinSize is not { } size || trade.Size >= size)
        && (MinPremium is not { } premium || trade.PremiumUsd >= premium)
        && (Block is not { } block || trade.IsBlock == block)
        && (Before is not { } before || trade.Sequence < before);
}

/// <summary>Writes trades as a CSV download (<see cref="TradeCsv"/>), a few hundred rows per write.</summary>
public sealed class TradeCsvResult : IResult, IEndpointMetadataProvider
{
    private const int RowsPerWrite = 256;
    private readonly IReadOnlyList<Trade> _trades;
    private readonly string _fileName;

    internal TradeCsvResult(IReadOnlyList<Trade> trades, string fileName)
    {
        _trades = trades;
        _fileName = fileName;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{_fileName}\"";
        var text = new StringBuilder(64 * 1024);
        text.Append(TradeCsv.Header).Append("\r\n");
        for (var i = 0; i < _trades.Count; i++)
        {
            TradeCsv.AppendRow(text, _trades[i]);
            text.Append("\r\n");
            if (i % RowsPerWrite == RowsPerWrite - 1)
            {
                await response.WriteAsync(text.ToString(), Encoding.UTF8, cancellationToken);
                text.Clear();
            }
        }
        await response.WriteAsync(text.ToString(), Encoding.UTF8, cancellationToken);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/csv"]));
}
