#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Direct NHWC depthwise convolution (<see cref="ConvSpec.IsDepthwise"/>: one group per input channel, M = filters /
/// channels outputs per channel, kernel (KH, KW, C, M), output channel c * M + m reading input channel c), forward and
/// both gradients, with dilation and TensorFlow's paddings. An output pixel's C * M values and a kernel tap's C * M
/// weights are both contiguous, so every tap is one vector multiply-add over the channels (M = 1; for M &gt; 1 each
/// input channel's value is broadcast over its M outputs). No im2col: a depthwise layer does KH * KW multiply-adds per
/// output value, too few to repay unfolding the input.
/// Every pass is a gather (each thread owns the values it writes), so the results do not depend on the thread count:
/// the forward pass and the input gradient split over rows of output / input pixels, the kernel gradient over
/// (tap, channel block) pairs, each summing over the whole batch in a fixed order.
/// </summary>
internal static unsafe class DepthwiseKernels
{
    /// <summary>
    /// Channels per kernel-gradient unit: 64 floats are four AVX-512 vectors, an accumulator that stays in L1, while a
    /// 3x3 kernel on 64+ channels still gives 9+ units to spread over the cores.
    /// </summary>
    private const int FilterBlock = 64;

    [ThreadStatic] private static Job? t_job;

    private enum Pass { Forward, Input, Filter }

    /// <summary>
    /// y = depthwise(x, w) (+ bias), then ReLU when <paramref name="relu"/>; <paramref name="filters"/> is C * M. The
    /// caller (<see cref="CpuBackend"/>'s entry point) has checked the spec and every buffer length.
    /// </summary>
    public static void Forward(in ConvSpec s, int filters, float[] x, float[] w, float[]? bias, bool relu, float[] y) =>
        Start(s, filters, Pass.Forward, x, w, y, bias, relu, s.Batch * s.OutH, (long)s.OutW * s.KH * s.KW * filters);

    /// <summary>dx (overwritten) from the output gradient dy and the kernel w.</summary>
    public static void BackwardInput(in ConvSpec s, int filters, float[] dy, float[] w, float[] dx) =>
        Start(s, filters, Pass.Input, dx, w, dy, null, false, s.Batch * s.InH, (long)s.InW * s.KH * s.KW * filters / ((long)s.StrideH * s.StrideW) + 1);

    /// <summary>dw (overwritten) from the input x and the output gradient dy.</summary>
    public static void BackwardFilter(in ConvSpec s, int filters, float[] x, float[] dy, float[] dw)
    {
        int blocks = (filters + FilterBlock - 1) / FilterBlock;
        Start(s, filters, Pass.Filter, x, dw, dy, null, false, s.KH * s.KW * blocks, (long)s.Rows * Math.Min(filters, FilterBlock));
    }

    // image: x (or dx), kernel: w (or dw), output: y (or dy); lengths were checked by the backend entry point.
    private static void Start(in ConvSpec s, int filters, Pass pass, float[] image, float[] kernel, float[] output, float[]? bias, bool relu, int units, long cost)
    {
        var job = Workspace.Rent(ref t_job);
        fixed (float* pi = image, pk = kernel, po = output, pb = bias)
        {
            job.S = s; job.Pass = pass; job.Image = pi; job.Kernel = pk; job.Out = po; job.Bias = pb; job.Relu = relu;
            job.F = filters;
            job.M = filters / s.InC;
            try { Threads.For(units, cost, job); }
            finally
            {
                // No pointer into a caller's (unpinned once we return) array may outlive the call, even on an exception.
                job.Image = job.Kernel = job.Out = job.Bias = null;
                Workspace.Return(ref t_job, job);
            }
        }
    }

    private sealed class Job : ParallelJob
    {
        public ConvSpec S;
        public Pass Pass;
        public float* Image, Kernel, Out, Bias;
        public bool Relu;
        public int M, F;

