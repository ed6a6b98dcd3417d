using System.Globalization;
using System.Text.Json;

namespace OptionsTracker.Bench;

/// <summary>
/// The parse-only ceiling: what one core can do with a ticker frame before any book exists. A
/// <see cref="Utf8JsonReader"/> visits every token and every string value is parsed as a number (Bybit sends numbers as
/// strings), which is the least any parser of these frames must do. Nothing is matched, looked up or stored.
/// </summary>
public static class ParseCeiling
{
    /// <summary>Walks one frame; returns a checksum of the numbers so the work cannot be optimised away.</summary>
    public static double Walk(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 8 });
        var sum = 0.0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String
                && double.TryParse(reader.ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                sum += value;
            }
            else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
            {
                sum += number;
            }
        }
        return sum;
    }

    /// <summary>Walks <paramref name="frames"/> round robin on the calling thread for about <paramref name="duration"/>.</summary>
    public static (long Frames, TimeSpan Elapsed, double Checksum) Run(byte[][] frames, TimeSpan duration)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long walked = 0;
        var checksum = 0.0;
        while (System.Diagnostics.Stopwatch.GetElapsedTime(started) < duration)
        {
            foreach (var frame in frames)
                checksum += Walk(frame);
            walked += frames.Length;
        }
        return (walked, System.Diagnostics.Stopwatch.GetElapsedTime(started), checksum);
    }
}
