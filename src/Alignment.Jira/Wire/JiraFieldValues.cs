using System.Globalization;
using System.Text.Json;

namespace Alignment.Jira.Wire;

/// <summary>A sprint as the sprint field reports it (Cloud objects or Data Center <c>Sprint@…[…]</c> strings).</summary>
public sealed record JiraSprintRef(long Id, string? Name, string? State, DateTimeOffset? StartDate, DateTimeOffset? EndDate, DateTimeOffset? CompleteDate);

/// <summary>Reads values of site-specific custom fields.</summary>
public static class JiraFieldValues
{
    /// <summary>The sprint field: an array of objects (Cloud) or of <c>com.atlassian.greenhopper.service.sprint.Sprint@…[id=2,state=FUTURE,…]</c> strings.</summary>
    public static IReadOnlyList<JiraSprintRef> Sprints(JsonElement? value)
    {
        if (value is not { } v) return [];
        var list = new List<JiraSprintRef>();
        IEnumerable<JsonElement> items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [v];
        foreach (var e in items)
        {
            var s = e.ValueKind switch
            {
                JsonValueKind.Object => FromObject(e),
                JsonValueKind.String => FromString(e.GetString()),
                _ => null,
            };
            if (s is not null && list.TrueForAll(x => x.Id != s.Id)) list.Add(s);
        }
        return list;
    }

    private static JiraSprintRef? FromObject(JsonElement e)
    {
        if (!e.TryGetProperty("id", out var idEl)) return null;
        long id;
        if (idEl.ValueKind == JsonValueKind.Number) id = idEl.GetInt64();
        else if (!long.TryParse(idEl.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out id)) return null;
        return new JiraSprintRef(id, Str(e, "name"), Str(e, "state")?.ToLowerInvariant(),
            Date(Str(e, "startDate")), Date(Str(e, "endDate")), Date(Str(e, "completeDate")));
    }

    /// <summary>Parses <c>…Sprint@7eede03a[id=2,rapidViewId=2,state=FUTURE,name=SP Sprint 2,goal=&lt;null&gt;,startDate=&lt;null&gt;,…]</c>.</summary>
    public static JiraSprintRef? FromString(string? s)
    {
        if (string.IsNullOrEmpty(s)) return null;
        var open = s.IndexOf('[');
        var close = s.LastIndexOf(']');
        if (open < 0 || close <= open) return null;
        var body = s[(open + 1)..close];
        // Values (sprint names, goals) may contain commas: a new pair starts only at ",key=" for a known-looking key.
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? key = null;
        var start = 0;
        for (var i = 0; i <= body.Length; i++)
        {
            if (i < body.Length && !(body[i] == ',' && LooksLikeKey(body, i + 1))) continue;
            var part = body[start..i];
            var eq = part.IndexOf('=');
            if (eq > 0 && (key is null || LooksLikeKey(part, 0)))
            {
                key = part[..eq];
                pairs[key] = part[(eq + 1)..];
            }
            else if (key is not null) pairs[key] += "," + part;
            start = i + 1;
        }
        if (!pairs.TryGetValue("id", out var idText) || !long.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id)) return null;
        string? Get(string k) => pairs.TryGetValue(k, out var v) && v != "<null>" && v.Length > 0 ? v : null;
        return new JiraSprintRef(id, Get("name"), Get("state")?.ToLowerInvariant(), Date(Get("startDate")), Date(Get("endDate")), Date(Get("completeDate")));
    }

    private static bool LooksLikeKey(string s, int at)
    {
        var i = at;
        while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
        return i > at && i < s.Length && s[i] == '=';
    }

    /// <summary>A number field (story points) as <see cref="double"/>; numeric strings are accepted.</summary>
    public static double? Number(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Number } v => v.GetDouble(),
        { ValueKind: JsonValueKind.String } v when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    /// <summary>A string field (rank, epic link); an object's <c>key</c> or <c>value</c> when the site wraps it.</summary>
    public static string? Text(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Object } v => Str(v, "key") ?? Str(v, "value"),
        _ => null,
    };

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static DateTimeOffset? Date(string? s) => JiraDateTimeOffsetConverter.TryParse(s, out var d) ? d : null;
}
