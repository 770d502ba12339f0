#nullable enable
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>NHWC max and average pooling with TensorFlow's padding semantics.</summary>
internal static class Pooling
{
    [ThreadStatic] private static MaxForwardJob? t_maxJob;

    /// <summary>Max pooling; argmax is empty (inference) or as long as y, and receives each winner's input index.</summary>
    public static void MaxForward(in ConvGeometry g, float[] x, float[] y, int[] argmax)
    {
        const string op = "MaxPoolForward";
        Check(g, x, nameof(x), y, nameof(y), op);
        BufferCheck.Length(argmax, 0, nameof(argmax), op);
        if (argmax.Length > 0) BufferCheck.Count(argmax.Length, BufferCheck.PooledLength(g), nameof(argmax), op);
        // Inference (no winners to record) at the machine's vector width; the same maxima.
        if (argmax.Length == 0 && ConvLanes.Supported) { ConvPool.Forward(g, x, y, average: false); return; }
        var job = Workspace.Rent(ref t_maxJob);
        (job.G, job.X, job.Y, job.Argmax, job.Width) = (g, x, y, argmax, Gemm.Width);
        try { Threads.For(g.Batch * g.OutH, (long)g.OutW * g.KH * g.KW * g.InC, job); }
        finally
        {
            // The job is cached per thread: it must not keep the caller's arrays alive (or reachable) after the call.
            job.X = job.Y = null!; job.Argmax = null!;
            Workspace.Return(ref t_maxJob, job);
        }
    }

    /// <summary>The geometry, the NHWC input (x or dx) and the pooled output (y or dy) fit their buffers.</summary>
    private static void Check(in ConvGeometry g, float[] input, string inputName, float[] output, string outputName, string op)
    {
        BufferCheck.Geometry(g, op);
        BufferCheck.Length(input, BufferCheck.InputLength(g), inputName, op);
        BufferCheck.Length(output, BufferCheck.PooledLength(g), outputName, op);
    }

    /// <summary>
    /// Max pooling over rows of output pixels, a register of channels at a time at the engine's vector width
    /// (<see cref="Gemm.Width"/>). Each window starts from its first in-image pixel and takes a later one only when
    /// strictly greater, so ties and NaN keep the first (TensorFlow's and PyTorch's gradient routing); every width
    /// picks the same winners.
    /// </summary>
    private sealed unsafe class MaxForwardJob : ParallelJob
    {
        public ConvGeometry G;
        public float[] X = null!, Y = null!;
        public int[] Argmax = null!;
        public VectorWidth Width;

