using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OptionsTracker.Simulator.Deribit;

/// <summary>A request's parameters, from a JSON-RPC <c>params</c> object or an HTTP GET query string.</summary>
internal abstract class RpcParams
{
    public static readonly RpcParams Empty = new QueryParams(QueryCollection.Empty);

    /// <summary>A string parameter, or null when absent.</summary>
    public abstract string? GetString(string name);

    /// <summary>A string-array parameter (JSON array, or repeated / comma-separated query values), or null when absent.</summary>
    public abstract IReadOnlyList<string>? GetStringArray(string name);

    /// <summary>A number: absent → true with null; present but not a number → false.</summary>
    public abstract bool TryGetNumber(string name, out double? value);

    /// <summary>A boolean: absent → true with null; present but not a boolean → false.</summary>
    public abstract bool TryGetBoolean(string name, out bool? value);

    public static RpcParams From(JsonElement element) => new JsonParams(element);

    public static RpcParams From(IQueryCollection query) => new QueryParams(query);

    private sealed class JsonParams(JsonElement element) : RpcParams
    {
        private bool TryGet(string name, out JsonElement value)
        {
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
                return true;
            value = default;
            return false;
        }

        public override string? GetString(string name) =>
            TryGet(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

        public override IReadOnlyList<string>? GetStringArray(string name)
        {
            if (!TryGet(name, out var v))
                return null;
            if (v.ValueKind != JsonValueKind.Array)
                return [];
            return [.. v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText())];
        }

        public override bool TryGetNumber(string name, out double? value)
        {
            value = null;
            if (!TryGet(name, out var v))
                return true;
            if (v.ValueKind == JsonValueKind.Number)
            {
                value = v.GetDouble();
                return true;
            }

            if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
            {
                value = parsed;
                return true;
            }

            return false;
        }

        public override bool TryGetBoolean(string name, out bool? value)
        {
            value = null;
            if (!TryGet(name, out var v))
                return true;
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                value = v.GetBoolean();
                return true;
            }

            if (v.ValueKind == JsonValueKind.String && bool.TryParse(v.GetString(), out bool parsed))
            {
                value = parsed;
                return true;
            }

            return false;
        }
    }

    private sealed class QueryParams(IQueryCollection query) : RpcParams
    {
        public override string? GetString(string name) => query.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

        public override IReadOnlyList<string>? GetStringArray(string name)
        {
            if (query.TryGetValue(name, out var v) && v.Count > 0)
                return [.. v.SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
            if (query.TryGetValue(name + "[]", out var bracketed) && bracketed.Count > 0)
                return [.. bracketed.Select(s => s ?? "")];
            return null;
        }

        public override bool TryGetNumber(string name, out double? value)
        {
            value = null;
            string? text = GetString(name);
            if (text is null)
                return true;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed))
            {
                value = parsed;
                return true;
            }

            return false;
        }

        public override bool TryGetBoolean(string name, out bool? value)
        {
            value = null;
            string? text = GetString(name);
            if (text is null)
                return true;
            if (bool.TryParse(text, out bool parsed))
            {
                value = parsed;
                return true;
            }

            return false;
        }
    }
}

/// <summary>A JSON-RPC error: <c>{"code":…,"message":…,"data":{"reason":…,"param":…}}</c>.</summary>
internal sealed record RpcError(int Code, string Message, string? Reason = null, string? Param = null)
{
    public static RpcError InvalidParams(string param, string reason) => new(-32602, "Invalid params", reason, param);

    public static RpcError MethodNotFound(string method) => new(-32601, "Method not found", $"unknown method {method}");

    /// <summary>Deribit's rate-limit error.</summary>
    public static readonly RpcError TooManyRequests = new(10028, "too_many_requests");
}
