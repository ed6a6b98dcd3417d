using OptionsTracker.Api;
using OptionsTracker.Book;
using OptionsTracker.Bybit;
using OptionsTracker.Collector;
using OptionsTracker.Configuration;
using OptionsTracker.Health;
using OptionsTracker.Simulator;
using OptionsTracker.Store;

// `--demo` runs against the in-process Bybit simulator instead of the exchange.
var demo = args.Contains("--demo", StringComparer.OrdinalIgnoreCase);
// `--role all|collector|web` is short for `--Tracker:Role`.
var hostArgs = args
    .Where(a => !a.Equals("--demo", StringComparison.OrdinalIgnoreCase))
    .Select(a => a.Equals("--role", StringComparison.OrdinalIgnoreCase) ? "--Tracker:Role"
        : a.StartsWith("--role=", StringComparison.OrdinalIgnoreCase) ? "--Tracker:Role=" + a["--role=".Length..] : a)
    .ToArray();
var builder = WebApplication.CreateBuilder(hostArgs);
builder.Configuration.AddLegacyEnvironment();
builder.Services.AddSingleton(TimeProvider.System);

BybitSimulator? simulator = null;
if (demo)
{
    var assets = TrackerOptions.ReadAssets(builder.Configuration);
    simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = [.. assets] });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Bybit:RestUrl"] = simulator.RestUrl.AbsoluteUri,
        ["Bybit:WsUrl"] = simulator.WsUrl.AbsoluteUri,
    });
}

builder.AddBook();
builder.AddStore();
builder.AddBybit();
builder.AddCollector();
builder.AddHealth();
builder.AddApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealth();
app.MapApi();

OptionsTracker.Store.Log.Role(app.Logger, TrackerOptions.ReadRole(app.Configuration).ToString().ToLowerInvariant(),
    app.Services.GetRequiredService<OptionsTracker.Book.IOptionStore>().Name);
if (simulator is not null)
    OptionsTracker.Collector.Log.DemoMode(app.Logger, simulator.RestUrl, simulator.WsUrl);

await app.RunAsync();
if (simulator is not null)
    await simulator.DisposeAsync();

public partial class Program;
