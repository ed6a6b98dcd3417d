using System.Diagnostics.CodeAnalysis;

namespace OptionsTracker.Book;

/// <summary>
/// Which exchange an option trades on: an identity only, a short lowercase id (<c>bybit</c>). The book keys slots
/// by (venue, symbol) because two venues can list the same symbol string (a Bybit legacy USDC symbol equals a
/// Deribit name); what a venue does lives in its own folder, never here. <c>default(Venue)</c> is no venue: an
/// instrument refuses it.
/// </summary>
public readonly struct Venue : IEquatable<Venue>
{
    /// <summary>Longest id accepted: ids are short names, and a query echoing a long one is a typo or a probe.</summary>
    public const int MaxLength = 16;

    private readonly string? _id;

    private Venue(string id) => _id = id;

    /// <summary>Bybit, the venue of the original tool and of every key it wrote.</summary>
    public static Venue Bybit { get; } = new("bybit");

    /// <summary>The lowercase id, as in API items (<c>venue</c>) and Redis keys.</summary>
    public string Id => _id ?? throw new InvalidOperationException("default(Venue) is no venue.");

    public bool IsDefault => _id is null;

    /// <summary>
    /// Reads an id: a letter, then letters and digits, at most <see cref="MaxLength"/>, any ASCII case (stored
    /// lowercase, so <c>Bybit</c> is <see cref="Bybit"/>). Allocates the id once, except for Bybit.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Venue venue)
    {
        venue = default;
        if (text.IsEmpty || text.Length > MaxLength || !char.IsAsciiLetter(text[0]))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
                return false;
        }
        if (text.Equals(Bybit._id, StringComparison.OrdinalIgnoreCase))
        {
            venue = Bybit;
            return true;
        }
        venue = new Venue(text.ToString().ToLowerInvariant());
        return true;
    }

    /// <summary>As <see cref="TryParse"/>, throwing for an id that is not one (configuration, code).</summary>
    public static Venue Parse(string id) =>
        TryParse(id, out var venue) ? venue : throw new ArgumentException($"'{id}' is not a venue id (a letter, then letters or digits, at most {MaxLength}).", nameof(id));

    // Ids are few and short; Bybit's is one shared instance, so the common comparison is a reference check.
    public bool Equals(Venue other) => string.Equals(_id, other._id, StringComparison.Ordinal);

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Venue other && Equals(other);

    public override int GetHashCode() => _id is null ? 0 : StringComparer.Ordinal.GetHashCode(_id);

    public static bool operator ==(Venue left, Venue right) => left.Equals(right);

    public static bool operator !=(Venue left, Venue right) => !left.Equals(right);

    public override string ToString() => _id ?? "";
}
