#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace KerasNet.ConsoleApp;

/// <summary>
/// Picks the widest NativeAOT build of <c>kerasnet</c> the CPU runs (issue 17). NativeAOT compiles for one instruction
/// set: the baseline x86-64 build runs everywhere but its kernels use 128-bit vectors, and a build for x86-64-v3 (AVX2,
/// FMA) or x86-64-v4 (AVX-512) refuses to start on a CPU without them. The linux-x64 tool therefore ships the baseline
/// executable <c>KerasNet.Console</c> with <c>KerasNet.Console.x86-64-v3</c> and <c>KerasNet.Console.x86-64-v4</c>
/// beside it; the baseline one, before anything else, replaces itself (<c>execv</c>, same process, same arguments and
/// environment) with the widest one whose instruction sets the kernel reports in <c>/proc/cpuinfo</c>. The JIT (where
/// the kernels pick their width at run time) and builds without the sibling files never switch.
/// </summary>
/// <remarks>
/// <c>KERASNET_ISA</c> overrides the choice: <c>x86-64-v1</c> (stay on the baseline build), <c>x86-64-v3</c> or
/// <c>x86-64-v4</c> (that build; refused when the CPU lacks its instruction sets). Any other value is refused. Without
/// it, the runtime's <c>DOTNET_EnableAVX512=0</c> and <c>DOTNET_EnableAVX2=0</c> cap the choice as they cap the JIT.
/// </remarks>
internal static class IsaDispatch
{
    /// <summary>The environment variable that overrides the choice.</summary>
    internal const string Variable = "KERASNET_ISA";

    private const string Baseline = "x86-64-v1";

    // Each level with the /proc/cpuinfo flags its NativeAOT instruction set needs (ILC's x86-64-v3: AVX, AVX2, BMI1/2,
    // F16C, FMA, LZCNT, MOVBE; x86-64-v4 adds AVX-512 F/BW/CD/DQ/VL). Linux lists a flag only when the kernel also
    // saves that register state, so the flags say what a process can use, not just what the CPU has. Widest first.
    private static readonly string[] V3Flags = ["avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe"];

    private static readonly (string Level, string[] Flags)[] Levels =
    [
        ("x86-64-v4", [.. V3Flags, "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]),
        ("x86-64-v3", V3Flags),
    ];

    /// <summary>
    /// The level this executable was compiled for. Under NativeAOT each IsSupported folds to the compile-time
    /// instruction set (the baseline build says false even on an AVX-512 CPU); under the JIT it says what the CPU has.
    /// </summary>
    internal static string OwnLevel => Avx512F.IsSupported && Avx512BW.IsSupported ? "x86-64-v4" : Avx2.IsSupported && Fma.IsSupported ? "x86-64-v3" : Baseline;

    /// <summary>
    /// Switches to the widest sibling build when this is the NativeAOT baseline build; returns only when it stays
    /// (null) or when <see cref="Variable"/> is wrong (the exit code, after a message on <paramref name="error"/>).
    /// </summary>
    internal static int? Run(string[] args, TextWriter error)
    {
        if (RuntimeFeature.IsDynamicCodeSupported || !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return null;
        string? asked = Environment.GetEnvironmentVariable(Variable);
        var (target, problem) = Choose(asked, CpuFlags(), RuntimeCap(Environment.GetEnvironmentVariable));
        if (problem != null)
        {
            error.WriteLine("kerasnet: " + problem);
            return 2;
        }
        if (target == null || target == OwnLevel) return null;
        string path = Path.Combine(AppContext.BaseDirectory, "KerasNet.Console." + target);
        if (!File.Exists(path))
        {
            // A build published without the variants (dotnet publish -p:PublishAot=true) has no sibling: it stays,
            // unless the user asked for that build by name.
            if (string.IsNullOrEmpty(asked)) return null;
            error.WriteLine($"kerasnet: {Variable}={asked}: this kerasnet has no {target} build ({path} is missing).");
            return 2;
        }
        Exec(path, args);
        return null; // execv failed (the file is not executable, ...): the baseline build still runs the command
    }

    /// <summary>
    /// The build to run for <paramref name="asked"/> (the value of <see cref="Variable"/>; null or empty: the widest
    /// level whose flags are all in <paramref name="cpuFlags"/>, no wider than <paramref name="cap"/>) as (level, null),
    /// (null, null) for the baseline build, or (null, message) when the value is not a level or asks for instruction
    /// sets the CPU does not report. A level asked by name is not capped.
    /// </summary>
    internal static (string? Target, string? Error) Choose(string? asked, IReadOnlySet<string> cpuFlags, string? cap = null)
    {
        if (string.IsNullOrEmpty(asked))
        {
            // The baseline cap skips every level (FindIndex's -1 becomes past the end).
            int first = cap == null ? 0 : cap == Baseline ? Levels.Length : Array.FindIndex(Levels, l => l.Level == cap);
            return (Levels.Skip(first).FirstOrDefault(l => l.Flags.All(cpuFlags.Contains)).Level, null);
        }
        if (asked == Baseline) return (null, null);
        int i = Array.FindIndex(Levels, l => l.Level == asked);
        if (i < 0)
            return (null, $"{Variable}='{asked}' is not one of {Baseline}, {string.Join(", ", Levels.Select(l => l.Level).Reverse())}.");
        var missing = Levels[i].Flags.Where(f => !cpuFlags.Contains(f)).ToArray();
        return missing.Length > 0
            ? (null, $"{Variable}={asked} asks for instruction sets this CPU does not report in /proc/cpuinfo: {string.Join(", ", missing)}.")
            : (asked, null);
    }

    /// <summary>
    /// The widest level the runtime's own switches allow (null: no limit), so that <c>DOTNET_EnableAVX512=0</c> or
    /// <c>DOTNET_EnableAVX2=0</c> (also with the older <c>COMPlus_</c> prefix) narrow the NativeAOT tool as they narrow
    /// the JIT: a NativeAOT build's instruction set is fixed when it is compiled and never reads them.
    /// </summary>
    internal static string? RuntimeCap(Func<string, string?> environment)
    {
        bool Off(string knob) => environment("DOTNET_" + knob) == "0" || environment("COMPlus_" + knob) == "0";
        if (Off("EnableHWIntrinsic") || Off("EnableAVX") || Off("EnableAVX2") || Off("EnableFMA")) return Baseline;
        if (Off("EnableAVX512") || Off("EnableAVX512F")) return "x86-64-v3";
        return null;
    }

    private static HashSet<string> CpuFlags()
    {
        try
        {
            // The first processor's "flags" line (every core of one machine reports the same features).
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("flags", StringComparison.Ordinal) && line.IndexOf(':') is int colon and >= 0)
                    return [.. line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return [];
    }

    private static void Exec(string path, string[] args)
    {
        var strings = new nint[args.Length + 2];
        try
        {
            strings[0] = Marshal.StringToCoTaskMemUTF8(path);
            for (int i = 0; i < args.Length; i++) strings[i + 1] = Marshal.StringToCoTaskMemUTF8(args[i]);
            // strings[^1] stays 0: argv ends with a null pointer. On success execv does not return.
            execv(strings[0], strings);
        }
        finally
        {
            foreach (nint s in strings) Marshal.FreeCoTaskMem(s);
        }
    }

    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int execv(nint path, nint[] argv);

    /// <summary>What <c>KERASNET_STARTUP_TRACE=1</c> prints of the code that runs.</summary>
    internal static string Describe() => RuntimeFeature.IsDynamicCodeSupported ? "JIT" : $"NativeAOT {OwnLevel} build";
}
