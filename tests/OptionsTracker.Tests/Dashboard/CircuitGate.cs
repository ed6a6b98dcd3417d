using Microsoft.Playwright;

namespace OptionsTracker.Tests.Dashboard;

/// <summary>
/// Holds back Blazor's script so a test sees the prerendered page before its circuit starts, as a person on a slow
/// link does for about a second; <see cref="Release"/> lets the page go live. Routing also turns the browser cache
/// off, so each page load asks again.
/// </summary>
public sealed class CircuitGate
{
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<CircuitGate> HoldAsync(IPage page)
    {
        var gate = new CircuitGate();
        await page.RouteAsync("**/_framework/blazor.web*.js", gate.HandleAsync);
        return gate;
    }

    /// <summary>Lets every held and later request for the script through.</summary>
    public void Release() => _open.TrySetResult();

    /// <summary>Holds the next page loads again.</summary>
    public void Close()
    {
        if (_open.Task.IsCompleted)
            _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task HandleAsync(IRoute route)
    {
        await _open.Task;
        try
        {
            await route.ContinueAsync();
        }
        catch (PlaywrightException)
        {
            // The page that asked has gone (a link was followed meanwhile).
        }
    }
}
