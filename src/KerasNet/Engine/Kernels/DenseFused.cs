#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Dense backward at small batch in one pass over the kernel: per kernel row, the input gradient (with the old
/// weights), the weight-gradient row (into a per-thread L1 scratch row) and the optimizer update of that row.
/// The kernel and the optimizer's slots are each read and written once, instead of the kernel being read twice
/// and the gradient written and read back. Written once over the vector width (<see cref="ISimd{TV}"/>), at the
/// GEMM's width (<see cref="Gemm.Width"/>), with the same per-element arithmetic as the separate GEMMs of that width.
/// </summary>
internal sealed unsafe class DenseFused : ParallelJob
{
    [ThreadStatic] private static DenseFused? t_job;

    private int _rows, _inDim, _units;
    private VectorWidth _width;
    private float* _x, _dy, _w, _dx;
    private IWeightUpdate? _update;
    private float[] _wArray = null!;

    /// <summary>
    /// Floats ahead at which the Adam pass requests each of its six rows (two kernel rows and their two slots each):
    /// 2 KB a row, ~12 KB in flight per core, enough to cover a DRAM latency at this pass's rate. The hardware
    /// prefetchers alone do not keep six read-modify-write streams plus the dY rows full: the tutorial's dense_1
    /// (8 x 3137 x 3137, two threads, interleaved runs: bench mode densefused) 4.1-4.6 -> 3.1-4.1 ms; 256 floats
    /// measured the same, 64 no gain, and requesting into L2 only (3.5-3.8 ms) or the kernel rows only (3.9-4.0 ms)
    /// less. The same bits: the requests change no arithmetic. 0 turns them off (the bench compares distances).
    /// </summary>
    internal static int PrefetchFloats { get; set; } = 512;

    /// <summary>Whether the fused pass applies (it is written for the few-row case).</summary>
    public static bool Supports(int rows) => rows <= 16; // past 16 rows DenseBackwardBlocked's register tiles reuse dY better

    /// <summary>The fused pass (see <see cref="IBackend.DenseBackwardFused"/>); throws when a buffer is shorter than its matrix.</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate update)
    {
        Check(rows, inDim, units, x, dy, w, dx, update);
        // Rented: update.Update is caller code and may itself call the engine on this thread; a nested fused pass
        // must get its own job, not refill (and then clear) the pointers of this one while its parts still run.
        var job = Workspace.Rent(ref t_job);
        fixed (float* px = x, pdy = dy, pw = w, pdx = dx)
        {
            (job._rows, job._inDim, job._units, job._update, job._wArray, job._width) = (rows, inDim, units, update, w, Gemm.Width);
            job._x = px; job._dy = pdy; job._w = pw; job._dx = dx is null ? null : pdx;
            try { Threads.For(inDim, (long)rows * units * 2, job); }
            finally
            {
                job._x = job._dy = job._w = job._dx = null; job._update = null; job._wArray = null!;
                Workspace.Return(ref t_job, job);
            }
        }
    }

    private static void Check(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate update)
    {
        const string op = "DenseBackwardFused";
        ArgumentNullException.ThrowIfNull(update);
        CheckOperands(op, rows, inDim, units, x, dy, w, dx, update);
        BufferCheck.Scratch(2L * units, "gradient rows", op);
    }

    /// <summary>The dense backward passes' operands: dimensions, x, dy, w, dx and, for Adam applied in place, its slots.</summary>
    internal static void CheckOperands(string op, int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate? update)
    {
        BufferCheck.Dim(rows, nameof(rows), op); BufferCheck.Dim(inDim, nameof(inDim), op); BufferCheck.Dim(units, nameof(units), op);
        long xLen = (long)rows * inDim, wLen = (long)inDim * units;
        BufferCheck.Length(x, xLen, nameof(x), op);
        BufferCheck.Length(dy, (long)rows * units, nameof(dy), op);
        BufferCheck.Length(w, wLen, nameof(w), op);
        BufferCheck.Optional(dx, xLen, nameof(dx), op);
        // Adam is applied through raw pointers into its slots, so they must cover the whole kernel too.
        if (update is AdamRowUpdate adam)
        {
            BufferCheck.Length(adam.M, wLen, "update.M", op);
            BufferCheck.Length(adam.V, wLen, "update.V", op);
        }
    }

