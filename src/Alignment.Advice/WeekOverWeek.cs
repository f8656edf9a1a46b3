namespace Alignment.Advice;

/// <summary>
/// The owner's previous digest (the last one in the outbox before this period that was not given up) and how the findings stood when it was
/// composed (<see cref="At"/>, the outbox row's creation): <see cref="OpenThen"/> the findings whose last event by then left them open,
/// <see cref="LeftOpenSince"/> those with an event since that left them not open (a currently open one was then reopened), and
/// <see cref="Resolved"/> the findings of the digest's rules resolved since (whether they were open then is read from <see cref="OpenThen"/>).
/// </summary>
public sealed record AdviceBaseline(string Period, DateTimeOffset At, IReadOnlySet<long> OpenThen, IReadOnlySet<long> LeftOpenSince,
    IReadOnlyList<AdviceFinding> Resolved);

/// <summary>A value of the MI history: the week's Monday (<c>interval=week</c>) and the value (a fraction for say/do).</summary>
public sealed record TrendPoint(DateOnly At, double Value);

/// <summary>
/// One team's figures for the digest's team line: say/do now (the latest weekly point of the MI history, null when unknown) and the latest
/// point at least <see cref="WeekOverWeek.TrendWeeks"/> weeks before it; predictability from the planning intervals when they give one.
/// </summary>
public sealed record TeamTrend(string Team, string Name, TrendPoint? SayDo, TrendPoint? SayDoBefore, PredictabilityTrend? Predictability);

/// <summary>The lines of a section that are new, resolved or still open, by their headline item (at most <see cref="WeekOverWeek.ListCap"/> shown).</summary>
public sealed record ChangeGroup(string Label, IReadOnlyList<ItemLink> Items, string MoreText, bool ShowTitles)
{
    public bool HasMore => MoreText.Length > 0;
}

/// <summary>What changed in a digest section since the previous digest: counts of lines and the groups to list (empty groups left out).</summary>
public sealed record SectionChanges(string Summary, int NewCount, int ResolvedCount, int StillOpenCount, IReadOnlyList<ChangeGroup> Groups);

/// <summary>
/// Week over week in the digest (pure): per section the lines that are <b>new</b> (a finding behind it was not open at the previous digest, or
/// was reopened since), <b>still open</b> (every finding behind it was open then and stayed open) and <b>resolved</b> since (lines composed
/// from the findings open then and resolved since, whose headline item is no longer in the section); the digest's summary of those; and one
/// line per team with say/do now against some weeks ago and, when planning intervals give it, predictability.
/// </summary>
public static class WeekOverWeek
{
    /// <summary>Items listed per group before "and N more".</summary>
    public const int ListCap = 10;

    /// <summary>The say/do trend compares with the latest weekly point at least this many weeks before the current one.</summary>
    public const int TrendWeeks = 4;

    /// <summary>How far back the trend line reads the MI history.</summary>
    public const int LookBackWeeks = 13;

    public static SectionChanges? Changes(IReadOnlyList<DigestLine> ranked, IReadOnlyList<DigestLine> resolved, AdviceBaseline? baseline, AdviceText t)
    {
        if (baseline is null) return null;
        var isNew = ranked.ToLookup(l => l.FindingIds.Any(id => !baseline.OpenThen.Contains(id) || baseline.LeftOpenSince.Contains(id)));
        var open = ranked.Select(l => l.Subject.Key).ToHashSet(StringComparer.Ordinal);
        var gone = resolved.Where(l => !open.Contains(l.Subject.Key))
            .OrderBy(l => l.Subject.Key, StringComparer.Ordinal).ThenBy(l => l.Subject.Title, StringComparer.Ordinal).ToList();
        List<DigestLine> fresh = [.. isNew[true]], still = [.. isNew[false]];
        var groups = new[] { Group(t.NewLabel, fresh, false, t), Group(t.ResolvedLabel, gone, true, t), Group(t.StillOpenLabel, still, false, t) };
        return new SectionChanges(t.SectionSinceFormat(WeekOf(baseline.Period), fresh.Count, gone.Count, still.Count), fresh.Count, gone.Count,
            still.Count, groups.OfType<ChangeGroup>().ToList());
    }

