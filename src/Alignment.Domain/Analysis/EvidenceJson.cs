using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Alignment.Domain.Analysis;

/// <summary>
/// Serializes findings' evidence (and item lists) exactly as <c>JsonSerializer.Serialize(value, FindingStore.Json)</c> does, with
/// fast paths for the shapes the analyzers build (string-keyed dictionaries, lists, strings, numbers) and the serializer for anything
/// else; one reused buffer and writer per store instead of a serializer walk per finding.
/// </summary>
public sealed class EvidenceJson(JsonSerializerOptions options)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private Utf8JsonWriter? _writer;

    public string Serialize(object? value)
    {
        _buffer.ResetWrittenCount();
        var w = _writer ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented, MaxDepth = options.MaxDepth == 0 ? 64 : options.MaxDepth });
        w.Reset(_buffer);
        Write(w, value);
        w.Flush();
        return Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    private void Write(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case double d: w.WriteNumberValue(d); break;
            case int i: w.WriteNumberValue(i); break;
            case bool b: w.WriteBooleanValue(b); break;
            case Dictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var (k, v) in map) { w.WritePropertyName(k); Write(w, v); }
                w.WriteEndObject();
                break;
            case List<Dictionary<string, object?>> list:
                w.WriteStartArray();
                foreach (var v in list) Write(w, v);
                w.WriteEndArray();
                break;
            case List<object?> list:
                w.WriteStartArray();
                foreach (var v in list) Write(w, v);
                w.WriteEndArray();
                break;
            case ItemRef r:
                w.WriteStartObject();
                w.WriteString("source", r.Source); w.WriteString("key", r.Key); w.WriteString("url", r.Url);
                w.WriteEndObject();
                break;
            case IReadOnlyList<ItemRef> refs:
                w.WriteStartArray();
                foreach (var r in refs) Write(w, r);
                w.WriteEndArray();
                break;
            default: JsonSerializer.Serialize(w, value, value.GetType(), options); break;
        }
    }
}
