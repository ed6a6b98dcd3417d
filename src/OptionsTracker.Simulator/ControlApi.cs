using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator;

/// <summary>
/// The faults (and a few market moves) that tests drive through <see cref="SimulatorFaults"/>, over HTTP under
/// <c>/_sim/</c>, for operators and load tests running the standalone simulator. Only served when
/// <see cref="SimulatorOptions.ControlEndpoints"/> is on. Every change is a <c>POST</c>; <c>GET /_sim</c> answers the
/// usage text below and the current state. Answers are one line of plain text; a bad parameter is a 400 saying why.
/// </summary>
internal sealed class ControlApi(BybitSimulator simulator)
{
    public const string Prefix = "/_sim";

    public const string Usage = """
        Simulator control (POST unless noted; answers are plain text):
          GET  /_sim                                    this text and the current state
          POST /_sim/drop                               abort every WebSocket connection (no close handshake)
          POST /_sim/reject-connections?on=true|false   refuse WebSocket upgrades with 503, like an unreachable exchange
          POST /_sim/silent?on=true|false               connections stay open but send nothing (no acks, pongs, pushes)
          POST /_sim/suppress-pongs?on=true|false       pings get no pong; data still flows
          POST /_sim/fragment?on=true|false             split every message into 2-3 frames
          POST /_sim/malformed?count=N                  send N malformed messages on every connection
          POST /_sim/refuse?count=N                     answer the next N subscribed topics in failTopics
          POST /_sim/refuse?topic=tickers.SYMBOL        refuse these topics for good (repeat topic= for more)
          POST /_sim/accept[?topic=tickers.SYMBOL]      lift refuse-for-good for these topics, or for all
          POST /_sim/reject-subscribes?count=N          reject the next N subscribe requests whole (success:false)
          POST /_sim/rest-fail?count=N&kind=K           fail the next N REST requests; K: http429, http403, retcode10006, retcode10016, retcode10001
          POST /_sim/ban-ip?seconds=S                   answer every REST request with HTTP 403 for S seconds (Bybit's IP ban)
          POST /_sim/empty-instruments?on=true|false    instruments-info answers an empty list for every coin
          POST /_sim/list?coin=BTC                      list a new option
          POST /_sim/deliver?coin=BTC                   deliver the nearest expiry
          POST /_sim/trades?coin=BTC&count=N            make N trades on a coin now, published together
          POST /_sim/block?coin=BTC&legs=2              make a block of 2-4 legs (publicTrade with BT, and the RFQ stream)
          POST /_sim/trade-rate?per-second=X            trades per second per coin on the clock (0 stops them)
          POST /_sim/trades-twice?count=N               send the next N trade messages twice on every connection
          POST /_sim/malformed-trades?count=N           send N malformed publicTrade messages on every option connection
        """;

    public async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        string action = path.Length > Prefix.Length ? path[(Prefix.Length + 1)..] : "";
        if (action.Length == 0)
        {
            if (!HttpMethods.IsGet(context.Request.Method))
            {
                await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, "GET /_sim");
                return;
            }

