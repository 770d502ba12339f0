#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

/// <summary>
/// The feature maps (activations) of some layers of a trained model for an input, read as Keras users read them:
/// <c>Model(inputs=model.inputs, outputs=[layer.output for layer in layers]).predict(x)</c>. The Functional model over
/// the network's own layers is built once, when the probe is made, so the probe can be kept and called again (and,
/// as <see cref="Model.PredictOnBatch(Tensor[])"/> is, from several threads at once). Each chosen layer must output
/// feature maps of shape (H, W, C): a convolution, pooling or any other layer with a rank-3 output per sample.
/// <see cref="GreyTile"/> turns one channel into the grey levels matplotlib's <c>imshow(maps[0, :, :, k],
/// cmap='gray')</c> shows, for whatever draws them (the command line's PNG grids, the server's web page).
/// </summary>
public sealed class FeatureMapProbe
{
    private readonly Model _featureModel;

    /// <summary>
    /// A probe of <paramref name="layers"/> (each once, in the order given) of <paramref name="model"/>; null: every
    /// Conv2D layer (<see cref="Conv2DLayers"/>). Throws <see cref="KerasNetException"/> when there is no layer to
    /// probe, a layer is not one of the model's, or a layer does not output (H, W, C) maps.
    /// </summary>
    /// <param name="model">The model (Sequential or Functional) whose layers to probe.</param>
    /// <param name="layers">The layers to probe, each of the model and outputting (H, W, C) maps; null means every
    /// Conv2D layer.</param>
    public FeatureMapProbe(Model model, IReadOnlyList<Layer>? layers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        layers ??= Conv2DLayers(model);
        if (layers.Count == 0)
            throw new KerasNetException($"Model '{model.Name}' has no Conv2D layer: name the layers whose feature maps to read.");
        var chosen = new List<Layer>();
        foreach (var layer in layers)
        {
            ArgumentNullException.ThrowIfNull(layer, nameof(layers));
            if (!model.Layers.Contains(layer))
                throw new KerasNetException($"Layer '{layer.Name}' is not a layer of model '{model.Name}'.");
            RequireMaps(layer);
            if (!chosen.Contains(layer)) chosen.Add(layer);
        }
        Model = model;
        Layers = chosen;
        // feature_map_model = Model(inputs=network.inputs, outputs=[layer.output for layer in layers])
        _featureModel = new Model(model.Inputs, chosen.Select(l => l.Output), name: model.Name + "_feature_maps");
    }

    /// <summary>The probed model.</summary>
    public Model Model { get; }

    /// <summary>The probed layers, in the order of <see cref="Compute"/>'s results.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>Every Conv2D layer of <paramref name="model"/>, in <see cref="Model.Layers"/> order (empty when none).</summary>
    /// <param name="model">The model.</param>
    /// <returns>The Conv2D layers, in the model's order.</returns>
    public static IReadOnlyList<Layer> Conv2DLayers(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Layers.Where(l => l is Conv2D).ToList();
    }

