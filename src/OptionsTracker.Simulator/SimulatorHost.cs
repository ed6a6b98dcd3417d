using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OptionsTracker.Simulator;

/// <summary>
/// The Kestrel server every simulator (Bybit's, Deribit's) runs in: one address, one request delegate, WebSockets without
/// protocol-level pings (each exchange's liveness is its own protocol's: Bybit's text pings, Deribit's heartbeats), living
/// inside its owner's process (<see cref="EmbeddedLifetime"/>). Only the hosting is shared: each simulator's protocol is
/// its own.
/// </summary>
internal static class SimulatorHost
{
    /// <summary>Starts the server and returns it with the authority it bound (<c>127.0.0.1:port</c>; port 0 picks one).</summary>
    public static async Task<(WebApplication App, string Authority)> StartAsync(
        Type simulator, string host, int port, ILoggerFactory? loggerFactory, RequestDelegate dispatch, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = simulator.Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
            builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(host), port));

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(dispatch);
        try
        {
            await app.StartAsync(cancellationToken);
            string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Kestrel reported no bound address.");
            return (app, new Uri(address).Authority);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
