using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Alignment.Store;

/// <summary>One column of a bulk upsert: its name, its PostgreSQL type, and how to read it from a row.</summary>
public sealed record BulkColumn<T>(string Name, NpgsqlDbType Type, Func<T, object?> Get, bool Compare = true);

/// <summary>
/// A bulk upsert into one table: binary COPY into a temporary table, then one
/// <c>INSERT … SELECT DISTINCT ON (key) … ON CONFLICT (key) DO UPDATE … WHERE row IS DISTINCT FROM EXCLUDED</c>.
/// Duplicates within the rows are removed first (the last one wins), since PostgreSQL refuses to update
/// one row twice in a statement, and unchanged rows are not rewritten.
/// </summary>
public sealed class BulkTable<T>
{
    private static int _counter;

    public BulkTable(string target, IReadOnlyList<string> key, IReadOnlyList<BulkColumn<T>> columns, bool updateOnConflict = true, string? touchOnUpdate = null)
    {
        Target = target;
        Key = key;
        Columns = columns;
        UpdateOnConflict = updateOnConflict;
        TouchOnUpdate = touchOnUpdate;
    }

    public string Target { get; }
    public IReadOnlyList<string> Key { get; }
    public IReadOnlyList<BulkColumn<T>> Columns { get; }
    public bool UpdateOnConflict { get; }
    /// <summary>An extra assignment made only when a row really changes (e.g. <c>synced_at = now()</c>).</summary>
    public string? TouchOnUpdate { get; }

    /// <summary>Copies the rows into a fresh temporary table (dropped at commit) and returns its name.</summary>
    public async Task<string> StageAsync(NpgsqlConnection conn, IEnumerable<T> rows, CancellationToken ct)
    {
        var temp = $"_stage_{Target.Replace('.', '_')}_{Interlocked.Increment(ref _counter)}";
        var cols = string.Join(", ", Columns.Select(c => c.Name));
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {cols} FROM {Target} WITH NO DATA; ALTER TABLE {temp} ADD COLUMN _ord bigint", conn))
            await create.ExecuteNonQueryAsync(ct);
        await CopyAsync(conn, $"COPY {temp} ({cols}, _ord) FROM STDIN (FORMAT BINARY)", rows, withOrdinal: true, ct);
        return temp;
    }

    /// <summary>
    /// Copies the rows straight into the target, for rows known to be new (a first read): no staging, no merge.
    /// A duplicate key fails the COPY (SQLSTATE 23505); callers run it under a savepoint and fall back to the upsert.
    /// </summary>
    public Task CopyDirectAsync(NpgsqlConnection conn, IEnumerable<T> rows, CancellationToken ct) =>
        CopyAsync(conn, $"COPY {Target} ({string.Join(", ", Columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", rows, withOrdinal: false, ct);

    private async Task CopyAsync(NpgsqlConnection conn, string copy, IEnumerable<T> rows, bool withOrdinal, CancellationToken ct)
    {
        await using var writer = await conn.BeginBinaryImportAsync(copy, ct);
        long ord = 0;
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var c in Columns)
            {
                var v = c.Get(row);
                if (v is null) await writer.WriteNullAsync(ct);
                else await writer.WriteAsync(v, c.Type, ct);
            }
            if (withOrdinal) await writer.WriteAsync(ord++, NpgsqlDbType.Bigint, ct);
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>
    /// Merges a staged table into the target; returns the number of rows inserted or changed. With <paramref name="changed"/>, the
    /// <paramref name="changed"/>.Column of every row inserted or changed is added to it (for the change log, <c>ItemChangeLog</c>).
    /// </summary>
    public async Task<int> MergeAsync(NpgsqlConnection conn, string temp, CancellationToken ct, ChangedRows? changed = null)
    {
        var cols = string.Join(", ", Columns.Select(c => c.Name));
        var key = string.Join(", ", Key);
        var sql = $"INSERT INTO {Target} AS t ({cols}) SELECT DISTINCT ON ({key}) {cols} FROM {temp} ORDER BY {key}, _ord DESC {OnConflict()}";
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
        return await ExecuteAsync(cmd, changed, ct);
    }

