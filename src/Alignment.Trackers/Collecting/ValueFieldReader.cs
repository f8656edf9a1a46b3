using System.Globalization;
using System.Text.Json;

namespace Alignment.Trackers.Collecting;

/// <summary>
/// Reads the configured value fields (<c>Sources:N:Fields</c>) of one item. A number, a numeric string or an option object whose
/// <c>value</c> is numeric (a Jira select list) is read; absent or null is no value. Anything else is a problem named by the input,
/// the field and the value found: the item is still written (without that input) and the problem is kept in the quarantine
/// (docs/reliability.md), so the sync goes on and someone can see and fix the field.
/// </summary>
public static class ValueFieldReader
{
    /// <summary>A value field of one item that does not hold a number.</summary>
    public sealed record Problem(string Input, string Field, string Path, string Reason);

    /// <param name="field">The field's JSON value by field id/reference name (null when the item does not carry it).</param>
    /// <param name="pathOf">The JSON path of a field inside the item's payload (for the quarantine row).</param>
    public static ItemValue? Read(ValueFieldIds ids, Func<string, JsonElement?> field, Func<string, string> pathOf, List<Problem>? problems)
    {
        if (!ids.Any) return null;
        double? Get(string? id, string input)
        {
            if (id is null || field(id) is not { } v) return null;
            if (TryNumber(v, out var d)) return d;
            if (v.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
            if (v.ValueKind == JsonValueKind.String && string.IsNullOrWhiteSpace(v.GetString())) return null;
            var shown = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
            if (shown.Length > 80) shown = shown[..80] + "…";
            problems?.Add(new Problem(input, id, pathOf(id),
                $"value field {input} ({id}) expected a number at {pathOf(id)}, got {v.ValueKind.ToString().ToLowerInvariant()} '{shown}'; the item is kept without {input}"));
            return null;
        }
        return ItemValue.Of(Get(ids.BusinessValue, nameof(ids.BusinessValue)), Get(ids.TimeCriticality, nameof(ids.TimeCriticality)),
            Get(ids.RiskReduction, nameof(ids.RiskReduction)), Get(ids.JobSize, nameof(ids.JobSize)), Get(ids.Budget, nameof(ids.Budget)));
    }

    private static bool TryNumber(JsonElement v, out double d)
    {
        d = 0;
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                d = v.GetDouble();
                return double.IsFinite(d);
            case JsonValueKind.String:
                return double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d);
            case JsonValueKind.Object:
                return v.TryGetProperty("value", out var inner) && inner.ValueKind is JsonValueKind.Number or JsonValueKind.String && TryNumber(inner, out d);
            default:
                return false;
        }
    }

    /// <summary>The quarantine rows of an item's value-field problems (the item itself is written).</summary>
    public static IEnumerable<ItemFailure> Failures(IEnumerable<Problem> problems, string externalId, string? key, string request, string body) =>
        problems.GroupBy(p => p.Path).Select(g => g.First()) is var distinct && distinct.Any()
            ? [new ItemFailure(externalId, key, request, string.Join(", ", distinct.Select(p => p.Path)), string.Join("; ", distinct.Select(p => p.Reason)), body)]
            : [];
}
