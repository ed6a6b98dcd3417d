using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>
/// The Deribit simulator's faults and market moves over HTTP under <c>/_sim/</c>, for operators and load tests running it
/// standalone (only with <see cref="DeribitSimulatorOptions.ControlEndpoints"/>). Changes are <c>POST</c>s; <c>GET /_sim</c>
/// answers the usage below and the state. Answers are plain text; a bad parameter is a 400 saying why.
/// </summary>
internal sealed class DeribitControlApi(DeribitSimulator simulator)
{
    public const string Prefix = "/_sim";

    public const string Usage = """
        Deribit simulator control (POST unless noted; answers are plain text):
          GET  /_sim                                      this text and the current state
          POST /_sim/drop                                 abort every WebSocket connection (trades go on being made)
          POST /_sim/silent?on=true|false                 connections stay open but send nothing (no answers, pushes, heartbeats)
          POST /_sim/reject-connections?on=true|false     refuse WebSocket upgrades with 503
          POST /_sim/ignore-heartbeats?on=true|false      ignore public/test answers, so heartbeat connections get closed
          POST /_sim/too-many-requests?count=N            answer the next N requests with error 10028 too_many_requests
          POST /_sim/refuse?count=N                       leave the next N subscribed channels out of subscribe results
          POST /_sim/refuse?channel=C                     never subscribe channel C (repeat channel= for more)
          POST /_sim/accept[?channel=C]                   lift refuse for these channels, or for all
          GET  /_sim/instruments[?currency=BTC]           list the open options, one name a line
          POST /_sim/list?coin=BTC                        list a new option (announced as created, started)
          POST /_sim/close?instrument=NAME                close an option on Deribit (announced as closed)
          POST /_sim/deliver?coin=BTC                     deliver the nearest expiry (announced as settled)
          POST /_sim/trades?currency=BTC&count=N          make N trades now, published together
          POST /_sim/block?currency=BTC&legs=2            make a block trade of 2-4 legs
          POST /_sim/trade-rate?per-second=X              trades per second per currency on the clock (0 stops them)
        """;

    public async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        string action = path.Length > Prefix.Length ? path[(Prefix.Length + 1)..] : "";
        var query = context.Request.Query;
        bool get = HttpMethods.IsGet(context.Request.Method);
        try
        {
            string answer = (action, get) switch
            {
                ("", true) => Usage + State(),
                ("instruments", true) => string.Join('\n', simulator.GetInstruments(query["currency"].FirstOrDefault()).Select(i => i.InstrumentName)) + "\n",
                (_, true) => throw new BadRequest($"POST {path}"),
                ("drop", _) => Do(() => simulator.Faults.DropAllConnections(), "dropped"),
                ("silent", _) => Do(() => simulator.Faults.Silent = On(query), $"silent={simulator.Faults.Silent}"),
                ("reject-connections", _) => Do(() => simulator.Faults.RejectNewConnections = On(query), "ok"),
                ("ignore-heartbeats", _) => Do(() => simulator.Faults.IgnoreHeartbeatAnswers = On(query), "ok"),
                ("too-many-requests", _) => Do(() => simulator.Faults.TooManyRequests(Count(query)), "ok"),
                ("refuse", _) when query.ContainsKey("channel") => Do(() => simulator.Faults.RefuseChannels([.. query["channel"].Select(c => c ?? "")]), "ok"),
                ("refuse", _) => Do(() => simulator.Faults.RefuseNextChannels(Count(query)), "ok"),
                ("accept", _) => Do(() => simulator.Faults.AcceptChannels([.. query["channel"].Select(c => c ?? "")]), "ok"),
                ("list", _) => simulator.ListNewInstrument(Required(query, "coin").ToUpperInvariant()),
                ("close", _) => Do(() => simulator.CloseInstrument(Required(query, "instrument")), "closed"),
                ("deliver", _) => string.Join('\n', simulator.DeliverNextExpiry(Required(query, "coin").ToUpperInvariant())),
                ("trades", _) => $"{simulator.EmitTrades(Required(query, "currency").ToUpperInvariant(), Count(query)).Count} trades",
                ("block", _) => $"block of {simulator.EmitBlock(Required(query, "currency").ToUpperInvariant(), query.ContainsKey("legs") ? Int(query, "legs") : 2).Count} legs",
                ("trade-rate", _) => Do(() => simulator.TradesPerSecond = Double(query, "per-second"), $"trades per second {simulator.TradesPerSecond}"),
                _ => throw new BadRequest($"unknown control {path}; GET {Prefix} lists them"),
            };
            await AnswerAsync(context, StatusCodes.Status200OK, answer);
        }
        catch (BadRequest ex)
        {
            await AnswerAsync(context, get ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, ex.Message);
        }
    }

    private string State() =>
        $"\nstate: {simulator.Faults.State()} connections={simulator.ConnectionCount} instruments={simulator.InstrumentCount} trades-per-second={simulator.TradesPerSecond}\n";

    private static string Do(Action action, string answer)
    {
        action();
        return answer;
    }

    private static bool On(IQueryCollection query) => Required(query, "on") switch
    {
        "true" or "1" or "on" => true,
        "false" or "0" or "off" => false,
        var other => throw new BadRequest($"on must be true or false, not '{other}'"),
    };

    private static int Count(IQueryCollection query) => Int(query, "count");

    private static int Int(IQueryCollection query, string name) =>
        int.TryParse(Required(query, name), NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new BadRequest($"{name} must be a whole number");

    private static double Double(IQueryCollection query, string name) =>
        double.TryParse(Required(query, name), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new BadRequest($"{name} must be a number");

    private static string Required(IQueryCollection query, string name) =>
        query[name].FirstOrDefault() is { Length: > 0 } value ? value : throw new BadRequest($"{name} is required");

    private static async Task AnswerAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n"));
    }

    private sealed class BadRequest(string message) : Exception(message);
}
