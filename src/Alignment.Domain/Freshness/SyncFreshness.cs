using Cronos;

namespace Alignment.Domain.Freshness;

/// <summary>The run statuses of <c>ops.sync_runs</c> / <c>ops.team_sync_state</c>, plus <see cref="Never"/> for a part without a row.</summary>
public static class SyncPartStatus
{
    public const string Succeeded = "succeeded", Partial = "partial", Failed = "failed", Skipped = "skipped", Abandoned = "abandoned",
        Running = "running", Never = "never";

    /// <summary>Worst first: what an aggregate over teams shows (no data at all ranks below a failure, above partial data).</summary>
    public static readonly string[] WorstFirst = [Failed, Abandoned, Never, Partial, Skipped, Running, Succeeded];

    public static int Rank(string status) => Array.IndexOf(WorstFirst, status) is var i and >= 0 ? WorstFirst.Length - i : 0;

    public static string Worst(IEnumerable<string> statuses) =>
        statuses.DefaultIfEmpty(Never).MaxBy(Rank)!;
}

/// <summary>A configured source as staleness sees it: its schedule and its configured teams.</summary>
public sealed record SyncSourceScope(string Id, string Kind, string Cron, IReadOnlyList<string> Teams)
{
    public static IReadOnlyList<SyncSourceScope> From(AlignmentOptions o) =>
        o.Sources.Select(s => new SyncSourceScope(s.Id, s.Kind.Name(), s.Sync.Cron ?? "", o.TeamsOf(s.Id).Select(t => t.Id).ToList())).ToList();
}

/// <summary>A row of <c>ops.team_sync_state</c> (team <c>""</c> = the source-wide part).</summary>
public sealed record SyncStateRow(string Source, string Team, DateTimeOffset LastAttempt, DateTimeOffset? LastSuccess, string Status,
    string? Error, long? RunId);

/// <summary>
/// What the store says about syncing: the state rows, open quarantined items per (source, team), the first attempt of
/// each part that never succeeded (for the severity of SYNC-STALE), and per source its last whole-source run from
/// <c>ops.sync_runs</c> (<see cref="SourceRuns"/>, team empty): what a team without a state row of its own goes by, e.g. runs
/// recorded before the per-team state existed.
/// </summary>
public sealed record SyncStateData(
    IReadOnlyList<SyncStateRow> States,
    IReadOnlyDictionary<(string Source, string Team), int> Quarantined,
    IReadOnlyDictionary<(string Source, string Team), DateTimeOffset> FirstAttempts,
    IReadOnlyDictionary<string, SyncStateRow>? SourceRuns = null)
{
    public static readonly SyncStateData Empty = new([], new Dictionary<(string, string), int>(), new Dictionary<(string, string), DateTimeOffset>());
}

/// <summary>One team of a source (or its source-wide part, <see cref="Team"/> = <c>""</c>) and whether its data is stale.</summary>
public sealed record PartFreshness(
    string Source, string Team, string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, DateTimeOffset? FirstAttempt,
    string? Error, int QuarantinedItems, bool Stale, string? Reason, long? RunId)
{
    public bool IsSourceWide => Team.Length == 0;
}

/// <summary>A source with its parts and the aggregates over them.</summary>
public sealed record SourceFreshness(
    string Source, string Kind, string Cron, TimeSpan? Interval,
    IReadOnlyList<PartFreshness> Teams, PartFreshness? SourceWide,
    string Status, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, int QuarantinedItems, bool Stale)
{
    public IEnumerable<PartFreshness> Parts => SourceWide is null ? Teams : Teams.Append(SourceWide);
}

/// <summary>
/// Whether each configured source and team has synced recently enough (docs/reliability.md): the one definition that
/// <c>GET /api/sources</c>, the MI overview's <c>dataFreshness</c>, the dashboard banner and the SYNC-STALE rule use. Pure.
/// </summary>
public static class SyncFreshness
{
    public const string Definition =
        "A source or team is stale when it has never synced successfully, when its last successful sync (succeeded or partial) is older " +
        "than 2 × its Sync:Cron interval, or when its last run ended partial (quarantined items or failed teams) or failed. The interval is " +
        "the longer of the gap between the scheduled runs around now and the gap before it (so a weekend pause of a weekday cron does not " +
        "count); without a Cron only never/partial/failed make it stale. A team without a state row of its own goes by its source's last " +
        "whole-source run in ops.sync_runs, if any. A source aggregates its teams (and its source-wide part): the worst " +
        "status (failed, abandoned, never, partial, skipped, running, succeeded), the oldest last success, the total of quarantined items, " +
        "stale when any part is.";

