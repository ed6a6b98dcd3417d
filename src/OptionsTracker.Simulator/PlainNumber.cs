using System.Globalization;

namespace OptionsTracker.Simulator;

/// <summary>
/// Numbers the way Bybit writes them inside JSON strings: invariant, plain notation (never an exponent), shortest
/// round-trip digits, or 8 decimals where that would need an exponent; no trailing zeros. NaN and infinities are written as nothing (Bybit's <c>""</c> for a missing value).
/// </summary>
internal static class PlainNumber
{
    /// <summary>Longest text <see cref="TryFormat"/> writes for values the market model produces.</summary>
    public const int MaxLength = 32;

    public static bool TryFormat(double value, Span<byte> destination, out int written)
    {
        if (!double.IsFinite(value))
        {
            written = 0;
            return true;
        }

        // Shortest round-trip text first (no binary noise such as 0.06910001); it uses an exponent only for very small or
        // large values, which are then written fixed-point with 8 decimals.
        if (value.TryFormat(destination, out written, default, CultureInfo.InvariantCulture)
            && destination[..written].IndexOf((byte)'E') < 0)
        {
            return true;
        }

        if (!value.TryFormat(destination, out written, "F8", CultureInfo.InvariantCulture))
            return false;

        int dot = destination[..written].IndexOf((byte)'.');
        if (dot >= 0)
        {
            int end = written;
            while (destination[end - 1] == (byte)'0')
                end--;
            if (end == dot + 1)
                end = dot;
            written = end;
        }

        if (written == 2 && destination[0] == (byte)'-' && destination[1] == (byte)'0')
        {
            destination[0] = (byte)'0';
            written = 1;
        }

        return true;
    }

    public static string Format(double value)
    {
        Span<byte> buffer = stackalloc byte[400];
        return TryFormat(value, buffer, out int written) ? System.Text.Encoding.ASCII.GetString(buffer[..written]) : "0";
    }
}
