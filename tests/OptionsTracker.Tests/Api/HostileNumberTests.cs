using System.Text;
using System.Text.Json.Nodes;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

/// <summary>
/// Every numeric parameter of every endpoint, in the query string and in the JSON body, given overflowing,
/// non-finite, negative and absurd values: each is a 400 validation problem naming the parameter and the range
/// it accepts, never a 500 and never silently ignored.
/// </summary>
public class HostileNumberTests
{
    private const string Strikes = "0 to 1000000000000";
    private const string Limits = "0 to 100000";
    private const string Offsets = "0 to 2147483647";
    private const string Volumes = "0 to 1000000000000";
    private const string Ivs = "0 to 1000";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string> HostileQueries
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            foreach (var value in new[] { "-1", "1e16", "10000000000000000", "-1e308", "NaN", "Infinity", "-0.5", "1000000000000.5" })
                data.Add($"/api/options/BTC?strike={Uri.EscapeDataString(value)}", "strike", Strikes);
            foreach (var value in new[] { "-1", "100001", "2147483648", "99999999999999999999", "NaN", "1e3", "1.5" })
            {
                data.Add($"/api/options/BTC?limit={Uri.EscapeDataString(value)}", "limit", Limits);
                data.Add($"/api/high-volume?limit={Uri.EscapeDataString(value)}", "limit", Limits);
                data.Add($"/api/export/csv?limit={Uri.EscapeDataString(value)}", "limit", Limits);
            }
            foreach (var value in new[] { "-1", "2147483648", "NaN", "-0x10" })
            {
                data.Add($"/api/options/BTC?offset={Uri.EscapeDataString(value)}", "offset", Offsets);
                data.Add($"/api/export/json?offset={Uri.EscapeDataString(value)}", "offset", Offsets);
                data.Add($"/api/recent?offset={Uri.EscapeDataString(value)}", "offset", Offsets);
            }
            foreach (var value in new[] { "0", "-1", "201", "2147483648", "1e2", "NaN", "Infinity" })
                data.Add($"/api/atm/BTC?num_strikes={Uri.EscapeDataString(value)}", "num_strikes", "1 to 200");
            foreach (var value in new[] { "-1", "-1e308", "1e308", "1e13", "NaN", "Infinity", "-Infinity" })
                data.Add($"/api/high-volume?min_volume={Uri.EscapeDataString(value)}", "min_volume", Volumes);
            foreach (var value in new[] { "-0.1", "-1e308", "1e308", "1001", "NaN", "Infinity" })
                data.Add($"/api/high-iv?min_iv={Uri.EscapeDataString(value)}", "min_iv", Ivs);
            foreach (var value in new[] { "0", "-5", "86401", "1e9", "2147483648", "NaN" })
                data.Add($"/api/recent?seconds={Uri.EscapeDataString(value)}", "seconds", "1 to 86400");
            data.Add("/api/export/csv?strike=-5", "strike", Strikes);
            data.Add("/api/export/json?strike=1e400", "strike", Strikes);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(HostileQueries))]
    public async Task A_hostile_number_in_the_query_string_is_a_400_naming_the_parameter_and_its_range(string path, string parameter, string range)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync(path, Ct);

        await AssertNamesAsync(response, parameter, range);
    }

    public static TheoryData<string, string, string> HostileBodies => new()
    {
        { """{"min_strike":-1e308}""", "min_strike", Strikes },
        { """{"min_strike":1e16}""", "min_strike", Strikes },
        { """{"min_strike":-0.01}""", "min_strike", Strikes },
        { """{"min_strike":"NaN"}""", "min_strike", Strikes },
        { """{"min_strike":1e999}""", "min_strike", Strikes },
        { """{"max_strike":1.7976931348623157e308}""", "max_strike", Strikes },
        { """{"max_strike":"-Infinity"}""", "max_strike", Strikes },
        { """{"max_strike":"1e16"}""", "max_strike", Strikes },
        { """{"min_strike":2000,"max_strike":1000}""", "max_strike", "below min_strike" },
        { """{"min_volume":-1}""", "min_volume", Volumes },
        { """{"min_volume":"NaN"}""", "min_volume", Volumes },
        { """{"min_volume":"Infinity"}""", "min_volume", Volumes },
        { """{"min_volume":1e300}""", "min_volume", Volumes },
        { """{"min_iv":-0.5}""", "min_iv", Ivs },
        { """{"min_iv":"Infinity"}""", "min_iv", Ivs },
        { """{"min_iv":5000}""", "min_iv", Ivs },
        { """{"limit":-1}""", "limit", Limits },
        { """{"limit":100001}""", "limit", Limits },
        { """{"limit":1e3}""", "limit", Limits },
        { """{"limit":99999999999}""", "limit", Limits },
        { """{"limit":"NaN"}""", "limit", Limits },
        { """{"offset":-1}""", "offset", Offsets },
        { """{"offset":2147483648}""", "offset", Offsets },
        { """{"offset":0.5}""", "offset", Offsets },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task A_hostile_number_in_the_query_body_is_a_400_naming_the_member_and_its_range(string body, string member, string range)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/query", content, Ct);

        await AssertNamesAsync(response, member, range);
    }

    [Fact]
    public async Task Numbers_at_the_edges_of_their_ranges_are_accepted()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        string[] paths =
        [
            "/api/options/BTC?strike=1000000000000&limit=100000&offset=2147483647", "/api/options/BTC?strike=0&limit=0&offset=0",
            "/api/atm/BTC?num_strikes=1", "/api/atm/BTC?num_strikes=200", "/api/high-volume?min_volume=0", "/api/high-volume?min_volume=1e12",
            "/api/high-iv?min_iv=0", "/api/high-iv?min_iv=1000", "/api/recent?seconds=1", "/api/recent?seconds=86400",
        ];
        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
        foreach (var body in new[] { """{"min_strike":0,"max_strike":1e12,"min_volume":0,"min_iv":1000,"limit":100000,"offset":0}""", """{"min_strike":-0.0,"max_strike":0}""" })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/api/query", content, Ct);
            Assert.True(response.IsSuccessStatusCode, $"{body}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    private static async Task AssertNamesAsync(HttpResponseMessage response, string parameter, string range)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        Assert.Equal(400, (int)problem["status"]!);
        var messages = problem["errors"]?[parameter]?.AsArray();
        Assert.True(messages is { Count: > 0 }, $"no error for {parameter}: {text}");
        Assert.Contains(range, (string)messages[0]!, StringComparison.Ordinal);
        Assert.Contains(parameter + ":", (string?)problem["detail"] ?? "", StringComparison.Ordinal);
    }
}
