using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Alignment.IntegrationTests.Infrastructure;

/// <summary>The ways <see cref="JsonMutator"/> breaks one JSON answer.</summary>
public enum MutationKind
{
    NullForObject, WrongType, HugeString, DeepNesting, Truncated, InvalidUtf8, DuplicateKey, FieldRemoved, ExtraFields, EmptyArray,
}

/// <summary>A mutated body, the JSON path of the node that was changed ("$" for the whole body) and what was done.</summary>
public sealed record MutatedBody(byte[] Body, string Path, string Description);

/// <summary>
/// Mutates one node of a JSON answer, chosen deterministically from a seed: the document is walked in order,
/// the nodes suited to the kind are listed and the (seed mod count)-th is changed. Byte-level damage (invalid
/// UTF-8, duplicate keys, deep nesting) goes through a marker that is replaced in the serialized bytes.
/// </summary>
public static class JsonMutator
{
    private const string Marker = "__FUZZ_MARKER__";
    private static readonly JsonSerializerOptions Write = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Slot(JsonNode? Node, JsonNode? Parent, string? Name, int Index, string Path)
    {
        public JsonValueKind Kind => Node?.GetValueKind() ?? JsonValueKind.Null;
    }

    public static MutatedBody Apply(byte[] clean, MutationKind kind, int seed)
    {
        if (kind == MutationKind.Truncated)
        {
            var cut = 1 + (int)((uint)seed % (uint)Math.Max(1, clean.Length - 1));
            return new MutatedBody(clean[..cut], "$", $"truncated to {cut} of {clean.Length} bytes");
        }
        var root = JsonNode.Parse(clean);
        var slots = new List<Slot>();
        Walk(root, null, null, -1, "$", slots);
        var suited = slots.Where(s => kind switch
        {
            MutationKind.NullForObject or MutationKind.ExtraFields => s.Kind == JsonValueKind.Object,
            MutationKind.HugeString or MutationKind.InvalidUtf8 => s.Kind == JsonValueKind.String,
            MutationKind.DuplicateKey or MutationKind.FieldRemoved => s.Parent is JsonObject,
            MutationKind.EmptyArray => s.Kind == JsonValueKind.Array && s.Node!.AsArray().Count > 0,
            _ => true,
        }).ToList();
        if (suited.Count == 0) suited = slots; // e.g. no string anywhere: damage any node
        var rng = new Random(seed);
        var slot = suited[rng.Next(suited.Count)];
        string? raw = null; // bytes that replace the marker
        string what;
        switch (kind)
        {
            case MutationKind.NullForObject:
                root = Replace(root, slot, null);
                what = "object replaced by null";
                break;
            case MutationKind.WrongType:
                var others = new JsonNode?[] { JsonValue.Create("fuzz"), JsonValue.Create(42), JsonValue.Create(-1.5e300), JsonValue.Create(true), new JsonArray(1, "x"), new JsonObject { ["x"] = 1 } }
                    .Where(n => Category(n!.GetValueKind()) != Category(slot.Kind)).ToList();
                var other = others[rng.Next(others.Count)];
                root = Replace(root, slot, other);
                what = $"{slot.Kind} replaced by {other!.GetValueKind()}";
                break;
            case MutationKind.HugeString:
                root = Replace(root, slot, JsonValue.Create(new string('x', 1 << 20)));
                what = "1 MB string";
                break;
            case MutationKind.DeepNesting:
                root = Replace(root, slot, JsonValue.Create(Marker));
                raw = rng.Next(2) == 0
                    ? new string('[', 200) + "1" + new string(']', 200)
                    : string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "null" + new string('}', 200);
                what = "200 levels of nesting";
                break;
            case MutationKind.InvalidUtf8:
                root = Replace(root, slot, JsonValue.Create(Marker));
                what = "invalid UTF-8 in a string";
                break;
            case MutationKind.DuplicateKey:
            {
                var parent = slot.Parent!.AsObject();
                var twin = rng.Next(3) switch { 0 => null, 1 => JsonValue.Create(7), _ => slot.Node?.DeepClone() };
                parent[Marker] = twin;
                raw = JsonSerializer.Serialize(slot.Name, Write) + ":";
                what = $"key '{slot.Name}' duplicated with {(twin is null ? "null" : twin.GetValueKind().ToString())}";
                break;
            }
            case MutationKind.FieldRemoved:
                slot.Parent!.AsObject().Remove(slot.Name!);
                what = $"field '{slot.Name}' removed";
                break;
            case MutationKind.ExtraFields:
                if (slot.Node is JsonObject o)
                {
                    o["fuzzUnknown"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null, new JsonObject()) };
                    o["customfield_99999"] = "extra";
                    o["zzHuge"] = 1e308;
                }
                what = "unknown fields added";
                break;
            case MutationKind.EmptyArray:
                root = Replace(root, slot, new JsonArray());
                what = "array emptied";
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
        var bytes = root is null ? "null"u8.ToArray() : Encoding.UTF8.GetBytes(root.ToJsonString(Write));
        bytes = kind switch
        {
            MutationKind.InvalidUtf8 => ReplaceMarker(bytes, "\"" + Marker + "\"", [.. "\"ok "u8, .. (rng.Next(3) switch { 0 => new byte[] { 0xFF, 0xFE }, 1 => [0xC3, 0x28], _ => [0xED, 0xA0, 0x80] }), .. " end\""u8]),
            MutationKind.DuplicateKey => ReplaceMarker(bytes, "\"" + Marker + "\":", Encoding.UTF8.GetBytes(raw!)),
            MutationKind.DeepNesting => ReplaceMarker(bytes, "\"" + Marker + "\"", Encoding.UTF8.GetBytes(raw!)),
            _ => bytes,
        };
        return new MutatedBody(bytes, slot.Path, what);
    }

    private static JsonNode? Replace(JsonNode? root, Slot slot, JsonNode? with)
    {
        switch (slot.Parent)
        {
            case null: return with;
            case JsonObject o: o[slot.Name!] = with; return root;
            case JsonArray a: a[slot.Index] = with; return root;
            default: throw new InvalidOperationException("unexpected parent");
        }
    }

    private static void Walk(JsonNode? node, JsonNode? parent, string? name, int index, string path, List<Slot> slots)
    {
        slots.Add(new Slot(node, parent, name, index, path));
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o.ToList())
                    Walk(v, o, k, -1, IsPlain(k) ? $"{path}.{k}" : $"{path}['{k.Replace("'", "''", StringComparison.Ordinal)}']", slots);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Walk(a[i], a, null, i, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), slots);
                break;
        }
    }

    private static string Category(JsonValueKind k) => k is JsonValueKind.True or JsonValueKind.False ? "bool" : k.ToString();

    private static bool IsPlain(string k) => k.Length > 0 && k.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');

    private static byte[] ReplaceMarker(byte[] body, string marker, byte[] with)
    {
        var m = Encoding.UTF8.GetBytes(marker);
        var at = body.AsSpan().IndexOf(m);
        if (at < 0) return body;
        return [.. body.AsSpan(0, at), .. with, .. body.AsSpan(at + m.Length)];
    }
}
