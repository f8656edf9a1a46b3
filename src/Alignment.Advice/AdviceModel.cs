using System.Text.Json;

namespace Alignment.Advice;

/// <summary>An open finding as the digest reads it from <c>analysis.findings</c> (evidence kept as JSON).</summary>
public sealed record AdviceFinding(
    long Id, RuleId Rule, Severity Severity, string? Team, IReadOnlyList<string> RelatedTeams, IReadOnlyList<AdviceItemRef> Items,
    string Title, string Action, double Score, JsonElement Evidence, DateTimeOffset FirstSeen);

public sealed record AdviceItemRef(string Source, string Key, string Url);

/// <summary>A team a product owner owns.</summary>
public sealed record AdviceTeam(string Id, string Name);

/// <summary>A product owner and the teams whose configured product-owner e-mail is theirs.</summary>
public sealed record ProductOwner(string Email, string Name, IReadOnlyList<AdviceTeam> Teams);

/// <summary>An item of an over-committed sprint, for the "move out" suggestion.</summary>
public sealed record SprintItem(string Source, string Key, string Title, string Url, string? Rank, double? Points, bool BlocksOtherTeams);

/// <summary>The sprint items of one sprint of a team: (team, source, sprint id) → items.</summary>
public sealed record SprintKey(string Team, string Source, string SprintId);

/// <summary>What the composer needs for one product owner: their teams, their open findings, the items of their over-committed sprints.</summary>
public sealed record AdviceInput(
    ProductOwner Owner, IReadOnlyList<AdviceFinding> Findings, IReadOnlyDictionary<SprintKey, IReadOnlyList<SprintItem>> SprintItems,
    IReadOnlyDictionary<string, string> TeamNames)
{
    /// <summary>The owner's previous digest and how their findings stood then; null for a first digest.</summary>
    public AdviceBaseline? Baseline { get; init; }

    /// <summary>Say/do (and predictability) now and before, per team of the owner, in the owner's team order.</summary>
    public IReadOnlyList<TeamTrend> Trends { get; init; } = [];
}

/// <summary>A link to a tracker item.</summary>
public sealed record ItemLink(string Key, string Title, string? Url);

/// <summary>One line of advice: the headline item, why (with the evidence), what to do, related items, and the findings it covers.</summary>
public sealed record DigestLine(
    ItemLink Subject, string Why, string Action, IReadOnlyList<ItemLink> Related, Severity Severity, double Impact, IReadOnlyList<long> FindingIds)
{
    public bool HasRelated => Related.Count > 0;
    /// <summary>The severity's name, for the templates.</summary>
    public string SeverityName => Severity.Name();
}

public sealed record DigestSection(string Id, string Heading, string Intro, IReadOnlyList<DigestLine> Lines, int More, string? FullListUrl)
{
    public bool HasMore => More > 0;
    /// <summary>What changed in this section since the previous digest; null for a first digest.</summary>
    public SectionChanges? Changes { get; init; }
    /// <summary>Rendered when it has lines, or lines resolved since the previous digest.</summary>
    public bool Visible => Total > 0 || Changes?.ResolvedCount > 0;
    public string MoreText { get; init; } = "";
    public int Total => Lines.Count + More;
    /// <summary>Every finding the section covers, shown or behind "and N more".</summary>
    public IReadOnlyList<long> AllFindingIds { get; init; } = [];
}

/// <summary>One product owner's digest for one period.</summary>
public sealed record Digest(ProductOwner Owner, string Period, string Language, string Subject, IReadOnlyList<DigestSection> Sections)
{
    public bool IsEmpty => Sections.All(s => s.Total == 0);
    /// <summary>Since the previous digest (new, resolved, still open over all sections), or that this is the first.</summary>
    public string Since { get; init; } = "";
    /// <summary>One line per team of the owner: say/do now and its trend, and predictability when planning intervals give it.</summary>
    public IReadOnlyList<string> TeamTrends { get; init; } = [];
    public bool HasTeamTrends => TeamTrends.Count > 0;
    public IEnumerable<long> FindingIds => Sections.SelectMany(s => s.AllFindingIds).Distinct();
}