        public override void Execute(int part, int start, int end)
        {
            var s = S;
            switch (Pass)
            {
                case Pass.Forward: for (int r = start; r < end; r++) ForwardRow(r / s.OutH, r % s.OutH); break;
                case Pass.Input: for (int r = start; r < end; r++) InputRow(r / s.InH, r % s.InH); break;
                default:
                    int blocks = (F + FilterBlock - 1) / FilterBlock;
                    for (int u = start; u < end; u++) FilterUnit(u / blocks, u % blocks * FilterBlock);
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ForwardRow(int n, int oh)
        {
            var s = S;
            int c = s.InC, f = F;
            for (int ow = 0; ow < s.OutW; ow++)
            {
                float* acc = Out + ((nint)(n * s.OutH + oh) * s.OutW + ow) * f;
                if (Bias != null) new ReadOnlySpan<float>(Bias, f).CopyTo(new Span<float>(acc, f));
                else new Span<float>(acc, f).Clear();
                for (int kh = 0; kh < s.KH; kh++)
                {
                    int ih = oh * s.StrideH - s.PadTop + kh * s.DilationH;
                    if ((uint)ih >= (uint)s.InH) continue;
                    for (int kw = 0; kw < s.KW; kw++)
                    {
                        int iw = ow * s.StrideW - s.PadLeft + kw * s.DilationW;
                        if ((uint)iw >= (uint)s.InW) continue;
                        float* xp = Image + ((nint)(n * s.InH + ih) * s.InW + iw) * c;
                        float* wp = Kernel + (nint)(kh * s.KW + kw) * f;
                        if (M == 1) MulAdd(acc, xp, wp, c);
                        else for (int ch = 0; ch < c; ch++) Axpy(acc + ch * M, xp[ch], wp + ch * M, M);
                    }
                }
                if (Relu) ReluInPlace(acc, f);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void InputRow(int n, int ih)
        {
            var s = S;
            int c = s.InC, f = F;
            for (int iw = 0; iw < s.InW; iw++)
            {
                float* acc = Image + ((nint)(n * s.InH + ih) * s.InW + iw) * c;
                new Span<float>(acc, c).Clear();
                for (int kh = 0; kh < s.KH; kh++)
                {
                    // The output row whose tap kh lands on ih: ih = oh * stride - pad + kh * dilation.
                    int t = ih + s.PadTop - kh * s.DilationH;
                    if (t < 0) break; // later taps reach further down: no earlier output row can use them
                    if (t % s.StrideH != 0 || t / s.StrideH >= s.OutH) continue;
                    int oh = t / s.StrideH;
                    for (int kw = 0; kw < s.KW; kw++)
                    {
                        int u = iw + s.PadLeft - kw * s.DilationW;
                        if (u < 0) break;
                        if (u % s.StrideW != 0 || u / s.StrideW >= s.OutW) continue;
                        float* dyp = Out + ((nint)(n * s.OutH + oh) * s.OutW + u / s.StrideW) * f;
                        float* wp = Kernel + (nint)(kh * s.KW + kw) * f;
                        if (M == 1) MulAdd(acc, dyp, wp, c);
                        else for (int ch = 0; ch < c; ch++) acc[ch] += Dot(dyp + ch * M, wp + ch * M, M);
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FilterUnit(int tap, int j0)
        {
            var s = S;
            int kh = tap / s.KW, kw = tap % s.KW, c = s.InC, f = F, len = Math.Min(FilterBlock, f - j0);
            float* acc = stackalloc float[FilterBlock];
            new Span<float>(acc, len).Clear();
            for (int n = 0; n < s.Batch; n++)
                for (int oh = 0; oh < s.OutH; oh++)
                {
                    int ih = oh * s.StrideH - s.PadTop + kh * s.DilationH;
                    if ((uint)ih >= (uint)s.InH) continue;
                    for (int ow = 0; ow < s.OutW; ow++)
                    {
                        int iw = ow * s.StrideW - s.PadLeft + kw * s.DilationW;
                        if ((uint)iw >= (uint)s.InW) continue;
                        float* xp = Image + ((nint)(n * s.InH + ih) * s.InW + iw) * c;
                        float* dyp = Out + ((nint)(n * s.OutH + oh) * s.OutW + ow) * f + j0;
                        if (M == 1) MulAdd(acc, xp + j0, dyp, len);
                        else for (int j = 0; j < len; j++) acc[j] = MathF.FusedMultiplyAdd(xp[(j0 + j) / M], dyp[j], acc[j]);
                    }
                }
            new ReadOnlySpan<float>(acc, len).CopyTo(new Span<float>(Kernel + (nint)tap * f + j0, len));
        }
    }

    /// <summary>acc[i] += a[i] * b[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAdd(float* acc, float* a, float* b, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16)
                Vector512.FusedMultiplyAdd(Vector512.Load(a + i), Vector512.Load(b + i), Vector512.Load(acc + i)).Store(acc + i);
        if (Vector256.IsHardwareAccelerated)
            for (; i <= n - 8; i += 8)
                Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), Vector256.Load(acc + i)).Store(acc + i);
        for (; i < n; i++) acc[i] = MathF.FusedMultiplyAdd(a[i], b[i], acc[i]);
    }

    /// <summary>acc[i] += a * b[i] (one input channel's value over its M outputs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float* acc, float a, float* b, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var av = Vector256.Create(a);
            for (; i <= n - 8; i += 8) Vector256.FusedMultiplyAdd(av, Vector256.Load(b + i), Vector256.Load(acc + i)).Store(acc + i);
        }
        for (; i < n; i++) acc[i] = MathF.FusedMultiplyAdd(a, b[i], acc[i]);
    }

    /// <summary>sum of a[i] * b[i] (one input channel's share of its M outputs' gradients).</summary>
    private static float Dot(float* a, float* b, int n)
    {
        float sum = 0;
        for (int i = 0; i < n; i++) sum = MathF.FusedMultiplyAdd(a[i], b[i], sum);
        return sum;
    }

    private static void ReluInPlace(float* x, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Vector512.Max(Vector512.Load(x + i), Vector512<float>.Zero).Store(x + i);
        for (; i < n; i++) x[i] = MathF.Max(x[i], 0f);
    }
}
