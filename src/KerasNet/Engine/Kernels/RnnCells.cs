#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The fused element-wise part of one recurrent step for one batch row: gate activations, state update and output
/// in one pass over the row (the matrix products are done before, for all rows of a part at once). Formulas are
/// Keras's cells (tf.keras 2.x / Keras 3 LSTMCell, GRUCell, SimpleRNNCell); gate blocks are laid out as Keras's
/// kernels: LSTM i, f, c, o; GRU z, r, h. Forward functions overwrite the pre-activations in <c>z</c> with the
/// activated gates (what backward needs); backward functions overwrite them with the pre-activation gradients.
/// Each runs on the widest vector lanes the hardware has, then on the scalar tail of the row (<see cref="LaneRows"/>).
/// </summary>
internal static unsafe class RnnCells
{
    // ---- SimpleRNN: h = act(z) ----

    public static void SimpleForward(int u, float* z, float* hNew, RnnActivation act) => LaneRows.Run(u, new SimpleFwd(z, hNew, act));

    private readonly struct SimpleFwd(float* z, float* hNew, RnnActivation act) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var h = LaneMath.Apply(act, L.Load(z + j));
                L.Store(z + j, h);
                L.Store(hNew + j, h);
            }
        }
    }

    /// <summary>dz = dh act'(h); dh is cleared (the state has no direct path to the previous one).</summary>
    public static void SimpleBackward(int u, float* z, float* dh, RnnActivation act) => LaneRows.Run(u, new SimpleBwd(z, dh, act));

    private readonly struct SimpleBwd(float* z, float* dh, RnnActivation act) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                L.Store(z + j, L.Load(dh + j) * LaneMath.Derivative(act, L.Load(z + j)));
                L.Store(dh + j, L.Of(0f));
            }
        }
    }

    // ---- LSTM: c = f c' + i act(zc), h = o act(c); tc keeps act(c) ----

    public static void LstmForward(int u, float* z, float* cPrev, float* cNew, float* tc, float* hNew, RnnActivation act, RnnActivation rec) =>
        LaneRows.Run(u, new LstmFwd(u, z, cPrev, cNew, tc, hNew, act, rec));

    private readonly struct LstmFwd(int u, float* z, float* cPrev, float* cNew, float* tc, float* hNew, RnnActivation act, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var i = LaneMath.Apply(rec, L.Load(z + j));
                var f = LaneMath.Apply(rec, L.Load(z + u + j));
                var g = LaneMath.Apply(act, L.Load(z + 2 * u + j));
                var o = LaneMath.Apply(rec, L.Load(z + 3 * u + j));
                L.Store(z + j, i); L.Store(z + u + j, f); L.Store(z + 2 * u + j, g); L.Store(z + 3 * u + j, o);
                var c = f * L.Load(cPrev + j) + i * g;
                var t = LaneMath.Apply(act, c);
                L.Store(cNew + j, c);
                L.Store(tc + j, t);
                L.Store(hNew + j, o * t);
            }
        }
    }

    /// <summary>The gates' pre-activation gradients from dh and the carry's gradient dc (updated to dc'); dh cleared.</summary>
    public static void LstmBackward(int u, float* z, float* dh, float* dc, float* cPrev, float* tc, RnnActivation act, RnnActivation rec) =>
        LaneRows.Run(u, new LstmBwd(u, z, dh, dc, cPrev, tc, act, rec));

    private readonly struct LstmBwd(int u, float* z, float* dh, float* dc, float* cPrev, float* tc, RnnActivation act, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var i = L.Load(z + j); var f = L.Load(z + u + j); var g = L.Load(z + 2 * u + j); var o = L.Load(z + 3 * u + j);
                var h = L.Load(dh + j);
                var t = L.Load(tc + j);
                var c = L.Load(dc + j) + h * o * LaneMath.Derivative(act, t);
                L.Store(z + j, c * g * LaneMath.Derivative(rec, i));
                L.Store(z + u + j, c * L.Load(cPrev + j) * LaneMath.Derivative(rec, f));
                L.Store(z + 2 * u + j, c * i * LaneMath.Derivative(act, g));
                L.Store(z + 3 * u + j, h * t * LaneMath.Derivative(rec, o));
                L.Store(dc + j, c * f);
                L.Store(dh + j, L.Of(0f));
            }
        }
    }

    // ---- GRU: h = z h' + (1 - z) hh ----

    /// <summary>reset_after: hh = act(zh + r rh), rh = h' R_h + b_rh given in <paramref name="rh"/>.</summary>
    public static void GruAfterForward(int u, float* z, float* rh, float* hPrev, float* hNew, RnnActivation act, RnnActivation rec) =>
        LaneRows.Run(u, new GruAfterFwd(u, z, rh, hPrev, hNew, act, rec));

    private readonly struct GruAfterFwd(int u, float* z, float* rh, float* hPrev, float* hNew, RnnActivation act, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var zz = LaneMath.Apply(rec, L.Load(z + j));
                var r = LaneMath.Apply(rec, L.Load(z + u + j));
                var hh = LaneMath.Apply(act, L.Load(z + 2 * u + j) + r * L.Load(rh + j));
                L.Store(z + j, zz); L.Store(z + u + j, r); L.Store(z + 2 * u + j, hh);
                L.Store(hNew + j, zz * L.Load(hPrev + j) + (L.Of(1f) - zz) * hh);
            }
        }
    }

    /// <summary>reset_after backward: z gets [dz, dr, dhh'] (input side), rh gets d(rh) (recurrent side), dh gets dh z.</summary>
    public static void GruAfterBackward(int u, float* z, float* rh, float* hPrev, float* dh, RnnActivation act, RnnActivation rec) =>
        LaneRows.Run(u, new GruAfterBwd(u, z, rh, hPrev, dh, act, rec));

    private readonly struct GruAfterBwd(int u, float* z, float* rh, float* hPrev, float* dh, RnnActivation act, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var zz = L.Load(z + j); var r = L.Load(z + u + j); var hh = L.Load(z + 2 * u + j);
                var d = L.Load(dh + j);
                var dPre = d * (L.Of(1f) - zz) * LaneMath.Derivative(act, hh);
                var rhv = L.Load(rh + j);
                L.Store(z + j, d * (L.Load(hPrev + j) - hh) * LaneMath.Derivative(rec, zz));
                L.Store(z + u + j, dPre * rhv * LaneMath.Derivative(rec, r));
                L.Store(z + 2 * u + j, dPre);
                L.Store(rh + j, dPre * r);
                L.Store(dh + j, d * zz);
            }
        }
    }

    /// <summary>reset_before, first half: activates z and r, and forms rh = r h'_h, the input of the second product.</summary>
    public static void GruBeforeGates(int u, float* z, float* hIn, float* rh, RnnActivation rec) =>
        LaneRows.Run(u, new GruBeforeGatesOp(u, z, hIn, rh, rec));

    private readonly struct GruBeforeGatesOp(int u, float* z, float* hIn, float* rh, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var r = LaneMath.Apply(rec, L.Load(z + u + j));
                L.Store(z + j, LaneMath.Apply(rec, L.Load(z + j)));
                L.Store(z + u + j, r);
                L.Store(rh + j, r * L.Load(hIn + j));
            }
        }
    }

    /// <summary>reset_before, second half: hh = act(zh) (zh already holds x_h + rh R_h) and the new state.</summary>
    public static void GruBeforeForward(int u, float* z, float* hPrev, float* hNew, RnnActivation act) =>
        LaneRows.Run(u, new GruBeforeFwd(u, z, hPrev, hNew, act));

    private readonly struct GruBeforeFwd(int u, float* z, float* hPrev, float* hNew, RnnActivation act) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var zz = L.Load(z + j);
                var hh = LaneMath.Apply(act, L.Load(z + 2 * u + j));
                L.Store(z + 2 * u + j, hh);
                L.Store(hNew + j, zz * L.Load(hPrev + j) + (L.Of(1f) - zz) * hh);
            }
        }
    }

    /// <summary>reset_before backward, first half: dz and dhh' into z, dh becomes its direct part dh z.</summary>
    public static void GruBeforeBackward(int u, float* z, float* hPrev, float* dh, RnnActivation act, RnnActivation rec) =>
        LaneRows.Run(u, new GruBeforeBwd(u, z, hPrev, dh, act, rec));

    private readonly struct GruBeforeBwd(int u, float* z, float* hPrev, float* dh, RnnActivation act, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var zz = L.Load(z + j); var hh = L.Load(z + 2 * u + j);
                var d = L.Load(dh + j);
                L.Store(z + 2 * u + j, d * (L.Of(1f) - zz) * LaneMath.Derivative(act, hh));
                L.Store(z + j, d * (L.Load(hPrev + j) - hh) * LaneMath.Derivative(rec, zz));
                L.Store(dh + j, d * zz);
            }
        }
    }

    /// <summary>
    /// reset_before backward, second half, from d(rh) in <paramref name="drh"/>: dr into z, and dh += d(rh) r
    /// (times the recurrent dropout mask of the h gate when there is one).
    /// </summary>
    public static void GruBeforeReset(int u, float* z, float* hIn, float* drh, float* dh, float* mask, RnnActivation rec) =>
        LaneRows.Run(u, new GruBeforeResetOp(u, z, hIn, drh, dh, mask, rec));

    private readonly struct GruBeforeResetOp(int u, float* z, float* hIn, float* drh, float* dh, float* mask, RnnActivation rec) : IRowOp
    {
        public void Run<L>(int j0, int j1) where L : struct, ILane<L>
        {
            for (int j = j0; j < j1; j += L.Width)
            {
                var r = L.Load(z + u + j);
                var d = L.Load(drh + j);
                L.Store(z + u + j, d * L.Load(hIn + j) * LaneMath.Derivative(rec, r));
                var back = d * r;
                if (mask != null) back = back * L.Load(mask + j);
                L.Store(dh + j, L.Load(dh + j) + back);
            }
        }
    }

    // ---- shared row helpers ----

    /// <summary>dst += a b (element-wise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(int n, float* a, float* b, float* dst)
    {
        var da = new Span<float>(dst, n);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n), da, da);
    }

    /// <summary>dst += src.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddTo(int n, float* src, float* dst)
    {
        var d = new Span<float>(dst, n);
        System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<float>(src, n), d);
    }

    /// <summary>dst = a b (element-wise).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Multiply(int n, float* a, float* b, float* dst) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n), new Span<float>(dst, n));

    /// <summary>dst = src.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(int n, float* src, float* dst) => new ReadOnlySpan<float>(src, n).CopyTo(new Span<float>(dst, n));

    /// <summary>dst = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Clear(int n, float* dst) => new Span<float>(dst, n).Clear();
}
