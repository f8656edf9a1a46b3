using System.Globalization;
using System.Text.Json;

namespace Alignment.Advice;

public sealed record ComposeSettings(string Language, int CapPerSection, string? DashboardUrl);

/// <summary>
/// Turns a product owner's open findings into the four sections of the weekly digest (pure: no I/O, no clock):
/// <i>Unblock other teams</i> (DEP-UNSCHEDULED, DEP-LATE, DEP-RANK grouped per blocker of the owner's teams; DEP-CYCLE),
/// <i>Protect the sprint</i> (CAP-OVERCOMMIT with the items to move out), <i>Epics at risk</i> (DRIFT-EPIC-FORECAST) and
/// <i>Backlog hygiene</i> (DRIFT-UNESTIMATED, DRIFT-STALE, DRIFT-ORPHAN), and <i>Reconsider the order</i> (PRIO-INVERSION, ranked by the
/// value at stake). Lines are ranked by <see cref="AdviceRanking.Impact"/>.
/// </summary>
public static class DigestComposer
{
    public const string Unblock = "unblock", Protect = "protect", Epics = "epics", Hygiene = "hygiene", Reorder = "reorder";

    public static readonly RuleId[] DependencyRules = [RuleId.DepUnscheduled, RuleId.DepLate, RuleId.DepRank, RuleId.DepCycle];
    public static readonly RuleId[] HygieneRules = [RuleId.DriftUnestimated, RuleId.DriftStale, RuleId.DriftOrphan];
    /// <summary>Every rule the digest reads.</summary>
    public static readonly RuleId[] AdviceRules = [.. DependencyRules, RuleId.CapOvercommit, RuleId.DriftEpicForecast, .. HygieneRules, RuleId.PrioInversion];

    /// <summary>Whether a finding is one the owner of <paramref name="teams"/> can act on, and in which section.</summary>
    public static string? SectionOf(AdviceFinding f, IReadOnlySet<string> teams)
    {
        switch (f.Rule)
        {
            case RuleId.DepUnscheduled or RuleId.DepLate:
                return Str(f.Evidence, "blocker", "team") is { } b && teams.Contains(b) ? Unblock : null;
            case RuleId.DepRank:
                return f.Team is { } t && teams.Contains(t) ? Unblock : null;
            case RuleId.DepCycle:
                return Involves(f, teams) ? Unblock : null;
            case RuleId.CapOvercommit:
                return f.Team is { } c && teams.Contains(c) ? Protect : null;
            case RuleId.DriftEpicForecast:
                return Involves(f, teams) ? Epics : null;
            case RuleId.DriftUnestimated or RuleId.DriftStale or RuleId.DriftOrphan:
                return f.Team is { } h && teams.Contains(h) ? Hygiene : null;
            case RuleId.PrioInversion:
                return f.Team is { } r && teams.Contains(r) ? Reorder : null;
            default:
                return null;
        }
    }

    private static bool Involves(AdviceFinding f, IReadOnlySet<string> teams) =>
        (f.Team is { } t && teams.Contains(t)) || f.RelatedTeams.Any(teams.Contains);

