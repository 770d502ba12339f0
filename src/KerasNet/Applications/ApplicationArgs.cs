#nullable enable
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Applications;

/// <summary>The argument checks and the top every Keras application shares (tf.keras 2.4 imagenet_utils).</summary>
internal static class ApplicationArgs
{
    /// <summary>
    /// Keras's checks of <c>weights</c>, <c>pooling</c> and the input shape (_obtain_input_shape with no pretrained
    /// weights: channels last, both sides at least <paramref name="minSize"/>). "imagenet" is refused: KerasNet
    /// downloads nothing, so pass the path of a weights file instead.
    /// </summary>
    internal static (int H, int W, int C) Check(string app, Shape? inputShape, string? weights, string? pooling,
        bool includeTop, int classes, int minSize = 32)
    {
        if (weights == "imagenet")
            throw new KerasNetException($"{app}: weights='imagenet' needs a download, which KerasNet does not do; pass null (random initialization) or the path to a weights file (.h5).");
        if (weights != null && !File.Exists(weights))
            throw new KerasNetException($"{app}: the `weights` argument should be either `None` (random initialization), `imagenet` (pre-training on ImageNet), or the path to the weights file to be loaded; no file '{weights}'.");
        if (pooling is not (null or "avg" or "max"))
            throw new KerasNetException($"{app}: pooling must be null, \"avg\" or \"max\", got '{pooling}'.");
        if (includeTop && classes <= 0) throw new KerasNetException($"{app}: classes must be positive, got {classes}.");
        var dims = inputShape?.Dims ?? [224, 224, 3];
        if (dims.Length != 3) throw new KerasNetException($"{app}: input_shape must be (height, width, channels), got {inputShape}.");
        if (dims[0] < minSize || dims[1] < minSize)
            throw new KerasNetException($"{app}: input size must be at least {minSize}x{minSize}; got input_shape=({dims[0]}, {dims[1]}, {dims[2]}).");
        if (dims[2] <= 0) throw new KerasNetException($"{app}: input_shape needs a positive number of channels, got {dims[2]}.");
        return (dims[0], dims[1], dims[2]);
    }

    /// <summary>The classifier (include_top) or the optional global pooling, with the names each application gives them.</summary>
    internal static KerasTensor Top(KerasTensor x, bool includeTop, string? pooling, int classes, string? classifierActivation,
        string? avgName, string? maxName)
    {
        if (includeTop)
        {
            x = new GlobalAveragePooling2D(name: avgName).Apply(x);
            return new Dense(classes, activation: classifierActivation, name: "predictions").Apply(x);
        }
        return pooling switch
        {
            "avg" => new GlobalAveragePooling2D(name: avgName).Apply(x),
            "max" => new GlobalMaxPooling2D(name: maxName).Apply(x),
            _ => x,
        };
    }

    /// <summary>Loads a weights file into the finished model, as Keras's <c>model.load_weights(weights)</c>.</summary>
    internal static Model Finish(Model model, string? weights)
    {
        if (weights != null) model.LoadWeights(weights);
        return model;
    }
}
