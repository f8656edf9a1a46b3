using System.Globalization;

namespace Alignment.Jira;

/// <summary>The site-specific field ids a Jira source uses (discovered, or overridden in configuration).</summary>
public sealed record JiraFieldIds(string? StoryPoints, string? Sprint, string? EpicLink, string? Rank)
{
    /// <summary>The value fields' ids (<c>Sources:N:Fields</c>, names resolved through the field list); they ride along in the issue reads.</summary>
    public ValueFieldIds Values { get; init; } = ValueFieldIds.None;

    /// <summary>Fields to ask for when hydrating issues.</summary>
    public IReadOnlyList<string> IssueFields(bool includeEpicLink)
    {
        List<string> fields = ["summary", "status", "issuetype", "parent", "issuelinks", "created", "updated",
            "resolutiondate", "priority", "assignee", "labels", "duedate"];
        foreach (var f in new[] { Sprint, StoryPoints, Rank, includeEpicLink ? EpicLink : null }.Concat(Values.Configured().Select(v => v.Field)))
            if (!string.IsNullOrEmpty(f) && !fields.Contains(f)) fields.Add(f);
        return fields;
    }
}

/// <summary>Everything the converter needs besides the payloads: the source, the team, field ids and mappings.</summary>
public sealed record JiraConversionContext
{
    public required SourceOptions Source { get; init; }
    public required IReadOnlyList<SourceOptions> AllSources { get; init; }
    public string? TeamId { get; init; }
    public required JiraFieldIds Fields { get; init; }
    /// <summary>Status id → category, from the statuses seen on issues and <c>/rest/api/3/status</c>.</summary>
    public IReadOnlyDictionary<string, StatusCategory> StatusCategories { get; init; } = new Dictionary<string, StatusCategory>();
    /// <summary>Issue type id → its untranslated (English) name, from <c>/rest/api/{v}/issuetype</c>: a localized site types by it.</summary>
    public IReadOnlyDictionary<string, string> IssueTypeNames { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Jira wire DTOs → domain records. Pure: no I/O, no clock. Status categories come from
/// <c>statusCategory.key</c> (never the localized name); dependency direction is normalized so that
/// "A blocks B" is stored as From=B, To=A from whichever end it was read.
/// </summary>
public static class JiraConverter
{
    public const string RemoteIssueLinkField = "RemoteIssueLink";

    /// <summary>Converts one batch of hydrated issues with their histories and remote links.</summary>
    public static SyncBatch ToBatch(
        IReadOnlyList<JiraIssue> issues,
        IReadOnlyDictionary<string, List<JiraHistory>> histories,
        IReadOnlyDictionary<string, List<JiraRemoteLink>> remoteLinks,
        JiraConversionContext ctx)
    {
        var items = new List<WorkItem>(issues.Count);
        var links = new List<WorkItemLink>();
        var events = new List<ItemEvent>();
        var raw = new List<RawPayload>(issues.Count);
        var seenLinkIds = new HashSet<string>();
        var failures = new List<ItemFailure>();
        var converted = new List<JiraIssue>(issues.Count);
        foreach (var issue in issues)
        {
            // One issue that cannot be converted is quarantined; the rest of the batch is written (docs/reliability.md).
            WorkItem item;
            List<(string, WorkItemLink)> issueLinks;
            List<WorkItemLink> remote;
            List<ItemEvent> issueEvents;
            var valueProblems = new List<ValueFieldReader.Problem>();
            try
            {
                item = ToWorkItem(issue, ctx, valueProblems);
                issueLinks = ToLinks(issue, ctx).ToList();
                remote = remoteLinks.TryGetValue(issue.Id, out var r) ? ToRemoteLinks(issue, r, ctx).ToList() : [];
                var history = histories.TryGetValue(issue.Id, out var h) ? h : issue.Changelog?.Histories;
                issueEvents = history is null ? [] : ToEvents(issue.Id, history, ctx).ToList();
                StoreLimits.Check(item, issueLinks.Select(l => l.Item2).Concat(remote));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add(ItemConversionException.Failure(e, issue.Id, issue.Key, issue.Request, issue.Raw));
                continue;
            }
            converted.Add(issue);
            items.Add(item);
            failures.AddRange(ValueFieldReader.Failures(valueProblems, issue.Id, issue.Key, issue.Request, issue.Raw));
            raw.Add(new RawPayload(ctx.Source.Id, issue.Id, issue.Raw));
            foreach (var (linkId, link) in issueLinks)
                if (seenLinkIds.Add(linkId)) links.Add(link);
            links.AddRange(remote);
            events.AddRange(issueEvents);
        }
        return new SyncBatch
        {
            Items = items, Links = links, Events = events, Raw = raw, Quarantined = failures,
            RemoteLinksNotRead = converted.Where(i => !remoteLinks.ContainsKey(i.Id)).Select(i => i.Id).ToList(),
        };
    }

    public static WorkItem ToWorkItem(JiraIssue issue, JiraConversionContext ctx) => ToWorkItem(issue, ctx, null);

    /// <summary>As above; a value field that holds no number is added to <paramref name="valueProblems"/> (the item keeps no value for it).</summary>
    public static WorkItem ToWorkItem(JiraIssue issue, JiraConversionContext ctx, List<ValueFieldReader.Problem>? valueProblems)
    {
        var f = issue.Fields;
        var sprints = JiraFieldValues.Sprints(f.Field(ctx.Fields.Sprint));
        if (f.IssueType is { Name: null }) throw new ItemConversionException("$.fields.issuetype.name", "expected a string at $.fields.issuetype.name, got null");
        var parentKey = f.Parent?.Key is { Length: > 0 } pk ? pk : JiraFieldValues.Text(f.Field(ctx.Fields.EpicLink));
        return new WorkItem
        {
            SourceId = ctx.Source.Id,
            ExternalId = issue.Id,
            Key = issue.Key,
            Url = $"{ctx.Source.BaseUrl.TrimEnd('/')}/browse/{issue.Key}",
            Type = MapType(f.IssueType, ctx.IssueTypeNames),
            OriginalType = f.IssueType?.Name ?? "",
            Title = f.Summary ?? "",
            Status = f.Status?.Name ?? "",
            StatusCategory = MapCategory(f.Status?.StatusCategory?.Key),
            StoryPoints = JiraFieldValues.Number(f.Field(ctx.Fields.StoryPoints)),
            TeamId = ctx.TeamId,
            SprintId = CurrentSprint(sprints)?.Id.ToString(CultureInfo.InvariantCulture),
            SprintIds = sprints.Select(s => s.Id.ToString(CultureInfo.InvariantCulture)).ToList(),
            ParentKey = string.IsNullOrEmpty(parentKey) ? null : parentKey,
            Rank = JiraFieldValues.Text(f.Field(ctx.Fields.Rank)),
            Priority = f.Priority?.Name,
            Assignee = f.Assignee?.DisplayName,
            CreatedAt = f.Created ?? f.Updated ?? DateTimeOffset.UnixEpoch,
            UpdatedAt = f.Updated ?? f.Created ?? DateTimeOffset.UnixEpoch,
            ResolvedAt = f.ResolutionDate,
            DueDate = f.DueDate,
            Labels = f.Labels ?? [],
            Value = ValueFieldReader.Read(ctx.Fields.Values, f.Field, id => $"$.fields.{id}", valueProblems),
        };
    }

    /// <summary>
    /// By hierarchy level and the subtask flag first, then by the type's untranslated name (so <c>故事</c> on a
    /// Chinese site is a story), then by the display name.
    /// </summary>
    public static WorkItemType MapType(JiraIssueType? type, IReadOnlyDictionary<string, string>? untranslatedNames = null)
    {
        if (type is null) return WorkItemType.Other;
        var name = (type.Id is not null && untranslatedNames is not null && untranslatedNames.TryGetValue(type.Id, out var english)
            ? english : type.Name ?? "").Trim();
        bool Is(string n) => string.Equals(name, n, StringComparison.OrdinalIgnoreCase);
        if (Is("Feature") && type.HierarchyLevel is null or >= 1) return WorkItemType.Feature;
        if (type.HierarchyLevel == 1 || (type.HierarchyLevel is null && Is("Epic"))) return WorkItemType.Epic;
        if (type.Subtask || type.HierarchyLevel == -1 || Is("Task") || Is("Sub-task") || Is("Subtask")) return WorkItemType.Task;
        if (Is("Story")) return WorkItemType.Story;
        if (Is("Bug")) return WorkItemType.Bug;
        return WorkItemType.Other;
    }

    /// <summary><c>statusCategory.key</c>: new → todo, indeterminate → inProgress, done → done, undefined → todo.</summary>
    public static StatusCategory MapCategory(string? key) => key?.ToLowerInvariant() switch
    {
        "indeterminate" => StatusCategory.InProgress,
        "done" => StatusCategory.Done,
        _ => StatusCategory.Todo,
    };

    /// <summary>The active sprint, else the future one starting first, else the latest closed one.</summary>
    public static JiraSprintRef? CurrentSprint(IReadOnlyList<JiraSprintRef> sprints) =>
        sprints.FirstOrDefault(s => s.State == "active")
        ?? sprints.Where(s => s.State == "future").OrderBy(s => s.StartDate ?? DateTimeOffset.MaxValue).ThenBy(s => s.Id).FirstOrDefault()
        ?? sprints.Where(s => s.State is not "active" and not "future")
            .OrderByDescending(s => s.CompleteDate ?? s.EndDate ?? s.StartDate ?? DateTimeOffset.MinValue).ThenByDescending(s => s.Id).FirstOrDefault();

    /// <summary>Links from <c>fields.issuelinks</c>, each with its link id (the same link is reported by both ends).</summary>
    public static IEnumerable<(string LinkId, WorkItemLink Link)> ToLinks(JiraIssue issue, JiraConversionContext ctx)
    {
        foreach (var l in issue.Fields.IssueLinks ?? [])
        {
            var other = l.OutwardIssue ?? l.InwardIssue;
            if (other is null || string.IsNullOrEmpty(other.Key)) continue;
            var kind = LinkKindOf(l.Type, ctx.Source.Jira);
            string from, to;
            if (kind == LinkKind.Dependency)
            {
                // On X: outwardIssue Y reads "X blocks Y" (Y depends on X); inwardIssue Z reads "X is blocked by Z".
                (from, to) = l.OutwardIssue is not null ? (other.Key, issue.Key) : (issue.Key, other.Key);
            }
            else if (kind is LinkKind.Duplicates or LinkKind.Clones)
            {
                // "X duplicates / clones Y" reads the same from either end: on X, outwardIssue Y; on Y, inwardIssue X.
                (from, to) = l.OutwardIssue is not null ? (issue.Key, other.Key) : (other.Key, issue.Key);
            }
            else (from, to) = (issue.Key, other.Key); // relates has no direction: seen from the reporting item
            yield return (string.IsNullOrEmpty(l.Id) ? $"{issue.Id}:{other.Id}" : l.Id, new WorkItemLink
            {
                ReporterSourceId = ctx.Source.Id,
                ReporterExternalId = issue.Id,
                FromSourceId = ctx.Source.Id,
                FromKey = from,
                ToSourceId = ctx.Source.Id,
                ToKey = to,
                ToUrl = $"{ctx.Source.BaseUrl.TrimEnd('/')}/browse/{to}",
                Kind = kind,
                Origin = LinkOrigin.TrackerLink,
            });
        }
    }

    public static LinkKind LinkKindOf(JiraLinkType? type, JiraSourceOptions options)
    {
        bool In(List<string> names) => type is not null && names.Exists(n =>
            string.Equals(n, type.Name, StringComparison.OrdinalIgnoreCase) || string.Equals(n, type.Id, StringComparison.OrdinalIgnoreCase));
        if (In(options.DependencyLinkTypes)) return LinkKind.Dependency;
        if (In(options.DuplicateLinkTypes)) return LinkKind.Duplicates;
        if (In(options.CloneLinkTypes)) return LinkKind.Clones;
        return LinkKind.Relates;
    }

    /// <summary>Remote links (e.g. to Azure DevOps work items), resolved to a configured source when the URL belongs to one.</summary>
    public static IEnumerable<WorkItemLink> ToRemoteLinks(JiraIssue issue, IReadOnlyList<JiraRemoteLink> remote, JiraConversionContext ctx)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in remote)
        {
            var url = r.Object?.Url;
            if (string.IsNullOrWhiteSpace(url)) continue;
            var target = CrossTrackerLinks.Resolve(url, ctx.AllSources);
            var (otherSource, otherKey) = target is { } t ? (t.SourceId, t.Key) : ((string?)null, url);
            if (otherSource == ctx.Source.Id && string.Equals(otherKey, issue.Key, StringComparison.OrdinalIgnoreCase)) continue;
            var direction = CrossTrackerLinks.DirectionFromWords(r.Relationship);
            var thisUrl = $"{ctx.Source.BaseUrl.TrimEnd('/')}/browse/{issue.Key}";
            WorkItemLink link = direction switch
            {
                // "is blocked by" / "depends on": this item depends on the other.
                LinkDirection.DependsOn => Link(ctx.Source.Id, issue.Key, otherSource, otherKey, url, LinkKind.Dependency),
                // "blocks": the other depends on this one (an unresolved URL cannot be a From end: kept as relates).
                LinkDirection.Blocks when otherSource is not null => Link(otherSource, otherKey, ctx.Source.Id, issue.Key, thisUrl, LinkKind.Dependency),
                _ => Link(ctx.Source.Id, issue.Key, otherSource, otherKey, url, LinkKind.Relates),
            };
            if (!seen.Add($"{link.FromSourceId}|{link.FromKey}|{link.ToSourceId}|{link.ToKey}|{link.Kind}")) continue;
            yield return link;
        }

        WorkItemLink Link(string fromSource, string fromKey, string? toSource, string toKey, string toUrl, LinkKind kind) => new()
        {
            ReporterSourceId = ctx.Source.Id,
            ReporterExternalId = issue.Id,
            FromSourceId = fromSource,
            FromKey = fromKey,
            ToSourceId = toSource,
            ToKey = toKey,
            ToUrl = toUrl,
            Kind = kind,
            Origin = LinkOrigin.RemoteLink,
        };
    }

