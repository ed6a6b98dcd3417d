using OptionsTracker.Dashboard.Components;
using OptionsTracker.Security;

namespace OptionsTracker.Dashboard;

/// <summary>The live web dashboard: a Blazor Web App rendered interactively on the server, at <c>/</c>.</summary>
public static class DashboardFeature
{
    public static void AddDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents()
            .AddInteractiveServerComponents(o => o.DetailedErrors = builder.Environment.IsDevelopment());
        builder.Services.AddScoped<AssetEditor>();
        // The history's door for the page (issue 16): inert when History:Enabled=false registered no store.
        builder.Services.AddSingleton<DashboardHistory>();
        // The page reads the theme cookie while prerendering (no dark flash before a light page).
        builder.Services.AddHttpContextAccessor();
    }

    public static void MapDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        // On a group, so the development-time fallback for files it maps beside the build's assets is open too.
        app.MapGroup("").OpenStaticFiles().MapStaticAssets();
        // Pages and the Blazor hub (/_blazor) alike: the conventions reach every endpoint this maps.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().RequireSignIn();
    }
}
