namespace Alignment.Core.Analysis;

/// <summary>Evidence fragments a reader can check against the tracker.</summary>
internal static class Evidence
{
    public static Dictionary<string, object?> Item(SnapshotIndex x, SnapshotItem i)
    {
        var sprint = i.SprintId is { } id ? x.Sprints.GetValueOrDefault((i.Source, id)) : null;
        return new()
        {
            ["source"] = i.Source, ["key"] = i.Key, ["url"] = i.Url, ["title"] = i.Title, ["type"] = i.Type, ["team"] = i.Team,
            ["statusCategory"] = i.StatusCategory, ["storyPoints"] = i.Points,
            ["sprint"] = sprint is null ? null : Sprint(sprint),
        };
    }

    public static Dictionary<string, object?> Sprint(SnapshotSprint s) => new()
    {
        ["source"] = s.Source, ["id"] = s.Id, ["name"] = s.Name, ["state"] = s.State,
        ["firstDay"] = s.FirstDay?.ToString("yyyy-MM-dd"), ["lastDay"] = s.LastDay?.ToString("yyyy-MM-dd"),
    };

    public static Dictionary<string, object?> Velocity(TeamVelocity v) => new()
    {
        ["p50"] = Round(v.P50), ["mean"] = Round(v.Mean), ["cv"] = v.Cv is { } cv ? Round(cv) : null,
        ["sprints"] = v.Sprints.Select(f => new Dictionary<string, object?>
        {
            ["sprint"] = f.SprintId, ["completed"] = f.Completed, ["committed"] = f.Committed, ["sayDo"] = f.SayDo, ["basis"] = f.Basis,
        }).ToList(),
        ["definition"] = "completed points of the team's last closed sprints (DESIGN §6)",
    };

    public static double Round(double v) => Math.Round(v, 2);
    public static string D(DateOnly? d) => d?.ToString("yyyy-MM-dd") ?? "?";
}
