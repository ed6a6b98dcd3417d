using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OptionsTracker.Alerts;
using OptionsTracker.Book;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Alerts;

/// <summary>
/// The real host on a loopback port with alert settings, tracking a simulator or nothing reachable (then tests
/// fill the book themselves), optionally on a fake clock and with every log line captured. One per test.
/// </summary>
public sealed class AlertsApp : IAsyncDisposable
{
    /// <summary>A closed loopback port: the feed fails fast and leaves the book to the test.</summary>
    private static readonly Uri UnreachableRest = new("http://127.0.0.1:1/");
    private static readonly Uri UnreachableWs = new("ws://127.0.0.1:1/v5/public/option");

    private readonly WebApplicationFactory<Program> _factory;

    private AlertsApp(WebApplicationFactory<Program> factory) => _factory = factory;

    public IServiceProvider Services => _factory.Services;
    public OptionBook Book => Services.GetRequiredService<OptionBook>();
    internal AlertDispatcher Dispatcher => Services.GetRequiredService<AlertDispatcher>();
    internal AlertEvaluationService Evaluation => Services.GetRequiredService<AlertEvaluationService>();

    /// <summary>A client of the host's own endpoints (/metrics, /api/…).</summary>
    public HttpClient CreateClient() => _factory.CreateClient();

    public static AlertsApp Start(IDictionary<string, string?> settings, BybitSimulator? simulator = null,
        TimeProvider? time = null, CapturingLoggerProvider? logs = null)
    {
        var all = new Dictionary<string, string?>(TrackerApp.FastTimings)
        {
            ["Bybit:RestUrl"] = (simulator?.RestUrl ?? UnreachableRest).AbsoluteUri,
            ["Bybit:WsUrl"] = (simulator?.WsUrl ?? UnreachableWs).AbsoluteUri,
            ["Tracker:Assets"] = simulator is null ? "BTC" : string.Join(",", simulator.BaseCoins),
            ["Logging:LogLevel:Default"] = logs is null ? "Warning" : "Trace",
            // Failed sends are retried; tests do not wait seconds for it.
            ["Alerts:SendRetryDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
            all[key] = value;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            // UseKestrel(0) on a factory made by WithWebHostBuilder does not reach the host here: without an
            // explicit address it listens on the default localhost:5000 and collides with any other host there.
            builder.UseUrls("http://127.0.0.1:0");
            foreach (var (key, value) in all)
                builder.UseSetting(key, value);
            if (time is not null)
                builder.ConfigureServices(services => services.AddSingleton(time));
            if (logs is not null)
            {
                builder.ConfigureLogging(logging =>
                {
                    logging.ClearProviders();
                    logging.AddProvider(logs);
                    logging.SetMinimumLevel(LogLevel.Trace);
                });
            }
        });
        factory.UseKestrel(0);
        try
        {
            factory.StartServer();
        }
        catch
        {
            factory.Dispose();
            throw;
        }
        return new AlertsApp(factory);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
