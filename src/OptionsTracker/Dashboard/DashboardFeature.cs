using OptionsTracker.Dashboard.Components;

namespace OptionsTracker.Dashboard;

/// <summary>The live web dashboard: a Blazor Web App rendered interactively on the server, at <c>/</c>.</summary>
public static class DashboardFeature
{
    public static void AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(o => o.DetailedErrors = builder.Environment.IsDevelopment());
        builder.Services.AddScoped<AssetEditor>();
    }

    public static void MapDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
