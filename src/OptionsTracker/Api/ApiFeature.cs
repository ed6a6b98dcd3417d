using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using OptionsTracker.Configuration;
using OptionsTracker.Security;

namespace OptionsTracker.Api;

public static class ApiFeature
{
    public static void AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default);
            // A context in the resolver chain takes its naming from these options, not from its own attribute.
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.Section)
            .ValidateSection(ApiOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<BookReader>();
        builder.Services.AddSingleton<StreamGate>();
        builder.Services.AddSingleton<TradeWakeups>();
        // What a stream client that stops reading holds until Api:StreamSendTimeout drops it is mostly the connection's
        // unsent bytes: Kestrel's socket transport lets a write complete until this much is queued (64 KB by default
        // there; Kestrel's Limits.MaxResponseBufferSize does not reach HTTP/1.1 connections on sockets).
        builder.Services.AddOptions<SocketTransportOptions>()
            .Configure<IOptions<ApiOptions>>((transport, api) => transport.MaxWriteBufferSize = api.Value.WriteBufferBytes);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "OptionsTracker API";
            document.Info.Description = "Live Bybit options: the original tracker's endpoints (same paths, parameters and snake_case fields), screens, exports and streams. Missing values are null; IVs are fractions.";
            return Task.CompletedTask;
        }));
        builder.Services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            // Not text/event-stream: compression would buffer the stream's events.
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/problem+json", "text/csv"]);
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.AddRejectedRequestProblems();
        builder.Services.AddSingleton<BoardMoments>();
        builder.Services.AddSingleton<Tape.IFlowHistory, FlowHistorySource>();
    }

    public static void MapApi(this WebApplication app)
    {
        // WebApplication runs these before the endpoint middleware it adds at the end of the pipeline, so they
        // apply to every endpoint without Program.cs knowing about them.
        app.UseResponseCompression();
        app.UseWebSockets();

        // Who may call what is the groups' metadata (Security/EndpointAccess), not the URLs: an endpoint added to
        // `data` is protected whatever its path; the description is open by choice (README).
        var description = app.MapGroup("").OpenApiDescription();
        description.MapOpenApi();
        description.MapScalarApiReference();

        var data = app.MapGroup("").RequireApiKey();
        data.MapStatsApi();
        data.MapOptionsApi();
        data.MapSummaryApi();
        data.MapScreenerApi();
        data.MapExportApi();
        data.MapStreamApi();
        data.MapAnalyticsApi();
        data.MapAnalyticsStreamApi();
        data.MapFitApi();
        data.MapVolatilityApi();
        data.MapPositioningApi();
        data.MapSurfaceApi();
        data.MapHistoryApi();
        data.MapHistoryExportApi();
        data.MapStrategyApi();
        data.MapStrategyLibraryApi();
        data.MapTradesApi();
        data.MapTradeStreamApi();
        data.MapCompareApi();
    }
}
