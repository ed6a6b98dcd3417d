using System.Net;
using System.Text.RegularExpressions;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// The README's `dotnet run --project src/OptionsTracker -- --demo` runs in Production, where static web
/// assets are not served unless the host asks for them; the browser tests run in Development and would not
/// notice a dashboard without its scripts.
/// </summary>
public partial class ProductionAssetsTests
{
    [Fact]
    public async Task The_dashboard_serves_every_script_and_style_it_needs_when_run_as_in_the_readme()
    {
        // `dotnet run` makes the project folder the content root, where wwwroot holds only our own files.
        var projectFolder = Path.Combine(RepositoryPaths.Root, "src", "OptionsTracker");
        using var host = await HostProcess.StartAsync(new Dictionary<string, string> { ["Tracker__Assets"] = "BTC" }, projectFolder, "--demo");
        var ct = TestContext.Current.CancellationToken;

        var page = await host.Http.GetStringAsync("/", ct);
        var assets = AssetReference().Matches(page).Select(m => m.Groups[1].Value)
            // Links to the dashboard itself (the page, an option's detail: "/?option=…") are pages, not assets: fetching
            // each one is a page load, which the page limiter answers with 429 when there are many (it failed so in CI).
            .Where(u => !u.StartsWith("data:", StringComparison.Ordinal) && u != "/" && !u.StartsWith("/?", StringComparison.Ordinal)).ToList();
        // Loaded by the dashboard's components at run time rather than linked from the page.
        assets.Add("_content/Plotly.Blazor/plotly-interop-7.2.0.js");
        assets.Add("_content/Plotly.Blazor/plotly-basic-3.7.0.min.js");
        assets.Add("chain.js");

        Assert.Contains(assets, a => a.Contains("blazor.web", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            using var response = await host.Http.GetAsync(asset, ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{asset}: {(int)response.StatusCode}\n{host.Output}");
        }
    }

    [GeneratedRegex("(?:href|src)=\"([^\"#]+)\"")]
    private static partial Regex AssetReference();
}
