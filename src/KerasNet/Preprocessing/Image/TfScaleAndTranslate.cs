#nullable enable
using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// tf.image.resize's "lanczos3", "lanczos5", "gaussian" and "mitchellcubic" (antialias off): TensorFlow's
/// ScaleAndTranslate with scale = out / in (float32) and no translation, in its float32 arithmetic. Per output
/// position along an axis, the sample centre is <c>(x + 0.5) * (1 / scale)</c>; the span runs from
/// <c>ceil(centre - radius - 0.5)</c> to <c>floor(centre + radius - 0.5)</c>, clamped to the image (the kernel is
/// not widened when shrinking); each source pixel weighs <c>kernel(|source + 0.5 - centre|)</c> and the weights are
/// divided by their sum. Rows are resampled first (into an (outH, inW) float image), then columns, each output the
/// sum of weight * pixel in span order starting from 0.
/// </summary>
internal static class TfScaleAndTranslate
{
    private const float FloatMinNormal = 1.17549435e-38f; // std::numeric_limits<float>::min(), TensorFlow's renormalisation floor

    /// <summary>The spans of one axis: output o reads Count[o] pixels from Start[o], weights at Weight[o * Stride + k].</summary>
    private readonly record struct Spans(int Stride, int[] Start, int[] Count, float[] Weight);

    /// <summary>Resizes the region <paramref name="box"/> of a (height, width, bands) byte image into (outH, outW, bands) floats.</summary>
    public static void Resize<TKernel>(TKernel kernel, ReadOnlySpan<byte> src, int width, int bands, (int Y, int X, int H, int W) box,
        int outH, int outW, Span<float> dst) where TKernel : struct, ITfSamplingKernel
    {
        var rows = ComputeSpans(kernel, box.H, outH);
        var cols = ComputeSpans(kernel, box.W, outW);
        int inRow = box.W * bands;
        float[] image = ArrayPool<float>.Shared.Rent(box.H * inRow), mid = ArrayPool<float>.Shared.Rent(outH * inRow);
        try
        {
            for (int y = 0; y < box.H; y++)
            {
                var from = src.Slice(((box.Y + y) * width + box.X) * bands, inRow);
                var to = image.AsSpan(y * inRow, inRow);
                for (int i = 0; i < inRow; i++) to[i] = from[i];
            }
            // GatherRows: each output row is the weighted sum of whole input rows.
            for (int y = 0; y < outH; y++)
            {
                var acc = mid.AsSpan(y * inRow, inRow);
                acc.Clear();
                int start = rows.Start[y];
                for (int k = 0; k < rows.Count[y]; k++)
                    AddScaled(image.AsSpan((start + k) * inRow, inRow), rows.Weight[y * rows.Stride + k], acc);
            }
            // GatherColumns: each output pixel is the weighted sum of the pixels of its span in the row.
            for (int y = 0; y < outH; y++)
            {
                var row = mid.AsSpan(y * inRow, inRow);
                var outRow = dst.Slice(y * outW * bands, outW * bands);
                outRow.Clear();
                for (int x = 0; x < outW; x++)
                {
                    var pixel = outRow.Slice(x * bands, bands);
                    int at = cols.Start[x] * bands;
                    for (int k = 0; k < cols.Count[x]; k++, at += bands)
                    {
                        float w = cols.Weight[x * cols.Stride + k];
                        for (int c = 0; c < bands; c++) pixel[c] += w * row[at + c];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(image);
            ArrayPool<float>.Shared.Return(mid);
        }
    }

    // ComputeSpansCore with antialias off (kernel_scale 1) and translate 0. TensorFlow's gathers also run over the
    // zero weights up to the widest span; adding 0 * pixel leaves every sum unchanged, so only Count taps are read.
    private static Spans ComputeSpans<TKernel>(TKernel kernel, int inSize, int outSize) where TKernel : struct, ITfSamplingKernel
    {
        float scale = (float)outSize / inSize;
        float invScale = (float)(1.0 / scale); // 1.0 is a double in TensorFlow: the quotient is rounded to float
        float radius = kernel.Radius;
        int stride = Math.Min(2 * (int)MathF.Ceiling(radius) + 1, inSize);
        var start = new int[outSize];
        var count = new int[outSize];
        var weight = new float[outSize * stride];
        for (int o = 0; o < outSize; o++)
        {
            float centre = (o + 0.5f) * invScale;
            if (centre < 0 || centre > inSize) continue; // outside the source: an empty span (no translation: never)
            int first = Math.Clamp((int)MathF.Ceiling(centre - radius - 0.5f), 0, inSize - 1);
            int end = Math.Clamp((int)MathF.Floor(centre + radius - 0.5f), 0, inSize - 1) + 1;
            var w = weight.AsSpan(o * stride, end - first);
            float total = 0f;
            for (int s = first; s < end; s++)
            {
                float v = kernel.Value(MathF.Abs(s + 0.5f - centre)); // times 1 / kernel_scale = 1: exact
                w[s - first] = v;
                total += v;
            }
            if (MathF.Abs(total) >= 1000.0f * FloatMinNormal)
            {
                float inv = 1.0f / total;
                for (int k = 0; k < w.Length; k++) w[k] *= inv;
            }
            else w.Clear(); // TensorFlow keeps the zeroed weights when the sum vanishes
            start[o] = first;
            count[o] = end - first;
        }
        return new Spans(stride, start, count, weight);
    }

    /// <summary>
    /// <c>acc[i] += w * x[i]</c>, vectorised. The product and the sum are rounded separately (no fused multiply-add),
    /// as TensorFlow's scalar loops compute them, so every lane equals the scalar result.
    /// </summary>
    internal static void AddScaled(ReadOnlySpan<float> x, float w, Span<float> acc)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var va = MemoryMarshal.Cast<float, Vector<float>>(acc);
            var vw = new Vector<float>(w);
            for (int v = 0; v < vx.Length; v++) va[v] += vw * vx[v];
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) acc[i] += w * x[i];
    }
}
