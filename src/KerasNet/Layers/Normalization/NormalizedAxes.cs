#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// The axes of a normalization layer resolved against its per-sample input shape: sorted per-sample indices
/// (Keras axis - 1), and how the layer's loops see the tensor. When the axes form one run the tensor is
/// [outer, size, inner] as it is; otherwise (or when a per-row layer needs them last) each sample is first permuted
/// so that the other axes come first and these last, in order.
/// </summary>
internal sealed class NormalizedAxes
{
    private NormalizedAxes(int[] sampleShape, int[] given)
    {
        var axes = given.Order().ToArray();
        SampleShape = sampleShape;
        Given = given;
        Axes = axes;
        Size = axes.Aggregate(1, (p, a) => p * sampleShape[a]);
        Contiguous = axes[^1] - axes[0] == axes.Length - 1;
        if (Contiguous)
        {
            Before = sampleShape[..axes[0]].Aggregate(1, (p, d) => p * d);
            After = sampleShape[(axes[^1] + 1)..].Aggregate(1, (p, d) => p * d);
        }
        ToLast = Enumerable.Range(0, sampleShape.Length).Where(a => !axes.Contains(a)).Concat(axes).ToArray();
        FromLast = new int[ToLast.Length];
        for (int i = 0; i < ToLast.Length; i++) FromLast[ToLast[i]] = i;
        PermutedShape = ToLast.Select(a => sampleShape[a]).ToArray();
    }

    /// <summary>The per-sample input shape.</summary>
    public int[] SampleShape { get; }

    /// <summary>The axes resolved in the order given (per-sample indices): tf.keras's parameter shape follows it.</summary>
    public int[] Given { get; }

    /// <summary>The normalised (or parameter) axes, per-sample indices, sorted.</summary>
    public int[] Axes { get; }

    /// <summary>The product of the axes' sizes: channels of a BatchNormalization, features of a row.</summary>
    public int Size { get; }

    /// <summary>Whether the axes form one run of consecutive axes.</summary>
    public bool Contiguous { get; }

    /// <summary>For contiguous axes: the per-sample product of the axes before them.</summary>
    public int Before { get; } = 1;

    /// <summary>For contiguous axes: the per-sample product of the axes after them.</summary>
    public int After { get; } = 1;

    /// <summary>The permutation putting the other axes first and these last (in order).</summary>
    public int[] ToLast { get; }

    /// <summary>The inverse of <see cref="ToLast"/>.</summary>
    public int[] FromLast { get; }

    /// <summary>The sample shape after <see cref="ToLast"/>.</summary>
    public int[] PermutedShape { get; }

    /// <summary>The Keras axes of the built layer (batch = 0), in the order given: what tf.keras 2.4 writes in configs after build.</summary>
    public int[] KerasAxes => Given.Select(a => a + 1).ToArray();

    /// <summary>
    /// Resolves <paramref name="axis"/> for samples of <paramref name="sampleShape"/> as Keras does (negative from the
    /// end of the batched rank), refusing the batch axis, axes out of range and duplicates with Keras's messages.
    /// </summary>
    public static NormalizedAxes Resolve(Layer layer, AxisSpec axis, int[] sampleShape)
    {
        int ndims = sampleShape.Length + 1;
        var resolved = new List<int>();
        foreach (int given in axis.Values)
        {
            int a = given < 0 ? given + ndims : given;
            if (a < 0 || a >= ndims)
                throw new ShapeMismatchException($"Layer '{layer.Name}' ({layer.ClassName}): invalid axis {given} for an input of rank {ndims} {Engine.ShapeUtil.FormatWithNone(sampleShape)}.");
            if (a == 0)
                throw new KerasNetException($"Layer '{layer.Name}' ({layer.ClassName}): axis {given} is the batch axis, which KerasNet does not normalise over (its shapes are per sample).");
            resolved.Add(a - 1);
        }
        if (resolved.Count == 0) throw new KerasNetException($"Layer '{layer.Name}' ({layer.ClassName}): axis is an empty list.");
        if (resolved.Distinct().Count() != resolved.Count)
            throw new KerasNetException($"Layer '{layer.Name}' ({layer.ClassName}): duplicate axis {axis}.");
        return new NormalizedAxes((int[])sampleShape.Clone(), resolved.ToArray());
    }
}
