#nullable enable
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The loops of the normalization layers, on row-major float spans checked by <see cref="CpuBackend"/> first.
/// <para>Per-channel operations (BatchNormalization) see the tensor as [outer, channels, inner]: the channel axis
/// with everything before it folded into outer and everything after into inner (NHWC with the last axis: inner = 1;
/// NCHW with axis 1: inner = H*W). With inner = 1 a row is one value per channel, so the per-channel parameters are
/// tiled <see cref="TileRows"/> rows deep and whole blocks of rows go through one TensorPrimitives call each: about a
/// thousand floats per call even when there are only 3 channels. With inner &gt; 1 each (outer, channel) run is
/// contiguous and is processed with the channel's scalars.</para>
/// <para>Per-row operations (LayerNormalization, UnitNormalization) see it as [rows, features].</para>
/// <para>Sums are formed in float over at most 64 blocks (64 terms per lane) and then added into double
/// accumulators, so a channel of 100k values loses no more than 64 terms' rounding; statistics are two-pass (mean, then squared deviations from it),
/// as tf.nn.moments computes them. Single-threaded on purpose: these passes are bound by memory bandwidth, not
/// arithmetic, and one core streams a few GB/s, more than the activations of this engine's models need.</para>
/// </summary>
internal static class NormalizationKernels
{
    /// <summary>
    /// Target floats per block on the inner = 1 path: 1024 floats (4 KB per operand, at most five operands) stay in L1,
    /// and are long enough that a TensorPrimitives call's fixed cost is small next to its vector work.
    /// </summary>
    private const int BlockFloats = 1024;

    /// <summary>Rows per block for <paramref name="channels"/> channels (at least one row).</summary>
    private static int TileRows(int channels) => Math.Max(1, BlockFloats / Math.Max(1, channels));

    /// <summary>A rented buffer holding <paramref name="values"/> repeated <paramref name="rows"/> times.</summary>
    private static float[] Tiled(ReadOnlySpan<float> values, int rows)
    {
        var t = ArrayPool<float>.Shared.Rent(values.Length * rows);
        for (int r = 0; r < rows; r++) values.CopyTo(t.AsSpan(r * values.Length));
        return t;
    }

    private static void Return(float[]? a, float[]? b = null, float[]? c = null, float[]? d = null, float[]? e = null)
    {
        foreach (var buf in (ReadOnlySpan<float[]?>)[a, b, c, d, e]) if (buf != null) ArrayPool<float>.Shared.Return(buf);
    }

    /// <summary>acc[c] += block[r*C + c] summed over the block's rows (block holds rows * channels values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    private static void FoldRows(ReadOnlySpan<float> block, int channels, Span<double> acc)
    {
        // Row by row, not i % channels per element: an integer division per value would cost more than the sums.
        for (int start = 0; start < block.Length; start += channels)
        {
            var row = block.Slice(start, channels);
            for (int c = 0; c < row.Length; c++) acc[c] += row[c];
        }
    }

    /// <summary>
    /// Per-channel mean and biased variance over outer and inner (tf.nn.moments over every axis but the channel's).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void ChannelMoments(ReadOnlySpan<float> x, int outer, int channels, int inner, Span<float> mean, Span<float> variance)
    {
        double n = (double)outer * inner;
        var acc = ArrayPool<double>.Shared.Rent(channels);
        try
        {
            Sums(x, default, outer, channels, inner, acc);
            for (int c = 0; c < channels; c++) mean[c] = (float)(acc[c] / n);
            Sums(x, mean, outer, channels, inner, acc);
            for (int c = 0; c < channels; c++) variance[c] = (float)(acc[c] / n);
        }
        finally { ArrayPool<double>.Shared.Return(acc); }
    }

