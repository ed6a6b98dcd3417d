using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace OptionsTracker.Api;

/// <summary>
/// Source-generated JSON for every HTTP response: snake_case names as the original tool's API used, no
/// reflection at run time. Add a type here when an endpoint returns it.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(OptionItem))]
[JsonSerializable(typeof(OptionListResponse))]
[JsonSerializable(typeof(ExpiryListResponse))]
[JsonSerializable(typeof(StrikeListResponse))]
[JsonSerializable(typeof(SymbolListResponse))]
[JsonSerializable(typeof(SummaryResponse))]
[JsonSerializable(typeof(GreeksResponse))]
[JsonSerializable(typeof(OptionQueryRequest))]
[JsonSerializable(typeof(TermResponse))]
[JsonSerializable(typeof(VolatilityResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(FitResponse))]
[JsonSerializable(typeof(PositioningResponse))]
[JsonSerializable(typeof(SurfaceResponse))]
[JsonSerializable(typeof(HistoryRangeResponse))]
[JsonSerializable(typeof(HistorySeriesResponse))]
[JsonSerializable(typeof(StrategyRequest))]
[JsonSerializable(typeof(StrategyResponse))]
[JsonSerializable(typeof(StrategyPresetsResponse))]
[JsonSerializable(typeof(TradeListResponse))]
[JsonSerializable(typeof(TradeItem))]
[JsonSerializable(typeof(FlowResponse))]
[JsonSerializable(typeof(TradeStreamMessage))]
[JsonSerializable(typeof(SavedStrategyListResponse))]
[JsonSerializable(typeof(SavedStrategyItem))]
[JsonSerializable(typeof(StrategyExport))]
[JsonSerializable(typeof(CompareResponse))]
internal sealed partial class AppJsonContext : JsonSerializerContext;
