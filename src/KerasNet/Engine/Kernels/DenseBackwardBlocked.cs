#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Dense backward at any batch in one pass over the kernel W (in, out), block by block of MR kernel rows (the GEMM
/// tile's rows at its width: 8 on AVX-512, 6 on AVX2): the input gradient's columns of the block
/// (dX[:, k..k+MR] = dY W[k..k+MR, :]^T, with the old weights),
/// then, when an update is given, the block's weight gradient (X[:, k..k+8]^T dY, into a per-thread scratch that stays
/// in cache) and the optimizer's update of those rows. The kernel and the optimizer's slots are each read and written
/// once per step; the weight gradient is never stored and W is never copied or transposed: the input gradient is
/// computed transposed (dX^T block = W block dY^T) with W's rows as the micro-kernel's strided A operand and dY^T,
/// transposed once per call (rows x out floats, a small matrix next to the kernel), as its B panels. Written once over
/// the vector width (<see cref="ISimd{TV}"/>) at <see cref="Gemm.Width"/>; each element's sum runs in the order of the
/// separate GEMMs of that width, so the results are theirs bit for bit.
/// </summary>
/// <remarks>A GEMM variant of this layer's own (the shared GEMM has no epilogue hook per block of C's rows).</remarks>
internal sealed unsafe class DenseBackwardBlocked : ParallelJob
{
    [ThreadStatic] private static DenseBackwardBlocked? t_job;

    private int _rows, _inDim, _units, _rowsPad, _unitsPad;
    private VectorWidth _width;
    private float* _x, _dy, _dyT, _w, _dx;
    private IWeightUpdate? _update;
    private float[] _wArray = null!;

    /// <summary>Whether the blocked pass applies: the batch is past the row-pair path's 16 (every vector width).</summary>
    public static bool Supports(int rows) => rows > 16;

    /// <summary>
    /// dX = dY W^T when <paramref name="dx"/> is given, and W updated from dW = X^T dY by <paramref name="update"/> when
    /// it is given (at least one of the two). Throws when a buffer is shorter than its matrix.
    /// </summary>
    public static void Run(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate? update)
    {
        Check(rows, inDim, units, x, dy, w, dx, update);
        if (rows == 0 || inDim == 0 || units == 0 || (dx is null && update is null)) return;
        var width = Gemm.Width;
        var (mr, nr) = Gemm.TileShape;
        // dY^T with its rows padded to whole NR-column panels (zeros past the batch), and dY with its rows padded
        // likewise: the micro-kernel reads NR floats of every B row, edge panels included.
        int rowsPad = (rows + nr - 1) / nr * nr, unitsPad = (units + nr - 1) / nr * nr;
        long tLen = (long)units * rowsPad, pLen = update is null ? 0 : (long)rows * unitsPad;
        var t = Workspace.Rent(Workspace.GemmPackB, BufferCheck.Scratch(tLen + pLen, "transposed output gradient", nameof(DenseBackwardBlocked)));
        var job = Workspace.Rent(ref t_job);
        try
        {
            fixed (float* px = x, pdy = dy, pw = w, pdx = dx, pt = t)
            {
                Prepare(rows, units, rowsPad, unitsPad, pdy, pt, dx != null, update != null);
                (job._rows, job._inDim, job._units, job._rowsPad, job._unitsPad, job._update, job._wArray) = (rows, inDim, units, rowsPad, unitsPad, update, w);
                job._width = width;
                job._x = px; job._w = pw; job._dx = dx is null ? null : pdx;
                job._dyT = pt; job._dy = update is null ? null : pt + tLen;
                int blocks = (inDim + mr - 1) / mr;
                long cost = (long)mr * rows * units * ((dx is null ? 0 : 1) + (update is null ? 0 : 1)) + mr * units;
                try { Threads.For(blocks, cost, job); }
                finally
                {
                    job._x = job._dy = job._dyT = job._w = job._dx = null; job._update = null; job._wArray = null!;
                }
            }
        }
        finally
        {
            Workspace.Return(ref t_job, job);
            Workspace.Return(Workspace.GemmPackB, t);
        }
    }