    public override void Execute(int part, int k0, int k1)
    {
        // Rented for the same reason as the job: _update may re-enter the engine on this thread while g is in use.
        var gArray = Workspace.Rent(Workspace.DenseGradRow, 2 * _units);
        try
        {
            switch (_width)
            {
                case VectorWidth.W512: ExecuteRows<V512, Vector512<float>>(k0, k1, gArray); break;
                case VectorWidth.W256: ExecuteRows<V256, Vector256<float>>(k0, k1, gArray); break;
                default: ExecuteRows<V128, Vector128<float>>(k0, k1, gArray); break;
            }
        }
        finally { Workspace.Return(Workspace.DenseGradRow, gArray); }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ExecuteRows<TS, TV>(int k0, int k1, float[] gArray) where TS : struct, ISimd<TV> where TV : struct
    {
        // Two kernel rows per pass share the dY loads (dY is L2-resident; its loads bound this loop).
        fixed (float* g = gArray)
        {
            for (int k = k0; k < k1; k += 2)
            {
                int pair = Math.Min(2, k1 - k);
                float* w = _w + (nint)k * _units;
                if (pair == 2 && _rows <= Gemm.MR && _update is AdamRowUpdate adam)
                {
                    AdamPair<TS, TV>(adam, k, w);
                    continue;
                }
                for (int i0 = 0; i0 < _rows; i0 += Gemm.MR)
                {
                    float* dx = _dx == null ? null : _dx + (nint)i0 * _inDim + k;
                    Row<TS, TV>(Math.Min(Gemm.MR, _rows - i0), pair, _dy + (nint)i0 * _units, _x + (nint)i0 * _inDim + k, w, g, i0 == 0, dx);
                }
                _update!.Update(k * _units, _wArray.AsSpan(k * _units, pair * _units), new ReadOnlySpan<float>(g, pair * _units));
            }
        }
    }

    /// <summary>Rows k and k + 1 with Adam applied in registers (no gradient row is stored).</summary>
    private void AdamPair<TS, TV>(AdamRowUpdate adam, int k, float* w) where TS : struct, ISimd<TV> where TV : struct
    {
        nint ldy = _units, ldx = _inDim, off = (nint)k * _units;
        float* dx = _dx == null ? null : _dx + k;
        fixed (float* m = adam.M, v = adam.V)
        fixed (AdamMath* math = &adam.Math)
        {
            var grad = new AdamGradientPair<TS, TV>(w, m + off, v + off, _units, math, PrefetchFloats);
            RowsDispatch.Run(_rows, new Row2Call<TS, TV, AdamGradientPair<TS, TV>>(_units, _dy, ldy, _x + k, ldx, w, dx, ldx, grad));
        }
    }

    private void Row<TS, TV>(int rows, int pair, float* dy, float* xk, float* w, float* g, bool first, float* dx) where TS : struct, ISimd<TV> where TV : struct
    {
        nint ldy = _units, ldx = _inDim;
        if (pair == 2)
            RowsDispatch.Run(rows, new Row2Call<TS, TV, StoredGradientPair<TS, TV>>(_units, dy, ldy, xk, ldx, w, dx, ldx, new StoredGradientPair<TS, TV>(g, _units, first)));
        else RowsDispatch.Run(rows, new RowCall<TS, TV>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx));
    }

    private readonly struct RowCall<TS, TV>(int units, float* dy, nint ldy, float* xk, nint ldx, float* w, float* g, bool first, float* dx, nint lddx) : IRowsCall
        where TS : struct, ISimd<TV> where TV : struct
    {
        public void Run<TR>() where TR : struct, IRows => DenseRowKernel.Row<TR, TS, TV>(units, dy, ldy, xk, ldx, w, g, first, dx, lddx);
    }

    private readonly struct Row2Call<TS, TV, TG>(int units, float* dy, nint ldy, float* xk, nint ldx, float* w, float* dx, nint lddx, TG grad) : IRowsCall
        where TS : struct, ISimd<TV> where TV : struct where TG : struct, IGradientPair<TV>
    {
        public void Run<TR>() where TR : struct, IRows => DenseRowKernel.Row2<TR, TS, TV, TG>(units, dy, ldy, xk, ldx, w, dx, lddx, grad);
    }
}
