#nullable enable
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>
/// tf.keras 2.4's preprocess_weights_for_loading for the convolution layers other than Conv2D (which
/// <see cref="WeightAssign"/> handles): Keras 1's Convolution1D kernels, stored 4-D as (filter_length, 1, in, filters)
/// or (filters, in, filter_length, 1), become (filter_length, in, filters); Keras 1's Deconvolution2D kernels,
/// (rows, cols, in, filters) or with 'th' (filters, in, rows, cols), become (rows, cols, filters, in); kernels written
/// by Theano, which convolves with the kernel flipped, are flipped back along their spatial axes.
/// </summary>
internal static class ConvLegacyWeights
{
    /// <summary>The arrays for <paramref name="layer"/>, converted where Keras's loader converts them.</summary>
    public static List<StoredArray> Preprocess(Layer layer, List<StoredArray> list, WeightAssign.Origin origin)
    {
        if (list.Count == 0) return list;
        var k = list[0];
        switch (layer)
        {
            case Conv1D conv when origin.IsKeras1 && k.Shape.Length == 4:
                if (k.Shape[0] != conv.KernelSize || k.Shape[1] != 1 || k.Shape[3] != conv.Filters)
                    k = Transpose(k, [2, 3, 1, 0]);
                k = k with { Shape = [k.Shape[0], k.Shape[2], k.Shape[3]] }; // drop the unit axis: the memory order is unchanged
                if (origin.Backend == "theano") k = Flip(k, 1);
                break;
            case Conv1D when origin.Backend == "theano" && k.Shape.Length == 3:
                k = Flip(k, 1);
                break;
            case Conv2DTranspose t when k.Shape.Length == 4:
                bool channelsFirst = t.DataFormat == "channels_first";
                if (origin.IsKeras1) k = Transpose(k, channelsFirst ? [2, 3, 0, 1] : [0, 1, 3, 2]);
                // As for Conv2D: Keras 1 files carry no backend attribute, and a Keras 1 'th' model is a Theano model in practice.
                if (origin.Backend == "theano" || (origin.Backend == null && origin.IsKeras1 && channelsFirst)) k = Flip(k, 2);
                break;
            default:
                return list;
        }
        list[0] = k;
        return list;
    }

    /// <summary>numpy's transpose of a 4-D array: result axis i is source axis perm[i].</summary>
    private static StoredArray Transpose(StoredArray a, int[] perm)
    {
        var s = a.Shape;
        int[] shape = [s[perm[0]], s[perm[1]], s[perm[2]], s[perm[3]]];
        int[] stride = [s[1] * s[2] * s[3], s[2] * s[3], s[3], 1];
        var r = new float[a.Data.Length];
        int o = 0;
        for (int i0 = 0; i0 < shape[0]; i0++)
            for (int i1 = 0; i1 < shape[1]; i1++)
                for (int i2 = 0; i2 < shape[2]; i2++)
                    for (int i3 = 0; i3 < shape[3]; i3++)
                        r[o++] = a.Data[i0 * stride[perm[0]] + i1 * stride[perm[1]] + i2 * stride[perm[2]] + i3 * stride[perm[3]]];
        return a with { Data = r, Shape = shape };
    }

    /// <summary>Keras's convert_kernel: reverses the first <paramref name="spatial"/> axes.</summary>
    private static StoredArray Flip(StoredArray a, int spatial)
    {
        int h = spatial == 2 ? a.Shape[0] : 1, w = a.Shape[spatial - 1];
        int inner = a.Data.Length / (h * w);
        var r = new float[a.Data.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Array.Copy(a.Data, (y * w + x) * inner, r, ((h - 1 - y) * w + (w - 1 - x)) * inner, inner);
        return a with { Data = r };
    }
}