        public override void Execute(int part, int r0, int r1)
        {
            fixed (float* x = X, y = Y)
            fixed (int* arg = Argmax)
                switch (Width)
                {
                    case VectorWidth.W512: Rows<V512, Vector512<float>>(r0, r1, x, y, arg); break;
                    case VectorWidth.W256: Rows<V256, Vector256<float>>(r0, r1, x, y, arg); break;
                    default: Rows<V128, Vector128<float>>(r0, r1, x, y, arg); break;
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Rows<TS, TV>(int r0, int r1, float* x, float* y, int* argmax) where TS : struct, ISimd<TV> where TV : struct
        {
            var g = G;
            bool record = Argmax.Length > 0;
            int c = g.InC, vec = c / TS.Lanes * TS.Lanes;
            for (int r = r0; r < r1; r++)
            {
                int n = r / g.OutH, oh = r % g.OutH;
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int o = (r * g.OutW + ow) * c;
                    var (h0, h1, w0, w1) = Window(g, oh, ow);
                    int first = ((n * g.InH + h0) * g.InW + w0) * c;
                    if (record && h1 - h0 == 2 && w1 - w0 == 2)
                    {
                        // A 2 x 2 in-image window (Keras's default pool, or a larger window's corner at a 'same' edge):
                        // its four pixels at fixed offsets, visited in the general loop's order, so the same winners.
                        for (int ch = 0; ch < vec; ch += TS.Lanes) Lanes2x2<TS, TV>(x, y, argmax, o + ch, first + ch, c, g.InW * c);
                        for (int ch = vec; ch < c; ch++) Scalar(g, record, x, y, argmax, o + ch, first + ch, n, h0, h1, w0, w1, ch);
                        continue;
                    }
                    for (int ch = 0; ch < vec; ch += TS.Lanes) Lanes<TS, TV>(g, record, x, y, argmax, o + ch, first + ch, h0, h1, w0, w1);
                    for (int ch = vec; ch < c; ch++) Scalar(g, record, x, y, argmax, o + ch, first + ch, n, h0, h1, w0, w1, ch);
                }
            }
        }

        // The winners' indices ride in float registers as their int bits (a select moves bits unchanged).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Lanes<TS, TV>(in ConvGeometry g, bool record, float* x, float* y, int* argmax, int o, int first, int h0, int h1, int w0, int w1)
            where TS : struct, ISimd<TV> where TV : struct
        {
            var best = TS.Load(x + first);
            var arg = TS.Indices(first);
            int row = g.InW * g.InC;
            for (int ih = h0, ri = first; ih < h1; ih++, ri += row)
                for (int iw = w0, i = ri; iw < w1; iw++, i += g.InC)
                {
                    if (record) { Visit<TS, TV>(x, i, ref best, ref arg); continue; }
                    var v = TS.Load(x + i);
                    best = TS.Select(TS.GreaterThan(v, best), v, best);
                }
            TS.Store(best, y + o);
            if (record) TS.Store(arg, (float*)(argmax + o));
        }

        /// <summary><see cref="Lanes"/> unrolled for a 2 x 2 in-image window: pixels (0, 0), (0, 1), (1, 0), (1, 1) in that order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Lanes2x2<TS, TV>(float* x, float* y, int* argmax, int o, int i, int pixel, int row)
            where TS : struct, ISimd<TV> where TV : struct
        {
            var best = TS.Load(x + i);
            var arg = TS.Indices(i);
            Visit<TS, TV>(x, i + pixel, ref best, ref arg);
            Visit<TS, TV>(x, i + row, ref best, ref arg);
            Visit<TS, TV>(x, i + row + pixel, ref best, ref arg);
            TS.Store(best, y + o);
            TS.Store(arg, (float*)(argmax + o));
        }

        /// <summary>One window pixel at index i: taken (value and index) only when strictly greater, so ties and NaN keep the first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Visit<TS, TV>(float* x, int i, ref TV best, ref TV arg) where TS : struct, ISimd<TV> where TV : struct
        {
            var v = TS.Load(x + i);
            var gt = TS.GreaterThan(v, best);
            best = TS.Select(gt, v, best);
            arg = TS.Select(gt, TS.Indices(i), arg);
        }

        private static void Scalar(in ConvGeometry g, bool record, float* x, float* y, int* argmax, int o, int first, int n, int h0, int h1, int w0, int w1, int ch)
        {
            float best = x[first];
            int arg = first;
            for (int ih = h0; ih < h1; ih++)
                for (int iw = w0; iw < w1; iw++)
                {
                    int i = ((n * g.InH + ih) * g.InW + iw) * g.InC + ch;
                    if (x[i] > best) { best = x[i]; arg = i; }
                }
            y[o] = best;
            if (record) argmax[o] = arg;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void MaxBackward(in ConvGeometry g, float[] dy, int[] argmax, float[] dx)
    {
        const string op = "MaxPoolBackward";
        Check(g, dx, nameof(dx), dy, nameof(dy), op);
        BufferCheck.Length(argmax, BufferCheck.PooledLength(g), nameof(argmax), op);
        int inLen = g.Batch * g.InH * g.InW * g.InC, outLen = g.Batch * g.OutH * g.OutW * g.InC;
        Array.Clear(dx, 0, inLen);
        for (int o = 0; o < outLen; o++)
        {
            // argmax is the caller's array: an index outside the input is an error, not a write past it.
            int i = argmax[o];
            if ((uint)i < (uint)inLen) dx[i] += dy[o];
            else if (i >= 0) throw new ArgumentException($"MaxPoolBackward: argmax[{o}] is {i}, outside the input of {inLen} elements.", nameof(argmax));
        }
    }

    /// <summary>The in-image range [h0, h1) x [w0, w1) of one window: padding never counts.</summary>
    private static (int h0, int h1, int w0, int w1) Window(in ConvGeometry g, int oh, int ow)
    {
        int h0 = oh * g.StrideH - g.PadTop, w0 = ow * g.StrideW - g.PadLeft;
        return (Math.Max(h0, 0), Math.Min(h0 + g.KH, g.InH), Math.Max(w0, 0), Math.Min(w0 + g.KW, g.InW));
    }

    [ThreadStatic] private static AvgForwardJob? t_avgForward;
    [ThreadStatic] private static AvgBackwardJob? t_avgBackward;

    public static void AvgForward(in ConvGeometry g, float[] x, float[] y)
    {
        Check(g, x, nameof(x), y, nameof(y), "AvgPoolForward");
        // The same sums in the same order, a register of channels at a time.
        if (ConvLanes.Supported) { ConvPool.Forward(g, x, y, average: true); return; }
        var job = Workspace.Rent(ref t_avgForward);
        (job.G, job.X, job.Y) = (g, x, y);
        try { Threads.For(g.Batch * g.OutH, (long)g.OutW * g.KH * g.KW * g.InC, job); }
        finally
        {
            job.X = job.Y = null!; // cached per thread: must not keep the caller's arrays alive
            Workspace.Return(ref t_avgForward, job);
        }
    }

    public static void AvgBackward(in ConvGeometry g, float[] dy, float[] dx)
    {
        Check(g, dx, nameof(dx), dy, nameof(dy), "AvgPoolBackward");
        var job = Workspace.Rent(ref t_avgBackward);
        (job.G, job.Dy, job.Dx) = (g, dy, dx);
        try { Threads.For(g.Batch, (long)g.OutH * g.OutW * g.KH * g.KW * g.InC, job); }
        finally
        {
            job.Dy = job.Dx = null!;
            Workspace.Return(ref t_avgBackward, job);
        }
    }

    /// <summary>Average pooling over rows of output pixels: each window's in-image pixels summed channel-wise, then scaled.</summary>
    private sealed class AvgForwardJob : ParallelJob
    {
        public ConvGeometry G;
        public float[] X = null!, Y = null!;

        public override void Execute(int part, int r0, int r1)
        {
            var g = G;
            int c = g.InC;
            for (int r = r0; r < r1; r++)
            {
                int n = r / g.OutH, oh = r % g.OutH;
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    var yo = Y.AsSpan(((r * g.OutW) + ow) * c, c);
                    yo.Clear();
                    var (h0, h1, w0, w1) = Window(g, oh, ow);
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                            TensorPrimitives.Add(yo, X.AsSpan(((n * g.InH + ih) * g.InW + iw) * c, c), yo);
                    TensorPrimitives.Multiply(yo, 1f / Math.Max(1, (h1 - h0) * (w1 - w0)), yo);
                }
            }
        }
    }

    /// <summary>Average pooling's gradient per sample: each window's output gradient, scaled by 1 / its pixel count, added to those pixels.</summary>
    private sealed class AvgBackwardJob : ParallelJob
    {
        public ConvGeometry G;
        public float[] Dy = null!, Dx = null!;

        public override void Execute(int part, int n0, int n1)
        {
            var g = G;
            int c = g.InC;
            for (int n = n0; n < n1; n++)
            {
                Dx.AsSpan(n * g.InH * g.InW * c, g.InH * g.InW * c).Clear();
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        var (h0, h1, w0, w1) = Window(g, oh, ow);
                        float scale = 1f / Math.Max(1, (h1 - h0) * (w1 - w0));
                        var go = Dy.AsSpan((((n * g.OutH) + oh) * g.OutW + ow) * c, c);
                        for (int ih = h0; ih < h1; ih++)
                            for (int iw = w0; iw < w1; iw++)
                            {
                                var d = Dx.AsSpan(((n * g.InH + ih) * g.InW + iw) * c, c);
                                TensorPrimitives.MultiplyAdd(go, scale, d, d);
                            }
                    }
            }
        }
    }
}
