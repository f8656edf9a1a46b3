using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;

namespace Alignment.Simulator;

/// <summary>
/// Jira Cloud platform v3 and Agile 1.0 endpoints, under <c>/jira</c>. The routes live with their area:
/// metadata (<c>JiraApi.Metadata.cs</c>), agile boards and sprints (<c>JiraApi.Agile.cs</c>), search, bulk fetch
/// and remote links (<c>JiraApi.Issues.cs</c>), changelogs (<c>JiraApi.Changelog.cs</c>).
/// </summary>
internal static partial class JiraApi
{
    private const string SprintField = "customfield_10020";
    private const string PointsField = "customfield_10016";
    private const string RankField = "customfield_10019";
    // Value fields (SimulatorOptions.Value): listed in /field and carried by epics.
    internal const string BusinessValueField = "customfield_10050";
    internal const string TimeCriticalityField = "customfield_10051";
    internal const string RiskReductionField = "customfield_10052";
    internal const string JobSizeField = "customfield_10053";
    internal const string BudgetField = "customfield_10054";

    /// <summary>Maps every Jira route, in the order the simulator has always registered them.</summary>
    public static void Map(WebApplication app, SimContext ctx)
    {
        foreach (var v in new[] { "2", "3" }) MapServerInfo(app, ctx, v);
        foreach (var v in new[] { "2", "3" })
        {
            MapMetadata(app, ctx, v);
            MapRemoteLinks(app, ctx, v);
        }
        MapIssueLinkTypes(app, ctx);
        MapBoards(app, ctx);
        MapSprints(app, ctx);
        MapSearch(app, ctx);
        MapBulkFetch(app, ctx);
        MapChangelog(app, ctx);
    }

    private static Item? Find(SimulatedOrganisation org, string idOrKey) =>
        int.TryParse(idOrKey, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? org.JiraById.GetValueOrDefault(id)
            : org.JiraByKey.GetValueOrDefault(idOrKey);

    private static string Id(Item it) => it.Id.ToString(CultureInfo.InvariantCulture);

    internal static string EncodeToken(int value) => Convert.ToBase64String(Encoding.UTF8.GetBytes("sim:" + value.ToString(CultureInfo.InvariantCulture)));

    internal static int? DecodeToken(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            var s = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            return s.StartsWith("sim:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(4), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Jira's issue timestamp format: <c>2022-07-16T06:30:23.341+0800</c> (no colon in the offset).</summary>
    internal static string Format(long ms, int offsetMinutes)
    {
        var dto = DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromMinutes(offsetMinutes));
        var sign = offsetMinutes < 0 ? '-' : '+';
        int abs = Math.Abs(offsetMinutes);
        return dto.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + sign + (abs / 60).ToString("00", CultureInfo.InvariantCulture) + (abs % 60).ToString("00", CultureInfo.InvariantCulture);
    }

    internal sealed class FieldSet
    {
        private HashSet<string>? _names;
        public bool All => _names is null;
        public bool IdOnly { get; private set; }
        public bool Has(string f) => _names is null || _names.Contains(f);

        public static FieldSet From(JsonElement root, string prop, bool defaultAll)
        {
            var set = new FieldSet();
            List<string> names = [];
            if (root.TryGetProperty(prop, out var f))
            {
                if (f.ValueKind == JsonValueKind.Array) names = f.EnumerateArray().Select(e => e.GetString() ?? "").ToList();
                else if (f.ValueKind == JsonValueKind.String) names = (f.GetString() ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            }
            if (names.Count == 0)
            {
                if (defaultAll) return set;
                set._names = ["id"];
                set.IdOnly = true;
                return set;
            }
            if (names.Exists(n => n is "*all" or "*navigable")) return set;
            set._names = names.ToHashSet(StringComparer.Ordinal);
            set.IdOnly = set._names.All(n => n is "id" or "key");
            return set;
        }
    }
}
