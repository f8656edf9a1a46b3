
namespace Alignment.Trackers.Collecting;

/// <summary>
/// Identifiers the store indexes (keys, external ids, ranks, parent and link keys) must fit an index row. An item
/// whose identifier is absurdly long is quarantined instead of failing its whole batch (docs/reliability.md).
/// </summary>
public static class StoreLimits
{
    /// <summary>Characters; real keys, ranks and URLs are far shorter, PostgreSQL's btree rows cap near 2,700 bytes.</summary>
    public const int MaxIdentifier = 1000;

    public static void Check(WorkItem item, IEnumerable<WorkItemLink> links)
    {
        Field(item.ExternalId, "$.id");
        Field(item.Key, "$.key");
        Field(item.ParentKey, "parent key");
        Field(item.Rank, "rank");
        foreach (var s in item.SprintIds) Field(s, "sprint id");
        foreach (var l in links)
        {
            Field(l.FromKey, "link from-key");
            Field(l.ToKey, "link to-key");
        }
    }

    private static void Field(string? value, string what)
    {
        if (value is { Length: > MaxIdentifier })
            throw new ItemConversionException(what.StartsWith('$') ? what : "$", $"the {what.TrimStart('$', '.')} is {value.Length} characters long, more than an identifier can be ({MaxIdentifier})");
    }
}
