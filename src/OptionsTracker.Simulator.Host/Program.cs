using System.Globalization;
using OptionsTracker.Simulator;

// Runs the Bybit simulator alone:
//   dotnet run --project src/OptionsTracker.Simulator.Host -- --port 9100 --coins BTC,ETH,SOL --push-interval 100 --instruments 10000
var options = new SimulatorOptions();
for (int i = 0; i + 1 < args.Length; i += 2)
{
    string value = args[i + 1];
    switch (args[i])
    {
        case "--port": options.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--host": options.Host = value; break;
        case "--coins": options.BaseCoins = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
        case "--push-interval": options.PushInterval = TimeSpan.FromMilliseconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        case "--instruments": options.TargetInstrumentCount = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--seed": options.Seed = int.Parse(value, CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"Unknown option {args[i]}; known: --port --host --coins --push-interval (ms) --instruments --seed"); return 2;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await using var simulator = await BybitSimulator.StartAsync(options, stop.Token);
Console.WriteLine($"REST {simulator.RestUrl}");
Console.WriteLine($"WS   {simulator.WsUrl}");
Console.WriteLine($"{simulator.InstrumentCount} instruments: {string.Join(", ", simulator.BaseCoins.Select(c => $"{c} {simulator.GetInstruments(c).Count}"))}");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C.
}

return 0;
