#nullable enable
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace KerasNet.Engine;

/// <summary>
/// The argument checks of the engine's entry points, made before any unsafe code runs. The kernels below those entry
/// points use raw pointers and unchecked SIMD loads and stores, so one buffer shorter than its dimensions imply would
/// read or write outside its array; these checks turn that into an <see cref="ArgumentException"/> naming the
/// argument, the length it needs and the length it has. Every needed length is computed in 64 bits, so huge or
/// negative dimensions cannot wrap around into a small one. A check is a few comparisons; the throws live in separate
/// methods that are never inlined, so the checks themselves stay small enough to inline into their callers.
/// </summary>
internal static class BufferCheck
{
    /// <summary>Throws unless <paramref name="value"/> (a dimension or a leading dimension) is non-negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Dim(int value, string name, string op)
    {
        if (value < 0) ThrowNegative(value, name, op);
    }

    /// <summary>Throws unless <paramref name="array"/> is not null and holds at least <paramref name="needed"/> elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Length<T>([NotNull] T[]? array, long needed, string name, string op)
    {
        if (array is null) ThrowNull(name, op);
        if (array.Length < needed) ThrowShort(array.Length, needed, name, op);
    }

    /// <summary>As <see cref="Length{T}"/>, for an optional buffer: null passes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Optional<T>(T[]? array, long needed, string name, string op)
    {
        if (array is not null && array.Length < needed) ThrowShort(array.Length, needed, name, op);
    }

    /// <summary>Throws unless a buffer of <paramref name="given"/> elements holds <paramref name="needed"/> (spans, or arrays already known non-null).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Count(int given, long needed, string name, string op)
    {
        if (given < needed) ThrowShort(given, needed, name, op);
    }

    /// <summary>Throws unless <paramref name="kind"/> is one of the defined activations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Activation(ActivationKind kind, string op)
    {
        if ((uint)kind > (uint)Kernels.ActivationKernels.LastKind)
            throw new ArgumentOutOfRangeException("activation", kind, $"{op}: unknown activation {(int)kind}.");
    }

    /// <summary>
    /// A row-major matrix of rows x cols stored with leading dimension <paramref name="ld"/>: the last element read is
    /// (rows - 1) * ld + cols - 1, and rows may not overlap (ld &gt;= cols), as BLAS requires. An empty matrix needs nothing.
    /// </summary>
    public static void Matrix([NotNull] float[]? array, int rows, int cols, int ld, string name, string ldName, string op)
    {
        if (array is null) ThrowNull(name, op);
        Dim(ld, ldName, op);
        if (rows == 0 || cols == 0) return;
        if (ld < cols)
            throw new ArgumentOutOfRangeException(ldName, ld, $"{op}: {ldName} is {ld} but {name} has {cols} columns per row ({ldName} must be >= {cols}).");
        Count(array.Length, (long)(rows - 1) * ld + cols, name, op);
    }

    /// <summary>
    /// The operands of C[m,n] (+)= op(A)[m,k] op(B)[k,n]: dimensions non-negative, A stored m x k (k x m when transposed),
    /// B stored k x n (n x k when transposed), C m x n, each within its array; bias (optional) one value per column of C.
    /// </summary>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float[]? a, int lda, float[]? b, int ldb,
        float[]? c, int ldc, float[]? bias, string op)
    {
        Dim(m, nameof(m), op); Dim(n, nameof(n), op); Dim(k, nameof(k), op);
        Matrix(a, transA ? k : m, transA ? m : k, lda, nameof(a), nameof(lda), op);
        Matrix(b, transB ? n : k, transB ? k : n, ldb, nameof(b), nameof(ldb), op);
        Matrix(c, m, n, ldc, nameof(c), nameof(ldc), op);
        Optional(bias, n, nameof(bias), op);
    }

    /// <summary>
    /// Throws unless <paramref name="g"/> describes windows the kernels can index safely: sizes and paddings
    /// non-negative, kernel and strides at least 1, every window overlapping the image by at least one pixel (max
    /// pooling starts each window from its first in-image pixel; this also rules out an output larger than the
    /// input allows), and the input, the output, the im2col rows and columns each under 2^31 elements, so that the
    /// kernels' 32-bit index arithmetic cannot overflow. Every geometry <see cref="ConvGeometry.Create"/> makes passes.
    /// </summary>
    public static void Geometry(in ConvGeometry g, string op)
    {
        if ((g.Batch | g.InH | g.InW | g.InC | g.OutH | g.OutW | g.PadTop | g.PadLeft) < 0 ||
            g.KH < 1 || g.KW < 1 || g.StrideH < 1 || g.StrideW < 1) ThrowGeometry(g, "a negative size or padding, or a kernel size or stride below 1", op);
        if (g.OutH > 0 && (g.PadTop >= g.KH || (long)(g.OutH - 1) * g.StrideH - g.PadTop >= g.InH))
            ThrowGeometry(g, "windows that lie outside the image in height (OutH, PadTop or KH do not fit InH)", op);
        if (g.OutW > 0 && (g.PadLeft >= g.KW || (long)(g.OutW - 1) * g.StrideW - g.PadLeft >= g.InW))
            ThrowGeometry(g, "windows that lie outside the image in width (OutW, PadLeft or KW do not fit InW)", op);
        if (Product(g.Batch, g.InH, g.InW, g.InC) > int.MaxValue || Product(g.Batch, g.OutH, g.OutW, g.InC) > int.MaxValue ||
            Product(g.Batch, g.OutH, g.OutW, 1) > int.MaxValue || Product(g.KH, g.KW, g.InC, 1) > int.MaxValue)
            ThrowGeometry(g, "more than 2^31 elements in the input, the output or the im2col matrix's rows or columns", op);
    }

    /// <summary>Elements of the NHWC input a geometry reads (valid after <see cref="Geometry"/>).</summary>
    public static long InputLength(in ConvGeometry g) => (long)g.Batch * g.InH * g.InW * g.InC;

    /// <summary>Elements of a pooling output, one per window and channel (valid after <see cref="Geometry"/>).</summary>
    public static long PooledLength(in ConvGeometry g) => (long)g.Batch * g.OutH * g.OutW * g.InC;

    /// <summary>A scratch length computed in 64 bits, as an int; throws when no array can be that long.</summary>
    public static int Scratch(long length, string what, string op)
    {
        if ((ulong)length > (ulong)Array.MaxLength)
            throw new ArgumentException($"{op}: the {what} would need {length} elements, more than an array can hold.");
        return (int)length;
    }

    /// <summary>a * b * c * d for non-negative factors, saturating at <see cref="long.MaxValue"/> once past 2^31 (so it never wraps).</summary>
    private static long Product(int a, int b, int c, int d)
    {
        long p = (long)a * b;
        if (p > int.MaxValue) return long.MaxValue;
        p *= c;
        if (p > int.MaxValue) return long.MaxValue;
        return p * d;
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegative(int value, string name, string op) =>
        throw new ArgumentOutOfRangeException(name, value, $"{op}: {name} is {value}; it must not be negative.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNull(string name, string op) =>
        throw new ArgumentNullException(name, $"{op}: {name} is null.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowShort(int given, long needed, string name, string op) =>
        throw new ArgumentException($"{op}: {name} has length {given} but needs at least {needed}.", name);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowGeometry(in ConvGeometry g, string problem, string op) =>
        throw new ArgumentException($"{op}: geometry {g} has {problem}.", "g");
}
