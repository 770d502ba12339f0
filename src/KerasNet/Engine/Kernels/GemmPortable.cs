#nullable enable
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>Row-major C = op(A) op(B) (+ C) without AVX-512: TensorPrimitives row updates (Vector256 or scalar).</summary>
internal static class GemmPortable
{
    private const int ColumnBlock = 1024;

    public static void Run(bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate)
    {
        // Its loops are bounds-checked, but a short buffer found on a worker would fail halfway through C.
        BufferCheck.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, null, nameof(Gemm));
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).Clear();
            return;
        }
        if (transB) RunNT(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else if (m <= 16) RunSmallM(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        else RunRows(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    }

    private static float A(float[] a, bool transA, int lda, int i, int p) => transA ? a[p * lda + i] : a[i * lda + p];

    // Few rows (dense layers at small batch): stream B once, updating every row of C per B row.
    private static void RunSmallM(bool transA, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c, int ldc, bool accumulate)
    {
        int blocks = (n + ColumnBlock - 1) / ColumnBlock;
        Threads.For(blocks, (long)m * k * ColumnBlock, (b0, b1) =>
        {
            for (int jb = b0; jb < b1; jb++)
            {
                int j0 = jb * ColumnBlock, len = Math.Min(ColumnBlock, n - j0);
                if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(i * ldc + j0, len).Clear();
                for (int p = 0; p < k; p++)
                {
                    var brow = b.AsSpan(p * ldb + j0, len);
                    for (int i = 0; i < m; i++)
                    {
                        float av = A(a, transA, lda, i, p);
                        if (av == 0f) continue;
                        var crow = c.AsSpan(i * ldc + j0, len);
                        TensorPrimitives.MultiplyAdd(brow, av, crow, crow);
                    }
                }
            }
        });
    }

    // Many rows (im2col convolutions): each row of C accumulates the rows of B it needs; B stays in cache.
    private static void RunRows(bool transA, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c, int ldc, bool accumulate)
    {
        Threads.For(m, (long)n * k, (i0, i1) =>
        {
            for (int i = i0; i < i1; i++)
            {
                for (int j0 = 0; j0 < n; j0 += ColumnBlock)
                {
                    int len = Math.Min(ColumnBlock, n - j0);
                    var crow = c.AsSpan(i * ldc + j0, len);
                    if (!accumulate) crow.Clear();
                    for (int p = 0; p < k; p++)
                    {
                        float av = A(a, transA, lda, i, p);
                        if (av == 0f) continue;
                        TensorPrimitives.MultiplyAdd(b.AsSpan(p * ldb + j0, len), av, crow, crow);
                    }
                }
            }
        });
    }

    // B transposed: C[i,j] is a dot product of a row of op(A) with a row of B.
    private static void RunNT(bool transA, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c, int ldc, bool accumulate)
    {
        float[]? at = null;
        if (transA)
        {
            at = new float[m * k];
            for (int p = 0; p < k; p++)
                for (int i = 0; i < m; i++) at[i * k + p] = a[p * lda + i];
            a = at;
            lda = k;
        }
        Threads.For(n, (long)m * k, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                var brow = b.AsSpan(j * ldb, k);
                for (int i = 0; i < m; i++)
                {
                    float d = TensorPrimitives.Dot(a.AsSpan(i * lda, k), brow);
                    ref float cij = ref c[i * ldc + j];
                    cij = accumulate ? cij + d : d;
                }
            }
        });
    }
    /// <summary>
    /// The pointer form of <see cref="Gemm"/>'s fallback, single-threaded (its callers, the recurrent kernels, split
    /// their work over the cores themselves): rows of C accumulate rows of op(B) scaled by op(A)'s entries, or dot
    /// products when B is transposed. The caller has checked the operands.
    /// </summary>
    public static unsafe void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            var crow = new Span<float>(c + (nint)i * ldc, n);
            if (!accumulate) crow.Clear();
            if (k == 0) continue;
            if (transB)
            {
                if (transA)
                    for (int j = 0; j < n; j++)
                    {
                        float d = 0;
                        for (int p = 0; p < k; p++) d += a[(nint)p * lda + i] * b[(nint)j * ldb + p];
                        crow[j] += d;
                    }
                else
                {
                    var arow = new ReadOnlySpan<float>(a + (nint)i * lda, k);
                    for (int j = 0; j < n; j++) crow[j] += TensorPrimitives.Dot(arow, new ReadOnlySpan<float>(b + (nint)j * ldb, k));
                }
                continue;
            }
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[(nint)p * lda + i] : a[(nint)i * lda + p];
                if (av != 0f) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + (nint)p * ldb, n), av, crow, crow);
            }
        }
    }
}
