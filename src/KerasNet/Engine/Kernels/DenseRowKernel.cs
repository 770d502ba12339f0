#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The row kernel of the fused dense backward pass: for one kernel row w (one input feature), the input-gradient
/// dot products dot(dY[r, :], w) and the weight-gradient row g = sum_r x[r] dY[r, :], sharing every dY load. The
/// arithmetic (lane-wise FMA chains, then a horizontal sum and a scalar tail) is the same as the GEMM paths', so the
/// fused step gives bit-identical results to the separate GEMMs.
/// The rows are unrolled by hand (generated) so the JIT keeps every accumulator in a register; the IRows type
/// argument removes unused rows at JIT time.
/// </summary>
internal static unsafe class DenseRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row<TR>(int units, float* dy, nint ldy, float* xk, nint ldx, float* w, float* g, bool firstGroup, float* dx, nint lddx) where TR : struct, IRows
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        var x0 = Vector512.Create(TR.R > 0 ? xk[0 * ldx] : 0f);
        var x1 = Vector512.Create(TR.R > 1 ? xk[1 * ldx] : 0f);
        var x2 = Vector512.Create(TR.R > 2 ? xk[2 * ldx] : 0f);
        var x3 = Vector512.Create(TR.R > 3 ? xk[3 * ldx] : 0f);
        var x4 = Vector512.Create(TR.R > 4 ? xk[4 * ldx] : 0f);
        var x5 = Vector512.Create(TR.R > 5 ? xk[5 * ldx] : 0f);
        var x6 = Vector512.Create(TR.R > 6 ? xk[6 * ldx] : 0f);
        var x7 = Vector512.Create(TR.R > 7 ? xk[7 * ldx] : 0f);
        int j = 0;
        for (; j <= units - 16; j += 16)
        {
            var wv = Vector512.Load(w + j);
            var gv = firstGroup ? Vector512<float>.Zero : Vector512.Load(g + j);
            { var d = Vector512.Load(dy + 0 * ldy + j); s0 = Vector512.FusedMultiplyAdd(d, wv, s0); gv = Vector512.FusedMultiplyAdd(x0, d, gv); }
            if (TR.R > 1) { var d = Vector512.Load(dy + 1 * ldy + j); s1 = Vector512.FusedMultiplyAdd(d, wv, s1); gv = Vector512.FusedMultiplyAdd(x1, d, gv); }
            if (TR.R > 2) { var d = Vector512.Load(dy + 2 * ldy + j); s2 = Vector512.FusedMultiplyAdd(d, wv, s2); gv = Vector512.FusedMultiplyAdd(x2, d, gv); }
            if (TR.R > 3) { var d = Vector512.Load(dy + 3 * ldy + j); s3 = Vector512.FusedMultiplyAdd(d, wv, s3); gv = Vector512.FusedMultiplyAdd(x3, d, gv); }
            if (TR.R > 4) { var d = Vector512.Load(dy + 4 * ldy + j); s4 = Vector512.FusedMultiplyAdd(d, wv, s4); gv = Vector512.FusedMultiplyAdd(x4, d, gv); }
            if (TR.R > 5) { var d = Vector512.Load(dy + 5 * ldy + j); s5 = Vector512.FusedMultiplyAdd(d, wv, s5); gv = Vector512.FusedMultiplyAdd(x5, d, gv); }
            if (TR.R > 6) { var d = Vector512.Load(dy + 6 * ldy + j); s6 = Vector512.FusedMultiplyAdd(d, wv, s6); gv = Vector512.FusedMultiplyAdd(x6, d, gv); }
            if (TR.R > 7) { var d = Vector512.Load(dy + 7 * ldy + j); s7 = Vector512.FusedMultiplyAdd(d, wv, s7); gv = Vector512.FusedMultiplyAdd(x7, d, gv); }
            gv.Store(g + j);
        }
        for (int r = 0; r < TR.R; r++)
        {
            float* d = dy + r * ldy;
            float xr = xk[r * ldx];
            for (int t = j; t < units; t++) g[t] = MathF.FusedMultiplyAdd(xr, d[t], firstGroup && r == 0 ? 0f : g[t]);
        }
        if (dx == null) return;
        dx[0 * lddx] = Tail(Vector512.Sum(s0), dy + 0 * ldy, w, j, units);
        if (TR.R > 1) dx[1 * lddx] = Tail(Vector512.Sum(s1), dy + 1 * ldy, w, j, units);
        if (TR.R > 2) dx[2 * lddx] = Tail(Vector512.Sum(s2), dy + 2 * ldy, w, j, units);
        if (TR.R > 3) dx[3 * lddx] = Tail(Vector512.Sum(s3), dy + 3 * ldy, w, j, units);
        if (TR.R > 4) dx[4 * lddx] = Tail(Vector512.Sum(s4), dy + 4 * ldy, w, j, units);
        if (TR.R > 5) dx[5 * lddx] = Tail(Vector512.Sum(s5), dy + 5 * ldy, w, j, units);
        if (TR.R > 6) dx[6 * lddx] = Tail(Vector512.Sum(s6), dy + 6 * ldy, w, j, units);
        if (TR.R > 7) dx[7 * lddx] = Tail(Vector512.Sum(s7), dy + 7 * ldy, w, j, units);
    }

    /// <summary>
    /// As <see cref="Row{TR}"/> for two consecutive kernel rows (w, w + units), sharing every dY load. What happens
    /// to the two gradient rows (stored, or an Adam step in registers) is <typeparamref name="TG"/>'s; the input
    /// gradient is finished before the scalar tail reaches <typeparamref name="TG"/>, so it always sees the old weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row2<TR, TG>(int units, float* dy, nint ldy, float* xk, nint ldx, float* w, float* dx, nint lddx, TG grad)
        where TR : struct, IRows where TG : struct, IGradientPair
    {
        Vector512<float> s0a = default, s0b = default, s1a = default, s1b = default, s2a = default, s2b = default, s3a = default, s3b = default, s4a = default, s4b = default, s5a = default, s5b = default, s6a = default, s6b = default, s7a = default, s7b = default;
        float* w1 = w + units;
        int j = 0;
        for (; j <= units - 16; j += 16)
        {
            var wa = Vector512.Load(w + j); var wb = Vector512.Load(w1 + j);
            grad.Start(j, out Vector512<float> ga, out Vector512<float> gb);
            { var d = Vector512.Load(dy + 0 * ldy + j); s0a = Vector512.FusedMultiplyAdd(d, wa, s0a); s0b = Vector512.FusedMultiplyAdd(d, wb, s0b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[0 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[0 * ldx + 1]), d, gb); }
            if (TR.R > 1) { var d = Vector512.Load(dy + 1 * ldy + j); s1a = Vector512.FusedMultiplyAdd(d, wa, s1a); s1b = Vector512.FusedMultiplyAdd(d, wb, s1b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[1 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[1 * ldx + 1]), d, gb); }
            if (TR.R > 2) { var d = Vector512.Load(dy + 2 * ldy + j); s2a = Vector512.FusedMultiplyAdd(d, wa, s2a); s2b = Vector512.FusedMultiplyAdd(d, wb, s2b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[2 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[2 * ldx + 1]), d, gb); }
            if (TR.R > 3) { var d = Vector512.Load(dy + 3 * ldy + j); s3a = Vector512.FusedMultiplyAdd(d, wa, s3a); s3b = Vector512.FusedMultiplyAdd(d, wb, s3b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[3 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[3 * ldx + 1]), d, gb); }
            if (TR.R > 4) { var d = Vector512.Load(dy + 4 * ldy + j); s4a = Vector512.FusedMultiplyAdd(d, wa, s4a); s4b = Vector512.FusedMultiplyAdd(d, wb, s4b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[4 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[4 * ldx + 1]), d, gb); }
            if (TR.R > 5) { var d = Vector512.Load(dy + 5 * ldy + j); s5a = Vector512.FusedMultiplyAdd(d, wa, s5a); s5b = Vector512.FusedMultiplyAdd(d, wb, s5b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[5 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[5 * ldx + 1]), d, gb); }
            if (TR.R > 6) { var d = Vector512.Load(dy + 6 * ldy + j); s6a = Vector512.FusedMultiplyAdd(d, wa, s6a); s6b = Vector512.FusedMultiplyAdd(d, wb, s6b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[6 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[6 * ldx + 1]), d, gb); }
            if (TR.R > 7) { var d = Vector512.Load(dy + 7 * ldy + j); s7a = Vector512.FusedMultiplyAdd(d, wa, s7a); s7b = Vector512.FusedMultiplyAdd(d, wb, s7b); ga = Vector512.FusedMultiplyAdd(Vector512.Create(xk[7 * ldx]), d, ga); gb = Vector512.FusedMultiplyAdd(Vector512.Create(xk[7 * ldx + 1]), d, gb); }
            grad.Finish(j, ga, gb, wa, wb);
        }
        if (dx != null)
        {
            { dx[0 * lddx] = Tail(Vector512.Sum(s0a), dy + 0 * ldy, w, j, units); dx[0 * lddx + 1] = Tail(Vector512.Sum(s0b), dy + 0 * ldy, w1, j, units); }
            if (TR.R > 1) { dx[1 * lddx] = Tail(Vector512.Sum(s1a), dy + 1 * ldy, w, j, units); dx[1 * lddx + 1] = Tail(Vector512.Sum(s1b), dy + 1 * ldy, w1, j, units); }
            if (TR.R > 2) { dx[2 * lddx] = Tail(Vector512.Sum(s2a), dy + 2 * ldy, w, j, units); dx[2 * lddx + 1] = Tail(Vector512.Sum(s2b), dy + 2 * ldy, w1, j, units); }
            if (TR.R > 3) { dx[3 * lddx] = Tail(Vector512.Sum(s3a), dy + 3 * ldy, w, j, units); dx[3 * lddx + 1] = Tail(Vector512.Sum(s3b), dy + 3 * ldy, w1, j, units); }
            if (TR.R > 4) { dx[4 * lddx] = Tail(Vector512.Sum(s4a), dy + 4 * ldy, w, j, units); dx[4 * lddx + 1] = Tail(Vector512.Sum(s4b), dy + 4 * ldy, w1, j, units); }
            if (TR.R > 5) { dx[5 * lddx] = Tail(Vector512.Sum(s5a), dy + 5 * ldy, w, j, units); dx[5 * lddx + 1] = Tail(Vector512.Sum(s5b), dy + 5 * ldy, w1, j, units); }
            if (TR.R > 6) { dx[6 * lddx] = Tail(Vector512.Sum(s6a), dy + 6 * ldy, w, j, units); dx[6 * lddx + 1] = Tail(Vector512.Sum(s6b), dy + 6 * ldy, w1, j, units); }
            if (TR.R > 7) { dx[7 * lddx] = Tail(Vector512.Sum(s7a), dy + 7 * ldy, w, j, units); dx[7 * lddx + 1] = Tail(Vector512.Sum(s7b), dy + 7 * ldy, w1, j, units); }
        }
        for (int t = j; t < units; t++)
        {
            grad.Start(t, out float ga, out float gb);
            for (int r = 0; r < TR.R; r++)
            {
                float d = dy[r * ldy + t];
                ga = MathF.FusedMultiplyAdd(xk[r * ldx], d, ga);
                gb = MathF.FusedMultiplyAdd(xk[r * ldx + 1], d, gb);
            }
            grad.Finish(t, ga, gb);
        }
    }

    private static float Tail(float d, float* a, float* w, int j, int units)
    {
        for (; j < units; j++) d += a[j] * w[j];
        return d;
    }
}
