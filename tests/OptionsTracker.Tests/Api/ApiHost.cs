using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OptionsTracker.Book;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// The real host on a Kestrel port of its own. The feed points at a loopback port nobody listens on, so it
/// stays idle and the test owns the book.
/// </summary>
internal sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    private ApiHost(Dictionary<string, string?> settings) => _settings = settings;

    public static ApiHost Start(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var deadPort = UnusedPort();
        var all = new Dictionary<string, string?>
        {
            ["Bybit:RestUrl"] = $"http://127.0.0.1:{deadPort}/",
            ["Bybit:WsUrl"] = $"ws://127.0.0.1:{deadPort}/v5/public/option",
            ["Tracker:Assets:0"] = "BTC",
            ["Tracker:Assets:1"] = "ETH",
            ["Tracker:Assets:2"] = "XRP",
            ["Api:StreamInterval"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            all[key] = value;
        var host = new ApiHost(all);
        // Listen(0) rather than UseKestrel(0): the port variant rewrites the address list after build, which
        // races with the server start when hosts start in parallel.
        host.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        return host;
    }

    public OptionBook Book => Services.GetRequiredService<OptionBook>();

    public Uri BaseAddress => ClientOptions.BaseAddress;

    public HttpClient Http()
    {
        var client = CreateDefaultClient();
        client.Timeout = TimeSpan.FromSeconds(30);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
