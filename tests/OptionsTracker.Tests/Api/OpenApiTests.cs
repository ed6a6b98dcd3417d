using System.Net;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

public class OpenApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenApi_document_describes_every_endpoint_with_snake_case_items()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        var document = await OptionsApiTests.GetJsonAsync(http, "/openapi/v1.json");

        Assert.Equal("OptionsTracker API", (string?)document["info"]!["title"]);
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[]
        {
            "/api/options/{asset}", "/api/option/{symbol}", "/api/expiries/{asset}", "/api/strikes/{asset}", "/api/stats", "/api/summary/{asset}",
            "/api/greeks/{asset}", "/api/atm/{asset}", "/api/high-volume", "/api/high-iv", "/api/recent", "/api/symbols", "/api/query",
            "/api/export/csv", "/api/export/json", "/api/stream/{asset}", "/ws",
        })
        {
            Assert.True(paths.ContainsKey(path), $"{path} missing from {string.Join(", ", paths.Select(p => p.Key))}");
        }
        var parameters = paths["/api/options/{asset}"]!["get"]!["parameters"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
        Assert.Superset(new HashSet<string?> { "asset", "expiry", "type", "strike", "sort", "limit", "offset", "fields" }, parameters.ToHashSet());
        Assert.NotNull(paths["/api/query"]!["post"]!["requestBody"]);
        var item = document["components"]!["schemas"]!["OptionItem"]!["properties"]!.AsObject();
        Assert.Contains("open_interest", item.Select(p => p.Key));
        Assert.Contains("days_to_expiry", item.Select(p => p.Key));
    }

    [Fact]
    public async Task Scalar_serves_interactive_docs()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        using var response = await http.GetAsync("/scalar", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Large_responses_are_compressed_when_the_client_accepts_it(string encoding)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/options/BTC");
        request.Headers.AcceptEncoding.ParseAdd(encoding);

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
    }
}
