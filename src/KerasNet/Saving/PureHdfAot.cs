#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Saving;

/// <summary>
/// PureHDF under NativeAOT: PureHDF 2.2 makes its generic reads and writes with <c>MakeGenericMethod</c> at run time,
/// which a NativeAOT app can run only for the instantiations its compiler was told about (the KerasNet package's
/// <c>PureHDF.rd.xml</c>). A missing one is not the file's fault, so it gets a message that says what to do instead of
/// "corrupt or truncated".
/// </summary>
internal static class PureHdfAot
{
    /// <summary>Whether <paramref name="e"/> (or an exception it wraps: PureHDF invokes its generics by reflection) is NativeAOT's "missing native code".</summary>
    public static bool IsMissingNativeCode(Exception e)
    {
        if (RuntimeFeature.IsDynamicCodeSupported) return false;
        for (Exception? x = e; x != null; x = x.InnerException)
            if (x is NotSupportedException) return true;
        return false;
    }

    /// <summary>The explanation, for a <paramref name="verb"/> ("read" or "write") that failed with <paramref name="e"/>.</summary>
    public static string Explain(string verb, Exception e) =>
        $"this NativeAOT build has no native code for PureHDF's {verb} of this HDF5 data type ({Innermost(e).Message}). " +
        "PureHDF 2.2 makes its generic reads and writes at run time; NativeAOT compiles the ones listed in the KerasNet " +
        "package's PureHDF.rd.xml (the types KerasNet reads and writes), which the package's build/KerasNet.targets adds to every " +
        "PublishAot=true app; an app that references the KerasNet project rather than the package adds " +
        "<RdXmlFile Include=\"path/to/src/KerasNet/build/PureHDF.rd.xml\" /> itself. A JIT or ReadyToRun build has no such limit.";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException != null) e = e.InnerException;
        return e;
    }
}