    public static Digest Compose(AdviceInput input, ComposeSettings settings, string period, DateOnly today)
    {
        var t = AdviceText.For(settings.Language);
        var teams = input.Owner.Teams.Select(x => x.Id).ToHashSet(StringComparer.Ordinal);
        string Team(string? id) => id is null ? "?" : teams.Contains(id) && input.Owner.Teams.Count == 1 ? t.OwnTeam : input.TeamNames.GetValueOrDefault(id, id);

        var lines = Lines(input.Findings, input, teams, Team, t, today);
        // The findings open at the previous digest and resolved since, composed into lines as they were shown then.
        var baseline = input.Baseline;
        var resolved = Lines(baseline?.Resolved.Where(f => baseline.OpenThen.Contains(f.Id)) ?? [], input, teams, Team, t, today);
        var fullList = FullListUrl(settings.DashboardUrl, input.Owner);
        var headings = new (string Id, string Heading, string Intro)[]
        {
            (Unblock, t.UnblockHeading, t.UnblockIntro),
            (Protect, t.ProtectHeading, t.ProtectIntro),
            (Epics, t.EpicsHeading, t.EpicsIntro),
            (Hygiene, t.HygieneHeading, t.HygieneIntro),
            // Last, and empty (so not rendered) without value data: the digests of organisations without value fields are as before.
            (Reorder, t.ReorderHeading, t.ReorderIntro),
        };
        var sections = headings.Select(h => Section(h.Id, h.Heading, h.Intro, lines[h.Id], settings.CapPerSection, fullList, t) with
        {
            Changes = WeekOverWeek.Changes(Ranked(lines[h.Id]), resolved[h.Id], baseline, t),
        }).ToList();
        var count = sections.Sum(s => s.Total);
        return new Digest(input.Owner, period, t.Language, t.SubjectFormat(WeekOverWeek.WeekOf(period), count), sections)
        {
            Since = WeekOverWeek.Since(sections, baseline, t),
            TeamTrends = WeekOverWeek.TeamLines(input.Trends, t),
        };
    }

    /// <summary>The lines of each section (unranked) from those of <paramref name="findings"/> the owner of <paramref name="teams"/> can act on.</summary>
    private static Dictionary<string, List<DigestLine>> Lines(IEnumerable<AdviceFinding> findings, AdviceInput input, IReadOnlySet<string> teams,
        Func<string?, string> team, AdviceText t, DateOnly today)
    {
        var mine = findings.Select(f => (Finding: f, Section: SectionOf(f, teams))).Where(x => x.Section is not null).ToList();
        IEnumerable<AdviceFinding> In(string section) => mine.Where(x => x.Section == section).Select(x => x.Finding);
        return new Dictionary<string, List<DigestLine>>(StringComparer.Ordinal)
        {
            [Unblock] = UnblockLines(In(Unblock), teams, team, t, today),
            [Protect] = In(Protect).Select(f => ProtectLine(f, input, team, t, today)).ToList(),
            [Epics] = In(Epics).Select(f => EpicLine(f, input, t, today)).ToList(),
            [Hygiene] = In(Hygiene).Select(f => HygieneLine(f, t, today)).ToList(),
            [Reorder] = In(Reorder).Select(f => ReorderLine(f, t)).ToList(),
        };
    }

    /// <summary>Most impact first; equal impact by the headline item's key.</summary>
    private static List<DigestLine> Ranked(IEnumerable<DigestLine> lines) =>
        lines.OrderByDescending(l => l.Impact).ThenBy(l => l.Subject.Key, StringComparer.Ordinal).ToList();

    private static string? FullListUrl(string? dashboard, ProductOwner owner)
    {
        if (string.IsNullOrWhiteSpace(dashboard)) return null;
        var url = dashboard.TrimEnd('/') + "/api/findings?status=open";
        return owner.Teams.Count == 1 ? url + "&team=" + Uri.EscapeDataString(owner.Teams[0].Id) : url;
    }

    private static DigestSection Section(string id, string heading, string intro, List<DigestLine> lines, int cap, string? fullList, AdviceText t)
    {
        var ranked = Ranked(lines);
        var shown = ranked.Take(cap).ToList();
        var more = ranked.Count - shown.Count;
        return new DigestSection(id, heading, intro, shown, more, more > 0 ? fullList : null)
        {
            MoreText = more > 0 ? t.MoreFormat(more) : "",
            AllFindingIds = ranked.SelectMany(l => l.FindingIds).Distinct().ToList(),
        };
    }

    // ---- Unblock other teams -------------------------------------------------------------------------------------------

    private sealed record Waiting(string? Team, ItemLink Item, DateOnly? From);

