using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OptionsTracker.Api;
using OptionsTracker.Book;
using OptionsTracker.Feed;
using OptionsTracker.Tests.Fixtures;
using OptionsTracker.Bybit;

namespace OptionsTracker.Tests.Api;

/// <summary>Items carry their venue; <c>venue</c> filters lists and picks the option of a symbol listed on two venues.</summary>
public class VenueApiTests
{
    private static readonly Venue Deribit = Venue.Parse("deribit");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Deribit copies of two Bybit BTC options (same symbols), and one symbol only Deribit lists.</summary>
    private static (string Shared, string DeribitOnly) AddDeribitOptions(OptionBook book)
    {
        var bybit = book.Index.All.Where(s => s.Instrument.BaseCoin == "BTC").Take(2).ToArray();
        var deribitOnly = bybit[0].Instrument.Symbol.Replace("-USDT", "", StringComparison.Ordinal);
        var instruments = bybit.Select(s => s.Instrument.Symbol).Append(deribitOnly).Select(symbol =>
        {
            Assert.True(BybitSymbol.TryCreateInstrument(Deribit, symbol, bybit[0].Instrument.ExpiryUtc, "Trading", out var instrument));
            return instrument!;
        });
        Assert.Equal(3, book.AddInstruments(instruments).Count);
        Assert.True(book.Index.TryGetSlot(Deribit, bybit[0].Instrument.Symbol, out var slot));
        var update = new QuoteUpdate { ExchangeTimeMs = book.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds() };
        update.Set(QuoteField.MarkPrice, 0.0123);
        book.Apply(slot, update);
        return (bybit[0].Instrument.Symbol, deribitOnly);
    }

    [Fact]
    public async Task Items_say_bybit_and_the_bybit_filter_keeps_every_one()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        var all = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC");
        var bybit = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=bybit");
        var anyCase = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=ByBit");
        var every = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=all");

