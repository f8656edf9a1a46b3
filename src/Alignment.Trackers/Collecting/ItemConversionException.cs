
namespace Alignment.Trackers.Collecting;

/// <summary>
/// A converter could not turn one item into a domain record: the item is quarantined with the JSON path
/// and the reason, the rest of its batch is written (docs/reliability.md, "Quarantine").
/// </summary>
public sealed class ItemConversionException(string path, string reason) : Exception(reason)
{
    public string Path { get; } = path;

    /// <summary>The quarantine record of an item whose conversion threw <paramref name="e"/>.</summary>
    public static ItemFailure Failure(Exception e, string externalId, string? key, string request, string body) => e switch
    {
        ItemConversionException c => new ItemFailure(externalId, key, request, c.Path, c.Message, body),
        System.Text.Json.JsonException j => new ItemFailure(externalId, key, request, j.Path ?? "$", j.Message, body),
        _ => new ItemFailure(externalId, key, request, "$", $"{e.GetType().Name} while converting: {e.Message}", body),
    };
}
