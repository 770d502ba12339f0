#nullable enable
using System.Globalization;
using PureHDF;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Keras 3's weight store (<c>x.weights.h5</c> and <c>model.weights.h5</c> inside a <c>.keras</c>):
/// <c>layers/&lt;snake_class&gt;[_n]/vars/&lt;i&gt;</c> keyed by class in <c>model.layers</c> order (not by layer name),
/// each <c>vars</c> group with <c>@name</c>, and <c>optimizer/vars</c> for a compiled model.
/// </summary>
internal static class Keras3Weights
{
    /// <summary>The store keys of the model's layers: conv2d, conv2d_1, max_pooling2d, ... as Keras 3's _save_container_state.</summary>
    public static List<string> Keys(Sequential model)
    {
        var seen = new Dictionary<string, int>();
        var keys = new List<string>();
        foreach (var l in model.Layers)
        {
            string k = KerasBackend.ToSnakeCase(l.ClassName);
            seen.TryGetValue(k, out int n);
            seen[k] = n + 1;
            keys.Add(n == 0 ? k : $"{k}_{n}");
        }
        return keys;
    }

    /// <summary>Writes the store into a new HDF5 file tree.</summary>
    public static H5File Build(Sequential model, bool includeOptimizer)
    {
        var file = new H5File();
        var keys = Keys(model);
        var layers = H5Tree.Child(file, "layers");
        for (int i = 0; i < keys.Count; i++)
        {
            var layer = model.Layers[i];
            var vars = H5Tree.Child(H5Tree.Child(layers, keys[i]), "vars");
            vars.Attributes["name"] = layer.Name;
            for (int j = 0; j < layer.Weights.Count; j++)
                vars[j.ToString(CultureInfo.InvariantCulture)] = H5Tree.Floats(layer.Weights[j].Value.ToArray(), layer.Weights[j].Shape);
        }
        H5Tree.Child(file, "vars").Attributes["name"] = model.Name;
        if (includeOptimizer) OptimizerState.WriteKeras3(file, model);
        return file;
    }

    /// <summary>Loads the layer weights (all checked before any is assigned) and, when asked, the optimizer state.</summary>
    public static void Read(H5Reader r, Sequential model, bool includeOptimizer)
    {
        var container = r.Group(r.Root, "layers") ?? r.Group(r.Root, "_layer_checkpoint_dependencies")
            ?? throw new KerasNetException($"{r.Name}: no 'layers' group: this is not a Keras 3 weights file.");
        var keys = Keys(model);
        var pending = new List<WeightAssign.Pending>();
        var origin = new WeightAssign.Origin("3", "tensorflow");
        for (int i = 0; i < keys.Count; i++)
        {
            var layer = model.Layers[i];
            var vars = r.Group(container, keys[i] + "/vars");
            var arrays = new List<StoredArray>();
            if (vars != null)
                for (int j = 0; r.IsDataset(vars, j.ToString(CultureInfo.InvariantCulture)); j++)
                {
                    var (data, shape) = r.ReadFloats(vars, j.ToString(CultureInfo.InvariantCulture));
                    arrays.Add(new StoredArray($"{keys[i]}/vars/{j}", data, shape));
                }
            else if (layer.Weights.Count > 0)
                throw new ShapeMismatchException($"{r.Name}: layer '{layer.Name}' ({layer.ClassName}) has weights but the file has no group 'layers/{keys[i]}/vars'.");
            if (layer.Weights.Count > 0 || arrays.Count > 0)
                pending.Add(WeightAssign.Check(layer, arrays, r.Name, $"layers/{keys[i]}", origin));
        }
        var extra = r.ChildNames(container).Except(keys).ToList();
        if (extra.Count > 0)
            throw new ShapeMismatchException($"{r.Name}: the file has layers the model lacks: {string.Join(", ", extra)} (the model's are {string.Join(", ", keys)}).");
        WeightAssign.ApplyAll(pending);
        if (includeOptimizer) OptimizerState.ReadKeras3(r, model);
    }
}
