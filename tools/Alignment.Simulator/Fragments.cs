using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;

namespace Alignment.Simulator;

/// <summary>
/// The serialized JSON values of one item, rendered once per organisation version: the pages that carry the item
/// (search, bulk fetch, changelogs, work item batches, revisions, WIQL) copy them instead of serializing it again.
/// <see cref="Values"/> follows the tracker's layout (<c>JiraApi.IssueSlot</c>, <c>AdoApi.Slot</c>); an empty value
/// is one the item does not carry. <see cref="History"/> holds a Jira issue's change histories, one per event.
/// </summary>
internal sealed class ItemFragments(ReadOnlyMemory<byte>[] values, ReadOnlyMemory<byte>[] history)
{
    public ReadOnlyMemory<byte>[] Values { get; } = values;
    public ReadOnlyMemory<byte>[] History { get; } = history;

    public ReadOnlySpan<byte> this[int slot] => Values[slot].Span;

    /// <summary>Bytes held by this item alone (shared values such as statuses and linked issues are not counted).</summary>
    public long OwnBytes { get; init; }
}

/// <summary>
/// Pre-rendered fragments of every item, keyed by the organisation's version: <c>POST /_sim/advance</c> changes the
/// organisation and bumps the version, which drops them all; they are rendered again on first use. Values many items
/// carry (a status, an issue type, an assignee, a parent as a linked issue, a sprint set) are rendered once and shared.
/// Everything here runs under the organisation's read lock, so the version cannot change underneath.
/// </summary>
internal sealed class FragmentCache(SimContext ctx)
{
    private readonly Lock _gate = new();
    private Generation _current = new(-1, 0);

    [ThreadStatic] private static FragmentBuilder? t_builder;

    private sealed class Generation(long version, int items)
    {
        public long Version { get; } = version;
        public ItemFragments?[] Items { get; } = new ItemFragments?[items];
        public ConcurrentDictionary<string, byte[]> Shared { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The fragments of <paramref name="it"/> for the current version, rendered now if they are not yet.</summary>
    public ItemFragments Of(Item it)
    {
        var g = Current();
        if (g.Items[it.Index] is { } cached) return cached;
        var b = t_builder ??= new FragmentBuilder();
        var built = it.Tracker == Tracker.Jira ? JiraApi.BuildFragments(b, ctx, it) : AdoApi.BuildFragments(b, ctx, it);
        g.Items[it.Index] = built; // a concurrent render of the same item yields the same bytes
        return built;
    }

    /// <summary>A value shared by many items, rendered the first time <paramref name="key"/> is asked for in this version.</summary>
    public byte[] Shared(string key, Action<Utf8JsonWriter> write) =>
        Current().Shared.GetOrAdd(key, static (_, write) => FragmentBuilder.Render(write), write);

    /// <summary>Renders every item's fragments (in parallel), so that serving them is a copy.</summary>
    public void RenderAll()
    {
        ctx.Org.Lock.EnterReadLock();
        try
        {
            var items = ctx.Org.Items;
            Parallel.For(0, items.Count, i => Of(items[i]));
        }
        finally { ctx.Org.Lock.ExitReadLock(); }
    }

    /// <summary>Items rendered, and the bytes they hold (own and shared), for <c>/_sim/stats</c>.</summary>
    public (int Items, long Bytes) Size()
    {
        var g = Volatile.Read(ref _current);
        long bytes = g.Shared.Values.Sum(v => (long)v.Length);
        int n = 0;
        foreach (var f in g.Items)
            if (f is not null) { n++; bytes += f.OwnBytes; }
        return (n, bytes);
    }

    private Generation Current()
    {
        var g = Volatile.Read(ref _current);
        if (g.Version == ctx.Org.Version) return g;
        lock (_gate)
        {
            if (_current.Version != ctx.Org.Version) Volatile.Write(ref _current, new Generation(ctx.Org.Version, ctx.Org.Items.Count));
            return _current;
        }
    }
}

/// <summary>
/// Renders an item's values one after the other into one buffer, each as if it stood alone (no separator before it),
/// with the writer options every response uses; <see cref="Build"/> copies them into one array per item.
/// </summary>
internal sealed class FragmentBuilder
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly List<(int Start, int Length, byte[]? Shared)> _values = [];
    private readonly List<(int Start, int Length, byte[]? Shared)> _history = [];
    private List<(int Start, int Length, byte[]? Shared)> _into;

    public FragmentBuilder()
    {
        _writer = new Utf8JsonWriter(_buffer, SimContext.WriterOptions);
        _into = _values;
    }

    /// <summary>The next value, rendered into the item's own bytes.</summary>
    public void Value(Action<Utf8JsonWriter> write) => _into.Add(Append(write));

    /// <summary>The next value is one shared with other items.</summary>
    public void Value(byte[] shared) => _into.Add((0, shared.Length, shared));

    /// <summary>The item does not carry the next value.</summary>
    public void Absent() => _into.Add((0, 0, null));

    /// <summary>The values that follow are the item's <see cref="ItemFragments.History"/>.</summary>
    public void StartHistory() => _into = _history;

    /// <summary>The item's fragments; the builder is empty again afterwards.</summary>
    public ItemFragments Build()
    {
        var own = _buffer.WrittenSpan.ToArray();
        var result = new ItemFragments(Slices(_values, own), Slices(_history, own)) { OwnBytes = own.Length };
        _values.Clear();
        _history.Clear();
        _into = _values;
        _buffer.ResetWrittenCount();
        return result;
    }

    private static ReadOnlyMemory<byte>[] Slices(List<(int Start, int Length, byte[]? Shared)> values, byte[] own)
    {
        var result = new ReadOnlyMemory<byte>[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var (start, length, shared) = values[i];
            result[i] = shared ?? own.AsMemory(start, length);
        }
        return result;
    }

    /// <summary>One value on its own, e.g. a shared one.</summary>
    public static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, SimContext.WriterOptions)) write(w);
        return buffer.WrittenSpan.ToArray();
    }

    private (int Start, int Length, byte[]? Shared) Append(Action<Utf8JsonWriter> write)
    {
        _writer.Reset(_buffer);
        int start = _buffer.WrittenCount;
        write(_writer);
        _writer.Flush();
        return (start, _buffer.WrittenCount - start, null);
    }
}

/// <summary>Writes pre-rendered values through a <see cref="Utf8JsonWriter"/>, which keeps the separators as rendering them would.</summary>
internal static class FragmentWriting
{
    public static void WriteRaw(this Utf8JsonWriter w, JsonEncodedText name, ReadOnlySpan<byte> value)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(value, skipInputValidation: true);
    }

    public static void WriteRaw(this Utf8JsonWriter w, ReadOnlySpan<byte> value) => w.WriteRawValue(value, skipInputValidation: true);
}

/// <summary>A response body under construction, in an array from the shared pool (large pages would otherwise land on the large object heap).</summary>
internal sealed class PooledBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _written;

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    private void Ensure(int sizeHint)
    {
        int need = Math.Max(sizeHint, 1);
        if (_array.Length - _written >= need) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _written + need));
        _array.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }

    public void Dispose()
    {
        if (_array.Length > 0) ArrayPool<byte>.Shared.Return(_array);
        _array = [];
        _written = 0;
    }
}
