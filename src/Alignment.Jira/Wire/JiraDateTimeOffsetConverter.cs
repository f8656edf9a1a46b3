using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Alignment.Jira.Wire;

/// <summary>
/// Jira timestamps: <c>2022-07-16T06:30:23.341+0800</c> (offset without a colon, platform API),
/// <c>2015-04-11T15:22:00.000Z</c> / <c>-07:00</c> (Agile API), and epoch seconds as a number
/// (changelog bulkfetch; a number too large for seconds is read as milliseconds).
/// </summary>
public sealed class JiraDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd",
    ];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            var n = reader.GetDouble();
            var ms = n > 100_000_000_000 ? n : n * 1000;
            // Outside year 0001..9999 no timestamp is meant: say so instead of overflowing.
            if (double.IsNaN(ms) || ms < -62_135_596_800_000d || ms > 253_402_300_799_999d)
                throw new JsonException("expected a timestamp (epoch seconds or milliseconds within years 1-9999)");
            return DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
        }
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"expected a timestamp, found {reader.TokenType}");
        var s = reader.GetString()!;
        if (TryParse(s, out var value)) return value;
        throw new JsonException($"unrecognised timestamp '{s}'");
    }

    public static bool TryParse(string? s, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(s)) return false;
        s = s.Trim();
        // "+0800" / "-0530" at the end: insert the colon the round-trip parser expects.
        if (s.Length > 5 && (s[^5] == '+' || s[^5] == '-') && s[^4..].All(char.IsAsciiDigit) && s.Contains('T'))
            s = string.Concat(s.AsSpan(0, s.Length - 2), ":", s.AsSpan(s.Length - 2));
        if (DateTimeOffset.TryParseExact(s, Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value))
            return true;
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
        {
            value = epoch > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : DateTimeOffset.FromUnixTimeSeconds(epoch);
            return true;
        }
        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
}
