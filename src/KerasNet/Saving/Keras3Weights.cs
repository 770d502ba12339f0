#nullable enable
using System.Globalization;
using PureHDF;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Keras 3's weight store (<c>x.weights.h5</c> and <c>model.weights.h5</c> inside a <c>.keras</c>):
/// <c>layers/&lt;snake_class&gt;[_n]/vars/&lt;i&gt;</c> keyed by class in <c>model.layers</c> order (not by layer name),
/// each <c>vars</c> group with <c>@name</c>, and <c>optimizer/vars</c> for a compiled model. A nested model is a
/// container of its own: <c>layers/functional/vars</c> (its own, empty) and <c>layers/functional/layers/dense/vars</c>,
/// as <c>saving_lib._save_state</c> walks it. A layer reached twice (shared by nested models) is stored once, where
/// it is first reached. A Functional model's <c>layers</c> include its InputLayers (keys <c>input_layer</c>, ...);
/// a Sequential's do not.
/// </summary>
internal static class Keras3Weights
{
    /// <summary>The store keys of the model's layers: conv2d, conv2d_1, max_pooling2d, ... as Keras 3's _save_container_state.</summary>
    public static List<string> Keys(Model model)
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
    public static H5File Build(Model model, bool includeOptimizer)
    {
        var file = new H5File();
        WriteContainer(file, model, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
        if (includeOptimizer) OptimizerState.WriteKeras3(file, model);
        return file;
    }

    private static void WriteContainer(H5Group g, Model model, HashSet<Layer> visited)
    {
        var keys = Keys(model);
        var layers = H5Tree.Child(g, "layers");
        for (int i = 0; i < keys.Count; i++)
        {
            var layer = model.Layers[i];
            if (!visited.Add(layer)) continue;
            var lg = H5Tree.Child(layers, keys[i]);
            if (layer is Model sub)
            {
                WriteContainer(lg, sub, visited);
                continue;
            }
            if (layer is IKeras3Store nested)
            {
                foreach (var (path, name, vs) in nested.Keras3Stores) WriteVars(Path(lg, path), name, vs);
                continue;
            }
            WriteVars(H5Tree.Child(lg, "vars"), layer.Name, layer.Weights);
        }
        H5Tree.Child(g, "vars").Attributes["name"] = model.Name;
    }

    private static void WriteVars(H5Group vars, string name, IReadOnlyList<Variable> weights)
    {
        vars.Attributes["name"] = name;
        for (int j = 0; j < weights.Count; j++)
            vars[j.ToString(CultureInfo.InvariantCulture)] = H5Tree.Floats(weights[j].Value.ToArray(), weights[j].Shape);
    }

    private static H5Group Path(H5Group g, string path)
    {
        foreach (var part in path.Split('/')) g = H5Tree.Child(g, part);
        return g;
    }

    /// <summary>The datasets 0, 1, ... of a vars group.</summary>
    private static void ReadVars(H5Reader r, IH5Group vars, string where, List<StoredArray> into)
    {
        for (int j = 0; r.IsDataset(vars, j.ToString(CultureInfo.InvariantCulture)); j++)
        {
            var (data, shape) = r.ReadFloats(vars, j.ToString(CultureInfo.InvariantCulture));
            into.Add(new StoredArray($"{where}/{j}", data, shape));
        }
    }

    /// <summary>Loads the layer weights (all checked before any is assigned) and, when asked, the optimizer state.</summary>
    public static void Read(H5Reader r, Model model, bool includeOptimizer)
    {
        var container = Container(r, r.Root)
            ?? throw new InvalidModelFileException(r.Name, "no 'layers' group: this is not a Keras 3 weights file.");
        var pending = new List<WeightAssign.Pending>();
        ReadContainer(r, container, "layers", model, pending, new HashSet<Layer>(ReferenceEqualityComparer.Instance));
        WeightAssign.ApplyAll(pending);
        if (includeOptimizer) OptimizerState.ReadKeras3(r, model);
    }

    // keras 2.13-2.15 wrote "_layer_checkpoint_dependencies" where Keras 3 writes "layers" (H5IOStore.get's fallback).
    private static IH5Group? Container(H5Reader r, IH5Group g) => r.Group(g, "layers") ?? r.Group(g, "_layer_checkpoint_dependencies");

    private static void ReadContainer(H5Reader r, IH5Group container, string path, Model model, List<WeightAssign.Pending> pending, HashSet<Layer> visited)
    {
        var keys = Keys(model);
        var origin = new WeightAssign.Origin("3", "tensorflow");
        for (int i = 0; i < keys.Count; i++)
        {
            var layer = model.Layers[i];
            if (!visited.Add(layer)) continue;
            if (layer is Model sub)
            {
                var inner = r.Group(container, keys[i]) is { } sg ? Container(r, sg) : null;
                if (inner != null) ReadContainer(r, inner, $"{path}/{keys[i]}/layers", sub, pending, visited);
                else if (sub.Weights.Count > 0)
                    throw new ShapeMismatchException($"{r.Name}: nested model '{sub.Name}' has weights but the file has no group '{path}/{keys[i]}/layers'.");
                continue;
            }
            var arrays = new List<StoredArray>();
            if (layer is IKeras3Store nested)
            {
                // Only the groups holding this layer's weights are read (a stateful RNN's own vars hold its states).
                var targets = new List<Variable>();
                foreach (var (store, _, vs) in nested.Keras3Stores)
                {
                    if (vs.Count == 0) continue;
                    var g = r.Group(container, $"{keys[i]}/{store}")
                        ?? throw new ShapeMismatchException($"{r.Name}: layer '{layer.Name}' ({layer.ClassName}) has weights but the file has no group '{path}/{keys[i]}/{store}'.");
                    ReadVars(r, g, $"{keys[i]}/{store}", arrays);
                    targets.AddRange(vs);
                }
                pending.Add(WeightAssign.Check(layer, arrays, r.Name, $"{path}/{keys[i]}", origin, targets));
                continue;
            }
            var vars = r.Group(container, keys[i] + "/vars");
            if (vars != null) ReadVars(r, vars, $"{keys[i]}/vars", arrays);
            else if (layer.Weights.Count > 0)
                throw new ShapeMismatchException($"{r.Name}: layer '{layer.Name}' ({layer.ClassName}) has weights but the file has no group '{path}/{keys[i]}/vars'.");
            if (layer.Weights.Count > 0 || arrays.Count > 0)
                pending.Add(WeightAssign.Check(layer, arrays, r.Name, $"{path}/{keys[i]}", origin));
        }
        var extra = r.ChildNames(container).Except(keys).ToList();
        if (extra.Count > 0)
            throw new ShapeMismatchException($"{r.Name}: the file has layers the model lacks: {string.Join(", ", extra)} (the model's are {string.Join(", ", keys)}).");
    }
}
