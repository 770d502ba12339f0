#nullable enable
using KerasNet.ConsoleApp;

namespace KerasNet.Tests.Console;

/// <summary>
/// The NativeAOT tool's choice of build (issue 17): the baseline executable switches to the widest of its x86-64-v3 and
/// x86-64-v4 siblings whose instruction sets /proc/cpuinfo lists, and KERASNET_ISA overrides it. The choice is a pure
/// function of the variable and the flags, tested here for CPUs this machine is not; NativeAotTests and
/// .ci/package-check run the executables.
/// </summary>
public sealed class IsaDispatchTests
{
    private static readonly string[] V3 = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"];
    private static readonly string[] V4 = [.. V3, "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"];
    private static readonly string[] Old = ["fpu", "sse", "sse2", "ssse3", "sse4_1", "sse4_2", "popcnt"];

    private static HashSet<string> Flags(params string[][] sets) => [.. Old, .. sets.SelectMany(s => s)];

    [Fact]
    public void WithoutTheVariableTheWidestLevelTheCpuListsIsChosen()
    {
        Assert.Equal(("x86-64-v4", (string?)null), IsaDispatch.Choose(null, Flags(V4)));
        Assert.Equal(("x86-64-v3", (string?)null), IsaDispatch.Choose("", Flags(V3)));
        Assert.Equal(((string?)null, (string?)null), IsaDispatch.Choose(null, Flags()));
        // AVX-512 without one of v3's sets (a kernel that hides MOVBE, say) is not x86-64-v4, nor v3.
        Assert.Equal(((string?)null, (string?)null), IsaDispatch.Choose(null, Flags(V4.Where(f => f != "movbe").ToArray())));
        // AVX2 without AVX-512 VL: v3 only.
        Assert.Equal(("x86-64-v3", (string?)null), IsaDispatch.Choose(null, Flags(V4.Where(f => f != "avx512vl").ToArray())));
    }

    [Fact]
    public void TheVariableForcesALevelTheCpuHasAndNamesWhatIsMissingOtherwise()
    {
        Assert.Equal(((string?)null, (string?)null), IsaDispatch.Choose("x86-64-v1", Flags(V4)));
        Assert.Equal(("x86-64-v3", (string?)null), IsaDispatch.Choose("x86-64-v3", Flags(V4)));
        var (target, error) = IsaDispatch.Choose("x86-64-v4", Flags(V3, ["avx512f"]));
        Assert.Null(target);
        Assert.Equal("KERASNET_ISA=x86-64-v4 asks for instruction sets this CPU does not report in /proc/cpuinfo: avx512bw, avx512cd, avx512dq, avx512vl.", error);
    }

    [Fact]
    public void TheRuntimeSwitchesCapTheChoiceAsTheyCapTheJit()
    {
        static string? Cap(params (string, string)[] vars) => IsaDispatch.RuntimeCap(n => vars.FirstOrDefault(v => v.Item1 == n).Item2);
        Assert.Null(Cap());
        Assert.Null(Cap(("DOTNET_EnableAVX512", "1")));
        Assert.Equal("x86-64-v3", Cap(("DOTNET_EnableAVX512", "0")));
        Assert.Equal("x86-64-v3", Cap(("COMPlus_EnableAVX512F", "0")));
        Assert.Equal("x86-64-v1", Cap(("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX2", "0")));
        Assert.Equal("x86-64-v1", Cap(("DOTNET_EnableHWIntrinsic", "0")));

        Assert.Equal(("x86-64-v3", (string?)null), IsaDispatch.Choose(null, Flags(V4), "x86-64-v3"));
        Assert.Equal(((string?)null, (string?)null), IsaDispatch.Choose(null, Flags(V4), "x86-64-v1"));
        Assert.Equal(((string?)null, (string?)null), IsaDispatch.Choose(null, Flags(), "x86-64-v3"));
        // A level asked by name is the user's explicit choice: not capped.
        Assert.Equal(("x86-64-v4", (string?)null), IsaDispatch.Choose("x86-64-v4", Flags(V4), "x86-64-v3"));
    }

    [Theory]
    [InlineData("avx512")]
    [InlineData("X86-64-V3")] // the names are exact, as ILC's instruction-set names are
    [InlineData("x86-64-v2")]
    public void AnyOtherValueIsRefusedWithTheAcceptedOnes(string value)
    {
        var (target, error) = IsaDispatch.Choose(value, Flags(V4));
        Assert.Null(target);
        Assert.Equal($"KERASNET_ISA='{value}' is not one of x86-64-v1, x86-64-v3, x86-64-v4.", error);
    }

    [Fact]
    public void TheJitNeverSwitches()
    {
        // Under the JIT the kernels pick their width at run time; the sibling executables belong to the AOT tool.
        Assert.Null(IsaDispatch.Run(["--version"], TextWriter.Null));
        Assert.Equal("JIT", IsaDispatch.Describe());
    }
}
