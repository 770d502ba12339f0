#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Input checks and shape arithmetic shared by the reshaping and pooling layers, with Keras's wording.</summary>
internal static class LayerShapes
{
    /// <summary>Throws unless the per-sample shape has <paramref name="rank"/> axes (Keras's InputSpec(ndim=rank + 1)).</summary>
    public static void Rank(Layer layer, int[] sampleShape, int rank)
    {
        if (sampleShape.Length != rank)
            throw new ShapeMismatchException($"Input 0 of layer '{layer.Name}' ({layer.ClassName}) is incompatible with the layer: " +
                $"expected ndim={rank + 1}, found ndim={sampleShape.Length + 1}. Full shape received: {ShapeUtil.FormatWithNone(sampleShape)}.");
    }

    /// <summary>Throws unless a per-sample output shape is non-empty and under 2^31 elements per batch of one.</summary>
    public static int[] Output(Layer layer, int[] inputShape, int[] outputShape, string argument)
    {
        long n = 1;
        foreach (var d in outputShape)
        {
            if (d <= 0)
                throw new ShapeMismatchException($"Layer '{layer.Name}' ({layer.ClassName}): {argument} gives the input {ShapeUtil.FormatWithNone(inputShape)} " +
                    $"an output of {ShapeUtil.FormatWithNone(outputShape)}, which is empty.");
            n *= d;
            if (n > int.MaxValue)
                throw new ShapeMismatchException($"Layer '{layer.Name}' ({layer.ClassName}): {argument} gives the input {ShapeUtil.FormatWithNone(inputShape)} more than 2^31 values per sample.");
        }
        return outputShape;
    }

    /// <summary>Throws a KerasNetException naming the layer class and argument unless <paramref name="value"/> is at least <paramref name="min"/>.</summary>
    public static int AtLeast(int value, int min, string layerClass, string argument) =>
        value >= min ? value : throw new KerasNetException($"{layerClass}: {argument} must be at least {min}, got {value}.");

    /// <summary>channels_last or channels_first, else an error naming the layer class.</summary>
    public static string DataFormat(string? format, string layerClass) => PoolingArgs.CheckDataFormat(format, layerClass);
}
