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

    /// <summary>
    /// Largest kernel (taps) whose per-pixel tap list is kept on the stack: 1024 taps (32x32) are 8 KB of offsets,
    /// far beyond Keras models' depthwise kernels (3x3 to 7x7) and far below a thread's stack.
    /// </summary>
    private const int MaxListedTaps = 1024;

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
            // Multiplier 1 (the common case) sums each output's taps in registers: the valid taps of a pixel are listed
            // once (source and kernel offsets), then each 16-channel slice runs down the list. Kernels of more than
            // MaxListedTaps taps (not seen in practice) keep the tap-by-tap path, so the list fits the stack.
            int taps = s.KH * s.KW;
            bool listed = M == 1 && taps <= MaxListedTaps;
            int* ao = stackalloc int[listed ? taps : 0], wo = stackalloc int[listed ? taps : 0];
            switch (Pass)
            {
                case Pass.Forward: for (int r = start; r < end; r++) ForwardRow(r / s.OutH, r % s.OutH, listed ? ao : null, wo); break;
                case Pass.Input: for (int r = start; r < end; r++) InputRow(r / s.InH, r % s.InH, listed ? ao : null, wo); break;
                default:
                    int blocks = (F + FilterBlock - 1) / FilterBlock;
                    for (int u = start; u < end; u++) FilterUnit(u / blocks, u % blocks * FilterBlock);
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ForwardRow(int n, int oh, int* ao, int* wo)
        {
            var s = S;
            int c = s.InC, f = F;
            for (int ow = 0; ow < s.OutW; ow++)
            {
                float* acc = Out + ((nint)(n * s.OutH + oh) * s.OutW + ow) * f;
                if (ao != null)
                {
                    int count = 0;
                    for (int kh = 0; kh < s.KH; kh++)
                    {
                        int ih = oh * s.StrideH - s.PadTop + kh * s.DilationH;
                        if ((uint)ih >= (uint)s.InH) continue;
                        for (int kw = 0; kw < s.KW; kw++)
                        {
                            int iw = ow * s.StrideW - s.PadLeft + kw * s.DilationW;
                            if ((uint)iw >= (uint)s.InW) continue;
                            ao[count] = ((n * s.InH + ih) * s.InW + iw) * c;
                            wo[count++] = (kh * s.KW + kw) * f;
                        }
                    }
                    SumTaps(acc, Bias, Image, ao, Kernel, wo, count, c, Relu);
                    continue;
                }
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
        private void InputRow(int n, int ih, int* ao, int* wo)
        {
            var s = S;
            int c = s.InC, f = F;
            for (int iw = 0; iw < s.InW; iw++)
            {
                float* acc = Image + ((nint)(n * s.InH + ih) * s.InW + iw) * c;
                if (ao == null) new Span<float>(acc, c).Clear();
                int count = 0;
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
                        int dyOffset = ((n * s.OutH + oh) * s.OutW + u / s.StrideW) * f, wOffset = (kh * s.KW + kw) * f;
                        if (ao != null) { ao[count] = dyOffset; wo[count++] = wOffset; continue; }
                        float* dyp = Out + dyOffset, wp = Kernel + wOffset;
                        if (M == 1) MulAdd(acc, dyp, wp, c);
                        else for (int ch = 0; ch < c; ch++) acc[ch] += Dot(dyp + ch * M, wp + ch * M, M);
                    }
                }
                if (ao != null) SumTaps(acc, null, Out, ao, Kernel, wo, count, c, false);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FilterUnit(int tap, int j0)
        {
            int kh = tap / S.KW, kw = tap % S.KW, len = Math.Min(FilterBlock, F - j0), done = 0;
            float* acc = stackalloc float[FilterBlock];
            // Multiplier 1: slices of four vectors of the widest width sum in registers over the whole batch (64
            // channels at AVX-512, 32 at AVX2, 16 at 128 bits), one pass over the pixels each; the rest through memory.
            // Every path adds the pixels in the same order with one fused multiply-add each: the same bits.
            if (M == 1)
            {
                if (Vector512.IsHardwareAccelerated) done = FilterRegisters<V512, Vector512<float>>(kh, kw, j0, len, acc);
                else if (Vector256.IsHardwareAccelerated) done = FilterRegisters<V256, Vector256<float>>(kh, kw, j0, len, acc);
                else if (Vector128.IsHardwareAccelerated) done = FilterRegisters<V128, Vector128<float>>(kh, kw, j0, len, acc);
            }
            if (done < len)
            {
                new Span<float>(acc + done, len - done).Clear();
                SumPixels(kh, kw, new MemoryStep { Acc = acc + done, J = j0 + done, Len = len - done, M = M });
            }
            new ReadOnlySpan<float>(acc, len).CopyTo(new Span<float>(Kernel + (nint)tap * F + j0, len));
        }

        /// <summary>The register slices of <see cref="FilterUnit"/> into acc; returns the channels they covered.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int FilterRegisters<TS, TV>(int kh, int kw, int j0, int len, float* acc) where TS : struct, ISimd<TV> where TV : struct
        {
            int slice = 4 * TS.Lanes, done = 0;
            for (; done + slice <= len; done += slice)
            {
                var r = SumPixels(kh, kw, new RegisterStep<TS, TV> { J = j0 + done, R0 = TS.Zero, R1 = TS.Zero, R2 = TS.Zero, R3 = TS.Zero });
                TS.Store(r.R0, acc + done); TS.Store(r.R1, acc + done + TS.Lanes);
                TS.Store(r.R2, acc + done + 2 * TS.Lanes); TS.Store(r.R3, acc + done + 3 * TS.Lanes);
            }
            return done;
        }

        /// <summary>
        /// Runs <paramref name="step"/> on every (input pixel, output pixel) pair that kernel tap (kh, kw) joins, batch
        /// by batch and row by row (the order every path sums in), with pointers to both pixels' channel 0.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private TStep SumPixels<TStep>(int kh, int kw, TStep step) where TStep : struct, IFilterStep
        {
            var s = S;
            int c = s.InC, f = F;
            for (int n = 0; n < s.Batch; n++)
                for (int oh = 0; oh < s.OutH; oh++)
                {
                    int ih = oh * s.StrideH - s.PadTop + kh * s.DilationH;
                    if ((uint)ih >= (uint)s.InH) continue;
                    for (int ow = 0; ow < s.OutW; ow++)
                    {
                        int iw = ow * s.StrideW - s.PadLeft + kw * s.DilationW;
                        if ((uint)iw >= (uint)s.InW) continue;
                        step.Step(Image + ((nint)(n * s.InH + ih) * s.InW + iw) * c, Out + ((nint)(n * s.OutH + oh) * s.OutW + ow) * f);
                    }
                }
            return step;
        }
    }

    /// <summary>What the kernel gradient does with one (input pixel, output gradient pixel) pair.</summary>
    private interface IFilterStep
    {
        void Step(float* x, float* dy);
    }

    /// <summary>Channels J .. J + 4 * lanes of the pair summed into four registers (multiplier 1).</summary>
    private struct RegisterStep<TS, TV> : IFilterStep where TS : struct, ISimd<TV> where TV : struct
    {
        public int J;
        public TV R0, R1, R2, R3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Step(float* x, float* dy)
        {
            float* xj = x + J, dj = dy + J;
            R0 = TS.Fma(TS.Load(xj), TS.Load(dj), R0);
            R1 = TS.Fma(TS.Load(xj + TS.Lanes), TS.Load(dj + TS.Lanes), R1);
            R2 = TS.Fma(TS.Load(xj + 2 * TS.Lanes), TS.Load(dj + 2 * TS.Lanes), R2);
            R3 = TS.Fma(TS.Load(xj + 3 * TS.Lanes), TS.Load(dj + 3 * TS.Lanes), R3);
        }
    }

    /// <summary>Output channels J .. J + Len of the pair summed into Acc (any multiplier: channel j reads input channel j / M).</summary>
    private struct MemoryStep : IFilterStep
    {
        public float* Acc;
        public int J, Len, M;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Step(float* x, float* dy)
        {
            if (M == 1) MulAdd(Acc, x + J, dy + J, Len);
            else for (int j = 0; j < Len; j++) Acc[j] = MathF.FusedMultiplyAdd(x[(J + j) / M], dy[J + j], Acc[j]);
        }
    }

    /// <summary>
    /// dst[i] = init[i] (0 when null) + sum over the listed taps t of a[ao[t] + i] * w[wo[t] + i], for i &lt; n, then
    /// ReLU when asked: each vector-wide channel slice accumulates in a register down the whole tap list, at the widest
    /// width the hardware has, then narrower ones for the rest (every width sums the taps in the same order).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SumTaps(float* dst, float* init, float* a, int* ao, float* w, int* wo, int taps, int n, bool relu)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = SumTaps<V512, Vector512<float>>(i, dst, init, a, ao, w, wo, taps, n, relu);
        if (Vector256.IsHardwareAccelerated) i = SumTaps<V256, Vector256<float>>(i, dst, init, a, ao, w, wo, taps, n, relu);
        if (Vector128.IsHardwareAccelerated) i = SumTaps<V128, Vector128<float>>(i, dst, init, a, ao, w, wo, taps, n, relu);
        for (; i < n; i++)
        {
            float acc = init != null ? init[i] : 0f;
            for (int t = 0; t < taps; t++) acc = MathF.FusedMultiplyAdd(a[ao[t] + i], w[wo[t] + i], acc);
            dst[i] = relu ? MathF.Max(acc, 0f) : acc;
        }
    }

    /// <summary>The <see cref="SumTaps(float*, float*, float*, int*, float*, int*, int, int, bool)"/> slices of one width from i on; returns where they stop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SumTaps<TS, TV>(int i, float* dst, float* init, float* a, int* ao, float* w, int* wo, int taps, int n, bool relu)
        where TS : struct, ISimd<TV> where TV : struct
    {
        for (; i <= n - TS.Lanes; i += TS.Lanes)
        {
            var acc = init != null ? TS.Load(init + i) : TS.Zero;
            for (int t = 0; t < taps; t++) acc = TS.Fma(TS.Load(a + ao[t] + i), TS.Load(w + wo[t] + i), acc);
            TS.Store(relu ? TS.Max(acc, TS.Zero) : acc, dst + i);
        }
        return i;
    }

    /// <summary>acc[i] += a[i] * b[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAdd(float* acc, float* a, float* b, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = MulAdd<V512, Vector512<float>>(i, acc, a, b, n);
        if (Vector256.IsHardwareAccelerated) i = MulAdd<V256, Vector256<float>>(i, acc, a, b, n);
        if (Vector128.IsHardwareAccelerated) i = MulAdd<V128, Vector128<float>>(i, acc, a, b, n);
        for (; i < n; i++) acc[i] = MathF.FusedMultiplyAdd(a[i], b[i], acc[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MulAdd<TS, TV>(int i, float* acc, float* a, float* b, int n) where TS : struct, ISimd<TV> where TV : struct
    {
        for (; i <= n - TS.Lanes; i += TS.Lanes) TS.Store(TS.Fma(TS.Load(a + i), TS.Load(b + i), TS.Load(acc + i)), acc + i);
        return i;
    }

    /// <summary>acc[i] += a * b[i] (one input channel's value over its M outputs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float* acc, float a, float* b, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated) i = Axpy<V512, Vector512<float>>(i, acc, a, b, n);
        if (Vector256.IsHardwareAccelerated) i = Axpy<V256, Vector256<float>>(i, acc, a, b, n);
        if (Vector128.IsHardwareAccelerated) i = Axpy<V128, Vector128<float>>(i, acc, a, b, n);
        for (; i < n; i++) acc[i] = MathF.FusedMultiplyAdd(a, b[i], acc[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Axpy<TS, TV>(int i, float* acc, float a, float* b, int n) where TS : struct, ISimd<TV> where TV : struct
    {
        var av = TS.Splat(a);
        for (; i <= n - TS.Lanes; i += TS.Lanes) TS.Store(TS.Fma(av, TS.Load(b + i), TS.Load(acc + i)), acc + i);
        return i;
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
        if (Vector512.IsHardwareAccelerated) i = ReluInPlace<V512, Vector512<float>>(i, x, n);
        if (Vector256.IsHardwareAccelerated) i = ReluInPlace<V256, Vector256<float>>(i, x, n);
        if (Vector128.IsHardwareAccelerated) i = ReluInPlace<V128, Vector128<float>>(i, x, n);
        for (; i < n; i++) x[i] = MathF.Max(x[i], 0f);
    }

    private static int ReluInPlace<TS, TV>(int i, float* x, int n) where TS : struct, ISimd<TV> where TV : struct
    {
        for (; i <= n - TS.Lanes; i += TS.Lanes) TS.Store(TS.Max(TS.Load(x + i), TS.Zero), x + i);
        return i;
    }
}
