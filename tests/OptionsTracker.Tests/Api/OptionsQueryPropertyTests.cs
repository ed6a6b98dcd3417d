using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using OptionsTracker.Book;
using OptionsTracker.Tests.Fixtures;

namespace OptionsTracker.Tests.Api;

public class OptionsQueryPropertyTests
{
    private sealed record Query(string? Expiry, string? Type, string? Strike, string? Sort, int? Limit, int? Offset)
    {
        public string Path()
        {
            var parts = new List<string>();
            if (Expiry is not null) parts.Add($"expiry={Uri.EscapeDataString(Expiry)}");
            if (Type is not null) parts.Add($"type={Type}");
            if (Strike is not null) parts.Add($"strike={Strike}");
            if (Sort is not null) parts.Add($"sort={Uri.EscapeDataString(Sort)}");
            if (Limit is not null) parts.Add($"limit={Limit}");
            if (Offset is not null) parts.Add($"offset={Offset}");
            return "/api/options/BTC" + (parts.Count == 0 ? "" : "?" + string.Join('&', parts));
        }
    }

    /// <summary>Sort keys computed naively from the book, independent of the API's field table.</summary>
    private static readonly Dictionary<string, Func<OptionInstrument, OptionQuote, IComparable?>> SortKeys = new()
    {
        ["symbol"] = (i, _) => i.Symbol,
        ["type"] = (i, _) => i.Type == OptionType.Call ? 0 : 1,
        ["strike"] = (i, _) => i.Strike,
        ["expiry"] = (i, _) => i.ExpiryUtc,
        ["expiry_date"] = (i, _) => i.ExpiryUtc,
        ["mark_price"] = (_, q) => Present(q.MarkPrice),
        ["last_price"] = (_, q) => Present(q.LastPrice),
        ["volume_24h"] = (_, q) => Present(q.Volume24h),
        ["open_interest"] = (_, q) => Present(q.OpenInterest),
        ["iv"] = (_, q) => Present(q.MarkIv),
        ["delta"] = (_, q) => Present(q.Delta),
        ["theta"] = (_, q) => Present(q.Theta),
        ["updated_at"] = (_, q) => q.HasData ? q.ExchangeTimeMs : null,
    };

    private static double? Present(double value) => double.IsFinite(value) ? value : null;

    [Fact]
    public async Task Options_filters_return_exactly_what_a_naive_filter_over_the_book_returns()
    {
        await using var host = await TrackerApp.StartForApiAsync();
        BookBuilder.Fill(host.Book);
        using var http = host.Http();
        var dates = BookBuilder.Expiries(host.Book.TimeProvider.GetUtcNow());
        var expiryForms = dates.SelectMany(d => new[]
            {
                ExpiryLabel.Format(d), BookBuilder.ExchangeExpiry(d), d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            })
            .Append("all").Append("01JAN30").Append(null).ToArray();
        var sorts = SortKeys.Keys.SelectMany(k => new[] { k, "-" + k }).Append(null).ToArray();

        var filters = Gen.Select(
            Gen.OneOf(expiryForms),
            Gen.OneOf<string?>("call", "put", "all", "C", "Put", null),
            Gen.OneOf<string?>("80000", "100000", "100000.0", "95000", "12345", "all", null),
            Gen.OneOf(sorts),
            (expiry, type, strike, sort) => (expiry, type, strike, sort));
        var queries = Gen.Select(filters, Gen.Int[0, 70].Nullable(), Gen.Int[0, 70].Nullable(),
            (f, limit, offset) => new Query(f.expiry, f.type, f.strike, f.sort, limit, offset));

        await queries.SampleAsync(async query =>
        {
            var expected = Naive(host.Book, query);
            var body = await OptionsApiTests.GetJsonAsync(http, query.Path());
            Assert.Equal(expected.Total, (int)body["total"]!);
            Assert.Equal(expected.Symbols, body["data"]!.AsArray().Select(i => (string)i!["symbol"]!));
        }, iter: 300, print: q => q.Path());
    }

    private static (int Total, List<string> Symbols) Naive(OptionBook book, Query query)
    {
        DateOnly? expiry = query.Expiry is null or "all"
            ? null
            : DateOnly.TryParseExact(query.Expiry, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso) ? iso
            : ExpiryLabel.TryParse(query.Expiry, out var label) ? label : throw new InvalidOperationException(query.Expiry);
        OptionType? type = query.Type?.ToUpperInvariant() switch { "CALL" or "C" => OptionType.Call, "PUT" => OptionType.Put, _ => null };
        decimal? strike = query.Strike is null or "all" ? null : decimal.Parse(query.Strike, CultureInfo.InvariantCulture);

        var matches = book.Index.All
            .Select((slot, position) => (slot.Instrument, Quote: slot.ReadQuote(), Position: position))
            .Where(r => r.Instrument.BaseCoin == "BTC")
            .Where(r => expiry is null || r.Instrument.ExpiryDate == expiry)
            .Where(r => type is null || r.Instrument.Type == type)
            .Where(r => strike is null || r.Instrument.Strike == strike)
            .ToList();
        if (query.Sort is { } sort)
        {
            var descending = sort.StartsWith('-');
            var key = SortKeys[sort.TrimStart('-')];
            var present = matches.Where(r => key(r.Instrument, r.Quote) is not null);
            var ordered = descending
                ? present.OrderByDescending(r => key(r.Instrument, r.Quote)).ThenBy(r => r.Position)
                : present.OrderBy(r => key(r.Instrument, r.Quote)).ThenBy(r => r.Position);
            matches = [.. ordered, .. matches.Where(r => key(r.Instrument, r.Quote) is null)];
        }
        var page = matches.Skip(query.Offset ?? 0).Take(query.Limit ?? int.MaxValue).Select(r => r.Instrument.Symbol).ToList();
        return (matches.Count, page);
    }
}
