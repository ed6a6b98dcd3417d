using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OptionsTracker.Simulator;
using OptionsTracker.Tests.Api;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Tests.Store;

namespace OptionsTracker.Tests.Strategies;

/// <summary>
/// Saved strategies (<c>/api/strategies</c>) and the exports over real HTTP: in the state file (surviving a restart,
/// a damaged file kept aside, saves made together all kept, the limit held), and in Redis shared by two instances.
/// </summary>
public sealed class StrategyLibraryApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"ot-strategies-{Guid.NewGuid():N}.json");

    /// <summary>A preset's legs on the BTC board's near expiry, as an evaluate body's legs.</summary>
    private static async Task<JsonArray> PresetLegsAsync(HttpClient http, string preset)
    {
        var presets = await OptionsApiTests.GetJsonAsync(http, "/api/strategy/presets?asset=BTC");
        var legs = presets["data"]!.AsArray().Single(p => (string?)p!["name"] == preset)!["legs"]!.AsArray();
        Assert.NotEmpty(legs);
        return (JsonArray)legs.DeepClone();
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> PutAsync(HttpClient http, string name, object body)
    {
        using var response = await http.PutAsJsonAsync($"/api/strategies/{Uri.EscapeDataString(name)}", body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task A_saved_strategy_is_listed_opened_in_any_case_deleted_and_survives_a_restart_in_the_state_file()
    {
        var file = TempFile();
        var settings = new Dictionary<string, string?> { ["Strategies:File"] = file };
        JsonArray legs;
        try
        {
            await using (var app = await TrackerApp.StartWithSimulatorAsync(settings, PresetBoards.Instruments))
            {
                using var http = app.Http();
                (_, legs) = await PresetBoards.PresetAsync(app, http, "iron_condor");
                var (status, saved) = await PutAsync(http, "Weekly condor", new { legs, vol_model = "STICKY_DELTA", entry = "mark" });
                Assert.True(status == HttpStatusCode.OK, $"{status} {saved}");
                Assert.Equal("BTC", (string?)saved!["asset"]);
                Assert.Equal("sticky_delta", (string?)saved["vol_model"]);
                var (second, _) = await PutAsync(http, "Straddle", new { legs = await PresetLegsAsync(http, "straddle") });
                Assert.Equal(HttpStatusCode.OK, second);
                // The same name in another case replaces it rather than adding a third.
                var (replaced, _) = await PutAsync(http, "weekly CONDOR", new { legs, entry = "mark", vol_model = "sticky_delta" });
                Assert.Equal(HttpStatusCode.OK, replaced);

                var list = await OptionsApiTests.GetJsonAsync(http, "/api/strategies");
                Assert.Equal(2, (int)list["count"]!);
                Assert.Equal(500, (int)list["max_count"]!);
                Assert.Equal(["Straddle", "weekly CONDOR"], list["data"]!.AsArray().Select(s => (string)s!["name"]!));

                using var deleted = await http.DeleteAsync("/api/strategies/straddle", Ct);
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
                using var again = await http.DeleteAsync("/api/strategies/straddle", Ct);
                Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            }

            // The file is the state: a new process finds the strategy as it was saved.
            Assert.True(File.Exists(file));
            Assert.False(File.Exists(file + ".tmp"), "the temporary file was renamed over the state file");
            await using var restarted = await TrackerApp.StartForApiAsync(settings);
            using var client = restarted.Http();
            var opened = await OptionsApiTests.GetJsonAsync(client, "/api/strategies/Weekly%20Condor");
            Assert.Equal("weekly CONDOR", (string?)opened["name"]);
            Assert.Equal("mark", (string?)opened["entry"]);
            Assert.Equal("sticky_delta", (string?)opened["vol_model"]);
            Assert.Equal(legs.Select(l => ((string)l!["symbol"]!, (string)l["side"]!, (double)l["quantity"]!)),
                opened["legs"]!.AsArray().Select(l => ((string)l!["symbol"]!, (string)l["side"]!, (double)l["quantity"]!)));
            Assert.Single((await OptionsApiTests.GetJsonAsync(client, "/api/strategies"))["data"]!.AsArray());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_bad_name_or_leg_is_a_400_naming_it_an_unknown_name_a_404_and_nothing_is_saved()
    {
        await using var app = await TrackerApp.StartWithSimulatorAsync();
        using var http = app.Http();
        var legs = await PresetLegsAsync(http, "long_call");
        var symbol = (string)legs[0]!["symbol"]!;

        (string Name, object Body, string Error)[] cases =
        [
            (new string('x', 81), new { legs }, "name"),
            ("tab\there", new { legs }, "name"),
            ("\u202Eevil", new { legs }, "name"),
            (" padded", new { legs }, "name"),
            ("ok", new { legs = new object[] { new { symbol, side = "buy", quantity = 1 }, new { symbol = "BTC-1JAN20-1-C-USDT", side = "buy", quantity = 1 } } }, "legs[1].symbol"),
            ("ok", new { legs = new object[] { new { symbol, side = "buy", quantity = 0 } } }, "legs[0].quantity"),
            ("ok", new { legs = new object[] { new { symbol, side = "hold", quantity = 1 } } }, "legs[0].side"),
            ("ok", new { legs = Array.Empty<object>() }, "legs"),
            ("ok", new { legs, vol_model = "sticky_moneyness" }, "vol_model"),
        ];
        foreach (var (name, body, error) in cases)
        {
            var (status, problem) = await PutAsync(http, name, body);
            Assert.True(status == HttpStatusCode.BadRequest, $"{error}: {status} {problem}");
            Assert.True(problem?["errors"]?[error] is not null, $"{error} not named in {problem}");
        }
        Assert.Equal(0, (int)(await OptionsApiTests.GetJsonAsync(http, "/api/strategies"))["count"]!);

        using var missing = await http.GetAsync("/api/strategies/nothing-here", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("nothing-here", await missing.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        using var missingExport = await http.GetAsync("/api/strategies/nothing-here/export?format=csv", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missingExport.StatusCode);
        using var badFormat = await http.PostAsJsonAsync("/api/strategy/export?format=xml", new { legs }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
        Assert.Contains("\"format\"", await badFormat.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_and_json_exports_hold_the_legs_entry_greeks_payoff_and_grid_of_the_evaluation()
    {
        await using var app = await TrackerApp.StartWithSimulatorAsync(instruments: PresetBoards.Instruments);
        await app.WaitForFullBoardAsync();
        // The board held still, so the export and the evaluation see one market.
        app.Simulator!.Faults.SilentConnections = true;
        using var http = app.Http();
        var (_, legs) = await PresetBoards.PresetAsync(app, http, "iron_condor");
        using var evaluated = await http.PostAsJsonAsync("/api/strategy/evaluate", new { legs }, Ct);
        var evaluation = JsonNode.Parse(await evaluated.Content.ReadAsStringAsync(Ct))!;

        using var json = await http.PostAsJsonAsync("/api/strategy/export?format=json", new { legs }, Ct);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.StartsWith("attachment", json.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var exported = JsonNode.Parse(await json.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("BTC", (string?)exported["asset"]);
        Assert.Equal("touch", (string?)exported["entry"]);
        Assert.Equal("sticky_strike", (string?)exported["vol_model"]);
        Assert.Equal(4, exported["legs"]!.AsArray().Count);
        Assert.Equal((double)evaluation["entry"]!["touch"]!["premium"]!, (double)exported["evaluation"]!["entry"]!["touch"]!["premium"]!);
        Assert.Equal(evaluation["payoff"]!["at_expiry"]!.ToJsonString(), exported["evaluation"]!["payoff"]!["at_expiry"]!.ToJsonString());

        var (saved, _) = await PutAsync(http, "=condor, \"wide\"", new { legs });
        Assert.Equal(HttpStatusCode.OK, saved);
        using var csv = await http.GetAsync($"/api/strategies/{Uri.EscapeDataString("=CONDOR, \"wide\"")}/export?format=csv", Ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.Equal("section", header[0]);
        var rows = lines.Skip(1).Select(Cells).ToList();
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        string Cell(string[] row, string column) => row[Array.IndexOf(header, column)];

        // The user's name, quoted and kept from running as a formula.
        Assert.Contains(rows, r => Cell(r, "section") == "strategy" && Cell(r, "name") == "name" && Cell(r, "text") == "'=condor, \"wide\"");
        var legRows = rows.Where(r => Cell(r, "section") == "leg").ToList();
        Assert.Equal(legs.Select(l => (string)l!["symbol"]!), legRows.Select(r => Cell(r, "symbol")));
        // Premium at the touch, recomputed from the leg rows' own quotes. A side nobody quotes is an empty cell and adds
        // nothing, as in the evaluation (which warns of it): a short leg one strike out on a daily may have no bid.
        var touch = legRows.Sum(r => (Cell(r, "side") == "buy" ? 1 : -1) * double.Parse(Cell(r, "quantity"), CultureInfo.InvariantCulture)
            * (Cell(r, Cell(r, "side") == "buy" ? "ask" : "bid") is { Length: > 0 } price ? double.Parse(price, CultureInfo.InvariantCulture) : 0));
        var entry = double.Parse(Cell(rows.Single(r => Cell(r, "section") == "entry" && Cell(r, "name") == "touch"), "value"), CultureInfo.InvariantCulture);
        Assert.Equal(touch, entry, 6);
        Assert.Equal(8, rows.Count(r => Cell(r, "section") == "greeks"));
        var spot = evaluation["payoff"]!["spot"]!.AsArray();
        var atExpiry = rows.Where(r => Cell(r, "section") == "payoff" && Cell(r, "name") == "at_expiry").ToList();
        Assert.Equal(spot.Count, atExpiry.Count);
        Assert.Equal(spot.Select(s => (double)s!), atExpiry.Select(r => double.Parse(Cell(r, "spot"), CultureInfo.InvariantCulture)));
        Assert.Equal(evaluation["payoff"]!["at_expiry"]!.AsArray().Select(v => (double?)v),
            atExpiry.Select(r => Cell(r, "value") is { Length: > 0 } v ? double.Parse(v, CultureInfo.InvariantCulture) : (double?)null));
        Assert.Equal(21 * 21, rows.Count(r => Cell(r, "section") == "grid"));
        TestContext.Current.TestOutputHelper?.WriteLine($"{lines.Length} CSV lines; header: {lines[0]}");
    }

    /// <summary>One RFC 4180 line's cells (quoted cells may hold commas and doubled quotes).</summary>
    private static string[] Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }
        cells.Add(cell.ToString());
        return [.. cells];
    }

    [Fact]
    public async Task Saves_made_together_are_all_kept_up_to_the_limit_and_a_damaged_file_is_kept_aside()
    {
        var file = TempFile();
        await File.WriteAllTextAsync(file, "{\"version\":1,\"strategies\":[{\"name\":", Ct);
        try
        {
            await using var app = await TrackerApp.StartWithSimulatorAsync(new Dictionary<string, string?>
            {
                ["Strategies:File"] = file,
                ["Strategies:MaxCount"] = "12",
            });
            using var http = app.Http();
            // Started empty, the damaged file copied aside untouched for someone to look at.
            Assert.Equal(0, (int)(await OptionsApiTests.GetJsonAsync(http, "/api/strategies"))["count"]!);
            var copy = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(file)!, Path.GetFileName(file) + ".unreadable-*"));
            Assert.Equal("{\"version\":1,\"strategies\":[{\"name\":", await File.ReadAllTextAsync(copy, Ct));
            File.Delete(copy);

            var legs = await PresetLegsAsync(http, "straddle");
            var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => PutAsync(http, $"straddle {i:D2}", new { legs })));
            Assert.Equal(12, answers.Count(a => a.Status == HttpStatusCode.OK));
            var refused = answers.Where(a => a.Status != HttpStatusCode.OK).ToList();
            Assert.Equal(4, refused.Count);
            Assert.All(refused, a => Assert.Equal(HttpStatusCode.Conflict, a.Status));
            Assert.Contains("12", (string?)refused[0].Body!["detail"], StringComparison.Ordinal);

            // Full: a new name is refused, replacing a saved one is not.
            var list = await OptionsApiTests.GetJsonAsync(http, "/api/strategies");
            Assert.Equal(12, (int)list["count"]!);
            var kept = (string)list["data"]![0]!["name"]!;
            Assert.Equal(HttpStatusCode.OK, (await PutAsync(http, kept, new { legs })).Status);
            Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(http, "one more", new { legs })).Status);

            // The file holds every one of them: no save overwrote another's.
            var onDisk = JsonNode.Parse(await File.ReadAllTextAsync(file, Ct))!;
            Assert.Equal(list["data"]!.AsArray().Select(s => (string)s!["name"]!).Order(StringComparer.OrdinalIgnoreCase),
                onDisk["strategies"]!.AsArray().Select(s => (string)s!["name"]!).Order(StringComparer.OrdinalIgnoreCase));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Two_instances_sharing_redis_see_each_others_saved_strategies_and_one_limit()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var simulator = await BybitSimulator.StartAsync(new SimulatorOptions { BaseCoins = ["BTC"], TargetInstrumentCount = 120 }, Ct);
        var settings = RedisTestSettings.For(redis.Endpoint, "all").With(new Dictionary<string, string?>
        {
            ["Tracker:Assets"] = "BTC",
            ["Strategies:MaxCount"] = "3",
        });
        await using var first = await TrackerApp.StartAsync(simulator, settings);
        await using var second = await TrackerApp.StartAsync(simulator, settings);
        foreach (var app in new[] { first, second })
        {
            await Eventually.Until(() => app.Book.Index.Count == simulator.InstrumentCount && app.Book.Index.All.All(s => s.ReadQuote().HasData),
                "the instance's board filled");
        }
        using var one = first.Http();
        using var two = second.Http();
        // On an expiry that lists it: the nearest may be today's, listed with too few strikes for a vertical (it failed on 2 December).
        var (_, legs) = await PresetBoards.PresetAsync(first, one, "call_vertical");

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(one, "Shared spread", new { legs })).Status);
        var opened = await OptionsApiTests.GetJsonAsync(two, "/api/strategies/shared%20SPREAD");
        Assert.Equal("Shared spread", (string?)opened["name"]);
        Assert.Equal(legs.Count, opened["legs"]!.AsArray().Count);

        // One hash, one limit for both: two saved on the second instance fill it for the first too.
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(two, "Second", new { legs })).Status);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(two, "Third", new { legs })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(one, "Fourth", new { legs })).Status);
        Assert.Equal(3, (int)(await OptionsApiTests.GetJsonAsync(one, "/api/strategies"))["count"]!);
        var database = await redis.DatabaseAsync();
        Assert.Equal(3, await database.HashLengthAsync("strategies"));

        using var deleted = await one.DeleteAsync("/api/strategies/second", Ct);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(["Shared spread", "Third"],
            (await OptionsApiTests.GetJsonAsync(two, "/api/strategies"))["data"]!.AsArray().Select(s => (string)s!["name"]!));
        using var export = await two.GetAsync("/api/strategies/shared%20spread/export?format=json", Ct);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("Shared spread", (string?)JsonNode.Parse(await export.Content.ReadAsStringAsync(Ct))!["name"]);
    }
}
