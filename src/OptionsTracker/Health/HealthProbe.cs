namespace OptionsTracker.Health;

/// <summary>
/// <c>OptionsTracker --probe http://127.0.0.1:8080/health/live</c>: exit 0 when the URL answers 2xx within
/// five seconds, 1 otherwise. Used by the Docker HEALTHCHECK, since the runtime image has no curl or wget.
/// </summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url);
            await Console.Out.WriteLineAsync($"{(int)response.StatusCode} {url}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"{url}: {ex.Message}");
            return 1;
        }
    }
}
