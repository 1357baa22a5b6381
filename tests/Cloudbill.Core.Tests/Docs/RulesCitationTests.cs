using System.Text.RegularExpressions;
using Cloudbill.Testing;

namespace Cloudbill.Core.Tests.Docs;

/// <summary>
/// A fresh clone alone explains every rule it cites: each R-number is defined in docs/rules.md, each
/// payments.md section in docs/payments.md, and nothing points outside the repository.
/// </summary>
public partial class RulesCitationTests
{
    private static readonly string[] ScannedFolders = ["src", "tests", "docs", "bench"];
    private static readonly string[] ScannedRootFiles = ["README.md", "test.sh"];
    private static readonly HashSet<string> TextExtensions =
        [".cs", ".razor", ".md", ".json", ".sh", ".css", ".js", ".csproj", ".props", ".txt", ".form", ".html"];

    // Built from parts so that this file does not itself hold the reference it forbids.
    // The Alibaba Cloud help page the app follows is outside the repository; docs/procedures.md states its steps inside.
    private static readonly string[] OutsideReferences = [".." + "/shared", "/work/" + "shared", "shared/" + "design", "shared/" + "reference", "the " + "seed's"];

    [Fact]
    public void Every_cited_rule_number_is_defined_in_docs_rules_md()
    {
        var defined = DefinedRules();
        Assert.Contains("R4.2", defined);
        var missing = Citations(RuleCitation()).Where(c => !defined.Contains(c.Text)).ToList();
        Assert.True(missing.Count == 0, "Not defined in docs/rules.md: " + string.Join("; ", missing));
    }

    [Fact]
    public void Every_cited_payments_section_is_defined_in_docs_payments_md()
    {
        var defined = DefinedPaymentSections();
        Assert.Contains("1.6.1", defined);
        var cited = new List<Citation>();
        foreach (var file in ScannedFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match m in SectionCitation().Matches(lines[i]))
                {
                    // A section of another document (docs/api.md §3, bss-openapi.md §2) is not ours to check;
                    // payments.md, or no document named before it on the line (the payment code), is.
                    var document = DocumentName().Matches(lines[i][..m.Index]).LastOrDefault()?.Value;
                    if (document is null || document.EndsWith("payments.md", StringComparison.Ordinal))
                        cited.Add(new(Relative(file), i + 1, m.Groups[1].Value));
                }
            }
        }
        Assert.Contains(cited, c => c.Text == "1.7");
        var missing = cited.Where(c => !defined.Contains(c.Text)).ToList();
        Assert.True(missing.Count == 0, "Not a section of docs/payments.md: " + string.Join("; ", missing));
    }

    [Fact]
    public void Nothing_refers_to_documents_outside_the_repository()
    {
        var found = new List<string>();
        foreach (var file in ScannedFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (OutsideReferences.Any(r => lines[i].Contains(r, StringComparison.OrdinalIgnoreCase)))
                    found.Add($"{Relative(file)}:{i + 1}");
            }
        }
        Assert.True(found.Count == 0, "Refers outside the repository: " + string.Join("; ", found));
    }

    [Fact]
    public void The_scan_sees_the_citations_of_the_code()
    {
        // Guards the scan itself: if it stopped reading the sources, the tests above would pass vacuously.
        var cited = Citations(RuleCitation()).Select(c => c.Text).ToHashSet();
        Assert.Contains("R7.2", cited);
        Assert.Contains("R10.3", cited);
    }

    private static HashSet<string> DefinedRules()
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        string? group = null;
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "rules.md")))
        {
            var heading = RuleHeading().Match(line);
            if (heading.Success)
                group = heading.Groups[1].Value;
            var item = NumberedItem().Match(line);
            if (group is not null && item.Success)
                defined.Add($"R{group}.{item.Groups[1].Value}");
        }
        return defined;
    }

    private static HashSet<string> DefinedPaymentSections() =>
        File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "docs", "payments.md"))
            .Select(l => SectionHeading().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

    private static List<Citation> Citations(Regex pattern)
    {
        var cited = new List<Citation>();
        foreach (var file in ScannedFiles())
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match m in pattern.Matches(lines[i]))
                    cited.Add(new(Relative(file), i + 1, m.Value));
            }
        }
        return cited;
    }

    private static IEnumerable<string> ScannedFiles()
    {
        foreach (var name in ScannedRootFiles)
        {
            var path = Path.Combine(RepositoryPaths.Root, name);
            if (File.Exists(path))
                yield return path;
        }
        foreach (var folder in ScannedFolders)
        {
            var root = Path.Combine(RepositoryPaths.Root, folder);
            if (!Directory.Exists(root))
                continue;
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var parts = Path.GetRelativePath(RepositoryPaths.Root, file).Split(Path.DirectorySeparatorChar);
                if (parts.Any(p => p is "bin" or "obj" or "node_modules" or "TestResults"))
                    continue;
                if (TextExtensions.Contains(Path.GetExtension(file)))
                    yield return file;
            }
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(RepositoryPaths.Root, path);

    private sealed record Citation(string File, int Line, string Text)
    {
        public override string ToString() => $"{File}:{Line} {Text}";
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_])R[0-9]+\.[0-9]+(?![0-9])")]
    private static partial Regex RuleCitation();

    [GeneratedRegex(@"§\s*([0-9]+(?:\.[0-9]+)*)")]
    private static partial Regex SectionCitation();

    [GeneratedRegex(@"[A-Za-z0-9_-]+\.md")]
    private static partial Regex DocumentName();

    [GeneratedRegex(@"^## R([0-9]+) ")]
    private static partial Regex RuleHeading();

    [GeneratedRegex(@"^([0-9]+)\. ")]
    private static partial Regex NumberedItem();

    [GeneratedRegex(@"^#{2,4} ([0-9]+(?:\.[0-9]+)*)\.? ")]
    private static partial Regex SectionHeading();
}