            await AnswerAsync(context, StatusCodes.Status200OK, Usage + State());
            return;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, $"POST {path}");
            return;
        }

        string answer;
        try
        {
            answer = Apply(action, context.Request.Query);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, ex.Message);
            return;
        }

        if (answer.Length == 0)
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, $"unknown control {path}; GET /_sim lists them");
            return;
        }

        await AnswerAsync(context, StatusCodes.Status200OK, answer);
    }

    /// <summary>Applies one control; an empty answer means no such control.</summary>
    private string Apply(string action, IQueryCollection query)
    {
        var faults = simulator.Faults;
        switch (action)
        {
            case "drop":
                int open = simulator.ConnectionCount;
                faults.DropAllConnections();
                return $"dropped {open} connections";
            case "reject-connections":
                faults.RejectNewConnections = Switch(query);
                return $"reject-connections {faults.RejectNewConnections}";
            case "silent":
                faults.SilentConnections = Switch(query);
                return $"silent {faults.SilentConnections}";
            case "suppress-pongs":
                faults.SuppressPongs = Switch(query);
                return $"suppress-pongs {faults.SuppressPongs}";
            case "fragment":
                faults.FragmentFrames = Switch(query);
                return $"fragment {faults.FragmentFrames}";
            case "malformed":
                int frames = Count(query);
                faults.SendMalformedFrames(frames);
                return $"{frames} malformed messages per connection";
            case "refuse":
                string[] topics = Topics(query);
                if (topics.Length > 0)
                {
                    faults.RefuseTopicsForever(topics);
                    return $"refusing for good: {string.Join(", ", faults.RefusedTopics.Order(StringComparer.Ordinal))}";
                }

                int refused = Count(query);
                faults.RefuseTopics(refused);
                return $"refusing the next {refused} topics";
            case "accept":
                faults.AcceptTopics(Topics(query));
                return $"refusing for good: {(faults.RefusedTopics.Count == 0 ? "none" : string.Join(", ", faults.RefusedTopics.Order(StringComparer.Ordinal)))}";
            case "reject-subscribes":
                int rejected = Count(query);
                faults.RejectNextSubscribeRequests(rejected);
                return $"rejecting the next {rejected} subscribe requests";
            case "rest-fail":
                int failures = Count(query);
                string kind = query["kind"].ToString();
                if (!Enum.TryParse<RestFailure>(kind, ignoreCase: true, out var failure) || int.TryParse(kind, out _))
                    throw new ArgumentException($"kind must be one of {string.Join(", ", Enum.GetNames<RestFailure>())}, not '{kind}'");
                faults.FailNextRestRequests(failures, failure);
                return $"failing the next {failures} REST requests with {failure}";
            case "ban-ip":
                string secondsText = query["seconds"].ToString();
                if (!int.TryParse(secondsText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds) || seconds is < 1 or > 86_400)
                    throw new ArgumentException($"seconds must be a whole number from 1 to 86400, not '{secondsText}'");
                faults.BanIp(TimeSpan.FromSeconds(seconds));
                return $"REST answers 403 for {seconds} s";
            case "empty-instruments":
                faults.EmptyInstrumentLists = Switch(query);
                return $"empty-instruments {faults.EmptyInstrumentLists}";
            case "list":
                return $"listed {simulator.ListNewInstrument(Coin(query))}";
            case "deliver":
                return $"delivered {simulator.DeliverNextExpiry(Coin(query)).Count} options";
            case "trades":
                string tradeCoin = Coin(query);
                int tradeCount = Count(query);
                if (tradeCount > 100_000)
                    throw new ArgumentException($"count must be at most 100000 at once, not {tradeCount}");
                var made = simulator.EmitTrades(tradeCoin, tradeCount);
                return made.Count == 0 ? $"made 0 {tradeCoin} trades" : string.Create(CultureInfo.InvariantCulture, $"made {made.Count} {tradeCoin} trades, seq {made[0].Sequence} to {made[^1].Sequence}");
            case "block":
                string legsText = query["legs"].ToString();
                int legs = legsText.Length == 0 ? 2
                    : int.TryParse(legsText, NumberStyles.None, CultureInfo.InvariantCulture, out int l) && l is >= 2 and <= 4 ? l
                    : throw new ArgumentException($"legs must be 2, 3 or 4, not '{legsText}'");
                var block = simulator.EmitBlock(Coin(query), legs);
                return $"block {block.RfqId}: {block.Strategy}, {string.Join(", ", block.Legs.Select(t => $"{t.Side} {t.Size} {t.Symbol} at {t.Price}"))}";
            case "trade-rate":
                string rateText = query["per-second"].ToString();
                simulator.TradesPerSecond = double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && double.IsFinite(rate) && rate >= 0
                    ? rate
                    : throw new ArgumentException($"per-second must be a number of 0 or more, not '{rateText}'");
                return string.Create(CultureInfo.InvariantCulture, $"{simulator.TradesPerSecond} trades per second per coin");
            case "trades-twice":
                int twice = Count(query);
                faults.SendTradesTwice(twice);
                return $"sending the next {twice} trade messages twice on every connection";
            case "malformed-trades":
                int badTrades = Count(query);
                faults.SendMalformedTrades(badTrades);
                return $"{badTrades} malformed trade messages per option connection";
            default:
                return "";
        }
    }

    private string State()
    {
        var faults = simulator.Faults;
        var refused = faults.RefusedTopics;
        return string.Create(CultureInfo.InvariantCulture, $"""

            State: {simulator.ConnectionCount} connections, {simulator.InstrumentCount} instruments, reject-connections {faults.RejectNewConnections}, silent {faults.SilentConnections}, suppress-pongs {faults.SuppressPongs}, fragment {faults.FragmentFrames}, empty-instruments {faults.EmptyInstrumentLists}, ip banned {faults.IsIpBanned}, {simulator.TradesPerSecond} trades per second per coin, trades made: {string.Join(", ", simulator.BaseCoins.Select(c => $"{c} {simulator.EmittedTrades(c).Count}"))}, refused for good: {(refused.Count == 0 ? "none" : string.Join(", ", refused))}

            """);
    }

    private static bool Switch(IQueryCollection query)
    {
        string on = query["on"].ToString();
        return on.Length == 0 || (bool.TryParse(on, out bool value)
            ? value
            : throw new ArgumentException($"on must be true or false, not '{on}'"));
    }

    private static int Count(IQueryCollection query)
    {
        string count = query["count"].ToString();
        return int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new ArgumentException($"count must be a whole number of 0 or more, not '{count}'");
    }

    private static string[] Topics(IQueryCollection query) =>
        [.. query["topic"].Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim())];

    private string Coin(IQueryCollection query)
    {
        string coin = query["coin"].ToString();
        return simulator.BaseCoins.Contains(coin.ToUpperInvariant(), StringComparer.Ordinal)
            ? coin.ToUpperInvariant()
            : throw new ArgumentException($"coin must be one of {string.Join(", ", simulator.BaseCoins)}, not '{coin}'");
    }

    private static Task AnswerAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.EndsWith('\n') ? text : text + "\n", Encoding.UTF8);
    }
}
