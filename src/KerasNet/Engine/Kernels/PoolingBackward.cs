#nullable enable
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Max-pooling backward for windows that do not overlap (pool size at most the stride: Keras's default pool 2,
/// stride 2), 16 channels per Vector512 and split over the cores by bands of input rows: each input pixel is written
/// exactly once, with dy where the forward pass's argmax names it and zero elsewhere, so there is no clearing pass
/// and no scalar scatter. Other geometries (overlapping windows, channels not a multiple of 16, no AVX-512) take
/// <see cref="Pooling.MaxBackward"/>.
/// </summary>
internal static class PoolingBackward
{
    [ThreadStatic] private static MaxBackwardJob? t_job;

    /// <summary>dx = the pooled gradient routed to each window's argmax (see <see cref="IBackend.MaxPoolBackward"/>).</summary>
    public static void Max(in ConvGeometry g, float[] dy, int[] argmax, float[] dx)
    {
        if (!Vector512.IsHardwareAccelerated || g.InC % 16 != 0 || g.KH > g.StrideH || g.KW > g.StrideW || g.OutH <= 0 || g.OutW <= 0 || g.Batch <= 0)
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
            (job.G, job.Dy, job.Argmax, job.Dx, job.Matched) = (g, dy, argmax, dx, 0);
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

    private sealed class MaxBackwardJob : ParallelJob
    {
        public ConvGeometry G;
        public float[] Dy = null!, Dx = null!;
        public int[] Argmax = null!;
        public long Matched;

        private static readonly Vector512<int> Lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void Execute(int part, int r0, int r1)
        {
            var g = G;
            long matched = 0;
            for (int r = r0; r < r1; r++)
            {
                int n = r / g.OutH, oh = r % g.OutH, top = oh * g.StrideH - g.PadTop;
                // The band of input rows this output row owns: its stride's rows, the first band from row 0 and the
                // last to the image's end, so every input row (covered by a window or not) is written once.
                int lo = oh == 0 ? 0 : Math.Clamp(top, 0, g.InH), hi = oh == g.OutH - 1 ? g.InH : Math.Clamp(top + g.StrideH, 0, g.InH);
                for (int h = lo; h < hi; h++) matched += Row(g, n, oh, h, h - top >= 0 && h - top < g.KH);
            }
            Interlocked.Add(ref Matched, matched);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private long Row(in ConvGeometry g, int n, int oh, int h, bool rowInWindow)
        {
            int c = g.InC;
            long matched = 0;
            ref float dx = ref Dx[0];
            ref float dy = ref Dy[0];
            ref int arg = ref Argmax[0];
            int rowStart = (n * g.InH + h) * g.InW * c, outRow = (n * g.OutH + oh) * g.OutW;
            for (int w = 0; w < g.InW; w++)
            {
                int dst = rowStart + w * c;
                int q = w + g.PadLeft, ow = q / g.StrideW;
                if (!rowInWindow || ow >= g.OutW || q - ow * g.StrideW >= g.KW)
                {
                    new Span<float>(Dx, dst, c).Clear();
                    continue;
                }
                int o = (outRow + ow) * c;
                for (int ch = 0; ch < c; ch += 16)
                {
                    var eq = Vector512.Equals(Vector512.LoadUnsafe(ref arg, (nuint)(o + ch)), Vector512.Create(dst + ch) + Lanes);
                    Vector512.ConditionalSelect(eq.AsSingle(), Vector512.LoadUnsafe(ref dy, (nuint)(o + ch)), Vector512<float>.Zero).StoreUnsafe(ref dx, (nuint)(dst + ch));
                    matched += BitOperations.PopCount(eq.ExtractMostSignificantBits());
                }
            }
            return matched;
        }
    }
}
