using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Alignment.UnitTests.Architecture;

/// <summary>
/// The layout rules of docs/architecture.md, checked on the source tree: which project references which (one way only),
/// nothing under tools/ in the service, and the size limits that keep every file and method readable in one pass.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string Root = FindRoot();

    /// <summary>The project graph of docs/architecture.md, exactly.</summary>
    public static readonly Dictionary<string, string[]> Expected = new()
    {
        ["Alignment.Domain"] = [],
        ["Alignment.Trackers"] = ["Alignment.Domain"],
        ["Alignment.Jira"] = ["Alignment.Trackers"],
        ["Alignment.AzureDevOps"] = ["Alignment.Trackers"],
        ["Alignment.Store"] = ["Alignment.Trackers"],
        ["Alignment.Advice"] = ["Alignment.Store"],
        ["Alignment.Application"] = ["Alignment.Advice", "Alignment.AzureDevOps", "Alignment.Jira"],
        ["Alignment.Host"] = ["Alignment.Application"],
    };

    [Fact]
    public void Each_project_references_exactly_the_projects_of_the_architecture()
    {
        var actual = Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetFileNameWithoutExtension(p), References);
        Assert.Equal(Expected.Keys.Order(), actual.Keys.Order());
        foreach (var (project, refs) in Expected)
            Assert.True(refs.Order().SequenceEqual(actual[project].Order()),
                $"{project} references [{string.Join(", ", actual[project])}], the architecture says [{string.Join(", ", refs)}]");
    }

    [Fact]
    public void The_domain_has_no_io_packages()
    {
        var packages = PackageReferences(Path.Combine(Root, "src", "Alignment.Domain", "Alignment.Domain.csproj"));
        Assert.Equal(["Cronos"], packages);
    }

    [Fact]
    public void Nothing_in_src_references_the_tools()
    {
        foreach (var csproj in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
            Assert.DoesNotContain(XDocument.Load(csproj).Descendants("ProjectReference"),
                r => r.Attribute("Include")!.Value.Replace('\\', '/').Contains("/tools/", StringComparison.Ordinal));
    }

    [Fact]
    public void No_source_file_is_over_400_lines()
    {
        var tooLong = SourceFiles().Select(f => (File: Relative(f), Lines: File.ReadAllLines(f).Length)).Where(x => x.Lines > 400).ToList();
        Assert.True(tooLong.Count == 0, "over 400 lines: " + string.Join(", ", tooLong.Select(x => $"{x.File} ({x.Lines})")));
    }

    [Fact]
    public void No_method_is_over_60_lines_outside_sql_text()
    {
        var tooLong = new List<string>();
        foreach (var file in SourceFiles())
        {
            var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(file));
            foreach (var body in tree.GetRoot().DescendantNodes().Where(IsBody))
            {
                var lines = CodeLines(body);
                if (lines > 60)
                    tooLong.Add($"{Relative(file)}:{body.GetLocation().GetLineSpan().StartLinePosition.Line + 1} ({lines})");
            }
        }
        Assert.True(tooLong.Count == 0, "methods over 60 lines: " + string.Join(", ", tooLong));
    }

    /// <summary>The string forms of item types, status categories, sprint states, finding states, severities and rule ids.</summary>
    private static readonly HashSet<string> DomainWords =
    [
        "epic", "feature", "story", "bug", "task", "todo", "inProgress", "done", "removed", "active", "closed", "future",
        "open", "acknowledged", "suppressed", "resolved", "critical", "warning", "info",
        "DEP-UNSCHEDULED", "DEP-LATE", "DEP-CYCLE", "DEP-RANK", "EPIC-MISALIGNED", "DRIFT-CARRYOVER", "DRIFT-STALE", "DRIFT-UNESTIMATED",
        "DRIFT-ORPHAN", "DRIFT-EPIC-FORECAST", "DRIFT-EPIC-SCOPE", "DRIFT-SPRINT-SCOPE", "DRIFT-HIERARCHY", "CAP-OVERCOMMIT", "CAP-VOLATILE",
        "CAP-SAYDO", "CAP-DIP", "CAP-DEPENDENCY-LOAD", "DRIFT-READINESS", "HYGIENE", "SYNC-STALE", "BUDGET-OVERRUN", "VALUE-MISSING",
        "PRIO-INVERSION", "INTERVAL-AT-RISK",
    ];

    /// <summary>Where those words may be spelled out: the one mapping per enum, and the tracker converters (tracker strings in).</summary>
    public static readonly string[] EdgeMappings =
    [
        "src/Alignment.Domain/Model/Enums.cs",
        "src/Alignment.Jira/", "src/Alignment.AzureDevOps/",
    ];

    [Fact]
    public void No_status_or_type_string_literal_outside_the_edge_mappings()
    {
        var found = new List<string>();
        foreach (var file in SourceFiles().Where(f => Relative(f).StartsWith("src", StringComparison.Ordinal)))
        {
            var relative = Relative(file).Replace('\\', '/');
            if (EdgeMappings.Any(e => relative.StartsWith(e, StringComparison.Ordinal))) continue;
            var root = CSharpSyntaxTree.ParseText(File.ReadAllText(file)).GetRoot();
            foreach (var token in root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.StringLiteralToken) && DomainWords.Contains(t.ValueText)))
                found.Add($"{relative}:{token.GetLocation().GetLineSpan().StartLinePosition.Line + 1} \"{token.ValueText}\"");
        }
        Assert.True(found.Count == 0, $"{found.Count} status/type literals outside the edge mappings: " + string.Join(", ", found));
    }

    private static bool IsBody(SyntaxNode n) => n is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax
        && n.Parent is not LocalFunctionStatementSyntax;

    /// <summary>Lines of a member, minus the lines inside string literals (SQL, templates) and blank lines.</summary>
    private static int CodeLines(SyntaxNode member)
    {
        var span = member.GetLocation().GetLineSpan();
        var lines = Enumerable.Range(span.StartLinePosition.Line, span.EndLinePosition.Line - span.StartLinePosition.Line + 1).ToHashSet();
        var text = member.SyntaxTree.GetText();
        foreach (var literal in member.DescendantTokens().Where(t => t.IsKind(SyntaxKind.MultiLineRawStringLiteralToken)
                     || (t.IsKind(SyntaxKind.StringLiteralToken) && t.Text.StartsWith('@'))))
        {
            var l = literal.GetLocation().GetLineSpan();
            for (var i = l.StartLinePosition.Line + 1; i <= l.EndLinePosition.Line; i++) lines.Remove(i);
        }
        foreach (var interpolated in member.DescendantNodes().OfType<InterpolatedStringExpressionSyntax>()
                     .Where(s => s.StringStartToken.IsKind(SyntaxKind.InterpolatedMultiLineRawStringStartToken)))
        {
            var l = interpolated.GetLocation().GetLineSpan();
            for (var i = l.StartLinePosition.Line + 1; i <= l.EndLinePosition.Line; i++) lines.Remove(i);
        }
        return lines.Count(i => text.Lines[i].ToString().Trim().Length > 0);
    }

    private static IEnumerable<string> SourceFiles() =>
        new[] { "src", "tools" }.SelectMany(d => Directory.GetFiles(Path.Combine(Root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    private static string[] References(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/'))).ToArray();

    private static string[] PackageReferences(string csproj) =>
        XDocument.Load(csproj).Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value).ToArray();

    private static string Relative(string path) => Path.GetRelativePath(Root, path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Alignment.sln"))) return dir.FullName;
        throw new InvalidOperationException("Alignment.sln not found above " + AppContext.BaseDirectory);
    }
}
