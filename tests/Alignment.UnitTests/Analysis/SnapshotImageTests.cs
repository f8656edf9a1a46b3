namespace Alignment.UnitTests.Analysis;

/// <summary>
/// The incremental analysis's snapshot image (docs/architecture.md, "Incremental analysis"): an image patched with changed items must equal,
/// element by element and in order, an image created from the final rows — whatever order the rows were read in.
/// </summary>
public sealed class SnapshotImageTests
{
    private static SnapshotItem Item(string source, string id, string title = "t", string? parent = null) =>
        new(source, id, $"K-{id}", $"https://x/{id}", WorkItemType.Story, title, StatusCategory.Todo, 3, "team", null, [], parent, null,
            SnapshotBuilder.Now, SnapshotBuilder.Now, null);

    private static SnapshotImage.ReportedLink Link(string source, string reporter, string from, string to) =>
        new(source, reporter, new SnapshotLink(source, $"K-{from}", source, $"K-{to}"));

    private static SnapshotImage.EstimateRow Estimate(string source, string id, string eventId, double to) =>
        new(eventId, new EstimateEvent(source, id, SnapshotBuilder.Now, null, to));

    private static ItemChanges Changed(params (string Source, string Id)[] items) =>
        new(1, items.GroupBy(i => i.Source).ToDictionary(g => g.Key, g => g.Select(i => i.Id).ToHashSet(StringComparer.Ordinal)));

    [Fact]
    public void A_patched_image_equals_one_created_from_the_final_rows()
    {
        var items = Enumerable.Range(1, 40).Select(n => Item(n % 3 == 0 ? "ado" : "jira", n.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        var links = new List<SnapshotImage.ReportedLink>
        {
            Link("jira", "1", "1", "2"), Link("jira", "2", "1", "2"), // one link, two reporters
            Link("jira", "4", "4", "5"), Link("jira", "7", "7", "8"), Link("ado", "3", "3", "6"),
        };
        var estimates = new List<SnapshotImage.EstimateRow> { Estimate("jira", "1", "e2", 5), Estimate("jira", "1", "e1", 3), Estimate("jira", "4", "e1", 8) };
        var image = SnapshotImage.Create(Shuffled(items, 1), Shuffled(links, 2), Shuffled(estimates, 3));

        // Item 1 changes (title; it no longer reports its link, which item 2 still reports), item 4 is deleted (its link and event go),
        // item 41 is new with a new link, item 7's link moves to another target, item 2 gets an estimate event.
        var changed = Changed(("jira", "1"), ("jira", "4"), ("jira", "41"), ("jira", "7"), ("jira", "2"));
        var patched = image.Patch(changed,
            [Item("jira", "1", "renamed"), Item("jira", "41"), Item("jira", "7"), Item("jira", "2")],
            [Link("jira", "41", "41", "1"), Link("jira", "7", "7", "9"), Link("jira", "2", "1", "2")],
            [Estimate("jira", "1", "e1", 3), Estimate("jira", "1", "e2", 5), Estimate("jira", "2", "e9", 1)]);

        var finalItems = items.Where(i => !(i.Source == "jira" && i.ExternalId is "1" or "4")).Append(Item("jira", "1", "renamed")).Append(Item("jira", "41")).ToList();
        var expected = SnapshotImage.Create(finalItems,
            [Link("jira", "2", "1", "2"), Link("jira", "7", "7", "9"), Link("ado", "3", "3", "6"), Link("jira", "41", "41", "1")],
            [Estimate("jira", "1", "e1", 3), Estimate("jira", "1", "e2", 5), Estimate("jira", "2", "e9", 1)]);

        Assert.Equal(expected.Items, patched.Items);
        Assert.Equal(expected.Links, patched.Links);
        Assert.Equal(expected.EstimateEvents, patched.EstimateEvents);
        Assert.Equal("renamed", patched.Items.Single(i => i.ExternalId == "1" && i.Source == "jira").Title);
        Assert.DoesNotContain(patched.Links, l => l.FromKey == "K-4");
        Assert.Contains(new SnapshotLink("jira", "K-1", "jira", "K-2"), patched.Links); // still reported by item 2

        // Patching again with nothing changed keeps everything; the image patched is unchanged (a failed run keeps the old one).
        var again = patched.Patch(Changed(), [], [], []);
        Assert.Equal(patched.Items, again.Items);
        Assert.Equal(patched.Links, again.Links);
        Assert.Equal(40, image.Items.Count);
    }

    [Fact]
    public void The_order_is_ordinal_by_source_and_id_whatever_order_the_rows_came_in()
    {
        var items = new[] { Item("jira", "b"), Item("ado", "z"), Item("jira", "B"), Item("jira", "a") }.ToList();
        var image = SnapshotImage.Create(items, [], []);
        Assert.Equal(["ado/z", "jira/B", "jira/a", "jira/b"], image.Items.Select(i => $"{i.Source}/{i.ExternalId}"));
    }

    private static List<T> Shuffled<T>(List<T> list, int seed)
    {
        var copy = list.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
        return copy;
    }
}
