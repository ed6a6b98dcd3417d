using System.Text.Json;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Simulator;

/// <summary>Starts simulators for tests and reads their REST answers with a plain HttpClient.</summary>
internal static class TestSimulator
{
    public static readonly TimeSpan Timeout = Eventually.Timeout;

    public static Task<BybitSimulator> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions();
        configure?.Invoke(options);
        return BybitSimulator.StartAsync(options, TestContext.Current.CancellationToken);
    }

    public static async Task<JsonDocument> GetJsonAsync(this BybitSimulator simulator, string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = simulator.RestUrl, Timeout = Timeout };
        using var response = await http.GetAsync(new Uri(pathAndQuery, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        return await JsonDocument.ParseAsync(body, cancellationToken: TestContext.Current.CancellationToken);
    }

    public static async Task<HttpResponseMessage> GetAsync(this BybitSimulator simulator, string pathAndQuery)
    {
        using var http = new HttpClient { BaseAddress = simulator.RestUrl, Timeout = Timeout };
        return await http.GetAsync(new Uri(pathAndQuery, UriKind.Relative), TestContext.Current.CancellationToken);
    }

    public static string[] PropertyNames(this JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
