using System.Globalization;
using System.Text.Json;

namespace Alignment.AzureDevOps;

/// <summary>The last values of one work item seen in the revisions stream.</summary>
public sealed record AdoRevisionState(int Rev, string? IterationPath, double? Estimate, StatusCategory? Category);

/// <summary>Maps Azure DevOps wire payloads to domain records. Pure: no I/O, no clock.</summary>
public static class AzureDevOpsConverter
{
    public const string Hierarchy = "System.LinkTypes.Hierarchy-Reverse";
    public const string DependencyForward = "System.LinkTypes.Dependency-Forward";
    public const string DependencyReverse = "System.LinkTypes.Dependency-Reverse";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // ---------------------------------------------------------------- work items

    public static WorkItem ConvertItem(AdoWorkItem wi, AzureDevOpsTeamContext team, SourceOptions source) => ConvertItem(wi, team, source, null);

    /// <summary>As above; a value field (<c>Sources:N:Fields</c>) that holds no number goes to <paramref name="valueProblems"/>, the item keeps no value for it.</summary>
    public static WorkItem ConvertItem(AdoWorkItem wi, AzureDevOpsTeamContext team, SourceOptions source, List<ValueFieldReader.Problem>? valueProblems)
    {
        var f = wi.Fields;
        var id = wi.Id.ToString(Inv);
        var type = Str(f, "System.WorkItemType") ?? "";
        var state = Str(f, "System.State") ?? "";
        var created = Date(f, "System.CreatedDate");
        var changed = Date(f, "System.ChangedDate") ?? created ?? DateTimeOffset.UnixEpoch;
        var sprint = SprintOf(Str(f, "System.IterationPath"), team);
        var order = team.Process.OrderField is { } of ? Num(f, of) : null;
        return new WorkItem
        {
            SourceId = source.Id,
            ExternalId = id,
            Key = id,
            Url = $"{source.BaseUrl.TrimEnd('/')}/{Uri.EscapeDataString(Str(f, "System.TeamProject") ?? team.Project)}/_workitems/edit/{id}",
            Type = team.Process.TypeOf(type),
            OriginalType = type,
            Title = Str(f, "System.Title") ?? "",
            Status = state,
            StatusCategory = Category(team.Process.CategoryOf(type, state), source.AzureDevOps.ResolvedIsDone),
            StoryPoints = team.Process.EstimateField is { } ef ? Num(f, ef) : null,
            TeamId = team.Team.Id,
            SprintId = sprint,
            SprintIds = sprint is null ? [] : [sprint],
            ParentKey = ParentOf(wi),
            Rank = order is { } o ? Rank(o) : null,
            Priority = Str(f, "Microsoft.VSTS.Common.Priority"),
            Assignee = Identity(f, "System.AssignedTo"),
            CreatedAt = created ?? changed,
            UpdatedAt = changed,
            ResolvedAt = Date(f, "Microsoft.VSTS.Common.ClosedDate"),
            DueDate = (Date(f, "Microsoft.VSTS.Scheduling.TargetDate") ?? Date(f, "Microsoft.VSTS.Scheduling.DueDate")) is { } due
                ? DateOnly.FromDateTime(due.UtcDateTime) : null,
            Labels = (Str(f, "System.Tags") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Value = ValueFieldReader.Read(source.Fields.Resolve(TrackerKind.AzureDevOps),
                name => f.TryGetValue(name, out var v) ? v : (JsonElement?)null, name => $"$.fields['{name}']", valueProblems),
        };
    }

    /// <summary>
    /// A sortable rank: ordinal string order equals numeric order. Non-negative values start with '1' and are
    /// zero-padded; negative ones start with '0' and hold the complement, so more negative sorts first.
    /// </summary>
    public static string Rank(double order) => order >= 0
        ? "1" + order.ToString("0000000000000.000000", Inv)
        : "0" + (1e13 + order).ToString("0000000000000.000000", Inv);

    /// <summary>ADO state category → normalized category. <c>Resolved</c> is in progress unless the source counts it as done.</summary>
    public static StatusCategory Category(string? adoCategory, bool resolvedIsDone) => adoCategory switch
    {
        "Proposed" => StatusCategory.Todo,
        "InProgress" => StatusCategory.InProgress,
        "Resolved" => resolvedIsDone ? StatusCategory.Done : StatusCategory.InProgress,
        "Completed" => StatusCategory.Done,
        "Removed" => StatusCategory.Removed,
        _ => StatusCategory.Todo,
    };

    /// <summary>The team iteration GUID (lowercase) whose path equals the item's iteration path; null on the backlog (root) iteration or an unknown one.</summary>
    public static string? SprintOf(string? iterationPath, AzureDevOpsTeamContext team)
    {
        if (string.IsNullOrEmpty(iterationPath)) return null;
        if (team.BacklogIterationPath is { } b && b.Equals(iterationPath, StringComparison.OrdinalIgnoreCase)) return null;
        var it = team.Iterations.FirstOrDefault(i => iterationPath.Equals(i.Path, StringComparison.OrdinalIgnoreCase));
        return it?.Id.ToLowerInvariant();
    }

    public static string? ParentOf(AdoWorkItem wi)
    {
        if (Num(wi.Fields, "System.Parent") is { } p) return ((long)p).ToString(Inv);
        var rel = wi.Relations?.FirstOrDefault(r => r.Rel == Hierarchy);
        return rel is null ? null : IdFromUrl(rel.Url);
    }

    /// <summary>The id at the end of a work item url (<c>…/_apis/wit/workItems/123</c>).</summary>
    public static string? IdFromUrl(string url)
    {
        var last = url.TrimEnd('/').Split('/')[^1];
        return long.TryParse(last, NumberStyles.None, Inv, out var id) ? id.ToString(Inv) : null;
    }

    // ---------------------------------------------------------------- links

    /// <summary>
    /// Links reported by one work item. Dependencies are normalized to From = dependent, To = blocker:
    /// Dependency-Forward on A to B (B is A's successor) means A blocks B → From=B, To=A; Dependency-Reverse
    /// on A to B means A depends on B → From=A, To=B. Hierarchy relations are the parent, not links.
    /// </summary>
    public static IEnumerable<WorkItemLink> ConvertLinks(AdoWorkItem wi, SourceOptions source, IReadOnlyList<SourceOptions> allSources)
    {
        var me = wi.Id.ToString(Inv);
        foreach (var r in wi.Relations ?? [])
        {
            if (r.Rel == "Hyperlink")
            {
                if (CrossTrackerLinks.Resolve(r.Url, allSources) is not { } target) continue;
                var dir = CrossTrackerLinks.DirectionFromWords(Attr(r, "comment"));
                var (from, fromSrc, to, toSrc, kind) = dir switch
                {
                    LinkDirection.DependsOn => (me, source.Id, target.Key, target.SourceId, LinkKind.Dependency),
                    LinkDirection.Blocks => (target.Key, target.SourceId, me, source.Id, LinkKind.Dependency),
                    _ => (me, source.Id, target.Key, target.SourceId, LinkKind.Relates),
                };
                yield return Link(me, source.Id, fromSrc, from, toSrc, to, r.Url, kind, LinkOrigin.Hyperlink);
                continue;
            }
            var other = IdFromUrl(r.Url);
            if (other is null) continue;
            switch (r.Rel)
            {
                case DependencyForward:
                    yield return Link(me, source.Id, source.Id, other, source.Id, me, null, LinkKind.Dependency, LinkOrigin.TrackerLink);
                    break;
                case DependencyReverse:
                    yield return Link(me, source.Id, source.Id, me, source.Id, other, null, LinkKind.Dependency, LinkOrigin.TrackerLink);
                    break;
                case "System.LinkTypes.Related":
                    yield return Link(me, source.Id, source.Id, me, source.Id, other, null, LinkKind.Relates, LinkOrigin.TrackerLink);
                    break;
                case "System.LinkTypes.Duplicate-Forward" or "System.LinkTypes.Duplicate-Reverse":
                    yield return Link(me, source.Id, source.Id, me, source.Id, other, null, LinkKind.Duplicates, LinkOrigin.TrackerLink);
                    break;
            }
        }
    }

    /// <summary>
    /// Keeps one link per edge within a batch: directed dependencies by (from, to, kind); undirected kinds
    /// by the unordered pair (each ADO link appears on both items, mirrored).
    /// </summary>
    public static IReadOnlyList<WorkItemLink> DistinctLinks(IEnumerable<WorkItemLink> links)
    {
        var seen = new HashSet<(string, string, string, string, LinkKind)>();
        var result = new List<WorkItemLink>();
        foreach (var l in links)
        {
            var a = (l.FromSourceId, l.FromKey);
            var b = (l.ToSourceId ?? "", l.ToKey);
            if (l.Kind != LinkKind.Dependency && string.CompareOrdinal(a.FromSourceId + "\0" + a.FromKey, b.Item1 + "\0" + b.ToKey) > 0)
                (a, b) = ((b.Item1, b.ToKey), (a.FromSourceId, a.FromKey));
            if (seen.Add((a.Item1, a.Item2, b.Item1, b.Item2, l.Kind))) result.Add(l);
        }
        return result;
    }

    private static WorkItemLink Link(string reporter, string reporterSource, string fromSource, string from, string? toSource, string to,
        string? url, LinkKind kind, LinkOrigin origin) => new()
    {
        ReporterSourceId = reporterSource, ReporterExternalId = reporter,
        FromSourceId = fromSource, FromKey = from, ToSourceId = toSource, ToKey = to, ToUrl = url,
        Kind = kind, Origin = origin,
    };

    // ---------------------------------------------------------------- iterations and capacity

    public static Sprint ConvertIteration(AdoIteration it, string sourceId)
    {
        var state = TimeFrame(it.Attributes?.TimeFrame) switch
        {
            "past" => SprintState.Closed,
            "current" => SprintState.Active,
            _ => SprintState.Future,
        };
        var end = ExclusiveEnd(it.Attributes?.FinishDate);
        return new Sprint
        {
            SourceId = sourceId,
            ExternalId = it.Id.ToLowerInvariant(),
            Name = it.Name ?? "",
            Path = it.Path,
            State = state,
            StartAt = it.Attributes?.StartDate is { } s ? Midnight(s) : null,
            EndAt = end,
            CompletedAt = state == SprintState.Closed ? end : null,
        };
    }

    /// <summary>"past" / "current" / "future" (older servers sent 0 / 1 / 2).</summary>
    public static string? TimeFrame(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString()?.ToLowerInvariant(),
        { ValueKind: JsonValueKind.Number } v => v.GetInt32() switch { 0 => "past", 1 => "current", 2 => "future", _ => null },
        _ => null,
    };

    /// <summary>ADO's finish date is the inclusive last day: the exclusive end is the next midnight UTC.</summary>
    public static DateTimeOffset? ExclusiveEnd(DateTimeOffset? finishDate) => finishDate is { } f ? Midnight(f).AddDays(1) : null;

    private static DateTimeOffset Midnight(DateTimeOffset d) => new(d.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>
    /// One row per member: AvailableDays = the team's working days in [start..finish] less team days off and the
    /// member's days off (ranges inclusive); HoursPerDay = Σ activities' capacityPerDay; DaysOff = the member's
    /// days off that fall on working days of the sprint that are not team days off. Nothing for undated iterations.
    /// </summary>
    public static IReadOnlyList<TeamCapacity> ConvertCapacities(string teamId, AdoIteration it, AdoCapacities capacities,
        AdoTeamDaysOff? teamDaysOff, IReadOnlyCollection<string> workingDays)
    {
        if (it.Attributes?.StartDate is not { } start || it.Attributes.FinishDate is not { } finish) return [];
        var working = workingDays.Count == 0
            ? new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday }
            : workingDays.Select(d => Enum.TryParse<DayOfWeek>(d, true, out var w) ? (DayOfWeek?)w : null).OfType<DayOfWeek>().ToHashSet();
        var teamOff = Days(teamDaysOff?.DaysOff ?? []);
        var sprintDays = new List<DateOnly>();
        for (var d = DateOnly.FromDateTime(start.UtcDateTime); d <= DateOnly.FromDateTime(finish.UtcDateTime); d = d.AddDays(1))
            if (working.Contains(d.DayOfWeek) && !teamOff.Contains(d)) sprintDays.Add(d);

        var result = new List<TeamCapacity>();
        foreach (var m in capacities.Members)
        {
            var name = m.TeamMember?.DisplayName ?? m.TeamMember?.UniqueName;
            if (string.IsNullOrEmpty(name)) continue;
            var off = Days(m.DaysOff);
            var offInSprint = sprintDays.Count(off.Contains);
            result.Add(new TeamCapacity
            {
                TeamId = teamId,
                SprintExternalId = it.Id.ToLowerInvariant(),
                Member = name,
                HoursPerDay = m.Activities.Sum(a => a.CapacityPerDay),
                AvailableDays = sprintDays.Count - offInSprint,
                DaysOff = offInSprint,
            });
        }
        return result;
    }

    private static HashSet<DateOnly> Days(IEnumerable<AdoDateRange> ranges)
    {
        var set = new HashSet<DateOnly>();
        foreach (var r in ranges)
            for (var d = DateOnly.FromDateTime(r.Start.UtcDateTime); d <= DateOnly.FromDateTime(r.End.UtcDateTime); d = d.AddDays(1))
                set.Add(d);
        return set;
    }

    // ---------------------------------------------------------------- revisions

    /// <summary>
    /// Events of one revision compared to the previous revision of the same item (kept in <paramref name="last"/>).
    /// On the first revision seen, only a sprint it is in gives SprintAdded, and only when <paramref name="fromStart"/>
    /// (the stream is read from its beginning) or it is the item's first revision: a stream resumed from a token
    /// does not know the state before.
    /// </summary>
    public static IReadOnlyList<ItemEvent> ConvertRevision(AdoRevision rev, AzureDevOpsTeamContext team, IReadOnlyDictionary<string, string> sprintByPath,
        Dictionary<int, AdoRevisionState> last, string sourceId, bool resolvedIsDone, bool fromStart)
    {
        var f = rev.Fields;
        var rn = (Num(f, "System.Rev") is { } r ? (int)r : rev.Rev);
        var path = Str(f, "System.IterationPath");
        var estimate = team.Process.EstimateField is { } ef ? Num(f, ef) : null;
        var type = Str(f, "System.WorkItemType");
        var stateName = Str(f, "System.State");
        StatusCategory? category = type is not null && stateName is not null
            ? Category(team.Process.CategoryOf(type, stateName), resolvedIsDone) : null;
        var at = Date(f, "System.ChangedDate") ?? DateTimeOffset.UnixEpoch;
        var itemId = rev.Id.ToString(Inv);
        var events = new List<ItemEvent>();
        ItemEvent E(string field, ItemEventKind kind, string? from, string? to) => new()
        {
            SourceId = sourceId, ItemExternalId = itemId, EventId = $"{rn.ToString(Inv)}:{field}", At = at, Kind = kind, From = from, To = to,
        };
        string? SprintFor(string? p) => p is not null && sprintByPath.TryGetValue(p, out var s) ? s : null;

        if (last.TryGetValue(rev.Id, out var prev))
        {
            if (rn <= prev.Rev) return [];
            if (!string.Equals(prev.IterationPath, path, StringComparison.OrdinalIgnoreCase))
            {
                if (SprintFor(prev.IterationPath) is { } old) events.Add(E("System.IterationPath:removed", ItemEventKind.SprintRemoved, old, null));
                if (SprintFor(path) is { } now) events.Add(E("System.IterationPath:added", ItemEventKind.SprintAdded, null, now));
            }
            if (prev.Estimate != estimate && team.Process.EstimateField is { } field)
                events.Add(E(field, ItemEventKind.EstimateChanged, Number(prev.Estimate), Number(estimate)));
            if (prev.Category != category && category is not null)
                events.Add(E("System.State", ItemEventKind.StatusChanged, prev.Category?.Name(), category.Value.Name()));
        }
        else if ((fromStart || rn == 1) && SprintFor(path) is { } first)
        {
            events.Add(E("System.IterationPath:added", ItemEventKind.SprintAdded, null, first));
        }
        last[rev.Id] = new AdoRevisionState(rn, path, estimate, category);
        return events;
    }

    private static string? Number(double? v) => v?.ToString("R", Inv);

    // ---------------------------------------------------------------- field reading

    public static string? Str(IReadOnlyDictionary<string, JsonElement> f, string name) =>
        f.TryGetValue(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        } : null;

    public static double? Num(IReadOnlyDictionary<string, JsonElement> f, string name) =>
        f.TryGetValue(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.Number => v.GetDouble(),
            JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, Inv, out var d) => d,
            _ => null,
        } : null;

    public static DateTimeOffset? Date(IReadOnlyDictionary<string, JsonElement> f, string name) =>
        Str(f, name) is { } s && DateTimeOffset.TryParse(s, Inv, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) ? d : null;

    /// <summary>An IdentityRef's displayName, or the name part of a <c>"Name &lt;email&gt;"</c> string.</summary>
    public static string? Identity(IReadOnlyDictionary<string, JsonElement> f, string name)
    {
        if (!f.TryGetValue(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Object)
            return v.TryGetProperty("displayName", out var dn) && dn.ValueKind == JsonValueKind.String ? dn.GetString() : null;
        if (v.ValueKind != JsonValueKind.String) return null;
        var s = v.GetString() ?? "";
        var lt = s.IndexOf('<');
        return lt > 0 ? s[..lt].Trim() : s;
    }

    private static string? Attr(AdoRelation r, string name) =>
        r.Attributes is not null && r.Attributes.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
