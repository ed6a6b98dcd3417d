using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace OptionsTracker.Api;

/// <summary>
/// Gives the requests Kestrel rejects while parsing (before any middleware runs: a <c>%00</c> or a raw 0xFF in
/// the URL, a request line over 8 KB, a malformed header, too many header bytes, an unknown HTTP version, a
/// headers timeout) an RFC 7807 problem body like every other error of this server, instead of Kestrel's empty
/// <c>400</c>/<c>414</c>/<c>431</c>.
/// </summary>
/// <remarks>
/// Kestrel has no hook for these responses (they are written from its parser; see dotnet/aspnetcore#4726 and
/// aspnet/KestrelHttpServer#2947, "this category of errors is not customisable"). Its supported extension point
/// at that level is connection middleware (<see cref="ListenOptions"/>.Use), so one wraps each connection's
/// output (<see cref="ProblemResponseWriter"/>) and an application middleware tells it when a request is inside
/// the application. On HTTP/1.x, the only bytes Kestrel writes while no request is in the application are such
/// a rejection: a head ending in <c>Content-Length: 0</c>, after which it closes the connection. Those are
/// rewritten with a body; everything else passes through untouched. Connections that do not speak HTTP/1.x in
/// clear text on this side (HTTP/2, or TLS terminated by Kestrel itself, which this app leaves to a reverse
/// proxy) are passed through from their first byte.
/// </remarks>
public static class RejectedRequestProblems
{
    public static void AddRejectedRequestProblems(this WebApplicationBuilder builder)
    {
        // Endpoint defaults reach every endpoint: --urls, ASPNETCORE_URLS, Kestrel:Endpoints and Listen() calls
        // made after this. Kestrel keeps one defaults action; nothing else in this app sets one.
        builder.Services.AddOptions<KestrelServerOptions>().Configure(kestrel =>
            kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection => OnConnectionAsync(next, connection, kestrel.Limits))));
        builder.Services.AddSingleton<IStartupFilter, MarkRequestsInApplication>();
    }

    private static async Task OnConnectionAsync(ConnectionDelegate next, ConnectionContext connection, KestrelServerLimits limits)
    {
        var transport = connection.Transport;
        var output = new ProblemResponseWriter(transport.Output, limits);
        connection.Transport = new DuplexPipe(transport.Input, output);
        // Connection features are visible from each request's HttpContext.Features.
        connection.Features.Set(output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    }

    private sealed class DuplexPipe(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = input;
        public System.IO.Pipelines.PipeWriter Output { get; } = output;
    }

    /// <summary>The outermost middleware: a request is in the application from here until its response is complete.</summary>
    private sealed class MarkRequestsInApplication : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Features.Get<ProblemResponseWriter>() is { } output)
                {
                    output.EnterApplication();
                    // OnCompleted runs after Kestrel has written the end of the response, so that end is never
                    // taken for a rejection.
                    context.Response.OnCompleted(static state =>
                    {
                        ((ProblemResponseWriter)state).LeaveApplication();
                        return Task.CompletedTask;
                    }, output);
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