    private static List<DigestLine> UnblockLines(IEnumerable<AdviceFinding> findings, IReadOnlySet<string> teams, Func<string?, string> teamName,
        AdviceText t, DateOnly today)
    {
        var lines = new List<DigestLine>();
        var byBlocker = new Dictionary<string, List<AdviceFinding>>(StringComparer.Ordinal);
        foreach (var f in findings)
        {
            if (f.Rule == RuleId.DepCycle) { lines.Add(CycleLine(f, teamName, t, today)); continue; }
            var blocker = f.Evidence.GetProperty("blocker");
            var key = $"{Str(blocker, "source")}/{Str(blocker, "key")}";
            if (!byBlocker.TryGetValue(key, out var list)) byBlocker[key] = list = [];
            list.Add(f);
        }
        foreach (var (_, group) in byBlocker.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var blocker = group[0].Evidence.GetProperty("blocker");
            var waiting = new List<Waiting>();
            var notes = new List<string>();
            foreach (var f in group.OrderBy(f => f.Id))
            {
                if (f.Rule == RuleId.DepRank)
                {
                    if (f.Evidence.TryGetProperty("dependents", out var deps) && deps.ValueKind == JsonValueKind.Array)
                        foreach (var d in deps.EnumerateArray()) waiting.Add(new Waiting(Str(d, "team"), Link(d), Date(d, "sprint", "firstDay")));
                    notes.Add(t.RankFormat(Int(f.Evidence, "rank") ?? 0, Int(f.Evidence, "backlogSize") ?? 0));
                    continue;
                }
                var dep = f.Evidence.GetProperty("dependent");
                waiting.Add(new Waiting(Str(dep, "team"), Link(dep), Date(f.Evidence, "dependentStarts") ?? Date(dep, "sprint", "firstDay")));
                if (f.Rule == RuleId.DepUnscheduled) notes.Add(t.NotPlanned);
                else if (Int(f.Evidence, "daysLate") is { } late)
                    notes.Add(t.LateFormat(Str(blocker, "sprint", "name") ?? "?", Str(f.Evidence, "blockerEnds") ?? "?", late));
                else notes.Add(t.OverlapFormat(Str(blocker, "sprint", "name") ?? "?"));
            }
            var distinct = waiting.GroupBy(w => w.Item.Key, StringComparer.Ordinal).Select(g => g.OrderBy(w => w.From ?? DateOnly.MaxValue).First())
                .OrderBy(w => w.From ?? DateOnly.MaxValue).ThenBy(w => w.Item.Key, StringComparer.Ordinal).ToList();
            var neededBy = distinct.Select(w => w.From).Where(d => d is not null).Min();
            var waitingTeams = distinct.Select(w => w.Team).Distinct().ToList();
            var otherTeams = waitingTeams.Count(w => w is null || !teams.Contains(w));
            var itemsText = string.Join(", ", distinct.Select(w => w.From is { } d ? $"{w.Item.Key} ({t.NeededFromFormat(Iso(d))})" : w.Item.Key));
            var why = t.WaitsFormat(t.List(waitingTeams.Select(teamName).ToList()), itemsText) + " " + string.Join(" ", notes.Distinct());
            var subject = Link(blocker);
            var action = neededBy is { } by ? t.UnblockActionFormat(subject.Key, Iso(by)) : t.UnblockActionNoDate(subject.Key);
            var severity = group.Select(f => f.Severity).Max();
            var impact = AdviceRanking.Impact(new ImpactFacts(severity, otherTeams, distinct.Count, neededBy), today);
            lines.Add(new DigestLine(subject, why, action, distinct.Select(w => w.Item).ToList(), severity, impact, group.Select(f => f.Id).ToList()));
        }
        return lines;
    }

    private static DigestLine CycleLine(AdviceFinding f, Func<string?, string> teamName, AdviceText t, DateOnly today)
    {
        var teamIds = f.Evidence.TryGetProperty("teams", out var ts) && ts.ValueKind == JsonValueKind.Array
            ? ts.EnumerateArray().Select(x => x.GetString()).ToList() : [f.Team];
        var items = f.Evidence.TryGetProperty("items", out var its) && its.ValueKind == JsonValueKind.Array
            ? its.EnumerateArray().Select(Link).ToList() : f.Items.Select(i => new ItemLink(i.Key, i.Key, SafeUrl(i.Url))).ToList();
        var impact = AdviceRanking.Impact(new ImpactFacts(f.Severity, Math.Max(0, teamIds.Count - 1), items.Count), today);
        var subject = items.FirstOrDefault() ?? new ItemLink("?", f.Title, null);
        return new DigestLine(subject, t.CycleFormat(t.List(teamIds.Select(teamName).ToList())) + " " + string.Join(" → ", items.Select(i => i.Key)),
            t.CycleAction, items, f.Severity, impact, [f.Id]);
    }

