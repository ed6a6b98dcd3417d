namespace OptionsTracker.Api;

public static class ApiFeature
{
    public static void AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default));
    }

    public static void MapApi(this WebApplication app)
    {
        app.MapStatsApi();
    }
}
