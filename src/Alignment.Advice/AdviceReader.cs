using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Alignment.Advice;

/// <summary>Reads what the digests are made of: product owners (from the configured teams), open findings, and the items of over-committed sprints.</summary>
public static class AdviceReader
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed class OwnerRow
    {
        public string Email { get; set; } = "";
        public string Name { get; set; } = "";
        public string[] TeamIds { get; set; } = [];
        public string[] TeamNames { get; set; } = [];
    }

    public static async Task<List<ProductOwner>> OwnersAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<OwnerRow>(new CommandDefinition("""
            SELECT lower(trim(product_owner_email)) AS email,
                   coalesce(min(nullif(product_owner_name, '')), lower(trim(product_owner_email))) AS name,
                   array_agg(id ORDER BY id) AS teamids, array_agg(name ORDER BY id) AS teamnames
              FROM core.teams
             WHERE configured AND coalesce(trim(product_owner_email), '') <> ''
             GROUP BY lower(trim(product_owner_email))
             ORDER BY 1
            """, cancellationToken: ct));
        return rows.Select(r => new ProductOwner(r.Email, r.Name, r.TeamIds.Zip(r.TeamNames, (i, n) => new AdviceTeam(i, n)).ToList())).ToList();
    }

    public static async Task<Dictionary<string, string>> TeamNamesAsync(NpgsqlConnection conn, CancellationToken ct) =>
        (await conn.QueryAsync<(string Id, string Name)>(new CommandDefinition("SELECT id, name FROM core.teams", cancellationToken: ct)))
        .ToDictionary(r => r.Id, r => r.Name, StringComparer.Ordinal);

    private sealed class FindingRow
    {
        public long Id { get; set; }
        public string Rule { get; set; } = "";
        public string Severity { get; set; } = "";
        public string? TeamId { get; set; }
        public string[] RelatedTeams { get; set; } = [];
        public string Items { get; set; } = "[]";
        public string Title { get; set; } = "";
        public string Action { get; set; } = "";
        public double Score { get; set; }
        public string Evidence { get; set; } = "{}";
        public DateTime FirstSeen { get; set; }
    }

    /// <summary>Every open finding of the rules the digest reads (a few thousand at most; each owner's share is picked in memory).</summary>
    public static async Task<List<AdviceFinding>> OpenFindingsAsync(NpgsqlConnection conn, CancellationToken ct, Severity? severity = null)
    {
        var rows = await conn.QueryAsync<FindingRow>(new CommandDefinition("""
            SELECT id, rule, severity, team_id AS teamid, related_teams AS relatedteams, items::text AS items, title, action, score, evidence::text AS evidence, first_seen AS firstseen
              FROM analysis.findings
             WHERE status = 'open' AND rule = ANY(@rules) AND (@severity::text IS NULL OR severity = @severity)
             ORDER BY id
            """, new { rules = DigestComposer.AdviceRules.Select(r => r.Name()).ToArray(), severity = severity?.Name() }, cancellationToken: ct));
        return rows.Select(Finding).ToList();
    }

    /// <summary>
    /// The findings of the rules the digest reads that are resolved now and were resolved after <paramref name="since"/> (a previous digest's
    /// time; whether each was open then is the caller's to check, from the finding events).
    /// </summary>
    public static async Task<List<AdviceFinding>> ResolvedSinceAsync(NpgsqlConnection conn, DateTimeOffset since, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<FindingRow>(new CommandDefinition("""
            SELECT id, rule, severity, team_id AS teamid, related_teams AS relatedteams, items::text AS items, title, action, score, evidence::text AS evidence, first_seen AS firstseen
              FROM analysis.findings
             WHERE status = @resolved AND resolved_at > @since AND rule = ANY(@rules)
             ORDER BY id
            """, new { resolved = FindingStatus.Resolved.Name(), since, rules = DigestComposer.AdviceRules.Select(r => r.Name()).ToArray() },
            cancellationToken: ct));
        return rows.Select(Finding).ToList();
    }

    private static AdviceFinding Finding(FindingRow r) =>
        new(r.Id, DomainNames.Parse<RuleId>(r.Rule), DomainNames.Parse<Severity>(r.Severity), r.TeamId, r.RelatedTeams,
            JsonSerializer.Deserialize<List<AdviceItemRef>>(r.Items, Json) ?? [], r.Title, r.Action, r.Score,
            JsonDocument.Parse(r.Evidence).RootElement.Clone(), new DateTimeOffset(DateTime.SpecifyKind(r.FirstSeen, DateTimeKind.Utc)));

    private sealed record SprintItemRow(string Source, string Key, string Title, string Url, string? Rank, double? Points, bool BlocksOtherTeams);

    /// <summary>The open items of each over-committed sprint among <paramref name="findings"/>, with whether another team's open work depends on them.</summary>
    public static async Task<Dictionary<SprintKey, IReadOnlyList<SprintItem>>> SprintItemsAsync(NpgsqlConnection conn, IEnumerable<AdviceFinding> findings, CancellationToken ct)
    {
        var result = new Dictionary<SprintKey, IReadOnlyList<SprintItem>>();
        foreach (var f in findings.Where(f => f.Rule == RuleId.CapOvercommit && f.Team is not null))
        {
            var key = new SprintKey(f.Team!, DigestComposer.Str(f.Evidence, "sprint", "source") ?? "", DigestComposer.Str(f.Evidence, "sprint", "id") ?? "");
            if (result.ContainsKey(key)) continue;
            var rows = await conn.QueryAsync<SprintItemRow>(new CommandDefinition("""
                SELECT w.source_id AS source, w.key AS key, w.title, w.url, w.rank, w.story_points AS points,
                       
                       EXISTS (SELECT 1 FROM core.links l
                                 JOIN core.work_items d ON d.source_id = l.from_source_id AND d.key = l.from_key
                                WHERE l.kind = 'dependency' AND l.to_source_id = w.source_id AND l.to_key = w.key
                                  AND NOT d.deleted AND d.status_category IN ('todo', 'inProgress')
                                  AND d.team_id IS DISTINCT FROM w.team_id) AS blocksotherteams
                  FROM core.work_items w
                 WHERE w.team_id = @Team AND w.source_id = @Source AND w.sprint_id = @SprintId AND NOT w.deleted
                   AND w.status_category IN ('todo', 'inProgress')
                """, key, cancellationToken: ct));
            result[key] = rows.Select(r => new SprintItem(r.Source, r.Key, r.Title, r.Url, r.Rank, r.Points, r.BlocksOtherTeams)).ToList();
        }
        return result;
    }
}

/// <summary>The periods of the outbox keys, in the configured time zone.</summary>
public static class AdvicePeriod
{
    public static DateTime Local(DateTimeOffset now, string timeZone) => TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(timeZone)).DateTime;

    /// <summary>The ISO week, e.g. <c>2026-W48</c>.</summary>
    public static string Week(DateTimeOffset now, string timeZone)
    {
        var local = Local(now, timeZone);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}");
    }

    public static string Day(DateTimeOffset now, string timeZone) => Local(now, timeZone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly Today(DateTimeOffset now, string timeZone) => DateOnly.FromDateTime(Local(now, timeZone));
}