    private static void Check(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate? update)
    {
        const string op = nameof(DenseBackwardBlocked);
        DenseFused.CheckOperands(op, rows, inDim, units, x, dy, w, dx, update);
        BufferCheck.Scratch((long)Gemm.MR * ((rows + Gemm.NR - 1L) / Gemm.NR * Gemm.NR + units), "block scratch", op);
    }

    /// <summary>dY^T (units x rowsPad, zero past the batch) and, for the weight gradient, dY with rows padded to unitsPad.</summary>
    private static void Prepare(int rows, int units, int rowsPad, int unitsPad, float* dy, float* t, bool transposed, bool padded)
    {
        if (transposed)
        {
            // Blocks of 8 output units: each dY row's 8 values are read together and scattered to 8 rows of dY^T.
            for (int j0 = 0; j0 < units; j0 += 8)
            {
                int jn = Math.Min(8, units - j0);
                for (int i = 0; i < rows; i++)
                {
                    float* src = dy + (nint)i * units + j0;
                    for (int j = 0; j < jn; j++) t[(nint)(j0 + j) * rowsPad + i] = src[j];
                }
                for (int j = 0; j < jn; j++) new Span<float>(t + (nint)(j0 + j) * rowsPad + rows, rowsPad - rows).Clear();
            }
        }
        if (padded)
        {
            float* p = t + (long)units * rowsPad;
            for (int i = 0; i < rows; i++)
            {
                new ReadOnlySpan<float>(dy + (nint)i * units, units).CopyTo(new Span<float>(p + (nint)i * unitsPad, units));
                new Span<float>(p + (nint)i * unitsPad + units, unitsPad - units).Clear();
            }
        }
    }

    public override void Execute(int part, int b0, int b1)
    {
        switch (_width)
        {
            case VectorWidth.W512: Execute<V512, Vector512<float>>(b0, b1); break;
            case VectorWidth.W256: Execute<V256, Vector256<float>>(b0, b1); break;
            default: Execute<V128, Vector128<float>>(b0, b1); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Execute<TS, TV>(int b0, int b1) where TS : struct, ISimd<TV> where TV : struct
    {
        // Rented: the update is caller code and may re-enter the engine on this thread while the scratch is in use.
        int gLen = TS.MR * _units, cLen = TS.MR * _rowsPad;
        var scratch = Workspace.Rent(Workspace.DenseGradRow, gLen + cLen);
        try
        {
            fixed (float* s = scratch)
                for (int b = b0; b < b1; b++)
                {
                    int k = b * TS.MR, r = Math.Min(TS.MR, _inDim - k);
                    if (_dx != null) InputGradient<TS, TV>(k, r, s + gLen);
                    if (_update != null) Update<TS, TV>(k, r, s);
                }
        }
        finally { Workspace.Return(Workspace.DenseGradRow, scratch); }
    }

    /// <summary>dX[:, k..k+r) from kernel rows k..k+r (before their update): C (r x rowsPad) = W[k.., :] dY^T, then transposed out.</summary>
    private void InputGradient<TS, TV>(int k, int r, float* c) where TS : struct, ISimd<TV> where TV : struct
    {
        float* a = _w + (nint)k * _units;
        int nr = 2 * TS.Lanes;
        for (int i0 = 0; i0 < _rowsPad; i0 += nr)
            Gemm.Tile<TS, TV>(r, nr, _units, a, _units, 1, _dyT + i0, _rowsPad, c + i0, _rowsPad, false);
        for (int i = 0; i < _rows; i++)
        {
            float* dst = _dx + (nint)i * _inDim + k;
            for (int q = 0; q < r; q++) dst[q] = c[(nint)q * _rowsPad + i];
        }
    }

    /// <summary>The weight gradient of kernel rows k..k+r (X[:, k..]^T dY, r x units in g) and the optimizer's update of those rows.</summary>
    private void Update<TS, TV>(int k, int r, float* g) where TS : struct, ISimd<TV> where TV : struct
    {
        int nr = 2 * TS.Lanes;
        for (int j0 = 0; j0 < _units; j0 += nr)
            Gemm.Tile<TS, TV>(r, Math.Min(nr, _units - j0), _rows, _x + k, 1, _inDim, _dy + j0, _unitsPad, g + j0, _units, false);
        _update!.Update(k * _units, _wArray.AsSpan(k * _units, r * _units), new ReadOnlySpan<float>(g, r * _units));
    }
}