    /// <summary>Whether the history shows remote-link activity (the only items whose remote links are read).</summary>
    public static bool HasRemoteLinkHistory(IEnumerable<JiraHistory>? histories) =>
        histories is not null && histories.Any(h => h.Items.Exists(i => string.Equals(i.Field, RemoteIssueLinkField, StringComparison.OrdinalIgnoreCase)));

    /// <summary>Sprint, estimate and status changes. Event ids are <c>{historyId}:{field}:{n}</c>, stable across re-reads.</summary>
    public static IEnumerable<ItemEvent> ToEvents(string issueId, IEnumerable<JiraHistory> histories, JiraConversionContext ctx)
    {
        foreach (var h in histories)
        {
            foreach (var item in h.Items)
            {
                var fieldKey = item.FieldId ?? item.Field ?? "";
                var n = 0;
                ItemEvent Event(ItemEventKind kind, string? from, string? to) => new()
                {
                    SourceId = ctx.Source.Id,
                    ItemExternalId = issueId,
                    EventId = string.Create(CultureInfo.InvariantCulture, $"{h.Id}:{fieldKey}:{n++}"),
                    At = h.Created,
                    Kind = kind,
                    From = from,
                    To = to,
                };

                if (IsSprintItem(item, ctx.Fields))
                {
                    var before = SprintIds(item.From);
                    var after = SprintIds(item.To);
                    foreach (var id in after.Where(id => !before.Contains(id))) yield return Event(ItemEventKind.SprintAdded, null, id);
                    foreach (var id in before.Where(id => !after.Contains(id))) yield return Event(ItemEventKind.SprintRemoved, id, null);
                }
                else if (IsStoryPointItem(item, ctx.Fields))
                {
                    yield return Event(ItemEventKind.EstimateChanged, Number(item.FromText ?? item.From), Number(item.ToText ?? item.To));
                }
                else if (string.Equals(item.Field, "status", StringComparison.OrdinalIgnoreCase) && item.FieldId is null or "status")
                {
                    yield return Event(ItemEventKind.StatusChanged, Category(item.From, ctx), Category(item.To, ctx));
                }
            }
        }
    }

