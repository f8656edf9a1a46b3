using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Azure DevOps WIQL: the flat work item queries the clients send, parsed clause by clause and run on the organisation.</summary>
internal static partial class AdoApi
{
    [GeneratedRegex(@"^\s*SELECT\s+.+?\s+FROM\s+WorkItems\s+WHERE\s+(?<where>.+?)(?:\s+ORDER\s+BY\s+(?<order>.+?))?\s*$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex WiqlRegex();

    [GeneratedRegex(@"\s+AND\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AndRegex();

    [GeneratedRegex(@"^\[System\.TeamProject\]\s*=\s*(?:'(?<v>[^']*)'|(?<at>@project))$", RegexOptions.IgnoreCase)]
    private static partial Regex ProjectClause();

    [GeneratedRegex(@"^\[System\.AreaPath\]\s*(?<op>UNDER|=)\s*'(?<v>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex AreaClause();

    [GeneratedRegex(@"^\[System\.ChangedDate\]\s*(?<op>>=|<=|>|<)\s*'(?<v>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex ChangedClause();

    [GeneratedRegex(@"^\[System\.Id\]\s*(?<op>>=|<=|>|<|=)\s*(?<v>\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex IdClause();

    [GeneratedRegex(@"^\[System\.WorkItemType\]\s*=\s*'(?<v>[^']*)'$", RegexOptions.IgnoreCase)]
    private static partial Regex TypeClause();

    [GeneratedRegex(@"^\[(?<f>System\.Id|System\.ChangedDate)\](?:\s+(?<d>ASC|DESC))?$", RegexOptions.IgnoreCase)]
    private static partial Regex OrderClause();

    private static void MapWiql(WebApplication app, SimContext ctx)
    {
        app.MapPost(Prefix + "/{project}/{team}/_apis/wit/wiql", (HttpContext http, string project, string team) => Wiql(http, ctx, project, team));
        app.MapPost(Prefix + "/{project}/_apis/wit/wiql", (HttpContext http, string project) => Wiql(http, ctx, project, null));
    }

    /// <summary>The conditions of a query: changed date in [lo, hi), id in [lo, hi], and the sort order.</summary>
    private sealed class WiqlFilter
    {
        public bool HasProject { get; set; }
        public string? Area { get; set; }
        public bool AreaUnder { get; set; } = true;
        public string? Type { get; set; }
        public long ChangedLo { get; set; } = long.MinValue;
        public long ChangedHi { get; set; } = long.MaxValue;
        public long IdLo { get; set; } = long.MinValue;
        public long IdHi { get; set; } = long.MaxValue;
        public bool ByChanged { get; set; }
        public bool Desc { get; set; }
    }

    /// <summary>A rejected query: the message and type key of the 400 answer.</summary>
    private sealed record WiqlError(string Message, string TypeKey);

    private static WiqlError SyntaxError(string message) =>
        new("TF51005: The query references a field or syntax that is not supported. " + message, "QuerySyntaxException");

    private static async Task Wiql(HttpContext http, SimContext ctx, string project, string? team)
    {
        if (!IsProject(ctx, project)) { await ProjectNotFound(http, ctx, project); return; }
        if (team is not null && FindTeam(ctx, project, team) is null)
        { await ctx.AdoError(http, 404, $"VS800030: The team with id or name '{team}' does not exist.", "TeamNotFoundException"); return; }
        using var body = await SimContext.ReadBody(http);
        string query = body is not null && body.RootElement.TryGetProperty("query", out var q) ? q.GetString() ?? "" : "";
        bool timePrecision = string.Equals(http.Request.Query["timePrecision"], "true", StringComparison.OrdinalIgnoreCase);
        int top = int.TryParse(http.Request.Query["$top"], out var tp) && tp > 0 ? tp : int.MaxValue;
        var filter = new WiqlFilter();
        if (ParseWiql(query, project, timePrecision, filter) is { } error) { await ctx.AdoError(http, 400, error.Message, error.TypeKey); return; }
        var result = RunWiql(ctx, project, filter);
        if (top < result.Count) result = result.Take(top).ToList();
        if (result.Count > ctx.Options.WiqlLimit)
        {
            await ctx.AdoError(http, 400, $"VS402337: The number of work items returned exceeds the size limit of {ctx.Options.WiqlLimit}. Change the query to return fewer work items.", "WorkItemTrackingQueryResultSizeLimitExceededException");
            return;
        }
        await ctx.Json(http, 200, w => WriteWiqlResult(w, ctx, filter.ByChanged, filter.Desc, result));
    }

    /// <summary>Fills <paramref name="filter"/> from the WHERE and ORDER BY clauses; the first clause the simulator does not support rejects the query.</summary>
    private static WiqlError? ParseWiql(string query, string project, bool timePrecision, WiqlFilter filter)
    {
        var m = WiqlRegex().Match(query);
        if (!m.Success) return SyntaxError("Expecting 'SELECT ... FROM WorkItems WHERE ...'.");
        foreach (var raw in AndRegex().Split(m.Groups["where"].Value.Trim()))
        {
            var c = raw.Trim().TrimStart('(').TrimEnd(')').Trim();
            if (ParseClause(c, project, timePrecision, filter) is { } error) return error;
        }
        if (!filter.HasProject) return SyntaxError("The simulator requires a [System.TeamProject] = '...' clause.");
        if (m.Groups["order"].Success)
        {
            var om = OrderClause().Match(m.Groups["order"].Value.Trim());
            if (!om.Success) return SyntaxError("The simulator supports ORDER BY [System.Id] or [System.ChangedDate] only.");
            filter.ByChanged = om.Groups["f"].Value.Equals("System.ChangedDate", StringComparison.OrdinalIgnoreCase);
            filter.Desc = om.Groups["d"].Value.Equals("DESC", StringComparison.OrdinalIgnoreCase);
        }
        return null;
    }

    private static WiqlError? ParseClause(string c, string project, bool timePrecision, WiqlFilter filter)
    {
        Match cm;
        if ((cm = ProjectClause().Match(c)).Success)
        {
            if (!cm.Groups["at"].Success && !string.Equals(cm.Groups["v"].Value, project, StringComparison.OrdinalIgnoreCase)) return SyntaxError($"TF51011: The specified project '{cm.Groups["v"].Value}' does not exist.");
            filter.HasProject = true;
        }
        else if ((cm = AreaClause().Match(c)).Success)
        {
            filter.Area = cm.Groups["v"].Value;
            filter.AreaUnder = cm.Groups["op"].Value.Equals("UNDER", StringComparison.OrdinalIgnoreCase);
        }
        else if ((cm = ChangedClause().Match(c)).Success) return ParseChanged(cm, timePrecision, filter);
        else if ((cm = IdClause().Match(c)).Success) ParseId(cm, filter);
        else if ((cm = TypeClause().Match(c)).Success) filter.Type = cm.Groups["v"].Value;
        else return SyntaxError($"The simulator does not support the clause «{c}».");
        return null;
    }

    /// <summary>A changed-date bound; with date precision the bound is the whole UTC day.</summary>
    private static WiqlError? ParseChanged(Match cm, bool timePrecision, WiqlFilter filter)
    {
        var v = cm.Groups["v"].Value;
        bool hasTime = v.Contains('T', StringComparison.Ordinal) || v.Contains(':', StringComparison.Ordinal);
        if (hasTime && !timePrecision)
            return new WiqlError("You cannot supply a time with the date when running a query using date precision. The error is caused by «[System.ChangedDate] " + cm.Groups["op"].Value + " '" + v + "'».", "WorkItemTrackingQueryDatePrecisionException");
        if (!DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
            return SyntaxError($"The string '{v}' is not a valid date.");
        long ms = dto.ToUnixTimeMilliseconds();
        long unit = timePrecision ? 1 : 86_400_000;
        if (!timePrecision) ms -= ((ms % unit) + unit) % unit;
        switch (cm.Groups["op"].Value)
        {
            case ">=": filter.ChangedLo = Math.Max(filter.ChangedLo, ms); break;
            case ">": filter.ChangedLo = Math.Max(filter.ChangedLo, ms + unit); break;
            case "<": filter.ChangedHi = Math.Min(filter.ChangedHi, ms); break;
            default: filter.ChangedHi = Math.Min(filter.ChangedHi, ms + unit); break;
        }
        return null;
    }

    private static void ParseId(Match cm, WiqlFilter filter)
    {
        long v = long.Parse(cm.Groups["v"].Value, CultureInfo.InvariantCulture);
        switch (cm.Groups["op"].Value)
        {
            case ">": filter.IdLo = Math.Max(filter.IdLo, v + 1); break;
            case ">=": filter.IdLo = Math.Max(filter.IdLo, v); break;
            case "<": filter.IdHi = Math.Min(filter.IdHi, v - 1); break;
            case "<=": filter.IdHi = Math.Min(filter.IdHi, v); break;
            default: filter.IdLo = Math.Max(filter.IdLo, v); filter.IdHi = Math.Min(filter.IdHi, v); break;
        }
    }

    /// <summary>The matching work items of the project, sorted, under the read lock; only the items of the teams the project and area select are looked at.</summary>
    private static List<Item> RunWiql(SimContext ctx, string project, WiqlFilter filter)
    {
        var (area, areaUnder, type, byChanged, desc) = (filter.Area, filter.AreaUnder, filter.Type, filter.ByChanged, filter.Desc);
        var (changedLo, changedHi, idLo, idHi) = (filter.ChangedLo, filter.ChangedHi, filter.IdLo, filter.IdHi);
        bool InArea(Team t) => area is null || (areaUnder
            ? t.AreaPath.Equals(area, StringComparison.OrdinalIgnoreCase) || t.AreaPath.StartsWith(area + "\\", StringComparison.OrdinalIgnoreCase) || area.Equals(t.Project, StringComparison.OrdinalIgnoreCase)
            : t.AreaPath.Equals(area, StringComparison.OrdinalIgnoreCase));
        var result = new List<Item>();
        ctx.Org.Lock.EnterReadLock();
        try
        {
            foreach (var t in ctx.Org.Teams)
            {
                if (t.Tracker != Tracker.Ado || !string.Equals(t.Project, project, StringComparison.OrdinalIgnoreCase) || !InArea(t)) continue;
                foreach (var it in t.Items)
                {
                    if (it.Id < idLo || it.Id > idHi || it.Updated < changedLo || it.Updated >= changedHi) continue;
                    if (type is null || Statuses.AdoTypeName(it.Type, t.Scrum).Equals(type, StringComparison.OrdinalIgnoreCase)) result.Add(it);
                }
            }
        }
        finally { ctx.Org.Lock.ExitReadLock(); }
        // Ids are unique, so the order is the same whichever team came first.
        result.Sort(byChanged
            ? (a, b) => desc ? (b.Updated, b.Id).CompareTo((a.Updated, a.Id)) : (a.Updated, a.Id).CompareTo((b.Updated, b.Id))
            : (a, b) => desc ? b.Id.CompareTo(a.Id) : a.Id.CompareTo(b.Id));
        return result;
    }

    private static void WriteWiqlResult(Utf8JsonWriter w, SimContext ctx, bool byChanged, bool desc, List<Item> result)
    {
        w.WriteStartObject();
        w.WriteString("queryType", "flat");
        w.WriteString("queryResultType", "workItem");
        w.WriteString("asOf", SimulatedOrganisation.Iso(ctx.Org.NowMs));
        w.WriteStartArray("columns");
        w.WriteStartObject(); w.WriteString("referenceName", "System.Id"); w.WriteString("name", "ID"); w.WriteString("url", $"{ctx.AdoBase}/_apis/wit/fields/System.Id"); w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("sortColumns");
        w.WriteStartObject();
        w.WriteStartObject("field");
        w.WriteString("referenceName", byChanged ? "System.ChangedDate" : "System.Id");
        w.WriteString("name", byChanged ? "Changed Date" : "ID");
        w.WriteString("url", $"{ctx.AdoBase}/_apis/wit/fields/{(byChanged ? "System.ChangedDate" : "System.Id")}");
        w.WriteEndObject();
        w.WriteBoolean("descending", desc);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("workItems");
        foreach (var it in result)
        {
            w.WriteStartObject(); w.WriteNumber("id", it.Id); w.WriteRaw(UrlName, ctx.Fragments.Of(it)[(int)Slot.Url]); w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
