#nullable enable
namespace KerasNet.Tests.TestUtil;

/// <summary>
/// Code a user would write against the library, built as a console app of its own (implicit usings, nullable, no
/// other code) that references the already built library: how the README's example and the docs' snippets are
/// checked to compile.
/// </summary>
internal static class LibraryApp
{
    /// <summary>
    /// Writes <paramref name="sources"/> (file name to C# text) into <paramref name="dir"/> with a project that
    /// references src/KerasNet, builds it in Release and returns the build's result (exit code 0 when it compiled).
    /// </summary>
    internal static Oracle.ProcessResult Build(string dir, IReadOnlyDictionary<string, string> sources, string projectName = "Example")
    {
        foreach (var (file, code) in sources) File.WriteAllText(Path.Combine(dir, file), code);
        // The library is already built with the tests: reference its project without building it again.
        string library = Path.Combine(Oracle.RepoRoot, "src", "KerasNet", "KerasNet.csproj");
        File.WriteAllText(Path.Combine(dir, projectName + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup><ProjectReference Include="{library}" /></ItemGroup>
            </Project>
            """);
        // An empty Directory.Build.props stops MSBuild from picking up one from a folder above the temp dir.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        return Oracle.Run("dotnet", ["build", projectName + ".csproj", "-c", "Release", "-p:BuildProjectReferences=false", "-nologo", "-v", "quiet"], null, 300, workingDir: dir);
    }
}
