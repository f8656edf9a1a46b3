using Alignment.IntegrationTests.Infrastructure;
using Dapper;
using NpgsqlTypes;

namespace Alignment.IntegrationTests.Store;

/// <summary>
/// The two ways <see cref="BulkTable{T}"/> upserts — one <c>unnest</c> statement for small batches, COPY into a staging
/// table and a merge for large ones — give the same rows and the same change counts.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class BulkUpsertTests(TestDatabase db) : IAsyncLifetime
{
    private sealed record Row(string Key, double? Points, DateTime? At, DateOnly? Day, bool Flag, int Count);

    private static readonly BulkTable<Row> Table = new("public.bulk_upsert_test", ["k"],
    [
        new("k", NpgsqlDbType.Text, r => r.Key),
        new("points", NpgsqlDbType.Double, r => r.Points),
        new("at", NpgsqlDbType.TimestampTz, r => r.At),
        new("day", NpgsqlDbType.Date, r => r.Day),
        new("flag", NpgsqlDbType.Boolean, r => r.Flag),
        new("n", NpgsqlDbType.Integer, r => r.Count),
    ], touchOnUpdate: "touched = t.touched + 1");

    public async Task InitializeAsync()
    {
        await db.ResetAsync();
        await db.ScalarAsync<int>("""
            DROP TABLE IF EXISTS public.bulk_upsert_test;
            CREATE TABLE public.bulk_upsert_test (k text PRIMARY KEY, points double precision, at timestamptz, day date,
                                                  flag boolean NOT NULL, n int NOT NULL, touched int NOT NULL DEFAULT 0);
            SELECT 1
            """);
    }

    public Task DisposeAsync() => db.ScalarAsync<int>("DROP TABLE IF EXISTS public.bulk_upsert_test; SELECT 1");

    private static List<Row> Rows(int count, int version) => Enumerable.Range(0, count).Select(i => new Row(
        $"k{i:D4}", i % 3 == 0 ? null : i + version * 0.5, i % 4 == 0 ? null : new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i),
        i % 5 == 0 ? null : new DateOnly(2026, 11, 1).AddDays(i % 30), i % 2 == 0, i)).ToList();

    private async Task<(int Changed, string Table)> UpsertAsync(IEnumerable<Row> rows)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var changed = await Table.UpsertAsync(conn, rows, default);
        await tx.CommitAsync();
        var dump = string.Join("\n", await conn.QueryAsync<string>(
            "SELECT concat_ws('|', k, coalesce(points::text, '-'), coalesce(at::text, '-'), coalesce(day::text, '-'), flag, n, touched) FROM public.bulk_upsert_test ORDER BY k"));
        return (changed, dump);
    }

    [Theory]
    [InlineData(10)]                          // one unnest statement
    [InlineData(BulkTable<Row>.SmallBatch + 44)] // staged COPY + merge
    public async Task Inserts_count_changes_only_and_the_last_duplicate_wins(int count)
    {
        var (inserted, _) = await UpsertAsync(Rows(count, 0));
        Assert.Equal(count, inserted);
        Assert.Equal(0, (await UpsertAsync(Rows(count, 0))).Changed); // unchanged rows are not rewritten

        // Every third row changes its points; a duplicate of k0001 later in the batch wins over the first one.
        var next = Rows(count, 0).Select((r, i) => i % 3 == 1 ? r with { Points = -i } : r).ToList();
        next.Add(next[1] with { Count = 999 });
        var (changed, table) = await UpsertAsync(next);

        Assert.Equal(Enumerable.Range(0, count).Count(i => i % 3 == 1), changed);
        Assert.Contains("k0001|-1|", table);
        Assert.Contains("|999|1", table.Split('\n')[1]);
        Assert.Equal("k0000|-|-|-|t|0|0", table.Split('\n')[0]); // nulls stay nulls, untouched
    }

    [Fact]
    public async Task Both_ways_leave_the_same_rows()
    {
        var rows = Rows(BulkTable<Row>.SmallBatch, 1);
        var (_, small) = await UpsertAsync(rows);
        await db.ScalarAsync<int>("TRUNCATE public.bulk_upsert_test; SELECT 1");
        var (_, staged) = await UpsertAsync(rows.Concat(rows.Take(1))); // one over the limit: the staged path
        Assert.Equal(small, staged);
    }
}
