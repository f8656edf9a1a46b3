using System.Text;

namespace Alignment.Trackers.Http;

/// <summary>
/// Text PostgreSQL cannot hold, made storable: U+0000 (refused in <c>text</c> and <c>jsonb</c>) and unpaired
/// UTF-16 surrogates (not encodable as UTF-8) become U+FFFD. Applied to every text column and to raw payloads
/// where domain records become rows, so one odd summary never fails a batch (docs/reliability.md).
/// </summary>
public static class StoreText
{
    public const char Replacement = '\uFFFD';

    public static string? Clean(string? s)
    {
        if (s is null) return null;
        var i = FirstBad(s);
        if (i < 0) return s;
        var sb = new StringBuilder(s.Length);
        sb.Append(s, 0, i);
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\0') sb.Append(Replacement);
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { sb.Append(c).Append(s[i + 1]); i++; }
            else if (char.IsSurrogate(c)) sb.Append(Replacement);
            else sb.Append(c);
        }
        return sb.ToString();
    }

    public static string[] Clean(IEnumerable<string> values) => values.Select(v => Clean(v)!).ToArray();

    /// <summary>
    /// A JSON text for <c>jsonb</c>: besides <see cref="Clean(string?)"/>, the escapes <c>\u0000</c> and unpaired
    /// <c>\uD800</c>-<c>\uDFFF</c> (which jsonb refuses) become <c>\uFFFD</c>. Escaped backslashes are respected.
    /// </summary>
    public static string CleanJson(string json)
    {
        json = Clean(json)!;
        if (json.IndexOf("\\u", StringComparison.Ordinal) < 0) return json;
        StringBuilder? sb = null;
        var copied = 0;
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\') continue;
            if (i + 1 >= json.Length) break;
            if (json[i + 1] != 'u' || i + 5 >= json.Length) { i++; continue; }
            var code = Hex(json, i + 2);
            var length = 6;
            var bad = code == 0;
            if (code is >= 0xD800 and <= 0xDBFF)
            {
                var paired = i + 11 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u' && Hex(json, i + 8) is >= 0xDC00 and <= 0xDFFF;
                if (paired) length = 12; else bad = true;
            }
            else if (code is >= 0xDC00 and <= 0xDFFF) bad = true;
            if (bad)
            {
                sb ??= new StringBuilder(json.Length);
                sb.Append(json, copied, i - copied).Append("\\uFFFD");
                copied = i + 6;
            }
            i += length - 1;
        }
        return sb is null ? json : sb.Append(json, copied, json.Length - copied).ToString();
    }

    private static int Hex(string s, int at)
    {
        if (at + 4 > s.Length) return -1;
        var v = 0;
        for (var k = at; k < at + 4; k++)
        {
            var d = s[k] switch { >= '0' and <= '9' => s[k] - '0', >= 'a' and <= 'f' => s[k] - 'a' + 10, >= 'A' and <= 'F' => s[k] - 'A' + 10, _ => -1 };
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    private static int FirstBad(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\0') return i;
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            return i;
        }
        return -1;
    }
}
