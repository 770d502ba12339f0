#nullable enable
using System.Numerics;
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Mean and max over the middle axis of an (outer, steps, inner) buffer: global pooling over the spatial axes, with the
/// channels as the inner axis (channels_last, vectorised across channels row by row) or as part of the outer axis
/// (channels_first, one contiguous row per channel). One pass over the input on the calling thread: the work is a
/// single read of the input, which a second core would not make faster.
/// </summary>
internal static class GlobalPoolingKernels
{
    private static void Check(int outer, int steps, int inner, float[] big, string bigName, float[] small, string smallName, string op)
    {
        BufferCheck.Dim(outer, nameof(outer), op); BufferCheck.Dim(inner, nameof(inner), op);
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, $"{op}: steps must be at least 1.");
        long n = (long)outer * steps * inner;
        if (n > int.MaxValue) throw new ArgumentException($"{op}: {n} elements is more than 2^31.");
        BufferCheck.Length(big, n, bigName, op);
        BufferCheck.Length(small, (long)outer * inner, smallName, op);
    }

    public static void AvgForward(int outer, int steps, int inner, float[] x, float[] y)
    {
        Check(outer, steps, inner, x, nameof(x), y, nameof(y), "GlobalAvgPool");
        for (int o = 0; o < outer; o++)
        {
            var rows = x.AsSpan(o * steps * inner, steps * inner);
            if (inner == 1) { y[o] = TensorPrimitives.Sum(rows) / steps; continue; }
            var acc = y.AsSpan(o * inner, inner);
            rows[..inner].CopyTo(acc);
            for (int s = 1; s < steps; s++) TensorPrimitives.Add(acc, rows.Slice(s * inner, inner), acc);
            TensorPrimitives.Divide(acc, steps, acc); // reduce_mean divides the sum by the count
        }
    }

    public static void AvgBackward(int outer, int steps, int inner, float[] dy, float[] dx)
    {
        Check(outer, steps, inner, dx, nameof(dx), dy, nameof(dy), "GlobalAvgPoolBackward");
        for (int o = 0; o < outer; o++)
        {
            var rows = dx.AsSpan(o * steps * inner, steps * inner);
            if (inner == 1) { rows.Fill(dy[o] / steps); continue; }
            var first = rows[..inner];
            TensorPrimitives.Divide(dy.AsSpan(o * inner, inner), steps, first);
            for (int s = 1; s < steps; s++) first.CopyTo(rows.Slice(s * inner, inner));
        }
    }

    public static void MaxForward(int outer, int steps, int inner, float[] x, float[] y)
    {
        Check(outer, steps, inner, x, nameof(x), y, nameof(y), "GlobalMaxPool");
        for (int o = 0; o < outer; o++)
        {
            var rows = x.AsSpan(o * steps * inner, steps * inner);
            if (inner == 1) { y[o] = TensorPrimitives.Max(rows); continue; }
            var acc = y.AsSpan(o * inner, inner);
            rows[..inner].CopyTo(acc);
            for (int s = 1; s < steps; s++) TensorPrimitives.Max(acc, rows.Slice(s * inner, inner), acc);
        }
    }

    /// <summary>
    /// TensorFlow's gradient of reduce_max: indicators = (x == y), dx = indicators / count(indicators) * dy, so tied
    /// maxima share the gradient (unlike max pooling windows, which route it to the first winner).
    /// </summary>
    public static void MaxBackward(int outer, int steps, int inner, float[] x, float[] y, float[] dy, float[] dx)
    {
        const string op = "GlobalMaxPoolBackward";
        Check(outer, steps, inner, x, nameof(x), y, nameof(y), op);
        Check(outer, steps, inner, dx, nameof(dx), dy, nameof(dy), op);
        int width = Vector.IsHardwareAccelerated ? Vector<float>.Count : int.MaxValue;
        for (int o = 0; o < outer; o++)
        {
            int rowsAt = o * steps * inner, at = o * inner, i = 0;
            // Channel blocks: the tie count of a block lives in a register over its two passes.
            for (; i + width <= inner; i += width)
            {
                var max = new Vector<float>(y.AsSpan(at + i));
                var count = Vector<float>.Zero;
                for (int s = 0; s < steps; s++)
                    count += Vector.ConditionalSelect(Vector.Equals(new Vector<float>(x.AsSpan(rowsAt + s * inner + i)), max), Vector<float>.One, Vector<float>.Zero);
                var share = Vector<float>.One / count * new Vector<float>(dy.AsSpan(at + i));
                for (int s = 0; s < steps; s++)
                {
                    int k = rowsAt + s * inner + i;
                    Vector.ConditionalSelect(Vector.Equals(new Vector<float>(x.AsSpan(k)), max), share, Vector<float>.Zero).CopyTo(dx.AsSpan(k));
                }
            }
            for (; i < inner; i++)
            {
                float max = y[at + i];
                int count = 0;
                for (int s = 0; s < steps; s++) if (x[rowsAt + s * inner + i] == max) count++;
                float share = 1f / count * dy[at + i];
                for (int s = 0; s < steps; s++)
                {
                    int k = rowsAt + s * inner + i;
                    dx[k] = x[k] == max ? share : 0f;
                }
            }
        }
    }
}
