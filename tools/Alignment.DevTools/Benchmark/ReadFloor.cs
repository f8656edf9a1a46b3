using System.Diagnostics;
using Npgsql;

namespace Alignment.DevTools.Benchmark;

/// <summary>
/// The analysis's read floor (README, "Benchmark"): every SELECT the analysis's snapshot load runs (<see cref="SnapshotLoader.Queries"/>, then
/// <see cref="SyncStateReader.Queries"/>: the same text, so the same columns and rows), each as <c>COPY (…) TO STDOUT (FORMAT binary)</c>
/// on one connection, one after the other, the bytes read and discarded. No rows become objects: what remains of the analysis's time
/// beyond this is its own work (materialising the snapshot, the analyzers, storing findings, refreshing MI).
/// </summary>
public static class ReadFloor
{
    public sealed record Result(double Seconds, long Bytes);

    public static async Task<Result> RunAsync(string connectionString, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        var counter = new CountingStream();
        var clock = Stopwatch.StartNew();
        foreach (var sql in SnapshotLoader.Queries.Concat(SyncStateReader.Queries))
        {
            await using var reader = await conn.BeginRawBinaryCopyAsync($"COPY ({sql}) TO STDOUT (FORMAT binary)", ct);
            await reader.CopyToAsync(counter, 1 << 16, ct);
        }
        return new Result(clock.Elapsed.TotalSeconds, counter.Length);
    }

    /// <summary>A sink that only counts what is written to it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