    /// <summary>
    /// The layers of <paramref name="model"/> named <paramref name="names"/> (each once, in the order given), each
    /// checked to output feature maps (H, W, C); an unknown name throws, listing the model's layers.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="names">The layers' names.</param>
    /// <returns>The named layers, in the order given.</returns>
    public static IReadOnlyList<Layer> NamedLayers(Model model, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        var layers = new List<Layer>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            var layer = model.Layers.FirstOrDefault(l => l.Name == name)
                ?? throw new KerasNetException($"Model '{model.Name}' has no layer named '{name}'; its layers are {string.Join(", ", model.Layers.Select(l => l.Name))}.");
            RequireMaps(layer);
            layers.Add(layer);
        }
        return layers;
    }

    /// <summary>Throws unless <paramref name="layer"/> outputs feature maps, (H, W, C) per sample.</summary>
    /// <param name="layer">The layer to check.</param>
    public static void RequireMaps(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var shape = layer.Output.Shape;
        if (shape.Length != 3)
            throw new KerasNetException($"Layer '{layer.Name}' outputs {ShapeUtil.FormatWithNone(shape)}, not feature maps (H, W, C); choose a Conv2D or pooling layer.");
    }

    /// <summary>
    /// The activations of <see cref="Layers"/> for <paramref name="x"/>, a batch (usually of one) for the model's
    /// single input: one predict of the Functional model from the network's inputs to the layers' outputs. Each
    /// result is (N, H, W, C), a copy the caller owns, in <see cref="Layers"/> order.
    /// </summary>
    /// <param name="x">The batch, for the model's single input.</param>
    /// <returns>One (N, H, W, C) tensor per probed layer, in the probe's order.</returns>
    public IReadOnlyList<Tensor> Compute(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        // feature_maps = feature_map_model.predict(image)
        return _featureModel.PredictOnBatch(x);
    }

    /// <summary>
    /// Channel <paramref name="channel"/> of the first sample of <paramref name="maps"/> (N, H, W, C) as H x W grey
    /// levels (row-major) in <paramref name="destination"/>, as matplotlib's <c>imshow(maps[0, :, :, k], cmap='gray')</c>
    /// shows it: scaled to [0, 1] by the channel's own min and max, then <c>min(255, floor(v * 256))</c> (its
    /// 256-entry colour table). A constant channel (a dead ReLU) is black, as matplotlib draws vmin == vmax; NaN is
    /// black too and takes no part in the min and max.
    /// </summary>
    /// <param name="maps">The feature maps, (N, H, W, C).</param>
    /// <param name="channel">The channel to draw, in [0, C).</param>
    /// <param name="destination">Where the H x W grey levels go, row-major; at least H * W bytes.</param>
    public static void GreyTile(Tensor maps, int channel, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Rank != 4 || maps.Shape[0] < 1)
            throw new KerasNetException($"Feature maps must have shape (N, H, W, C), got {ShapeUtil.Format(maps.Shape)}.");
        int h = maps.Shape[1], w = maps.Shape[2], c = maps.Shape[3];
        if ((uint)channel >= (uint)c)
            throw new KerasNetException($"channel must be 0 to {c - 1} for maps of shape {ShapeUtil.Format(maps.Shape)}, got {channel}.");
        if (destination.Length < h * w)
            throw new KerasNetException($"destination must hold {h * w} bytes ({h} x {w}), got {destination.Length}.");
        var span = maps.Span;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        for (int i = 0; i < h * w; i++)
        {
            float v = span[i * c + channel];
            if (float.IsNaN(v)) continue;
            if (v < min) min = v;
            if (v > max) max = v;
        }
        double range = (double)max - min;
        bool flat = !(range > 0) || double.IsInfinity(range);
        for (int i = 0; i < h * w; i++)
        {
            float v = span[i * c + channel];
            destination[i] = float.IsNaN(v) || flat ? (byte)0 : (byte)Math.Min(255, Math.Floor(((double)v - min) / range * 256));
        }
    }

    /// <summary>
    /// Every channel of the first sample of <paramref name="maps"/> (N, H, W, C) as <see cref="GreyTile"/> draws it,
    /// channel after channel: C tiles of H x W bytes, row-major (byte <c>(k * H + y) * W + x</c> is channel k's pixel
    /// (y, x)).
    /// </summary>
    /// <param name="maps">The feature maps, (N, H, W, C).</param>
    /// <returns>C * H * W grey levels.</returns>
    public static byte[] GreyTiles(Tensor maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Rank != 4 || maps.Shape[0] < 1)
            throw new KerasNetException($"Feature maps must have shape (N, H, W, C), got {ShapeUtil.Format(maps.Shape)}.");
        int hw = maps.Shape[1] * maps.Shape[2], c = maps.Shape[3];
        var bytes = new byte[(long)hw * c];
        for (int k = 0; k < c; k++) GreyTile(maps, k, bytes.AsSpan(k * hw, hw));
        return bytes;
    }
}