    private static ChangeGroup? Group(string label, List<DigestLine> lines, bool titles, AdviceText t)
    {
        var items = lines.Select(l => l.Subject).DistinctBy(s => s.Key, StringComparer.Ordinal).ToList();
        if (items.Count == 0) return null;
        var more = items.Count - ListCap;
        return new ChangeGroup(label, items.Take(ListCap).ToList(), more > 0 ? t.MoreFormat(more) : "", titles);
    }

    /// <summary>The digest's summary: the totals of the sections' changes, or that this is the first digest.</summary>
    public static string Since(IReadOnlyList<DigestSection> sections, AdviceBaseline? baseline, AdviceText t) =>
        baseline is null ? t.FirstDigest
            : t.SinceFormat(WeekOf(baseline.Period), sections.Sum(s => s.Changes?.NewCount ?? 0), sections.Sum(s => s.Changes?.ResolvedCount ?? 0),
                sections.Sum(s => s.Changes?.StillOpenCount ?? 0));

    /// <summary>"Payments: say/do 78 % (4 weeks ago 71 %, ↑)", with "; predictability …" when the planning intervals give one.</summary>
    public static IReadOnlyList<string> TeamLines(IReadOnlyList<TeamTrend> trends, AdviceText t) => trends.Select(trend =>
    {
        var text = trend.SayDo is not { } now ? t.SayDoUnknown
            : trend.SayDoBefore is { } before
                ? t.SayDoTrendFormat(Percent(now.Value), (now.At.DayNumber - before.At.DayNumber) / 7, Percent(before.Value), Arrow(now.Value, before.Value))
                : t.SayDoFormat(Percent(now.Value));
        if (trend.Predictability is { } p)
            text += "; " + (p.Previous is { } previous
                ? t.PredictabilityTrendFormat(p.Interval, Percent(p.Value), p.PreviousInterval ?? "?", Percent(previous), Arrow(p.Value, previous))
                : t.PredictabilityFormat(p.Interval, Percent(p.Value)));
        return $"{trend.Name}: {text}";
    }).ToList();

    /// <summary>Whole percent, halves away from zero.</summary>
    public static int Percent(double fraction) => (int)Math.Round(fraction * 100, MidpointRounding.AwayFromZero);

    /// <summary>Up, down or level, on the whole percentages the line shows.</summary>
    public static string Arrow(double now, double before) => Percent(now).CompareTo(Percent(before)) switch { > 0 => "↑", < 0 => "↓", _ => "→" };

    /// <summary>The week number of a period such as <c>2026-W48</c> (the period itself when it is not one).</summary>
    public static string WeekOf(string period) =>
        period.Contains("-W", StringComparison.Ordinal) ? period[(period.IndexOf("-W", StringComparison.Ordinal) + 2)..] : period;

    /// <summary>
    /// A team's trend from its MI history rows as weekly points (<see cref="MiHistoryDays.Points"/>, what <c>GET /api/mi/history?interval=week</c>
    /// serves): now is the latest week's value; before, the latest non-null value at least <see cref="TrendWeeks"/> weeks before that week.
    /// </summary>
    public static (TrendPoint? Now, TrendPoint? Before) SayDoTrend(IReadOnlyList<MiHistoryDays.Point> weeks)
    {
        if (weeks.Count == 0 || weeks[^1].Value is not { } value) return (null, null);
        var now = new TrendPoint(weeks[^1].At, value);
        var cutoff = now.At.AddDays(-7 * TrendWeeks);
        var before = weeks.LastOrDefault(w => w.At <= cutoff && w.Value is not null);
        return (now, before is null ? null : new TrendPoint(before.At, before.Value!.Value));
    }
}