    // ---- Protect the sprint ------------------------------------------------------------------------------------------

    private static DigestLine ProtectLine(AdviceFinding f, AdviceInput input, Func<string?, string> teamName, AdviceText t, DateOnly today)
    {
        var e = f.Evidence;
        var sprintName = Str(e, "sprint", "name") ?? "?";
        var committed = Num(e, "committedPoints") ?? 0;
        var expected = Num(e, "expectedPoints") ?? 0;
        var p50 = Num(e, "velocity", "p50") ?? 0;
        var over = Num(e, "overBy") ?? (expected > 0 ? committed / expected - 1 : 0);
        var key = new SprintKey(f.Team ?? "", Str(e, "sprint", "source") ?? "", Str(e, "sprint", "id") ?? "");
        var items = input.SprintItems.GetValueOrDefault(key) ?? [];
        var plan = MoveOutPlanner.Plan(items, committed, expected);
        var keys = t.List(plan.Items.Select(i => i.Key).ToList());
        var action = plan.Items.Count == 0 ? t.NothingToMove
            : plan.ReachesTarget ? t.MoveOutFormat(keys, plan.PointsMoved, plan.Remaining) : t.MoveOutShortFormat(keys, plan.PointsMoved, plan.Remaining);
        var team = input.TeamNames.GetValueOrDefault(f.Team ?? "", f.Team ?? "");
        var subject = new ItemLink(sprintName, team, null);
        var impact = AdviceRanking.Impact(new ImpactFacts(f.Severity, NeededBy: Date(e, "sprint", "firstDay")), today);
        return new DigestLine(subject, t.OvercommitFormat(sprintName, committed, expected, p50, over), action,
            plan.Items.Select(i => new ItemLink(i.Key, i.Title, SafeUrl(i.Url))).ToList(), f.Severity, impact, [f.Id]);
    }

    // ---- Epics at risk -------------------------------------------------------------------------------------------------

    private static DigestLine EpicLine(AdviceFinding f, AdviceInput input, AdviceText t, DateOnly today)
    {
        var e = f.Evidence;
        var epic = e.GetProperty(JsonNamingPolicy.CamelCase.ConvertName(nameof(EpicForecastEvidence.Epic)));
        var late = Int(e, "daysLate") ?? 0;
        var why = t.EpicFormat(Str(e, "p85") ?? "?", Str(e, "target") ?? "?", late, Str(e, "p50") ?? "?");
        string? driverTeam = null;
        if (e.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            var last = parts.EnumerateArray().Where(p => Str(p, "p85") is not null).OrderByDescending(p => Str(p, "p85"), StringComparer.Ordinal)
                .ThenByDescending(p => Num(p, "remainingPoints") ?? 0).FirstOrDefault();
            if (last.ValueKind == JsonValueKind.Object)
            {
                driverTeam = Str(last, "team");
                why += " " + t.DriverFormat(input.TeamNames.GetValueOrDefault(driverTeam ?? "", driverTeam ?? "?"), Num(last, "remainingPoints") ?? 0,
                    Int(last, "openItems") ?? 0, Int(last, "unestimatedItems") ?? 0);
            }
        }
        var upstream = e.TryGetProperty("upstream", out var up) && up.ValueKind == JsonValueKind.Array
            ? up.EnumerateArray().Select(u => new ItemLink(Str(u, "key") ?? "?", Str(u, "key") ?? "?", SafeUrl(Str(u, "url")))).ToList() : [];
        if (upstream.Count > 0) why += " " + t.UpstreamFormat(string.Join(", ", upstream.Take(5).Select(u => u.Key)) + (upstream.Count > 5 ? " …" : ""));
        var impact = AdviceRanking.Impact(new ImpactFacts(f.Severity, Math.Max(0, f.RelatedTeams.Count), 0, null, Date(e, "target"), late), today);
        return new DigestLine(Link(epic), why, t.EpicActionFormat(input.TeamNames.GetValueOrDefault(driverTeam ?? "", driverTeam ?? "?")),
            upstream, f.Severity, impact, [f.Id]);
    }

