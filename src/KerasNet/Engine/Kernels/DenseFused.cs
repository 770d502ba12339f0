#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// Dense backward at small batch in one pass over the kernel: per kernel row, the input gradient (with the old
/// weights), the weight-gradient row (into a per-thread L1 scratch row) and the optimizer update of that row.
/// The kernel and the optimizer's slots are each read and written once, instead of the kernel being read twice
/// and the gradient written and read back.
/// </summary>
internal sealed unsafe class DenseFused : ParallelJob
{
    [ThreadStatic] private static DenseFused? t_job;

    private int _rows, _inDim, _units;
    private float* _x, _dy, _w, _dx;
    private IWeightUpdate? _update;
    private float[] _wArray = null!;

    /// <summary>Whether the fused pass applies (it is written for the few-row case).</summary>
    public static bool Supports(int rows) => Gemm.Accelerated && rows <= 16;

    public static void Run(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate update)
    {
        var job = t_job ??= new DenseFused();
        fixed (float* px = x, pdy = dy, pw = w, pdx = dx)
        {
            (job._rows, job._inDim, job._units, job._update, job._wArray) = (rows, inDim, units, update, w);
            job._x = px; job._dy = pdy; job._w = pw; job._dx = dx is null ? null : pdx;
            try { Threads.For(inDim, (long)rows * units * 2, job); }
            finally { job._x = job._dy = job._w = job._dx = null; job._update = null; job._wArray = null!; }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Execute(int part, int k0, int k1)
    {
        // Two kernel rows per pass share the dY loads (dY is L2-resident; its loads bound this loop).
        var gArray = Workspace.Get(Workspace.DenseGradRow, 2 * _units);
        fixed (float* g = gArray)
        {
            for (int k = k0; k < k1; k += 2)
            {
                int pair = Math.Min(2, k1 - k);
                float* w = _w + (nint)k * _units;
                if (pair == 2 && _rows <= Gemm.MR && _update is AdamRowUpdate adam)
                {
                    AdamPair(adam, k, w);
                    continue;
                }
                for (int i0 = 0; i0 < _rows; i0 += Gemm.MR)
                {
                    float* dx = _dx == null ? null : _dx + (nint)i0 * _inDim + k;
                    Row(Math.Min(Gemm.MR, _rows - i0), pair, _dy + (nint)i0 * _units, _x + (nint)i0 * _inDim + k, w, g, i0 == 0, dx);
                }
                _update!.Update(k * _units, _wArray.AsSpan(k * _units, pair * _units), new ReadOnlySpan<float>(g, pair * _units));
            }
        }
    }

    /// <summary>Rows k and k + 1 with Adam applied in registers (no gradient row is stored).</summary>
    private void AdamPair(AdamRowUpdate adam, int k, float* w)
    {
        nint ldy = _units, ldx = _inDim, off = (nint)k * _units;
        float* dx = _dx == null ? null : _dx + k;
        fixed (float* m = adam.M, v = adam.V)
        {
            float* mk = m + off, vk = v + off, xk = _x + k;
            switch (_rows)
            {
                case 8: DenseRowKernel.Row2Adam<Rows8>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                case 7: DenseRowKernel.Row2Adam<Rows7>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                case 6: DenseRowKernel.Row2Adam<Rows6>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                case 5: DenseRowKernel.Row2Adam<Rows5>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                case 4: DenseRowKernel.Row2Adam<Rows4>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                case 3: DenseRowKernel.Row2Adam<Rows3>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                case 2: DenseRowKernel.Row2Adam<Rows2>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
                default: DenseRowKernel.Row2Adam<Rows1>(_units, _dy, ldy, xk, ldx, w, dx, ldx, adam.Math, mk, vk); break;
            }
        }
    }

    private void Row(int rows, int pair, float* dy, float* xk, float* w, float* g, bool first, float* dx)
    {
        nint ldy = _units, ldx = _inDim;
        if (pair == 2)
            switch (rows)
            {
                case 8: DenseRowKernel.Row2<Rows8>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                case 7: DenseRowKernel.Row2<Rows7>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                case 6: DenseRowKernel.Row2<Rows6>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                case 5: DenseRowKernel.Row2<Rows5>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                case 4: DenseRowKernel.Row2<Rows4>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                case 3: DenseRowKernel.Row2<Rows3>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                case 2: DenseRowKernel.Row2<Rows2>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
                default: DenseRowKernel.Row2<Rows1>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); return;
            }
        switch (rows)
        {
            case 8: DenseRowKernel.Row<Rows8>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            case 7: DenseRowKernel.Row<Rows7>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            case 6: DenseRowKernel.Row<Rows6>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            case 5: DenseRowKernel.Row<Rows5>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            case 4: DenseRowKernel.Row<Rows4>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            case 3: DenseRowKernel.Row<Rows3>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            case 2: DenseRowKernel.Row<Rows2>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
            default: DenseRowKernel.Row<Rows1>(_units, dy, ldy, xk, ldx, w, g, first, dx, ldx); break;
        }
    }
}
