using System.Text.Json;
using System.Text.Json.Serialization;

namespace OptionsTracker.Strategies;

/// <summary>The file's (and each Redis hash value's) JSON: snake_case as the API, sides as <c>buy</c>/<c>sell</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, Converters = [typeof(LegSideJsonConverter)])]
[JsonSerializable(typeof(SavedStrategy))]
[JsonSerializable(typeof(StrategyLibraryFile))]
internal sealed partial class StrategiesJsonContext : JsonSerializerContext;

/// <summary>The state file: a version for the day the shape changes, then the strategies by name.</summary>
internal sealed record StrategyLibraryFile(int Version, IReadOnlyList<SavedStrategy> Strategies)
{
    public const int CurrentVersion = 1;
}

/// <summary>A side as the API spells it, so the file reads like a request body.</summary>
internal sealed class LegSideJsonConverter : JsonConverter<LegSide>
{
    public override LegSide Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            if (reader.ValueTextEquals("buy"u8))
                return LegSide.Buy;
            if (reader.ValueTextEquals("sell"u8))
                return LegSide.Sell;
        }
        throw new JsonException("A leg's side is \"buy\" or \"sell\".");
    }

    public override void Write(Utf8JsonWriter writer, LegSide value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value == LegSide.Buy ? "buy"u8 : "sell"u8);
}
