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

    public static Task<FindingChanges> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisResult result, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(conn, tx, result, now, ct, null);

    public static async Task<FindingChanges> WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisResult result, DateTimeOffset now, CancellationToken ct,
        Action<string, double>? phase)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        void Mark(string name) { phase?.Invoke(name, sw.Elapsed.TotalMilliseconds); sw.Restart(); }
        await conn.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE _findings (fingerprint text PRIMARY KEY, rule text, severity text, team_id text, related_teams text[], items jsonb,
                                         title text, evidence jsonb, action text, score double precision) ON COMMIT DROP
            """, transaction: tx, cancellationToken: ct));
        await using (var w = await conn.BeginBinaryImportAsync(
            "COPY _findings (fingerprint, rule, severity, team_id, related_teams, items, title, evidence, action, score) FROM STDIN (FORMAT BINARY)", ct))
        {
            var json = new Serializer();
            foreach (var f in result.Findings)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(f.Fingerprint, NpgsqlDbType.Text, ct);
                await w.WriteAsync(f.Rule.Name(), NpgsqlDbType.Text, ct);
                await w.WriteAsync(f.Severity.Name(), NpgsqlDbType.Text, ct);
                if (f.Team is null) await w.WriteNullAsync(ct); else await w.WriteAsync(f.Team, NpgsqlDbType.Text, ct);
                await w.WriteAsync(f.RelatedTeams.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
                await w.WriteAsync(json.Items(f), NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync(f.Title, NpgsqlDbType.Text, ct);
                await w.WriteAsync(json.Evidence(f), NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync(f.Action, NpgsqlDbType.Text, ct);
                await w.WriteAsync(f.Score, NpgsqlDbType.Double, ct);
            }
            await w.CompleteAsync(ct);
        }

        Mark("copyFindings");
        var counts = await conn.QuerySingleAsync<(int Opened, int Reopened, int Resolved)>(new CommandDefinition("""
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
               WHERE f.status <> 'resolved' AND NOT EXISTS (SELECT 1 FROM _findings c WHERE c.fingerprint = f.fingerprint)
              RETURNING id, severity),
            rev AS (INSERT INTO analysis.finding_events (finding_id, at, kind, status, severity, actor)
                    SELECT id, @now, 'resolved', 'resolved', severity, 'analysis' FROM res RETURNING 1)
            SELECT (SELECT count(*) FROM ev)::int AS opened,
                   (SELECT count(*) FROM _matched WHERE new_status <> old_status)::int AS reopened,
                   (SELECT count(*) FROM rev)::int AS resolved
            """, new { now }, transaction: tx, cancellationToken: ct));

        Mark("merge");
        // The last run's forecasts and hygiene scorecards replace the previous ones.
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM analysis.epic_forecasts; DELETE FROM analysis.team_hygiene;", transaction: tx, cancellationToken: ct));
        await using (var w = await conn.BeginBinaryImportAsync("COPY analysis.epic_forecasts (source_id, epic_key, team_id, forecast, computed_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var f in result.Forecasts.Values)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(f.Source, NpgsqlDbType.Text, ct);
                await w.WriteAsync(f.Key, NpgsqlDbType.Text, ct);
                if (f.Team is null) await w.WriteNullAsync(ct); else await w.WriteAsync(f.Team, NpgsqlDbType.Text, ct);
                await w.WriteAsync(JsonSerializer.Serialize(f, AnalysisJsonContext.Default.EpicForecast), NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }
            await w.CompleteAsync(ct);
        }
        Mark("forecasts");
        await using (var w = await conn.BeginBinaryImportAsync("COPY analysis.team_hygiene (team_id, scorecard, computed_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var h in result.Hygiene.Values)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(h.Team, NpgsqlDbType.Text, ct);
                await w.WriteAsync(JsonSerializer.Serialize(h, AnalysisJsonContext.Default.HygieneScorecard), NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            }
            await w.CompleteAsync(ct);
        }
        Mark("hygiene");
        return new FindingChanges(result.Findings.Count, counts.Opened, counts.Reopened, counts.Resolved);
    }

    /// <summary>Open findings per severity after the write, in the writing transaction.</summary>
    public static async Task<IReadOnlyDictionary<Severity, int>> OpenBySeverityAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct) =>
        (await conn.QueryAsync<(string Severity, int Count)>(new CommandDefinition(
            "SELECT severity, count(*)::int FROM analysis.findings WHERE status = 'open' GROUP BY severity", transaction: tx, cancellationToken: ct)))
            .ToDictionary(r => DomainNames.Parse<Severity>(r.Severity), r => r.Count);

    /// <summary>One row of <c>analysis.runs</c>: what an analysis run did and how long each phase took.</summary>
    public static async Task RecordRunAsync(NpgsqlConnection conn, NpgsqlTransaction tx, AnalysisRunRow run, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO analysis.runs (trigger, started_at, finished_at, items, findings, opened, reopened, resolved, load_ms, analyze_ms, store_ms)
            VALUES (@Trigger, @Started, @Finished, @Items, @Findings, @Opened, @Reopened, @Resolved, @LoadMs, @AnalyzeMs, @StoreMs)
            """, new
        {
            run.Trigger, run.Started, run.Finished, run.Items, run.Changes.Findings, run.Changes.Opened, run.Changes.Reopened,
            run.Changes.Resolved, run.LoadMs, run.AnalyzeMs, run.StoreMs,
        }, transaction: tx, cancellationToken: ct));
}

/// <summary>What <see cref="FindingStore.RecordRunAsync"/> writes.</summary>
public sealed record AnalysisRunRow(string Trigger, DateTimeOffset Started, DateTimeOffset Finished, int Items, FindingChanges Changes,
    double LoadMs, double AnalyzeMs, double StoreMs);