    /// <summary>Assesses every configured source and team at <paramref name="now"/>.</summary>
    public static IReadOnlyList<SourceFreshness> Assess(IReadOnlyList<SyncSourceScope> sources, SyncStateData data, DateTimeOffset now)
    {
        var states = data.States.GroupBy(s => (s.Source, s.Team)).ToDictionary(g => g.Key, g => g.First());
        var result = new List<SourceFreshness>(sources.Count);
        foreach (var s in sources)
        {
            var interval = Interval(s.Cron, now);
            var fallback = data.SourceRuns?.GetValueOrDefault(s.Id);
            var teams = s.Teams.Select(t => Part(s.Id, t, states.GetValueOrDefault((s.Id, t)) ?? fallback, data, interval, now)).ToList();
            var wide = states.TryGetValue((s.Id, ""), out var w) || data.Quarantined.ContainsKey((s.Id, ""))
                ? Part(s.Id, "", w, data, interval, now) : null;
            var parts = wide is null ? teams : [.. teams, wide];
            result.Add(new SourceFreshness(s.Id, s.Kind, s.Cron, interval, teams, wide,
                parts.Count == 0 ? SyncPartStatus.Never : SyncPartStatus.Worst(parts.Select(p => p.Status)),
                parts.Count == 0 || parts.Any(p => p.LastSuccess is null) ? null : parts.Min(p => p.LastSuccess),
                parts.Max(p => p.LastAttempt),
                parts.Sum(p => p.QuarantinedItems),
                parts.Any(p => p.Stale)));
        }
        return result;
    }

    /// <summary>One part: stale when never successful, older than 2 × the interval, or last partial/failed; with the reason in words.</summary>
    public static PartFreshness Part(string source, string team, SyncStateRow? state, SyncStateData data, TimeSpan? interval, DateTimeOffset now)
    {
        var quarantined = data.Quarantined.GetValueOrDefault((source, team));
        var status = state?.Status ?? SyncPartStatus.Never;
        DateTimeOffset? first = data.FirstAttempts.TryGetValue((source, team), out var f) ? f : null;
        if (state is not null && (first is null || state.LastAttempt < first)) first = state.LastAttempt;
        var reasons = new List<string>();
        if (state?.LastSuccess is not { } success)
            reasons.Add(state is null ? "never synced" : "never synced successfully");
        else if (interval is { } i && now - success > 2 * i)
            reasons.Add($"last success {Age(now - success)} ago, more than 2 × the {Age(i)} sync interval");
        if (status is SyncPartStatus.Partial)
            reasons.Add(quarantined > 0 ? $"last run partial: {quarantined} quarantined item(s)" : "last run partial");
        else if (status is SyncPartStatus.Failed)
            reasons.Add("last run failed" + (string.IsNullOrWhiteSpace(state?.Error) ? "" : ": " + state.Error));
        return new PartFreshness(source, team, status, state?.LastSuccess, state?.LastAttempt, first, state?.Error, quarantined,
            reasons.Count > 0, reasons.Count > 0 ? string.Join("; ", reasons) : null, state?.RunId);
    }

    /// <summary>
    /// The schedule's interval around <paramref name="now"/> (UTC): the longer of the gap between the last occurrence at or before now
    /// and the next one, and the gap before that last occurrence. Null for an empty or unparsable cron, or one that never fires.
    /// </summary>
    public static TimeSpan? Interval(string? cron, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(cron)) return null;
        var fields = cron.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (!CronExpression.TryParse(cron.Trim(), fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard, out var expression)) return null;
        var at = now.UtcDateTime;
        var previous = expression.GetPreviousOccurrence(at, inclusive: true);
        var next = expression.GetNextOccurrence(at, inclusive: false);
        var before = previous is { } p ? expression.GetPreviousOccurrence(p, inclusive: false) : null;
        TimeSpan? around = previous is { } a && next is { } n ? n - a : null;
        TimeSpan? earlier = previous is { } b && before is { } c ? b - c : null;
        return (around, earlier) switch
        {
            ({ } x, { } y) => x > y ? x : y,
            ({ } x, null) => x,
            (null, { } y) => y,
            _ => next is { } n2 && expression.GetNextOccurrence(n2, inclusive: false) is { } n3 ? n3 - n2 : null,
        };
    }

    /// <summary>A duration in words: "45 min", "3 h", "2 d 4 h".</summary>
    public static string Age(TimeSpan t)
    {
        if (t < TimeSpan.Zero) t = TimeSpan.Zero;
        if (t.TotalMinutes < 1) return $"{(int)t.TotalSeconds} s";
        if (t.TotalHours < 1) return $"{(int)t.TotalMinutes} min";
        if (t.TotalDays < 1) return t.Minutes == 0 ? $"{(int)t.TotalHours} h" : $"{(int)t.TotalHours} h {t.Minutes} min";
        return t.Hours == 0 ? $"{(int)t.TotalDays} d" : $"{(int)t.TotalDays} d {t.Hours} h";
    }
}
