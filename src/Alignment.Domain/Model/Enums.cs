namespace Alignment.Domain.Model;

public enum TrackerKind { Jira, AzureDevOps }

public enum WorkItemType { Epic, Feature, Story, Bug, Task, Other }

public enum StatusCategory { Todo, InProgress, Done, Removed }

/// <summary>Normalized link kinds. <see cref="Dependency"/> is directed: From depends on To (To blocks From).</summary>
public enum LinkKind { Dependency, Relates, Duplicates, Clones }

public enum LinkOrigin { TrackerLink, RemoteLink, Hyperlink }

public enum SprintState { Future, Active, Closed }

public enum ItemEventKind { SprintAdded, SprintRemoved, EstimateChanged, StatusChanged }

public static class DomainNames
{
    public static string Name(this WorkItemType t) => t switch
    {
        WorkItemType.Epic => "epic", WorkItemType.Feature => "feature", WorkItemType.Story => "story",
        WorkItemType.Bug => "bug", WorkItemType.Task => "task", _ => "other",
    };

    public static string Name(this StatusCategory c) => c switch
    {
        StatusCategory.Todo => "todo", StatusCategory.InProgress => "inProgress",
        StatusCategory.Done => "done", _ => "removed",
    };

    public static string Name(this LinkKind k) => k switch
    {
        LinkKind.Dependency => "dependency", LinkKind.Relates => "relates",
        LinkKind.Duplicates => "duplicates", _ => "clones",
    };

    public static string Name(this LinkOrigin o) => o switch
    {
        LinkOrigin.TrackerLink => "trackerLink", LinkOrigin.RemoteLink => "remoteLink", _ => "hyperlink",
    };

    public static string Name(this SprintState s) => s switch
    {
        SprintState.Future => "future", SprintState.Active => "active", _ => "closed",
    };

    public static string Name(this ItemEventKind k) => k switch
    {
        ItemEventKind.SprintAdded => "sprintAdded", ItemEventKind.SprintRemoved => "sprintRemoved",
        ItemEventKind.EstimateChanged => "estimateChanged", _ => "statusChanged",
    };

    public static string Name(this TrackerKind k) => k == TrackerKind.Jira ? "jira" : "azureDevOps";
}
