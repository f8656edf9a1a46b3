using System.Security.Cryptography;
using System.Text;

namespace Alignment.Domain.Analysis;

/// <summary>An item a finding is about, with the link back to the tracker.</summary>
public sealed record ItemRef(string Source, string Key, string Url)
{
    public static ItemRef Of(SnapshotItem i) => new(i.Source, i.Key, i.Url);
}

/// <summary>
/// What an analyzer found. <see cref="Subject"/> names what it is about (items, team, sprint) so that
/// <see cref="Fingerprint"/> (rule + subject) stays the same while the condition holds. Built with an object initializer
/// (every member by name); <see cref="Evidence"/> is one of the records of <c>EvidenceRecords.cs</c>.
/// </summary>
public sealed record Finding
{
    public required RuleId Rule { get; init; }
    public required Severity Severity { get; init; }
    public string? Team { get; init; }
    public IReadOnlyList<string> RelatedTeams { get; init; } = [];
    public IReadOnlyList<ItemRef> Items { get; init; } = [];
    public required string Title { get; init; }
    public required FindingEvidence Evidence { get; init; }
    public required string Action { get; init; }
    public required double Score { get; init; }
    public required string Subject { get; init; }

    public string Fingerprint => FingerprintOf(Rule, Subject);

    public static string FingerprintOf(RuleId rule, string subject) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rule.Name() + "\n" + subject)))[..32];
}
