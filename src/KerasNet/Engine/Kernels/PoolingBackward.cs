#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Max-pooling backward for windows that do not overlap (pool size at most the stride: Keras's default pool 2,
/// stride 2), one vector of channels at a time at the GEMM's width (<see cref="ISimd{TV}"/>: 16 on AVX-512, 8 on
/// AVX2, 4 on SSE/AdvSimd) and split over the cores by bands of input rows: each input pixel is written exactly once,
/// with dy where the forward pass's argmax names it and zero elsewhere, so there is no clearing pass and no scalar
/// scatter. Other geometries (overlapping windows, channels not a multiple of the lanes) take
/// <see cref="Pooling.MaxBackward"/>.
/// </summary>
internal static class PoolingBackward
{
    [ThreadStatic] private static MaxBackwardJob? t_job;

    /// <summary>dx = the pooled gradient routed to each window's argmax (see <see cref="IBackend.MaxPoolBackward"/>).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Max(in ConvGeometry g, float[] dy, int[] argmax, float[] dx)
    {
        var width = Gemm.Width;
        int lanes = width switch { VectorWidth.W512 => V512.Lanes, VectorWidth.W256 => V256.Lanes, _ => V128.Lanes };
        if (g.InC % lanes != 0 || g.KH > g.StrideH || g.KW > g.StrideW || g.OutH <= 0 || g.OutW <= 0 || g.Batch <= 0)
        {
            Pooling.MaxBackward(g, dy, argmax, dx);
            return;
        }
        const string op = "MaxPoolBackward";
        BufferCheck.Geometry(g, op);
        BufferCheck.Length(dx, BufferCheck.InputLength(g), nameof(dx), op);
        BufferCheck.Length(dy, BufferCheck.PooledLength(g), nameof(dy), op);
        BufferCheck.Length(argmax, BufferCheck.PooledLength(g), nameof(argmax), op);
        var job = Workspace.Rent(ref t_job);
        long matched;
        try
        {
            (job.G, job.Dy, job.Argmax, job.Dx, job.Matched, job.Width) = (g, dy, argmax, dx, 0, width);
            Threads.For(g.Batch * g.OutH, (long)g.StrideH * g.InW * g.InC, job);
            matched = job.Matched;
        }
        finally
        {
            job.Dy = job.Dx = null!; job.Argmax = null!; // cached per thread: must not keep the caller's arrays alive
            Workspace.Return(ref t_job, job);
        }
        // Each output's argmax names one input pixel, so it matches at most once: fewer matches than outputs means an
        // entry outside its own window (or the image). Negative entries (no winner) route nothing, as before.
        long outputs = BufferCheck.PooledLength(g);
        if (matched != outputs && matched + Negatives(argmax, outputs) != outputs)
            throw new ArgumentException($"{op}: {outputs - matched} argmax entries lie outside their pooling windows.", nameof(argmax));
    }

    private static long Negatives(int[] argmax, long n)
    {
        long count = 0;
        for (long i = 0; i < n; i++) if (argmax[i] < 0) count++;
        return count;
    }

    private sealed unsafe class MaxBackwardJob : ParallelJob
    {
        public ConvGeometry G;
        public float[] Dy = null!, Dx = null!;
        public int[] Argmax = null!;
        public long Matched;
        public VectorWidth Width;

        public override void Execute(int part, int r0, int r1)
        {
            long matched;
            fixed (float* dy = Dy, dx = Dx)
            fixed (int* arg = Argmax)
                matched = Width switch
                {
                    VectorWidth.W512 => Rows<V512, Vector512<float>>(r0, r1, dy, arg, dx),
                    VectorWidth.W256 => Rows<V256, Vector256<float>>(r0, r1, dy, arg, dx),
                    _ => Rows<V128, Vector128<float>>(r0, r1, dy, arg, dx),
                };
            Interlocked.Add(ref Matched, matched);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long Rows<TS, TV>(int r0, int r1, float* dy, int* arg, float* dx) where TS : struct, ISimd<TV> where TV : struct
        {
            var g = G;
            long matched = 0;
            for (int r = r0; r < r1; r++)
            {
                int n = r / g.OutH, oh = r % g.OutH, top = oh * g.StrideH - g.PadTop;
                // The band of input rows this output row owns: its stride's rows, the first band from row 0 and the
                // last to the image's end, so every input row (covered by a window or not) is written once.
                int lo = oh == 0 ? 0 : Math.Clamp(top, 0, g.InH), hi = oh == g.OutH - 1 ? g.InH : Math.Clamp(top + g.StrideH, 0, g.InH);
                for (int h = lo; h < hi; h++) matched += Row<TS, TV>(g, n, oh, h, h - top >= 0 && h - top < g.KH, dy, arg, dx);
            }
            return matched;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static long Row<TS, TV>(in ConvGeometry g, int n, int oh, int h, bool rowInWindow, float* dy, int* arg, float* dx)
            where TS : struct, ISimd<TV> where TV : struct
        {
            int c = g.InC;
            long matched = 0;
            int rowStart = (n * g.InH + h) * g.InW * c, outRow = (n * g.OutH + oh) * g.OutW;
            for (int w = 0; w < g.InW; w++)
            {
                int dst = rowStart + w * c;
                int q = w + g.PadLeft, ow = q / g.StrideW;
                if (!rowInWindow || ow >= g.OutW || q - ow * g.StrideW >= g.KW)
                {
                    new Span<float>(dx + dst, c).Clear();
                    continue;
                }
                int o = (outRow + ow) * c;
                for (int ch = 0; ch < c; ch += TS.Lanes)
                    TS.Store(TS.WhereIndex(arg + o + ch, dst + ch, TS.Load(dy + o + ch), ref matched), dx + dst + ch);
            }
            return matched;
        }
    }
}
