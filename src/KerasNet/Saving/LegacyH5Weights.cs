#nullable enable
using PureHDF;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// The legacy Keras weights layout (<c>save_weights('w.h5')</c>, and <c>/model_weights</c> of a full model):
/// <c>@layer_names</c>, one group per layer with <c>@weight_names</c>, datasets at those names.
/// </summary>
internal static class LegacyH5Weights
{
    /// <summary>Fills a group with the model's weights as tf.keras 2.4 writes them.</summary>
    public static void Write(H5Group g, Sequential model)
    {
        H5Tree.SetStringList(g.Attributes, "layer_names", model.Layers.Select(l => l.Name).ToList());
        g.Attributes["backend"] = "tensorflow";
        g.Attributes["keras_version"] = ModelConfigWriter.KerasVersion;
        foreach (var layer in model.Layers)
        {
            var lg = H5Tree.Child(g, layer.Name);
            // Keras orders weight_names trainable first, then non-trainable; our layers hold only trainable kinds.
            var weights = layer.Weights;
            H5Tree.SetStringList(lg.Attributes, "weight_names", weights.Select(w => w.FullName).ToList());
            foreach (var w in weights) H5Tree.Put(lg, w.FullName, H5Tree.Floats(w.Value.ToArray(), w.Shape));
        }
    }

    /// <summary>The writer's Keras version ("1" when absent, as Keras assumes) and backend, from a group or the root.</summary>
    public static WeightAssign.Origin OriginOf(H5Reader r, IH5Group g) =>
        new(r.StringAttribute(g, "keras_version") ?? r.StringAttribute(r.Root, "keras_version") ?? "1",
            r.StringAttribute(g, "backend") ?? r.StringAttribute(r.Root, "backend"));

    /// <summary>
    /// Loads weights into the model: in order (the n-th file layer with weights goes to the n-th model layer with
    /// weights, as Keras's topological loading) or, with <paramref name="byName"/>, by matching layer names.
    /// </summary>
    public static void Read(H5Reader r, IH5Group g, Sequential model, bool byName)
    {
        var names = r.StringListAttribute(g, "layer_names")
            ?? throw new KerasNetException($"{r.Name}: no 'layer_names' attribute: this HDF5 file holds no Keras weights.");
        var origin = OriginOf(r, g);
        var fileLayers = new List<(string Name, List<StoredArray> Arrays)>();
        foreach (var name in names)
        {
            var lg = r.Group(g, name) ?? throw new KerasNetException($"{r.Name}: layer '{name}' is listed in layer_names but its group is missing.");
            var weightNames = r.StringListAttribute(lg, "weight_names") ?? [];
            var arrays = weightNames.Select(wn =>
            {
                var (data, shape) = r.ReadFloats(lg, wn);
                return new StoredArray(wn, data, shape);
            }).ToList();
            if (arrays.Count > 0) fileLayers.Add((name, arrays));
        }
        if (byName) ReadByName(r.Name, fileLayers, model, origin);
        else ReadInOrder(r.Name, fileLayers, model, origin);
    }

    private static void ReadInOrder(string source, List<(string Name, List<StoredArray> Arrays)> fileLayers, Sequential model, WeightAssign.Origin origin)
    {
        var modelLayers = model.Layers.Where(l => l.Weights.Count > 0).ToList();
        var pending = new List<WeightAssign.Pending>();
        for (int i = 0; i < Math.Min(modelLayers.Count, fileLayers.Count); i++)
            pending.Add(WeightAssign.Check(modelLayers[i], fileLayers[i].Arrays, source, fileLayers[i].Name, origin));
        if (modelLayers.Count != fileLayers.Count)
            throw new ShapeMismatchException(
                $"{source}: the file holds weights for {fileLayers.Count} layers ({string.Join(", ", fileLayers.Select(f => f.Name))}) but the model has {modelLayers.Count} layers with weights ({string.Join(", ", modelLayers.Select(l => l.Name))}).");
        WeightAssign.ApplyAll(pending);
    }

    private static void ReadByName(string source, List<(string Name, List<StoredArray> Arrays)> fileLayers, Sequential model, WeightAssign.Origin origin)
    {
        var pending = new List<WeightAssign.Pending>();
        foreach (var (name, arrays) in fileLayers)
        {
            var layer = model.Layers.FirstOrDefault(l => l.Name == name);
            if (layer != null) pending.Add(WeightAssign.Check(layer, arrays, source, name, origin));
        }
        WeightAssign.ApplyAll(pending);
    }
}
