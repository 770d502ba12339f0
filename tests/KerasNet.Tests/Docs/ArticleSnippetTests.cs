#nullable enable
using System.Text;
using System.Text.RegularExpressions;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of the docs site's articles (docs/articles/*.md) compiles against the library, as
/// a user pasting it into a console app gets it (implicit usings, nothing else): each block is a method body whose
/// leading <c>using</c> lines become the file's usings, and compiler errors point at the article's own line.
/// </summary>
public sealed partial class ArticleSnippetTests
{
    [GeneratedRegex(@"^```csharp[ \t]*\n(?<code>.*?)^```[ \t]*$", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    private static string ArticlesDir => Path.Combine(Oracle.RepoRoot, "docs", "articles");

    internal sealed record Snippet(string Article, int Line, string Code);

    /// <summary>The C# blocks of every article, with the 1-based line of each block's first code line.</summary>
    internal static IReadOnlyList<Snippet> Snippets()
    {
        var snippets = new List<Snippet>();
        foreach (var path in Directory.GetFiles(ArticlesDir, "*.md").Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(path).Replace("\r\n", "\n");
            foreach (Match m in CSharpBlock().Matches(text))
            {
                var code = m.Groups["code"];
                int line = 1 + text.AsSpan(0, code.Index).Count('\n');
                snippets.Add(new Snippet(Path.GetFileName(path), line, code.Value));
            }
        }
        return snippets;
    }

    /// <summary>One compilable file for a snippet: its usings first, its statements in a method of a class of its own.</summary>
    internal static string Wrap(Snippet s, int index)
    {
        var lines = s.Code.Split('\n');
        int first = 0;
        while (first < lines.Length && (lines[first].StartsWith("using ", StringComparison.Ordinal) || lines[first].Trim().Length == 0)) first++;
        var file = new StringBuilder();
        foreach (var u in lines[..first].Where(l => l.Trim().Length > 0)) file.Append(u).Append('\n');
        file.Append($"namespace DocSnippets;\ninternal static class Snippet{index}\n{{\n    internal static void Run()\n    {{\n");
        // Errors are reported at the article's line, not the generated file's.
        file.Append($"#line {s.Line + first} \"{Path.Combine(ArticlesDir, s.Article)}\"\n");
        foreach (var l in lines[first..]) file.Append(l).Append('\n');
        file.Append("#line default\n    }\n}\n");
        return file.ToString();
    }

    [Fact]
    public void EachArticleIsThereAndThePortingGuideShowsCSharpForEachIdiom()
    {
        foreach (var article in new[] { "porting.md", "file-compatibility.md", "performance.md" })
            Assert.True(File.Exists(Path.Combine(ArticlesDir, article)), $"docs/articles/{article} is missing");
        var porting = Snippets().Where(s => s.Article == "porting.md").Select(s => s.Code).ToList();
        // The idioms the guide promises, each in a compiled block (not only in prose or Python).
        foreach (var idiom in new[] { "new Sequential(", "Keras.Input(", "new Model(", ".Compile(", ".Fit(", ".Evaluate(", ".Predict(",
                     "new EarlyStopping(", "new ModelCheckpoint(", "new ImageDataGenerator(", ".FlowFromDirectory(", ".Save(",
                     "Keras.LoadModel(", ".LoadWeights(", ".ToJson()", "Keras.ModelFromJson(" })
            Assert.True(porting.Any(c => c.Contains(idiom, StringComparison.Ordinal)), $"porting.md has no C# block with {idiom}");
    }

    [Fact]
    public void EveryCSharpBlockOfTheArticlesCompilesAgainstTheLibrary()
    {
        var snippets = Snippets();
        Assert.NotEmpty(snippets);
        var sources = new Dictionary<string, string> { ["Program.cs"] = "System.Console.WriteLine(\"the snippets compiled\");\n" };
        for (int i = 0; i < snippets.Count; i++) sources[$"Snippet{i}.cs"] = Wrap(snippets[i], i);
        var build = LibraryApp.Build(Oracle.TempDir(), sources, projectName: "Snippets");
        Assert.True(build.ExitCode == 0, $"a C# block in docs/articles does not compile:\n{build.StdOut}{build.StdErr}");
    }

    [Fact]
    public void ABrokenBlockIsReportedAtItsArticleLine()
    {
        // The check itself: a block calling a method the library does not have must fail, naming the article's line.
        var broken = new Snippet("porting.md", 40, "using KerasNet.Models;\n\nnew Sequential().NoSuchMethod();\n");
        var build = LibraryApp.Build(Oracle.TempDir(), new Dictionary<string, string>
        {
            ["Program.cs"] = "System.Console.WriteLine();\n",
            ["Snippet0.cs"] = Wrap(broken, 0),
        }, projectName: "Broken");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("porting.md(42,", build.StdOut + build.StdErr);
    }
}
