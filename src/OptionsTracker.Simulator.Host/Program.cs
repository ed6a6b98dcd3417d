using System.Globalization;
using System.Runtime.InteropServices;
using OptionsTracker.Simulator;
using OptionsTracker.Simulator.Deribit;

// Runs the Bybit simulator alone:
//   dotnet run --project src/OptionsTracker.Simulator.Host -- --port 9100 --coins BTC,ETH,SOL --push-interval 100 --instruments 10000
// The faults tests drive are served under /_sim (GET /_sim lists them) unless --control off.
const string Options = "--port --host --coins --push-interval (ms) --instruments --seed --control on|off --trades-per-second (per coin) --deribit-port (0 any, off none)";
// Every coin Bybit lists options for unless --coins says otherwise, so a tracker pointed here can add any of them
// from its dashboard as on the exchange (it still tracks only its own configured coins).
var options = new SimulatorOptions
{
    ControlEndpoints = true,
    BaseCoins = [.. SimulatorOptions.ExchangeOptionCoins],
    TradesPerSecond = SimulatorOptions.DemoTradesPerSecond,
};
// Deribit over the same market (its own port), unless --deribit-port off.
string deribitPort = "0";
for (int i = 0; i < args.Length; i += 2)
{
    if (i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"Option {args[i]} needs a value; known: {Options}");
        return 2;
    }

    string value = args[i + 1];
    switch (args[i])
    {
        case "--port": options.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--host": options.Host = value; break;
        case "--coins": options.BaseCoins = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
        case "--push-interval": options.PushInterval = TimeSpan.FromMilliseconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        case "--instruments": options.TargetInstrumentCount = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": options.Seed = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--trades-per-second": options.TradesPerSecond = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--control": options.ControlEndpoints = value is not ("off" or "false"); break;
        case "--deribit-port": deribitPort = value; break;
        default: Console.Error.WriteLine($"Unknown option {args[i]}; known: {Options}"); return 2;
    }
}

using var stop = new CancellationTokenSource();
// Ctrl+C, `kill` and `docker stop`: stop at once (the handlers cancel the default exit so the simulator closes cleanly).
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await using var simulator = await BybitSimulator.StartAsync(options, stop.Token);
Console.WriteLine($"REST {simulator.RestUrl}");
Console.WriteLine($"WS   {simulator.WsUrl}");
Console.WriteLine($"RFQ  {simulator.RfqWsUrl}");
Console.WriteLine($"{simulator.InstrumentCount} instruments: {string.Join(", ", simulator.BaseCoins.Select(c => $"{c} {simulator.GetInstruments(c).Count}"))}");
if (options.ControlEndpoints)
    Console.WriteLine($"Faults: GET {simulator.RestUrl}_sim lists the POST /_sim/... controls");
await using var deribit = deribitPort is "off" or "false" ? null : await DeribitSimulator.StartAsync(new DeribitSimulatorOptions
{
    Market = simulator,
    Host = options.Host,
    Port = int.Parse(deribitPort, CultureInfo.InvariantCulture),
    PushInterval = options.PushInterval,
    TradesPerSecond = options.TradesPerSecond,
    ControlEndpoints = options.ControlEndpoints,
}, stop.Token);
if (deribit is not null)
{
    Console.WriteLine($"DERIBIT REST {deribit.RestUrl}");
    Console.WriteLine($"DERIBIT WS   {deribit.WsUrl}");
    Console.WriteLine($"DERIBIT {deribit.InstrumentCount} options: {string.Join(", ", deribit.Currencies.Select(c => $"{c} {deribit.GetInstruments(c).Count}"))}");
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // A signal.
}

Console.WriteLine("Stopping");
return 0;
