#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// tf.keras 2.4's masked <c>GlobalAveragePooling1D</c> (pooling.py, <c>call(inputs, mask)</c>): with a mask m of
/// shape (batch, steps), y[b, c] = sum_t x[b, t, c] m[b, t] / sum_t m[b, t] (channels_last; channels_first reads
/// x[b, c, t]). A sample whose every step is masked divides 0 by 0 and gives NaN, as TensorFlow does. Its gradient
/// is dx[b, t, c] = dy[b, c] m[b, t] / sum_t m[b, t]. The layer itself (supports_masking = True, compute_mask
/// returning None) calls these when <c>ctx.InputMask</c> is set and takes the plain mean otherwise.
/// <para>tf.keras 2.4's GlobalMaxPooling1D does not support masking (it drops the mask), so it has no masked form.</para>
/// </summary>
internal static class MaskedTemporalPooling
{
    /// <summary>The masked mean over the steps; <paramref name="mask"/> holds batch * steps values of 0 or 1.</summary>
    public static void AverageForward(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, int batch, int steps, int channels,
        bool channelsFirst, Span<float> y)
    {
        Check(x.Length, mask.Length, y.Length, batch, steps, channels);
        for (int b = 0; b < batch; b++)
        {
            var m = mask.Slice(b * steps, steps);
            var yb = y.Slice(b * channels, channels);
            yb.Clear();
            float count = 0;
            for (int t = 0; t < steps; t++) count += m[t];
            var xb = x.Slice(b * steps * channels, steps * channels);
            if (channelsFirst)
            {
                for (int c = 0; c < channels; c++)
                {
                    float s = 0;
                    for (int t = 0; t < steps; t++) s += xb[c * steps + t] * m[t];
                    yb[c] = s / count;
                }
                continue;
            }
            for (int t = 0; t < steps; t++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(xb.Slice(t * channels, channels), m[t], yb, yb);
            System.Numerics.Tensors.TensorPrimitives.Divide(yb, count, yb);
        }
    }

    /// <summary>The gradient of <see cref="AverageForward"/> with respect to x, written over all of <paramref name="dx"/>.</summary>
    public static void AverageBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, int batch, int steps, int channels,
        bool channelsFirst, Span<float> dx)
    {
        Check(dx.Length, mask.Length, dy.Length, batch, steps, channels);
        for (int b = 0; b < batch; b++)
        {
            var m = mask.Slice(b * steps, steps);
            var g = dy.Slice(b * channels, channels);
            float count = 0;
            for (int t = 0; t < steps; t++) count += m[t];
            var db = dx.Slice(b * steps * channels, steps * channels);
            for (int t = 0; t < steps; t++)
            {
                float w = m[t] / count;
                if (channelsFirst)
                    for (int c = 0; c < channels; c++) db[c * steps + t] = g[c] * w;
                else
                    System.Numerics.Tensors.TensorPrimitives.Multiply(g, w, db.Slice(t * channels, channels));
            }
        }
    }

    private static void Check(int x, int mask, int y, int batch, int steps, int channels)
    {
        if (batch < 0 || steps < 0 || channels < 0 || x < (long)batch * steps * channels || mask < (long)batch * steps || y < (long)batch * channels)
            throw new ArgumentException($"MaskedTemporalPooling: buffers of {x}, {mask} and {y} values do not fit batch {batch}, steps {steps}, channels {channels}.");
    }
}