    /// <summary>Runs an insert; with <paramref name="changed"/> it returns the column of the rows it wrote and collects them.</summary>
    private static async Task<int> ExecuteAsync(NpgsqlCommand cmd, ChangedRows? changed, CancellationToken ct)
    {
        if (changed is null) return await cmd.ExecuteNonQueryAsync(ct);
        cmd.CommandText += $" RETURNING t.{changed.Column}";
        var n = 0;
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            changed.Values.Add(r.GetString(0));
            n++;
        }
        return n;
    }

    /// <summary><c>ON CONFLICT (key) DO UPDATE … WHERE row IS DISTINCT FROM EXCLUDED</c> (or <c>DO NOTHING</c>).</summary>
    private string OnConflict()
    {
        var sql = new StringBuilder($"ON CONFLICT ({string.Join(", ", Key)}) DO ");
        var update = Columns.Where(c => !Key.Contains(c.Name)).ToList();
        if (!UpdateOnConflict || update.Count == 0) return sql.Append("NOTHING").ToString();
        sql.Append("UPDATE SET ").Append(string.Join(", ", update.Select(c => $"{c.Name} = EXCLUDED.{c.Name}")));
        if (TouchOnUpdate is not null) sql.Append(", ").Append(TouchOnUpdate);
        var compared = update.Where(c => c.Compare).ToList();
        sql.Append($" WHERE ({string.Join(", ", compared.Select(c => "t." + c.Name))}) IS DISTINCT FROM ({string.Join(", ", compared.Select(c => "EXCLUDED." + c.Name))})");
        return sql.ToString();
    }

    /// <summary>
    /// Up to this many rows of a table without array columns are upserted by one statement over <c>unnest</c> of one array
    /// parameter per column: no temporary table, so a team's handful of sprints or capacities costs one round trip (an
    /// unchanged incremental sync writes them for every team).
    /// </summary>
    public const int SmallBatch = 256;

    private bool Unnestable => Columns.All(c => (c.Type & NpgsqlDbType.Array) == 0);

    private async Task<int> UpsertSmallAsync(NpgsqlConnection conn, IReadOnlyList<T> rows, ChangedRows? changed, CancellationToken ct)
    {
        var (sql, parameters) = SmallUpsert(rows);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
        cmd.Parameters.AddRange(parameters);
        return await ExecuteAsync(cmd, changed, ct);
    }

    /// <summary>
    /// The upsert of a small batch as one command of an <see cref="NpgsqlBatch"/> (several statements, one round trip, one
    /// implicit transaction); null when the rows are too many or the table has array columns (then use <see cref="UpsertAsync"/>).
    /// </summary>
    public NpgsqlBatchCommand? BatchUpsert(IReadOnlyList<T> rows)
    {
        if (rows.Count == 0 || rows.Count > SmallBatch || !Unnestable) return null;
        var (sql, parameters) = SmallUpsert(rows);
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private (string Sql, NpgsqlParameter[] Parameters) SmallUpsert(IReadOnlyList<T> rows)
    {
        // The last row of a key wins, as in the staged merge (PostgreSQL refuses to update one row twice in a statement).
        var keyColumns = Key.Select(k => Columns.First(c => c.Name == k)).ToList();
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
            last[string.Join("\u0001", keyColumns.Select(c => Convert.ToString(c.Get(rows[i]), System.Globalization.CultureInfo.InvariantCulture)))] = i;
        var kept = last.Values.Order().Select(i => rows[i]).ToList();
        var parameters = Columns.Select((c, i) => new NpgsqlParameter($"c{i}", NpgsqlDbType.Array | c.Type) { Value = TypedArray(c, kept) }).ToArray();
        var sql = $"INSERT INTO {Target} AS t ({string.Join(", ", Columns.Select(c => c.Name))}) " +
                  $"SELECT * FROM unnest({string.Join(", ", parameters.Select(p => "@" + p.ParameterName))}) {OnConflict()}";
        return (sql, parameters);
    }

    /// <summary>The column's values as an array Npgsql writes as the column's array type.</summary>
    private static Array TypedArray(BulkColumn<T> c, IReadOnlyList<T> rows)
    {
        var values = rows.Select(c.Get).ToArray();
        return c.Type switch
        {
            NpgsqlDbType.Double => values.Select(v => (double?)v).ToArray(),
            NpgsqlDbType.Integer => values.Select(v => (int?)v).ToArray(),
            NpgsqlDbType.Bigint => values.Select(v => (long?)v).ToArray(),
            NpgsqlDbType.Boolean => values.Select(v => (bool?)v).ToArray(),
            NpgsqlDbType.TimestampTz => values.Select(v => (DateTime?)v).ToArray(),
            NpgsqlDbType.Date => values.Select(v => (DateOnly?)v).ToArray(),
            _ => values.Select(v => (string?)v).ToArray(),
        };
    }

    /// <summary>Inserts new rows and rewrites changed ones; returns how many. Small batches take one statement, large ones COPY + merge.</summary>
    public async Task<int> UpsertAsync(NpgsqlConnection conn, IEnumerable<T> rows, CancellationToken ct, ChangedRows? changed = null)
    {
        var list = rows as IReadOnlyList<T> ?? rows.ToList();
        if (list.Count == 0) return 0;
        if (list.Count <= SmallBatch && Unnestable) return await UpsertSmallAsync(conn, list, changed, ct);
        return await MergeAsync(conn, await StageAsync(conn, list, ct), ct, changed);
    }
}

/// <summary>Collects one text column of the rows an upsert inserted or changed (<see cref="BulkTable{T}.UpsertAsync"/>).</summary>
public sealed class ChangedRows(string column)
{
    public string Column { get; } = column;
    public List<string> Values { get; } = [];
}
