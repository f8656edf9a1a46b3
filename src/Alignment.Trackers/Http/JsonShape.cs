using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace Alignment.Trackers.Http;

/// <summary>
/// Tells a truncated body from a well-formed one of the wrong shape, and words a type mismatch as
/// "expected a number at $.values[0].id, got 1.5" (docs/reliability.md, "What is tolerated").
/// </summary>
public static partial class JsonShape
{
    /// <summary>Whether the bytes are one complete, well-formed JSON value (a cheap reader pass; used only on the error path).</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
            while (reader.Read()) { }
            return reader.BytesConsumed > 0 && reader.CurrentDepth == 0;
        }
        catch (JsonException) { return false; }
    }

    /// <summary>"expected a number at $.values[0].id, got 1.5" from a deserialization error on a well-formed body of <paramref name="type"/>.</summary>
    public static string Mismatch(JsonException e, ReadOnlySpan<byte> body, JsonTypeInfo? type = null)
    {
        var path = e.Path ?? "$";
        string? found = null;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 256 });
            found = Find(doc.RootElement, path) is { } el ? Show(el) : null;
        }
        catch (JsonException) { }
        return Describe(e, path, path, found, type);
    }

    /// <summary>The same wording for one element of an array read item by item (path relative to the element).</summary>
    public static string Mismatch(JsonException e, JsonElement element, string elementPath, JsonTypeInfo? type = null)
    {
        var relative = e.Path ?? "$";
        var found = Find(element, relative) is { } el ? Show(el) : null;
        return Describe(e, relative, elementPath + relative.TrimStart('$'), found, type);
    }

    private static string Describe(JsonException e, string typePath, string shownPath, string? found, JsonTypeInfo? type)
    {
        var got = found is null ? "" : $", got {found}";
        // System.Text.Json names the enclosing type in its message, so the expected type is read off the contract.
        if (e.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal))
            return $"expected {(type is null ? null : ExpectedAt(type, typePath)) ?? "another type"} at {shownPath}{got}";
        return $"{FirstSentence(e.Message)} at {shownPath}{got}";
    }

    /// <summary>What the contract of <paramref name="root"/> expects at <paramref name="path"/>, in words; null when unknown.</summary>
    public static string? ExpectedAt(JsonTypeInfo root, string path)
    {
        var info = root;
        foreach (Match m in PathSegment().Matches(path.StartsWith('$') ? path[1..] : path))
        {
            Type? next;
            if (m.Groups["index"].Success) next = info.ElementType;
            else
            {
                var name = m.Groups["name"].Success ? m.Groups["name"].Value : m.Groups["quoted"].Value;
                next = info.Kind == JsonTypeInfoKind.Dictionary ? info.ElementType
                    : info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }
            if (next is null) return null;
            info = root.Options.GetTypeInfo(next);
        }
        var t = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        return t switch
        {
            _ when t == typeof(short) || t == typeof(int) || t == typeof(long) || t == typeof(uint) || t == typeof(ulong) => "a whole number",
            _ when t == typeof(double) || t == typeof(float) || t == typeof(decimal) => "a number",
            _ when t == typeof(string) => "a string",
            _ when t == typeof(bool) => "true or false",
            _ when t == typeof(DateTimeOffset) || t == typeof(DateTime) => "a timestamp",
            _ when t == typeof(DateOnly) => "a date",
            _ when t == typeof(JsonElement) => "any JSON value",
            _ => info.Kind switch { JsonTypeInfoKind.Enumerable => "an array", _ => "an object" },
        };
    }

    /// <summary>The element at a System.Text.Json path such as <c>$.fields.issuetype.name</c>, <c>$.values[0].id</c>, <c>$['a b']</c>.</summary>
    public static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (Match m in PathSegment().Matches(path.StartsWith('$') ? path[1..] : path))
        {
            if (m.Groups["name"].Success || m.Groups["quoted"].Success)
            {
                var name = m.Groups["name"].Success ? m.Groups["name"].Value : m.Groups["quoted"].Value;
                if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current)) return null;
            }
            else
            {
                var index = int.Parse(m.Groups["index"].Value, CultureInfo.InvariantCulture);
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength()) return null;
                current = current[index];
            }
        }
        return current;
    }

    private static string Show(JsonElement el)
    {
        var text = el.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            _ => RawText(el),
        };
        return text.Length > 60 ? text[..60] + "…" : text;
    }

    private static string FirstSentence(string s)
    {
        var i = s.IndexOf(". Path:", StringComparison.Ordinal);
        if (i < 0) i = s.IndexOf(" Path:", StringComparison.Ordinal);
        return (i > 0 ? s[..i] : s).TrimEnd('.');
    }

    /// <summary>An element's JSON text; invalid UTF-8 (which <see cref="JsonElement.GetRawText"/> refuses) becomes U+FFFD.</summary>
    public static string RawText(JsonElement el) => Encoding.UTF8.GetString(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(el));

    /// <summary>Best effort text of a body for diagnosis (invalid UTF-8 replaced).</summary>
    public static string Text(ReadOnlySpan<byte> body) => Encoding.UTF8.GetString(body);

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>(?:[^']|'')*)'\]|\[(?<index>\d+)\]", RegexOptions.CultureInvariant)]
    private static partial Regex PathSegment();
}