    private static bool IsSprintItem(JiraChangeItem item, JiraFieldIds fields) =>
        item.FieldId is not null
            ? string.Equals(item.FieldId, fields.Sprint, StringComparison.OrdinalIgnoreCase)
            : string.Equals(item.Field, "Sprint", StringComparison.OrdinalIgnoreCase) && string.Equals(item.FieldType, "custom", StringComparison.OrdinalIgnoreCase);

    private static bool IsStoryPointItem(JiraChangeItem item, JiraFieldIds fields) =>
        fields.StoryPoints is not null && string.Equals(item.FieldId, fields.StoryPoints, StringComparison.OrdinalIgnoreCase);

    /// <summary>A changelog sprint value: <c>"38, 40, 41"</c>; empty is <c>""</c>.</summary>
    public static IReadOnlyList<string> SprintIds(string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    private static string? Number(string? s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d.ToString("R", CultureInfo.InvariantCulture) : null;

    private static string? Category(string? statusId, JiraConversionContext ctx) =>
        statusId is not null && ctx.StatusCategories.TryGetValue(statusId, out var c) ? c.Name() : null;

    /// <summary>
    /// A project's versions as planning intervals: those with a start and a release date (calendar days, the release day inclusive), the
    /// start not after the release; archived ones too (a finished programme increment is often archived). Sprints are placed by date.
    /// </summary>
    public static IReadOnlyList<TrackerInterval> ToIntervals(IEnumerable<JiraVersion> versions) =>
        versions.Select(v => (Name: v.Name.Trim(), Start: Day(v.StartDate), End: Day(v.ReleaseDate)))
            .Where(v => v.Name.Length > 0 && v.Start is not null && v.End is not null && v.Start <= v.End)
            .DistinctBy(v => v.Name, StringComparer.Ordinal)
            .Select(v => new TrackerInterval(v.Name, v.Start!.Value, v.End!.Value, null))
            .OrderBy(v => v.Start).ThenBy(v => v.Id, StringComparer.Ordinal).ToList();

    private static DateOnly? Day(string? s) =>
        s is { Length: >= 10 } && DateOnly.TryParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <summary>An Agile API sprint; the state is lower-cased (future / active / closed).</summary>
    public static Sprint ToSprint(JiraSprintDto s, string sourceId) => new()
    {
        SourceId = sourceId,
        ExternalId = s.Id.ToString(CultureInfo.InvariantCulture),
        Name = s.Name ?? "", // tolerated: a sprint without a name keeps its id
        State = s.State?.ToLowerInvariant() switch
        {
            "active" => SprintState.Active,
            "closed" => SprintState.Closed,
            _ => SprintState.Future,
        },
        StartAt = s.StartDate,
        EndAt = s.EndDate,
        CompletedAt = s.CompleteDate,
        Goal = string.IsNullOrWhiteSpace(s.Goal) ? null : s.Goal,
    };

    /// <summary>Status id → category from statuses (on issues or from <c>/status</c>).</summary>
    public static void AddStatusCategories(IDictionary<string, StatusCategory> map, IEnumerable<JiraStatus?> statuses)
    {
        foreach (var s in statuses)
            if (s is { Id.Length: > 0, StatusCategory.Key: { } key }) map[s.Id] = MapCategory(key);
    }
}
