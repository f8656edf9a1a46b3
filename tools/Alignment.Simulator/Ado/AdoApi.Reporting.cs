using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Alignment.Simulator;

/// <summary>Azure DevOps reporting: <c>reporting/workitemrevisions</c>, every revision in changed-date order, paged.</summary>
internal static partial class AdoApi
{
    private static void MapReporting(WebApplication app, SimContext ctx)
    {
        app.MapGet(Prefix + "/{project}/_apis/wit/reporting/workitemrevisions", (HttpContext http, string project) =>
        {
            if (ProjectOf(ctx, project) is not { } p) return ProjectNotFound(http, ctx, project);
            return Revisions(http, ctx, p);
        });
    }

    private static Task Revisions(HttpContext http, SimContext ctx, string project)
    {
        var q = http.Request.Query;
        int pageSize = int.TryParse(q["$maxPageSize"], out var mp) && mp > 0 ? Math.Min(mp, 1000) : 1000;
        bool latestOnly = string.Equals(q["includeLatestOnly"], "true", StringComparison.OrdinalIgnoreCase);
        bool identityRef = string.Equals(q["includeIdentityRef"], "true", StringComparison.OrdinalIgnoreCase);
        var fieldList = q["fields"].ToString();
        HashSet<string>? fields = fieldList.Length > 0 ? fieldList.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase) : null;
        int offset = 0;
        var token = q["continuationToken"].ToString();
        if (token.Length > 0)
        {
            try { offset = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), CultureInfo.InvariantCulture); }
            catch (FormatException) { return ctx.AdoError(http, 400, "The continuation token is not valid.", "InvalidContinuationTokenException"); }
        }
        var mask = new FieldMask(f => fields is null || fields.Contains(f) || f is "System.Id" or "System.Rev");
        return ctx.Json(http, 200, w =>
        {
            var log = ctx.Org.AdoRevisionLog;
            int i = Math.Clamp(offset, 0, log.Count), count = 0;
            w.WriteStartObject();
            w.WriteStartArray("values");
            for (; i < log.Count && count < pageSize; i++)
            {
                var (it, rev) = log[i];
                if (it.Team.Project != project || (latestOnly && rev != it.Rev)) continue;
                w.WriteStartObject();
                w.WriteNumber(IdName, it.Id);
                w.WriteNumber(RevName, rev);
                w.WriteStartObject(FieldsName);
                WriteFields(w, ctx, it, SnapshotAt(ctx.Org, it, rev), rev, mask, identityRef);
                w.WriteEndObject();
                w.WriteEndObject();
                count++;
            }
            w.WriteEndArray();
            string next = Convert.ToBase64String(Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)));
            var qs = new List<string> { "api-version=7.1", "continuationToken=" + Uri.EscapeDataString(next) };
            if (fieldList.Length > 0) qs.Add("fields=" + Uri.EscapeDataString(fieldList));
            if (latestOnly) qs.Add("includeLatestOnly=true");
            if (identityRef) qs.Add("includeIdentityRef=true");
            if (q.ContainsKey("$maxPageSize")) qs.Add("$maxPageSize=" + pageSize.ToString(CultureInfo.InvariantCulture));
            w.WriteString("nextLink", $"{ctx.AdoBase}/{project}/_apis/wit/reporting/workitemrevisions?{string.Join('&', qs)}");
            w.WriteString("continuationToken", next);
            w.WriteBoolean("isLastBatch", i >= log.Count);
            w.WriteEndObject();
        });
    }
}
