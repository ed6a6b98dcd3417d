namespace OptionsTracker.Api;

public static class ApiFeature
{
    public static void AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // The original tool's API spoke snake_case; the source-generated context supplies the metadata.
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default);
        });
    }

    public static void MapApi(this WebApplication app)
    {
        app.MapStatsApi();
    }
}
