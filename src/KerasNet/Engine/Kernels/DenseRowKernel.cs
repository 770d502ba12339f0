#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The row kernel of the fused dense backward pass: for one kernel row w (one input feature), the input-gradient
/// dot products dot(dY[r, :], w) and the weight-gradient row g = sum_r x[r] dY[r, :], sharing every dY load. The
/// arithmetic (lane-wise FMA chains, then a horizontal sum and a scalar tail) is the same as the GEMM paths', so the
/// fused step gives bit-identical results to the separate GEMMs.
/// The rows are unrolled by hand (generated) so the JIT keeps every accumulator in a register; the IRows type
/// argument removes unused rows and the <see cref="ISimd{TV}"/> struct fixes the vector width at JIT time. Scalar
/// tails use the width's scalar multiply-add, so they round as the GEMM's vector lanes do on every machine.
/// </summary>
internal static unsafe class DenseRowKernel
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row<TR, TS, TV>(int units, float* dy, nint ldy, float* xk, nint ldx, float* w, float* g, bool firstGroup, float* dx, nint lddx) where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct
    {
        TV s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        var x0 = TS.Splat(TR.R > 0 ? xk[0 * ldx] : 0f);
        var x1 = TS.Splat(TR.R > 1 ? xk[1 * ldx] : 0f);
        var x2 = TS.Splat(TR.R > 2 ? xk[2 * ldx] : 0f);
        var x3 = TS.Splat(TR.R > 3 ? xk[3 * ldx] : 0f);
        var x4 = TS.Splat(TR.R > 4 ? xk[4 * ldx] : 0f);
        var x5 = TS.Splat(TR.R > 5 ? xk[5 * ldx] : 0f);
        var x6 = TS.Splat(TR.R > 6 ? xk[6 * ldx] : 0f);
        var x7 = TS.Splat(TR.R > 7 ? xk[7 * ldx] : 0f);
        int j = 0;
        for (; j <= units - TS.Lanes; j += TS.Lanes)
        {
            var wv = TS.Load(w + j);
            var gv = firstGroup ? TS.Zero : TS.Load(g + j);
            gv = Accumulate<TS, TV>(TS.Load(dy + 0 * ldy + j), wv, x0, ref s0, gv);
            if (TR.R > 1) gv = Accumulate<TS, TV>(TS.Load(dy + 1 * ldy + j), wv, x1, ref s1, gv);
            if (TR.R > 2) gv = Accumulate<TS, TV>(TS.Load(dy + 2 * ldy + j), wv, x2, ref s2, gv);
            if (TR.R > 3) gv = Accumulate<TS, TV>(TS.Load(dy + 3 * ldy + j), wv, x3, ref s3, gv);
            if (TR.R > 4) gv = Accumulate<TS, TV>(TS.Load(dy + 4 * ldy + j), wv, x4, ref s4, gv);
            if (TR.R > 5) gv = Accumulate<TS, TV>(TS.Load(dy + 5 * ldy + j), wv, x5, ref s5, gv);
            if (TR.R > 6) gv = Accumulate<TS, TV>(TS.Load(dy + 6 * ldy + j), wv, x6, ref s6, gv);
            if (TR.R > 7) gv = Accumulate<TS, TV>(TS.Load(dy + 7 * ldy + j), wv, x7, ref s7, gv);
            TS.Store(gv, g + j);
        }
        for (int r = 0; r < TR.R; r++)
        {
            float* d = dy + r * ldy;
            float xr = xk[r * ldx];
            for (int t = j; t < units; t++) g[t] = TS.Fma(xr, d[t], firstGroup && r == 0 ? 0f : g[t]);
        }
        if (dx == null) return;
        dx[0 * lddx] = Tail(TS.Sum(s0), dy + 0 * ldy, w, j, units);
        if (TR.R > 1) dx[1 * lddx] = Tail(TS.Sum(s1), dy + 1 * ldy, w, j, units);
        if (TR.R > 2) dx[2 * lddx] = Tail(TS.Sum(s2), dy + 2 * ldy, w, j, units);
        if (TR.R > 3) dx[3 * lddx] = Tail(TS.Sum(s3), dy + 3 * ldy, w, j, units);
        if (TR.R > 4) dx[4 * lddx] = Tail(TS.Sum(s4), dy + 4 * ldy, w, j, units);
        if (TR.R > 5) dx[5 * lddx] = Tail(TS.Sum(s5), dy + 5 * ldy, w, j, units);
        if (TR.R > 6) dx[6 * lddx] = Tail(TS.Sum(s6), dy + 6 * ldy, w, j, units);
        if (TR.R > 7) dx[7 * lddx] = Tail(TS.Sum(s7), dy + 7 * ldy, w, j, units);
    }

    /// <summary>
    /// As <see cref="Row{TR, TS, TV}"/> for two consecutive kernel rows (w, w + units), sharing every dY load. What happens
    /// to the two gradient rows (stored, or an Adam step in registers) is <typeparamref name="TG"/>'s; the input
    /// gradient is finished before the scalar tail reaches <typeparamref name="TG"/>, so it always sees the old weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row2<TR, TS, TV, TG>(int units, float* dy, nint ldy, float* xk, nint ldx, float* w, float* dx, nint lddx, TG grad)
        where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct where TG : struct, IGradientPair<TV>
    {
        TV s0a = default, s0b = default, s1a = default, s1b = default, s2a = default, s2b = default, s3a = default, s3b = default, s4a = default, s4b = default, s5a = default, s5b = default, s6a = default, s6b = default, s7a = default, s7b = default;
        float* w1 = w + units;
        int j = 0;
        for (; j <= units - TS.Lanes; j += TS.Lanes)
        {
            var wa = TS.Load(w + j); var wb = TS.Load(w1 + j);
            grad.Start(j, out TV ga, out TV gb);
            { var d = TS.Load(dy + 0 * ldy + j); s0a = TS.Fma(d, wa, s0a); s0b = TS.Fma(d, wb, s0b); ga = TS.Fma(TS.Splat(xk[0 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[0 * ldx + 1]), d, gb); }
            if (TR.R > 1) { var d = TS.Load(dy + 1 * ldy + j); s1a = TS.Fma(d, wa, s1a); s1b = TS.Fma(d, wb, s1b); ga = TS.Fma(TS.Splat(xk[1 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[1 * ldx + 1]), d, gb); }
            if (TR.R > 2) { var d = TS.Load(dy + 2 * ldy + j); s2a = TS.Fma(d, wa, s2a); s2b = TS.Fma(d, wb, s2b); ga = TS.Fma(TS.Splat(xk[2 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[2 * ldx + 1]), d, gb); }
            if (TR.R > 3) { var d = TS.Load(dy + 3 * ldy + j); s3a = TS.Fma(d, wa, s3a); s3b = TS.Fma(d, wb, s3b); ga = TS.Fma(TS.Splat(xk[3 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[3 * ldx + 1]), d, gb); }
            if (TR.R > 4) { var d = TS.Load(dy + 4 * ldy + j); s4a = TS.Fma(d, wa, s4a); s4b = TS.Fma(d, wb, s4b); ga = TS.Fma(TS.Splat(xk[4 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[4 * ldx + 1]), d, gb); }
            if (TR.R > 5) { var d = TS.Load(dy + 5 * ldy + j); s5a = TS.Fma(d, wa, s5a); s5b = TS.Fma(d, wb, s5b); ga = TS.Fma(TS.Splat(xk[5 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[5 * ldx + 1]), d, gb); }
            if (TR.R > 6) { var d = TS.Load(dy + 6 * ldy + j); s6a = TS.Fma(d, wa, s6a); s6b = TS.Fma(d, wb, s6b); ga = TS.Fma(TS.Splat(xk[6 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[6 * ldx + 1]), d, gb); }
            if (TR.R > 7) { var d = TS.Load(dy + 7 * ldy + j); s7a = TS.Fma(d, wa, s7a); s7b = TS.Fma(d, wb, s7b); ga = TS.Fma(TS.Splat(xk[7 * ldx]), d, ga); gb = TS.Fma(TS.Splat(xk[7 * ldx + 1]), d, gb); }
            grad.Finish(j, ga, gb, wa, wb);
        }
        if (dx != null)
        {
            { dx[0 * lddx] = Tail(TS.Sum(s0a), dy + 0 * ldy, w, j, units); dx[0 * lddx + 1] = Tail(TS.Sum(s0b), dy + 0 * ldy, w1, j, units); }
            if (TR.R > 1) { dx[1 * lddx] = Tail(TS.Sum(s1a), dy + 1 * ldy, w, j, units); dx[1 * lddx + 1] = Tail(TS.Sum(s1b), dy + 1 * ldy, w1, j, units); }
            if (TR.R > 2) { dx[2 * lddx] = Tail(TS.Sum(s2a), dy + 2 * ldy, w, j, units); dx[2 * lddx + 1] = Tail(TS.Sum(s2b), dy + 2 * ldy, w1, j, units); }
            if (TR.R > 3) { dx[3 * lddx] = Tail(TS.Sum(s3a), dy + 3 * ldy, w, j, units); dx[3 * lddx + 1] = Tail(TS.Sum(s3b), dy + 3 * ldy, w1, j, units); }
            if (TR.R > 4) { dx[4 * lddx] = Tail(TS.Sum(s4a), dy + 4 * ldy, w, j, units); dx[4 * lddx + 1] = Tail(TS.Sum(s4b), dy + 4 * ldy, w1, j, units); }
            if (TR.R > 5) { dx[5 * lddx] = Tail(TS.Sum(s5a), dy + 5 * ldy, w, j, units); dx[5 * lddx + 1] = Tail(TS.Sum(s5b), dy + 5 * ldy, w1, j, units); }
            if (TR.R > 6) { dx[6 * lddx] = Tail(TS.Sum(s6a), dy + 6 * ldy, w, j, units); dx[6 * lddx + 1] = Tail(TS.Sum(s6b), dy + 6 * ldy, w1, j, units); }
            if (TR.R > 7) { dx[7 * lddx] = Tail(TS.Sum(s7a), dy + 7 * ldy, w, j, units); dx[7 * lddx + 1] = Tail(TS.Sum(s7b), dy + 7 * ldy, w1, j, units); }
        }
        for (int t = j; t < units; t++)
        {
            grad.Start(t, out float ga, out float gb);
            for (int r = 0; r < TR.R; r++)
            {
                float d = dy[r * ldy + t];
                ga = TS.Fma(xk[r * ldx], d, ga);
                gb = TS.Fma(xk[r * ldx + 1], d, gb);
            }
            grad.Finish(t, ga, gb);
        }
    }

    /// <summary>One dY row's step of <see cref="Row{TR, TS, TV}"/>: its input-gradient dot product s and the gradient row g.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Accumulate<TS, TV>(TV d, TV w, TV x, ref TV s, TV g) where TS : struct, ISimd<TV> where TV : struct
    {
        s = TS.Fma(d, w, s);
        return TS.Fma(x, d, g);
    }

    private static float Tail(float d, float* a, float* w, int j, int units)
    {
        for (; j < units; j++) d += a[j] * w[j];
        return d;
    }
}