    /// <summary>
    /// acc[c] = sum of x over outer and inner when <paramref name="center"/> is empty, else the sum of
    /// (x - center[c])^2. Float sums per block, folded into the double accumulators every 64 blocks (a float sum of
    /// 64 terms per lane rounds far below the 1e-5 the layers promise) and at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    private static void Sums(ReadOnlySpan<float> x, ReadOnlySpan<float> center, int outer, int channels, int inner, double[] acc)
    {
        bool squares = !center.IsEmpty;
        acc.AsSpan(0, channels).Clear();
        if (inner > 1)
        {
            var tmp = ArrayPool<float>.Shared.Rent(inner);
            var d = tmp.AsSpan(0, inner);
            for (int o = 0; o < outer; o++)
                for (int c = 0; c < channels; c++)
                {
                    var run = x.Slice((o * channels + c) * inner, inner);
                    if (!squares) { acc[c] += TensorPrimitives.Sum(run); continue; }
                    TensorPrimitives.Subtract(run, center[c], d);
                    acc[c] += TensorPrimitives.SumOfSquares(d);
                }
            ArrayPool<float>.Shared.Return(tmp);
            return;
        }
        int k = TileRows(channels), block = k * channels, pending = 0;
        var sums = ArrayPool<float>.Shared.Rent(block);
        var scratch = ArrayPool<float>.Shared.Rent(block);
        var tiled = squares ? Tiled(center, k) : null;
        var s = sums.AsSpan(0, block);
        s.Clear();
        for (int start = 0; start < x.Length; start += block)
        {
            int len = Math.Min(block, x.Length - start);
            var xs = x.Slice(start, len);
            if (squares)
            {
                var d = scratch.AsSpan(0, len);
                TensorPrimitives.Subtract(xs, tiled.AsSpan(0, len), d);
                TensorPrimitives.FusedMultiplyAdd(d, d, s[..len], s[..len]);
            }
            else TensorPrimitives.Add(s[..len], xs, s[..len]);
            if (++pending == 64) { FoldRows(s, channels, acc); s.Clear(); pending = 0; }
        }
        FoldRows(s, channels, acc);
        Return(sums, scratch, tiled);
    }

    /// <summary>y = x * scale[c] + shift[c] over [outer, channels, inner]; y may be x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void ChannelAffine(ReadOnlySpan<float> x, int outer, int channels, int inner, ReadOnlySpan<float> scale, ReadOnlySpan<float> shift, Span<float> y)
    {
        if (inner == 1)
        {
            int k = TileRows(channels), block = k * channels;
            var ts = Tiled(scale, k);
            var tb = Tiled(shift, k);
            try
            {
                for (int start = 0; start < x.Length; start += block)
                {
                    int len = Math.Min(block, x.Length - start);
                    TensorPrimitives.MultiplyAdd(x.Slice(start, len), ts.AsSpan(0, len), tb.AsSpan(0, len), y.Slice(start, len));
                }
            }
            finally { Return(ts, tb); }
            return;
        }
        for (int o = 0; o < outer; o++)
            for (int c = 0; c < channels; c++)
            {
                int at = (o * channels + c) * inner;
                TensorPrimitives.Multiply(x.Slice(at, inner), scale[c], y.Slice(at, inner));
                TensorPrimitives.Add(y.Slice(at, inner), shift[c], y.Slice(at, inner));
            }
    }

