#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>One array read from a file, with where it came from.</summary>
internal sealed record StoredArray(string Name, float[] Data, int[] Shape);

/// <summary>
/// Assigns arrays read from a file to a layer after checking count and shapes (naming the layer, the weight and
/// both shapes when they differ), converting Keras 1 / Theano kernels as Keras 2's loader does.
/// </summary>
internal static class WeightAssign
{
    /// <summary>Where the weights came from: the writer's Keras version and backend.</summary>
    internal readonly record struct Origin(string KerasVersion, string? Backend)
    {
        public bool IsKeras1 => KerasVersion.StartsWith('1');
    }

    /// <summary>The weights of a layer and the checked values for them, in the same order.</summary>
    internal sealed record Pending(IReadOnlyList<Variable> Targets, List<StoredArray> Values)
    {
        public void Apply()
        {
            for (int i = 0; i < Values.Count; i++) Targets[i].Assign(Values[i].Data);
        }
    }

    /// <summary>
    /// Checks (and converts) <paramref name="arrays"/> for <paramref name="layer"/> without assigning them. The
    /// arrays go to <paramref name="targets"/> in order (by default the layer's weights in Keras order).
    /// </summary>
    public static Pending Check(Layer layer, IReadOnlyList<StoredArray> arrays, string source, string fileLayer, Origin origin,
        IReadOnlyList<Variable>? targets = null)
    {
        targets ??= layer.Weights;
        var values = Preprocess(layer, arrays, origin);
        if (layer is IConvertsStoredWeights converter) values = converter.ConvertStored(values, origin, source);
        CheckCount(layer, targets.Count, values, source, fileLayer);
        for (int i = 0; i < values.Count; i++)
        {
            var w = targets[i];
            if (!ShapeUtil.Equal(values[i].Shape, w.Shape))
                throw new ShapeMismatchException(
                    $"{source}: weights do not fit the model: layer '{layer.Name}' weight '{w.Name}' has shape {ShapeUtil.Format(w.Shape)} in the model but {ShapeUtil.Format(values[i].Shape)} in the file (layer '{fileLayer}', '{values[i].Name}').");
        }
        return new Pending(targets, values);
    }

    /// <summary>Refuses a file layer whose number of arrays differs from the model layer's number of weights.</summary>
    public static void CheckCount(Layer layer, int expected, IReadOnlyList<StoredArray> arrays, string source, string fileLayer)
    {
        if (arrays.Count != expected)
            throw new ShapeMismatchException(
                $"{source}: layer '{layer.Name}' ({layer.ClassName}) has {expected} weights but the file's layer '{fileLayer}' has {arrays.Count} ({string.Join(", ", arrays.Select(a => a.Name))}).");
    }

    /// <summary>Applies all checked layers: nothing is assigned unless every layer fits.</summary>
    public static void ApplyAll(IEnumerable<Pending> pending)
    {
        foreach (var p in pending.ToList()) p.Apply();
    }

    private static List<StoredArray> Preprocess(Layer layer, IReadOnlyList<StoredArray> arrays, Origin origin)
    {
        var list = arrays.ToList();
        if (layer is Wrapper w) layer = w.Layer; // a wrapper's arrays are its inner layer's (TimeDistributed(Conv2D))
        if (layer is Conv1D or Conv2DTranspose) return ConvLegacyWeights.Preprocess(layer, list, origin);
        if (layer is not Conv2D conv || list.Count == 0 || list[0].Shape.Length != 4) return list;
        var k = list[0];
        // Keras 1 with dim_ordering 'th' stored kernels as (filters, in, kh, kw); Keras 2 wants (kh, kw, in, filters).
        if (origin.IsKeras1 && conv.DataFormat == "channels_first") k = Transpose2310(k);
        // Theano computes true convolution, so its kernels are flipped spatially relative to TensorFlow's correlation.
        // Keras 1 files carry no backend attribute; a Keras 1 'th' model is a Theano model in practice.
        bool theano = origin.Backend == "theano" || (origin.Backend == null && origin.IsKeras1 && conv.DataFormat == "channels_first");
        if (theano) k = FlipSpatial(k);
        list[0] = k;
        return list;
    }

    private static StoredArray Transpose2310(StoredArray a)
    {
        int o = a.Shape[0], i = a.Shape[1], h = a.Shape[2], w = a.Shape[3];
        var r = new float[a.Data.Length];
        for (int oo = 0; oo < o; oo++)
            for (int ii = 0; ii < i; ii++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        r[((y * w + x) * i + ii) * o + oo] = a.Data[((oo * i + ii) * h + y) * w + x];
        return a with { Data = r, Shape = [h, w, i, o] };
    }

    /// <summary>Keras's convert_kernel: reverses the spatial axes of a (kh, kw, in, out) kernel.</summary>
    internal static StoredArray FlipSpatial(StoredArray a)
    {
        int h = a.Shape[0], w = a.Shape[1], inner = a.Shape[2] * a.Shape[3];
        var r = new float[a.Data.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                Array.Copy(a.Data, (y * w + x) * inner, r, ((h - 1 - y) * w + (w - 1 - x)) * inner, inner);
        return a with { Data = r };
    }
}
