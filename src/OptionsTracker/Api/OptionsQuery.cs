using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;
using OptionsTracker.Book;

namespace OptionsTracker.Api;

/// <summary>The filters of <c>/api/options/{asset}</c> and the CSV/JSON exports, bound as text and parsed by <see cref="QueryErrors"/>.</summary>
public sealed class OptionFilterQuery
{
    [FromQuery(Name = "expiry"), Description("26DEC25 (6JAN26 works too), an ISO date like 2025-12-26, or all (default).")]
    public string? Expiry { get; init; }

    [FromQuery(Name = "type"), Description("call, put or all (default).")]
    public string? Type { get; init; }

    [FromQuery(Name = "strike"), Description("A strike such as 100000 or 0.25 (0 to 1000000000000), or all (default).")]
    public string? Strike { get; init; }

    [FromQuery(Name = "venue"), Description("A venue such as bybit, or all (default).")]
    public string? Venue { get; init; }

    internal OptionFilter Parse(QueryErrors errors, KnownVenues venues, BookIndex index) => new()
    {
        Venue = errors.Venue(Venue, venues, index),
        Expiry = errors.Expiry(Expiry),
        Type = errors.Type(Type),
        Strike = errors.Strike(Strike),
    };
}

/// <summary>Ordering, paging and projection, shared by every endpoint that lists options.</summary>
public sealed class ListQuery
{
    public const int MaxLimit = 100_000;

    [FromQuery(Name = "sort"), Description("An item field such as volume_24h; a leading - sorts descending. Missing values sort last. Default: expiry, strike, type.")]
    public string? Sort { get; init; }

    [FromQuery(Name = "limit"), Description("At most this many items (0 to 100000). Default: all.")]
    public string? Limit { get; init; }

    [FromQuery(Name = "offset"), Description("Skip this many items first (0 or more). Default: 0.")]
    public string? Offset { get; init; }

    [FromQuery(Name = "fields"), Description("A comma list of item fields to return, e.g. symbol,mark_price,iv or symbol,mark_iv,model_iv,model_divergent. Default: every field except the model's (model_*), which are returned only when named here.")]
    public string? Fields { get; init; }

    internal ListSpec Parse(QueryErrors errors, OptionField? defaultSort = null, bool defaultDescending = false, int? defaultLimit = null)
    {
        var (sort, descending) = errors.Sort(Sort);
        if (sort is null && string.IsNullOrWhiteSpace(Sort))
            (sort, descending) = (defaultSort, defaultDescending);
        return new ListSpec(
            sort,
            descending,
            errors.Integer(Offset, "offset", 0, int.MaxValue) ?? 0,
            errors.Integer(Limit, "limit", 0, MaxLimit) ?? defaultLimit,
            errors.Fields(Fields));
    }
}

internal sealed record ListSpec(OptionField? Sort, bool Descending, int Offset, int? Limit, OptionField[] Fields);
