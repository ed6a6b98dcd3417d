using System.Text.Json.Serialization;

namespace OptionsTracker.Alerts;

/// <summary>The webhook's JSON: snake_case like the API, nulls left out, no reflection at run time.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Alert))]
internal sealed partial class AlertsJsonContext : JsonSerializerContext;