    // ---- Backlog hygiene -----------------------------------------------------------------------------------------------

    private static DigestLine HygieneLine(AdviceFinding f, AdviceText t, DateOnly today)
    {
        var e = f.Evidence;
        var item = e.GetProperty("item");
        var subject = Link(item);
        string why, action;
        DateOnly? neededBy = null;
        var inProgress = false;
        switch (f.Rule)
        {
            case RuleId.DriftUnestimated:
                var sprint = Str(item, "sprint", "name");
                neededBy = Date(item, "sprint", "firstDay");
                why = sprint is not null ? t.UnestimatedSprintFormat(sprint) : t.UnestimatedTopFormat(Int(e, "topN") ?? 20);
                action = t.EstimateAction(subject.Key);
                break;
            case RuleId.DriftStale:
                var since = e.TryGetProperty("updatedAt", out var u) && u.ValueKind == JsonValueKind.String && u.TryGetDateTimeOffset(out var at)
                    ? at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "?";
                why = t.StaleFormat(Int(e, "days") ?? 0, since);
                inProgress = true;
                action = t.StaleAction(subject.Key);
                break;
            default:
                why = t.OrphanFormat(Str(item, "type") ?? "item");
                action = t.OrphanAction(subject.Key);
                break;
        }
        var impact = AdviceRanking.Impact(new ImpactFacts(f.Severity, NeededBy: neededBy, InProgress: inProgress), today);
        return new DigestLine(subject, why, action, [], f.Severity, impact, [f.Id]);
    }

    // ---- Reconsider the order ------------------------------------------------------------------------------------------

    /// <summary>PRIO-INVERSION: the lower-ranked item with its WSJF inputs, the item above it, the move; ranked by the value at stake.</summary>
    private static DigestLine ReorderLine(AdviceFinding f, AdviceText t)
    {
        var e = f.Evidence;
        var lower = e.GetProperty("rankedLower");
        var higher = e.GetProperty("rankedHigher");
        var inputs = t.InputsFormat(Num(lower, "value", "businessValue"), Num(lower, "value", "timeCriticality"), Num(lower, "value", "riskReduction"),
            Num(lower, "value", "jobSize"));
        var above = Link(higher.GetProperty("item"));
        var why = t.ReorderFormat(Num(lower, "value", "wsjf") ?? 0, inputs, Int(lower, "position") ?? 0, above.Key, Num(higher, "value", "wsjf") ?? 0,
            Int(higher, "position") ?? 0);
        return new DigestLine(Link(lower.GetProperty("item")), why, t.ReorderAction(Str(e, "move") ?? ""), [above], f.Severity,
            Num(e, "valueAtStake") ?? 0, [f.Id]);
    }

    // ---- Evidence helpers ----------------------------------------------------------------------------------------------

    /// <summary>Only http(s) links reach an e-mail (no javascript: or data: from a tracker field).</summary>
    public static string? SafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp) ? u.AbsoluteUri : null;

    private static ItemLink Link(JsonElement item) =>
        new(Str(item, "key") ?? "?", Str(item, "title") ?? Str(item, "key") ?? "?", SafeUrl(Str(item, "url")));

    private static bool TryGet(JsonElement e, string[] path, out JsonElement value)
    {
        value = e;
        foreach (var p in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(p, out value)) return false;
        }
        return value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
    }

    internal static string? Str(JsonElement e, params string[] path) =>
        TryGet(e, path, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    internal static double? Num(JsonElement e, params string[] path) =>
        TryGet(e, path, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    internal static int? Int(JsonElement e, params string[] path) => Num(e, path) is { } d ? (int)Math.Round(d) : null;

    internal static DateOnly? Date(JsonElement e, params string[] path) =>
        Str(e, path) is { } s && DateOnly.TryParseExact(s.Length >= 10 ? s[..10] : s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
