using System.Net;
using CsCheck;
using System.Text;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

public class ApiErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, int, string> BadRequests => new()
    {
        { "/api/options/DOGE", 404, "Tracked assets: BTC" },
        { "/api/options/%E2%82%AC%C3%A9", 404, "not a tracked asset" },
        { "/api/options/BTC?expiry=32DEC25", 400, "26DEC25" },
        { "/api/options/BTC?expiry=2025-13-01", 400, "ISO date" },
        { "/api/options/BTC?expiry=tomorrow", 400, "not an expiry" },
        { "/api/options/BTC?expiry=%FF%FE", 400, "not an expiry" },
        { "/api/options/BTC?type=straddle", 400, "call, put or all" },
        { "/api/options/BTC?strike=abc", 400, "not a strike" },
        { "/api/options/BTC?strike=-5", 400, "not a strike" },
        { "/api/options/BTC?strike=1e400", 400, "not a strike" },
        { "/api/options/BTC?sort=price", 400, "mark_price" },
        { "/api/options/BTC?sort=--", 400, "not a sort field" },
        { "/api/options/BTC?limit=-1", 400, "0 to 100000" },
        { "/api/options/BTC?limit=abc", 400, "whole number" },
        { "/api/options/BTC?limit=99999999999999", 400, "whole number" },
        { "/api/options/BTC?limit=1e3", 400, "whole number" },
        { "/api/options/BTC?offset=-3", 400, "whole number" },
        { "/api/options/BTC?fields=symbol,bogus", 400, "not a field" },
        { "/api/option/NOPE-1", 404, "/api/symbols" },
        { "/api/expiries/nope", 404, "not a tracked asset" },
        { "/api/strikes/BTC?expiry=bad", 400, "not an expiry" },
        { "/api/summary/nope", 404, "not a tracked asset" },
        { "/api/greeks/BTC?type=x", 400, "call, put or all" },
        { "/api/atm/BTC?num_strikes=0", 400, "1 to 200" },
        { "/api/high-volume?min_volume=lots", 400, "number" },
        { "/api/high-volume?asset=NOPE", 404, "not a tracked asset" },
        { "/api/high-iv?min_iv=-1", 400, "number" },
        { "/api/recent?seconds=0", 400, "1 to 86400" },
        { "/api/symbols?asset=NOPE", 404, "not a tracked asset" },
        { "/api/export/csv?limit=x", 400, "whole number" },
        { "/api/export/json?asset=NOPE", 404, "not a tracked asset" },
        { "/api/stream/BTC?expiry=x", 400, "not an expiry" },
        { "/api/stream/NOPE", 404, "not a tracked asset" },
        { "/api/nothing-here", 404, "" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_4xx_problem_saying_what_is_accepted(string path, int status, string message)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(status, (int)problem["status"]!);
        Assert.Contains(message, (string?)problem["detail"] ?? "", StringComparison.Ordinal);
    }

    public static TheoryData<string, int, string> BadQueries => new()
    {
        { "not json", 400, "not a JSON query" },
        { "[1,2]", 400, "not a JSON query" },
        { """{"limit":-1}""", 400, "0 to 100000" },
        { """{"limit":"many"}""", 400, "not a JSON query" },
        { """{"type":"straddle"}""", 400, "call, put or all" },
        { """{"expiry":"someday"}""", 400, "not an expiry" },
        { """{"sort":"nope"}""", 400, "not a sort field" },
        { """{"asset":"NOPE"}""", 404, "not a tracked asset" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_query_body_is_a_4xx_problem(string body, int status, string message)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/query", content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, (string?)JsonNode.Parse(text)!["detail"] ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_parameter_values_never_cause_a_server_error()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        string[] paths =
        [
            "/api/options/{0}?expiry={1}&type={1}&strike={1}&sort={1}&limit={1}&offset={1}&fields={1}", "/api/option/{0}?fields={1}",
            "/api/expiries/{0}", "/api/strikes/{0}?expiry={1}", "/api/summary/{0}", "/api/greeks/{0}?expiry={1}&type={1}",
            "/api/atm/{0}?num_strikes={1}&expiry={1}", "/api/high-volume?min_volume={1}&asset={0}", "/api/high-iv?min_iv={1}&asset={0}",
            "/api/recent?seconds={1}&asset={0}", "/api/symbols?asset={0}", "/api/export/csv?asset={0}&sort={1}", "/api/export/json?asset={0}&limit={1}",
        ];
        var values = CsCheck.Gen.OneOf(
            CsCheck.Gen.String,
            CsCheck.Gen.OneOf("BTC", "btc", "all", "-", "--1", ".", "1e308", "NaN", "-0", "2147483648", "06JAN27", "0JAN26", "29FEB27", "2026-02-30", "-volume_24h", ",,,", "%", "\u0000"));
        var requests = CsCheck.Gen.Select(CsCheck.Gen.Int[0, paths.Length - 1], values, values,
            (path, asset, value) => string.Format(System.Globalization.CultureInfo.InvariantCulture, paths[path], Uri.EscapeDataString(asset.Length == 0 ? "x" : asset), Uri.EscapeDataString(value)));

        await requests.SampleAsync(async path =>
        {
            using var response = await http.GetAsync(path, Ct);
            Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode}");
        }, iter: 400, print: p => p);
    }

    [Fact]
    public async Task Oversized_or_malformed_paths_queries_and_bodies_are_rejected_with_4xx()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        using var http = host.Http();

        using var longPath = await http.GetAsync("/api/options/" + new string('A', 20_000), Ct);
        using var longQuery = await http.GetAsync("/api/options/BTC?expiry=" + new string('9', 20_000), Ct);
        using var longAsset = await http.GetAsync("/api/options/" + new string('B', 2_000), Ct);
        using var nulInPath = await http.GetAsync("/api/options/%00", Ct);
        using var bigBody = new StringContent("{\"asset\":\"" + new string('x', 100_000) + "\"}", Encoding.UTF8, "application/json");
        using var bigQuery = await http.PostAsync("/api/query", bigBody, Ct);

        Assert.InRange((int)longPath.StatusCode, 400, 499);
        Assert.InRange((int)longQuery.StatusCode, 400, 499);
        Assert.Equal(HttpStatusCode.NotFound, longAsset.StatusCode);
        Assert.InRange((int)nulInPath.StatusCode, 400, 499);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bigQuery.StatusCode);
    }
}
