#nullable enable
using PureHDF;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// The legacy Keras weights layout (<c>save_weights('w.h5')</c>, and <c>/model_weights</c> of a full model):
/// <c>@layer_names</c> (every layer of <c>model.layers</c>: a Functional model's InputLayers too, with no weights),
/// one group per layer with <c>@weight_names</c>, datasets at those names. A nested model is one group holding all of
/// its weights (trainable first, then non-trainable; see <see cref="LegacyWeightOrder"/>).
/// </summary>
internal static class LegacyH5Weights
{
    /// <summary>Fills a group with the model's weights as tf.keras 2.4 writes them.</summary>
    public static void Write(H5Group g, Model model)
    {
        H5Tree.SetStringList(g.Attributes, "layer_names", model.Layers.Select(l => l.Name).ToList());
        g.Attributes["backend"] = "tensorflow";
        g.Attributes["keras_version"] = ModelConfigWriter.KerasVersion;
        foreach (var layer in model.Layers)
        {
            var lg = H5Tree.Child(g, layer.Name);
            var weights = LegacyWeightOrder.Of(layer);
            var names = LegacyWeightOrder.Names(layer, weights);
            H5Tree.SetStringList(lg.Attributes, "weight_names", names);
            for (int i = 0; i < weights.Count; i++) H5Tree.Put(lg, names[i], H5Tree.Floats(weights[i].Value.ToArray(), weights[i].Shape));
        }
    }

    /// <summary>The writer's Keras version ("1" when absent, as Keras assumes) and backend, from a group or the root.</summary>
    public static WeightAssign.Origin OriginOf(H5Reader r, IH5Group g) =>
        new(r.StringAttribute(g, "keras_version") ?? r.StringAttribute(r.Root, "keras_version") ?? "1",
            r.StringAttribute(g, "backend") ?? r.StringAttribute(r.Root, "backend"));

    /// <summary>
    /// Loads weights into the model: in order (the n-th file layer with weights goes to the n-th model layer with
    /// weights, as Keras's topological loading) or, with <paramref name="byName"/>, by matching top-level layer names.
    /// </summary>
    public static void Read(H5Reader r, IH5Group g, Model model, bool byName)
    {
        var names = r.StringListAttribute(g, "layer_names")
            ?? throw new InvalidModelFileException(r.Name, "no 'layer_names' attribute: this HDF5 file holds no Keras weights.");
        var origin = OriginOf(r, g);
        var fileLayers = new List<(string Name, List<StoredArray> Arrays)>();
        foreach (var name in names)
        {
            var lg = r.Group(g, name) ?? throw new InvalidModelFileException(r.Name, $"layer '{name}' is listed in layer_names but its group is missing.");
            var weightNames = r.StringListAttribute(lg, "weight_names") ?? [];
            var arrays = weightNames.Select(wn =>
            {
                var (data, shape) = r.ReadFloats(lg, wn);
                return new StoredArray(wn, data, shape);
            }).ToList();
            if (arrays.Count > 0) fileLayers.Add((name, arrays));
        }
        var pending = byName ? MatchByName(r.Name, fileLayers, model, origin) : MatchInOrder(r.Name, fileLayers, model, origin);
        WeightAssign.ApplyAll(pending);
    }

    private static List<WeightAssign.Pending> MatchInOrder(string source, List<(string Name, List<StoredArray> Arrays)> fileLayers, Model model, WeightAssign.Origin origin)
    {
        var modelLayers = model.Layers.Where(l => LegacyWeightOrder.Of(l).Count > 0).ToList();
        var pending = new List<WeightAssign.Pending>();
        for (int i = 0; i < Math.Min(modelLayers.Count, fileLayers.Count); i++)
            pending.AddRange(Check(modelLayers[i], fileLayers[i].Arrays, source, fileLayers[i].Name, origin));
        if (modelLayers.Count != fileLayers.Count)
            throw new ShapeMismatchException(
                $"{source}: the file holds weights for {fileLayers.Count} layers ({string.Join(", ", fileLayers.Select(f => f.Name))}) but the model has {modelLayers.Count} layers with weights ({string.Join(", ", modelLayers.Select(l => l.Name))}).");
        return pending;
    }

    private static List<WeightAssign.Pending> MatchByName(string source, List<(string Name, List<StoredArray> Arrays)> fileLayers, Model model, WeightAssign.Origin origin)
    {
        var pending = new List<WeightAssign.Pending>();
        foreach (var (name, arrays) in fileLayers)
        {
            var layer = model.Layers.FirstOrDefault(l => l.Name == name);
            if (layer != null) pending.AddRange(Check(layer, arrays, source, name, origin));
        }
        return pending;
    }

    // One top-level layer's arrays: a plain layer takes them as they are; a nested model hands them to its layers.
    private static IEnumerable<WeightAssign.Pending> Check(Layer layer, List<StoredArray> arrays, string source, string fileLayer, WeightAssign.Origin origin)
    {
        if (layer is Model) WeightAssign.CheckCount(layer, LegacyWeightOrder.Of(layer).Count, arrays, source, fileLayer);
        return LegacyWeightOrder.Leaves(layer, arrays)
            .Select(leaf => WeightAssign.Check(leaf.Leaf, leaf.Arrays, source, fileLayer, origin, LegacyWeightOrder.Of(leaf.Leaf)))
            .ToList();
    }
}