    /// <summary>sumDy[c] = sum of dy; sumDyCentered[c] = sum of dy * (x - center[c]), over outer and inner.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void ChannelGradientSums(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> center,
        int outer, int channels, int inner, Span<float> sumDy, Span<float> sumDyCentered)
    {
        var a1 = ArrayPool<double>.Shared.Rent(channels);
        var a2 = ArrayPool<double>.Shared.Rent(channels);
        a1.AsSpan(0, channels).Clear();
        a2.AsSpan(0, channels).Clear();
        if (inner == 1)
        {
            int k = TileRows(channels), block = k * channels;
            var tc = Tiled(center, k);
            var tmp = ArrayPool<float>.Shared.Rent(block);
            var s1 = ArrayPool<float>.Shared.Rent(block);
            var s2 = ArrayPool<float>.Shared.Rent(block);
            try
            {
                s1.AsSpan(0, block).Clear();
                s2.AsSpan(0, block).Clear();
                int pending = 0;
                for (int start = 0; start < x.Length; start += block)
                {
                    int len = Math.Min(block, x.Length - start);
                    var g = dy.Slice(start, len);
                    var d = tmp.AsSpan(0, len);
                    TensorPrimitives.Subtract(x.Slice(start, len), tc.AsSpan(0, len), d);
                    TensorPrimitives.Add(s1.AsSpan(0, len), g, s1.AsSpan(0, len));
                    TensorPrimitives.FusedMultiplyAdd(g, d, s2.AsSpan(0, len), s2.AsSpan(0, len));
                    if (++pending == 64) { Flush(); pending = 0; }
                }
                Flush();
                void Flush()
                {
                    FoldRows(s1.AsSpan(0, block), channels, a1);
                    FoldRows(s2.AsSpan(0, block), channels, a2);
                    s1.AsSpan(0, block).Clear();
                    s2.AsSpan(0, block).Clear();
                }
            }
            finally { Return(tc, tmp, s1, s2); }
        }
        else
        {
            var tmp = ArrayPool<float>.Shared.Rent(inner);
            try
            {
                var d = tmp.AsSpan(0, inner);
                for (int o = 0; o < outer; o++)
                    for (int c = 0; c < channels; c++)
                    {
                        int at = (o * channels + c) * inner;
                        var g = dy.Slice(at, inner);
                        TensorPrimitives.Subtract(x.Slice(at, inner), center[c], d);
                        a1[c] += TensorPrimitives.Sum(g);
                        a2[c] += TensorPrimitives.Dot(g, d);
                    }
            }
            finally { Return(tmp); }
        }
        for (int c = 0; c < channels; c++) { sumDy[c] = (float)a1[c]; sumDyCentered[c] = (float)a2[c]; }
        ArrayPool<double>.Shared.Return(a1);
        ArrayPool<double>.Shared.Return(a2);
    }

    /// <summary>dx = a[c] * dy + b[c] * (x - center[c]) + d[c] over [outer, channels, inner].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void ChannelAffineGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> center,
        int outer, int channels, int inner, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> d, Span<float> dx)
    {
        if (inner == 1)
        {
            int k = TileRows(channels), block = k * channels;
            var tc = Tiled(center, k);
            var ta = Tiled(a, k);
            var tb = Tiled(b, k);
            var td = Tiled(d, k);
            var tmp = ArrayPool<float>.Shared.Rent(block);
            try
            {
                for (int start = 0; start < x.Length; start += block)
                {
                    int len = Math.Min(block, x.Length - start);
                    var t = tmp.AsSpan(0, len);
                    TensorPrimitives.Subtract(x.Slice(start, len), tc.AsSpan(0, len), t);
                    TensorPrimitives.FusedMultiplyAdd(t, tb.AsSpan(0, len), td.AsSpan(0, len), t);
                    TensorPrimitives.FusedMultiplyAdd(dy.Slice(start, len), ta.AsSpan(0, len), t, dx.Slice(start, len));
                }
            }
            finally { Return(tc, ta, tb, td, tmp); }
            return;
        }
        var buf = ArrayPool<float>.Shared.Rent(inner);
        try
        {
            var t = buf.AsSpan(0, inner);
            for (int o = 0; o < outer; o++)
                for (int c = 0; c < channels; c++)
                {
                    int at = (o * channels + c) * inner;
                    TensorPrimitives.Subtract(x.Slice(at, inner), center[c], t);
                    TensorPrimitives.Multiply(t, b[c], t);
                    TensorPrimitives.Add(t, d[c], t);
                    TensorPrimitives.MultiplyAdd(dy.Slice(at, inner), a[c], t, dx.Slice(at, inner));
                }
        }
        finally { Return(buf); }
    }
}
