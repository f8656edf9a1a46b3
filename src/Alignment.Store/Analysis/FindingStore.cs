using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Alignment.Store.Analysis;

public sealed record FindingChanges(int Findings, int Opened, int Reopened, int Resolved);

/// <summary>
/// Writes one analysis run's findings with their lifecycle, in the caller's transaction: a finding is matched
/// by fingerprint (a re-run updates it), a resolved one that holds again is reopened, a suppressed one reopens
/// only when its severity rises above the suppressed severity, and one that no longer holds is resolved.
/// </summary>
public static class FindingStore
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Serializes findings' item lists and evidence exactly as they are written to <c>analysis.findings</c>: the source-generated
    /// <see cref="AnalysisJsonContext"/> (evidence by its runtime type) into one reused buffer and writer per instance (one per write).
    /// </summary>
    public sealed class Serializer
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private readonly Utf8JsonWriter _writer;

        public Serializer() => _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = Json.Encoder, Indented = false });

        public string Items(Finding f) => Write(f.Items, AnalysisJsonContext.Default.IReadOnlyListItemRef);

        public string Evidence(Finding f) => Write(f.Evidence, AnalysisJsonContext.Default.GetTypeInfo(f.Evidence.GetType())
            ?? throw new InvalidOperationException($"{f.Evidence.GetType().Name} is not in AnalysisJsonContext"));

        private string Write(object value, JsonTypeInfo type)
        {
            _buffer.ResetWrittenCount();
            _writer.Reset(_buffer);
            JsonSerializer.Serialize(_writer, value, type);
            _writer.Flush();
            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }
    }

    /// <summary>A finding's content as written to <c>analysis.findings</c> (everything but its lifecycle).</summary>
    public sealed record FindingRow(string Fingerprint, string Rule, string Severity, string? Team, string[] RelatedTeams, string Items, string Title,
        string Evidence, string Action, double Score)
    {
        public bool SameContent(FindingRow o) =>
            Rule == o.Rule && Severity == o.Severity && Team == o.Team && RelatedTeams.AsSpan().SequenceEqual(o.RelatedTeams) && Items == o.Items
            && Title == o.Title && Evidence == o.Evidence && Action == o.Action && Score.Equals(o.Score);
    }

    /// <summary>The rows of <paramref name="findings"/>, serialized once.</summary>
    public static List<FindingRow> Rows(IEnumerable<Finding> findings)
    {
        var json = new Serializer();
        return findings.Select(f => new FindingRow(f.Fingerprint, f.Rule.Name(), f.Severity.Name(), f.Team, f.RelatedTeams.ToArray(), json.Items(f), f.Title,
            json.Evidence(f), f.Action, f.Score)).ToList();
    }

    public static async Task<FindingChanges> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisResult result, DateTimeOffset now, CancellationToken ct) =>
        (await WriteAsync(conn, tx, result, now, ct, null, null)).Changes;

    /// <summary>
    /// Writes the run's findings, forecasts and hygiene scorecards. Without <paramref name="before"/> every finding is merged and every open
    /// finding the run did not produce is resolved. With <paramref name="before"/> — what the previous run of this process wrote, when no other
    /// run has written since — only the findings that are new or whose content changed are merged, and only those the previous run had and
    /// this one has not are resolved: the table ends the same (docs/architecture.md, "Incremental analysis").
    /// </summary>
    public static async Task<(FindingChanges Changes, WrittenAnalysis Written)> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisResult result,
        DateTimeOffset now, CancellationToken ct, Action<string, double>? phase, WrittenAnalysis? before)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        void Mark(string name) { phase?.Invoke(name, sw.Elapsed.TotalMilliseconds); sw.Restart(); }
        var rows = Rows(result.Findings);
        var written = rows.ToDictionary(r => r.Fingerprint, StringComparer.Ordinal);
        var staged = before is null ? rows : rows.Where(r => !before.Findings.TryGetValue(r.Fingerprint, out var b) || !b.SameContent(r)).ToList();
        var removed = before?.Findings.Keys.Where(k => !written.ContainsKey(k)).ToArray();
        Mark("serialize");
        await StageAsync(conn, tx, staged, ct);
        Mark("copyFindings");
        var counts = await MergeAsync(conn, tx, now, removed, ct);
        Mark("merge");
        var forecasts = await AnalysisOutputs.WriteAsync(conn, tx, result, now, before?.Forecasts, ct);
        Mark("forecasts");
        return (new FindingChanges(rows.Count, counts.Opened, counts.Reopened, counts.Resolved), new WrittenAnalysis(written, forecasts));
    }

    /// <summary>Copies <paramref name="rows"/> into the transaction's staging table <c>_findings</c>.</summary>
    private static async Task StageAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<FindingRow> rows, CancellationToken ct)
    {
        await conn.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE _findings (fingerprint text PRIMARY KEY, rule text, severity text, team_id text, related_teams text[], items jsonb,
                                         title text, evidence jsonb, action text, score double precision) ON COMMIT DROP
            """, transaction: tx, cancellationToken: ct));
        await using var w = await conn.BeginBinaryImportAsync(
            "COPY _findings (fingerprint, rule, severity, team_id, related_teams, items, title, evidence, action, score) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var f in rows)
        {
            await w.StartRowAsync(ct);
            await w.WriteAsync(f.Fingerprint, NpgsqlDbType.Text, ct);
            await w.WriteAsync(f.Rule, NpgsqlDbType.Text, ct);
            await w.WriteAsync(f.Severity, NpgsqlDbType.Text, ct);
            if (f.Team is null) await w.WriteNullAsync(ct); else await w.WriteAsync(f.Team, NpgsqlDbType.Text, ct);
            await w.WriteAsync(f.RelatedTeams, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await w.WriteAsync(f.Items, NpgsqlDbType.Jsonb, ct);
            await w.WriteAsync(f.Title, NpgsqlDbType.Text, ct);
            await w.WriteAsync(f.Evidence, NpgsqlDbType.Jsonb, ct);
            await w.WriteAsync(f.Action, NpgsqlDbType.Text, ct);
            await w.WriteAsync(f.Score, NpgsqlDbType.Double, ct);
        }
        await w.CompleteAsync(ct);
    }

    /// <summary>
    /// Merges the staged findings (<c>_findings</c>) and resolves the open ones that no longer hold: the <paramref name="removed"/>
    /// fingerprints, or without them every one not staged.
    /// </summary>
    private static Task<(int Opened, int Reopened, int Resolved)> MergeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now,
        string[]? removed, CancellationToken ct)
    {
        var noLongerHolds = removed is null ? "NOT EXISTS (SELECT 1 FROM _findings c WHERE c.fingerprint = f.fingerprint)" : "f.fingerprint = ANY(@removed)";
        return conn.QuerySingleAsync<(int Opened, int Reopened, int Resolved)>(new CommandDefinition($$"""
            CREATE TEMP TABLE _matched ON COMMIT DROP AS
              SELECT f.id, f.status AS old_status, f.severity AS old_severity, c.severity,
                     CASE WHEN f.status = 'resolved' THEN 'open'
                          WHEN f.status = 'suppressed' AND array_position(ARRAY['info','warning','critical'], c.severity)
                                 > array_position(ARRAY['info','warning','critical'], coalesce(f.suppressed_severity, f.severity)) THEN 'open'
                          ELSE f.status END AS new_status
              FROM _findings c JOIN analysis.findings f ON f.fingerprint = c.fingerprint;

            -- Content is rewritten only where it changed (unchanged jsonb keeps its TOAST value); every match gets last_seen.
            UPDATE analysis.findings f
               SET rule = c.rule, severity = c.severity, team_id = c.team_id, related_teams = c.related_teams, items = c.items,
                   title = c.title, evidence = c.evidence, action = c.action, score = c.score
              FROM _findings c
             WHERE c.fingerprint = f.fingerprint
               AND (f.rule, f.severity, f.team_id, f.related_teams, f.items, f.title, f.evidence, f.action, f.score)
                   IS DISTINCT FROM (c.rule, c.severity, c.team_id, c.related_teams, c.items, c.title, c.evidence, c.action, c.score);

            UPDATE analysis.findings f
               SET last_seen = @now,
                   status = m.new_status,
                   resolved_at = CASE WHEN m.new_status = 'resolved' THEN f.resolved_at ELSE NULL END,
                   suppressed_severity = CASE WHEN m.new_status = 'suppressed' THEN f.suppressed_severity END,
                   status_changed_at = CASE WHEN m.new_status <> m.old_status THEN @now ELSE f.status_changed_at END,
                   status_changed_by = CASE WHEN m.new_status <> m.old_status THEN 'analysis' ELSE f.status_changed_by END
              FROM _matched m
             WHERE f.id = m.id;

            INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
            SELECT id, @now, CASE WHEN new_status <> old_status THEN 'reopened' ELSE 'severityChanged' END, new_status, severity, 'analysis'
              FROM _matched WHERE new_status <> old_status OR severity <> old_severity;

            WITH ins AS (
              INSERT INTO analysis.findings (fingerprint, rule, severity, status, team_id, related_teams, items, title, evidence, action, score,
                                             first_seen, last_seen, status_changed_at, status_changed_by)
              SELECT c.fingerprint, c.rule, c.severity, 'open', c.team_id, c.related_teams, c.items, c.title, c.evidence, c.action, c.score,
                     @now, @now, @now, 'analysis'
                FROM _findings c WHERE NOT EXISTS (SELECT 1 FROM analysis.findings f WHERE f.fingerprint = c.fingerprint)
              RETURNING id, severity),
            ev AS (INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
                   SELECT id, @now, 'opened', 'open', severity, 'analysis' FROM ins RETURNING 1),
            res AS (
              UPDATE analysis.findings f SET status = 'resolved', resolved_at = @now, status_changed_at = @now, status_changed_by = 'analysis'
               WHERE f.status <> 'resolved' AND {{noLongerHolds}}
              RETURNING id, severity),
            rev AS (INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
                    SELECT id, @now, 'resolved', 'resolved', severity, 'analysis' FROM res RETURNING 1)
            SELECT (SELECT count(*) FROM ev)::int AS opened,
                   (SELECT count(*) FROM _matched WHERE new_status <> old_status)::int AS reopened,
                   (SELECT count(*) FROM rev)::int AS resolved
            """, new { now, removed }, transaction: tx, cancellationToken: ct));
    }

    /// <summary>Open findings per severity after the write, in the writing transaction.</summary>
    public static async Task<IReadOnlyDictionary<Severity, int>> OpenBySeverityAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        (await conn.QueryAsync<(string Severity, int Count)>(new CommandDefinition(
            "SELECT severity, count(*)::int FROM analysis.findings WHERE status = 'open' GROUP BY severity", transaction: tx, cancellationToken: ct)))
            .ToDictionary(r => DomainNames.Parse<Severity>(r.Severity), r => r.Count);

    /// <summary>One row of <c>analysis.runs</c>: what an analysis run did and how long each phase took; returns its id.</summary>
    public static async Task<long> RecordRunAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisRunRow run, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO analysis.runs (trigger, started_at, finished_at, items, findings, opened, reopened, resolved, load_ms, analyze_ms, store_ms,
                                       incremental, changed_items)
            VALUES (@Trigger, @Started, @Finished, @Items, @Findings, @Opened, @Reopened, @Resolved, @LoadMs, @AnalyzeMs, @StoreMs, @Incremental, @ChangedItems)
            RETURNING id
            """, new
        {
            run.Trigger, run.Started, run.Finished, run.Items, run.Changes.Findings, run.Changes.Opened, run.Changes.Reopened,
            run.Changes.Resolved, run.LoadMs, run.AnalyzeMs, run.StoreMs, Incremental = run.ChangedItems is not null, run.ChangedItems,
        }, transaction: tx, cancellationToken: ct));

    /// <summary>The id of the latest analysis run (0 before the first).</summary>
    public static Task<long> LatestRunAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        conn.ExecuteScalarAsync<long>(new CommandDefinition("SELECT coalesce(max(id), 0) FROM analysis.runs", transaction: tx, cancellationToken: ct));
}

/// <summary>What <see cref="FindingStore.RecordRunAsync"/> writes; <see cref="ChangedItems"/> is set for an incremental run.</summary>
public sealed record AnalysisRunRow(string Trigger, DateTimeOffset Started, DateTimeOffset Finished, int Items, FindingChanges Changes,
    double LoadMs, double AnalyzeMs, double StoreMs, int? ChangedItems = null);