        Assert.Equal(56, (int)all["total"]!);
        Assert.All(all["data"]!.AsArray(), i => Assert.Equal("bybit", (string?)i!["venue"]));
        Assert.Equal(WithoutClock(all), WithoutClock(bybit));
        Assert.Equal(WithoutClock(all), WithoutClock(anyCase));
        Assert.Equal(WithoutClock(all), WithoutClock(every));
        var option = await OptionsApiTests.GetJsonAsync(http, $"/api/option/{(string)all["data"]![0]!["symbol"]!}?fields=symbol,venue");
        Assert.Equal(["symbol", "venue"], option.AsObject().Select(p => p.Key));
        Assert.Equal("bybit", (string?)option["venue"]);
    }

    /// <summary>The answer without <c>days_to_expiry</c>, which follows the clock between two requests.</summary>
    private static string WithoutClock(System.Text.Json.Nodes.JsonNode answer)
    {
        var copy = answer.DeepClone();
        foreach (var item in copy["data"]!.AsArray())
            item!.AsObject().Remove("days_to_expiry");
        return copy.ToJsonString();
    }

    [Theory]
    [InlineData("/api/options/BTC?venue=kraken")]
    [InlineData("/api/options/BTC?venue=by%20bit")]
    [InlineData("/api/export/csv?venue=kraken")]
    [InlineData("/api/option/BTC-26DEC25-100000-C?venue=kraken")]
    public async Task An_unknown_venue_is_a_bad_request_naming_the_known_ones(string path)
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();

        using var response = await http.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!;
        var message = (string)problem["errors"]!["venue"]![0]!;
        Assert.Contains("is not a venue", message, StringComparison.Ordinal);
        Assert.Contains("Use one of bybit, or all", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_second_venue_the_filter_splits_the_list_and_a_shared_symbol_answers_bybit_first()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        var (shared, deribitOnly) = AddDeribitOptions(host.Book);
        using var http = host.Http();

        var all = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC");
        var deribit = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=deribit");
        var bybit = await OptionsApiTests.GetJsonAsync(http, "/api/options/BTC?venue=bybit");

        Assert.Equal(59, (int)all["total"]!);
        Assert.Equal(3, (int)deribit["total"]!);
        Assert.All(deribit["data"]!.AsArray(), i => Assert.Equal("deribit", (string?)i!["venue"]));
        Assert.Equal(56, (int)bybit["total"]!);
        Assert.All(bybit["data"]!.AsArray(), i => Assert.Equal("bybit", (string?)i!["venue"]));

        // One symbol, two venues: without venue the known venues' order decides (bybit first); venue picks.
        var plain = await OptionsApiTests.GetJsonAsync(http, $"/api/option/{shared}");
        var picked = await OptionsApiTests.GetJsonAsync(http, $"/api/option/{shared}?venue=deribit");
        Assert.Equal("bybit", (string?)plain["venue"]);
        Assert.Equal("deribit", (string?)picked["venue"]);
        Assert.Equal(0.0123, (double)picked["mark_price"]!);
        Assert.Equal("deribit", (string?)(await OptionsApiTests.GetJsonAsync(http, $"/api/option/{deribitOnly}"))["venue"]);
        using var absent = await http.GetAsync($"/api/option/{deribitOnly}?venue=bybit", Ct);
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);

        // A venue the book holds is accepted even before configuration names it; an unknown one lists both.
        using var unknown = await http.GetAsync("/api/options/BTC?venue=okx", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Use one of bybit, deribit, or all", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_export_ends_each_row_with_the_venue_and_filters_by_it()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        AddDeribitOptions(host.Book);
        using var http = host.Http();

        var csv = await http.GetStringAsync("/api/export/csv?asset=BTC", Ct);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",status,delivery_price,venue", lines[0], StringComparison.Ordinal);
        Assert.Equal(56, lines.Count(l => l.EndsWith(",bybit", StringComparison.Ordinal)));
        Assert.Equal(3, lines.Count(l => l.EndsWith(",deribit", StringComparison.Ordinal)));

        var onlyDeribit = await http.GetStringAsync("/api/export/csv?asset=BTC&venue=deribit&fields=venue,symbol", Ct);
        var rows = onlyDeribit.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("venue,symbol", rows[0]);
        Assert.Equal(3, rows.Length - 1);
        Assert.All(rows.Skip(1), r => Assert.StartsWith("deribit,BTC-", r, StringComparison.Ordinal));
    }

    [Fact]
    public void A_known_venue_without_options_answers_an_empty_list()
    {
        var time = TimeProvider.System;
        var book = new OptionBook(time);
        BookBuilder.Fill(book);
        // Tracking BTC; nothing changes the set, so the assets file is never written.
        var tracked = new TrackedAssets(
            Options.Create(new TrackerOptions { Assets = ["BTC"], AssetsFile = Path.Combine(Path.GetTempPath(), $"optionstracker-test-{Guid.NewGuid():N}.json") }),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        var reader = new BookReader(new InMemoryOptionStore(book), tracked, time, new KnownVenues([Venue.Bybit, Deribit]));

        var deribit = OptionsApi.GetOptions("BTC", new OptionFilterQuery { Venue = "deribit" }, new ListQuery(), reader).Result;
        var bybit = OptionsApi.GetOptions("BTC", new OptionFilterQuery { Venue = "bybit" }, new ListQuery(), reader).Result;
        var unknown = OptionsApi.GetOptions("BTC", new OptionFilterQuery { Venue = "okx" }, new ListQuery(), reader).Result;

        Assert.Equal(0, Assert.IsType<OptionListResult>(deribit).Total);
        Assert.Equal(56, Assert.IsType<OptionListResult>(bybit).Total);
        var problem = Assert.IsType<ValidationProblem>(unknown);
        Assert.Contains("Use one of bybit, deribit, or all", problem.ProblemDetails.Errors["venue"][0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_items_carry_the_venue_and_removals_name_it()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        var (shared, _) = AddDeribitOptions(host.Book);
        using var http = host.Http();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));

        await using var events = await SseEvents.OpenAsync(http, "/api/stream/BTC", timeout.Token);
        var snapshot = await events.NextAsync(timeout.Token);
        var venues = snapshot.Data["data"]!.AsArray().Select(i => (string)i!["venue"]!).ToList();
        Assert.Equal(56, venues.Count(v => v == "bybit"));
        Assert.Equal(3, venues.Count(v => v == "deribit"));

        host.Book.RemoveInstruments([new InstrumentKey(Deribit, shared)]);
        var removal = await events.NextAsync(timeout.Token);
        Assert.Equal("remove", removal.Event);
        Assert.Equal([shared], removal.Data["symbols"]!.AsArray().Select(s => (string?)s));
        Assert.Equal(["deribit"], removal.Data["venues"]!.AsArray().Select(s => (string?)s));
    }
}
