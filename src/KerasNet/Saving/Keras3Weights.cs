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
            WriteLayer(lg, layer, visited);
        }
        H5Tree.Child(g, "vars").Attributes["name"] = model.Name;
    }

    // A layer's own variables under vars/0, vars/1, ...; a wrapper's (TimeDistributed) are its inner layer's, under
    // layer/vars (Keras 3's saver walks the wrapper's `layer` attribute), its own vars group staying empty.
    private static void WriteLayer(H5Group lg, Layer layer, HashSet<Layer> visited)
    {
        if (layer is IKeras3Store nested)
        {
            // A recurrent layer's weights are its cell's (lstm/cell/vars), a Bidirectional's its two layers' cells'.
            foreach (var (store, name, weights) in nested.Keras3Stores) WriteVars(Path(lg, store), name, weights);
            return;
        }
        var vars = H5Tree.Child(lg, "vars");
        vars.Attributes["name"] = layer.Name;
        if (layer is Wrapper w)
        {
            var inner = H5Tree.Child(lg, "layer");
            if (w.Layer is Model sub) WriteContainer(inner, sub, visited);
            else WriteLayer(inner, w.Layer, visited);
            return;
        }
        for (int j = 0; j < layer.Weights.Count; j++)
            vars[j.ToString(CultureInfo.InvariantCulture)] = H5Tree.Floats(layer.Weights[j].Value.ToArray(), layer.Weights[j].Shape);
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

    /// <summary>
    /// The weights of a layer with a nested store (<see cref="IKeras3Store"/>) under <paramref name="key"/>: only the
    /// groups that hold its weights are read (a stateful RNN's own vars hold its states, which are not weights).
    /// </summary>
    private static void ReadNested(H5Reader r, IH5Group container, string path, string key, Layer layer, IKeras3Store nested,
        List<WeightAssign.Pending> pending)
    {
        var arrays = new List<StoredArray>();
        var targets = new List<Variable>();
        foreach (var (store, _, weights) in nested.Keras3Stores)
        {
            if (weights.Count == 0) continue;
            var g = r.Group(container, $"{key}/{store}")
                ?? throw new ShapeMismatchException($"{r.Name}: layer '{layer.Name}' ({layer.ClassName}) has weights but the file has no group '{path}/{store}'.");
            for (int j = 0; r.IsDataset(g, j.ToString(CultureInfo.InvariantCulture)); j++)
            {
                var (data, shape) = r.ReadFloats(g, j.ToString(CultureInfo.InvariantCulture));
                arrays.Add(new StoredArray($"{key}/{store}/{j}", data, shape));
            }
            targets.AddRange(weights);
        }
        pending.Add(WeightAssign.Check(layer, arrays, r.Name, path, new WeightAssign.Origin("3", "tensorflow"), targets));
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
            if (layer is IKeras3Store nested)
            {
                ReadNested(r, container, $"{path}/{keys[i]}", keys[i], layer, nested, pending);
                continue;
            }
            if (layer is Wrapper w)
            {
                ReadWrapped(r, container, $"{path}/{keys[i]}", keys[i], w, pending, visited);
                continue;
            }
            var vars = r.Group(container, keys[i] + "/vars");
            var arrays = new List<StoredArray>();
            if (vars != null)
                for (int j = 0; r.IsDataset(vars, j.ToString(CultureInfo.InvariantCulture)); j++)
                {
                    var (data, shape) = r.ReadFloats(vars, j.ToString(CultureInfo.InvariantCulture));
                    arrays.Add(new StoredArray($"{keys[i]}/vars/{j}", data, shape));
                }
            else if (layer.Weights.Count > 0)
                throw new ShapeMismatchException($"{r.Name}: layer '{layer.Name}' ({layer.ClassName}) has weights but the file has no group '{path}/{keys[i]}/vars'.");
            if (layer.Weights.Count > 0 || arrays.Count > 0)
                pending.Add(WeightAssign.Check(layer, arrays, r.Name, $"{path}/{keys[i]}", origin));
        }
        var extra = r.ChildNames(container).Except(keys).ToList();
        if (extra.Count > 0)
            throw new ShapeMismatchException($"{r.Name}: the file has layers the model lacks: {string.Join(", ", extra)} (the model's are {string.Join(", ", keys)}).");
    }

    // A wrapper's weights are its inner layer's, at <key>/layer/vars (see WriteLayer).
    private static void ReadWrapped(H5Reader r, IH5Group container, string path, string key, Wrapper w, List<WeightAssign.Pending> pending, HashSet<Layer> visited)
    {
        var inner = w.Layer;
        if (inner is Model sub)
        {
            var sg = r.Group(container, key + "/layer") is { } g ? Container(r, g) : null;
            if (sg != null) ReadContainer(r, sg, $"{path}/layer/layers", sub, pending, visited);
            else if (sub.Weights.Count > 0) throw new ShapeMismatchException($"{r.Name}: wrapped model '{sub.Name}' has weights but the file has no group '{path}/layer/layers'.");
            return;
        }
        if (inner is IKeras3Store nested)
        {
            ReadNested(r, container, $"{path}/layer", key + "/layer", inner, nested, pending);
            return;
        }
        var vars = r.Group(container, key + "/layer/vars");
        var arrays = new List<StoredArray>();
        if (vars != null)
            for (int j = 0; r.IsDataset(vars, j.ToString(CultureInfo.InvariantCulture)); j++)
            {
                var (data, shape) = r.ReadFloats(vars, j.ToString(CultureInfo.InvariantCulture));
                arrays.Add(new StoredArray($"{key}/layer/vars/{j}", data, shape));
            }
        else if (inner.Weights.Count > 0)
            throw new ShapeMismatchException($"{r.Name}: layer '{w.Name}' ({w.ClassName}) wraps '{inner.Name}', which has weights, but the file has no group '{path}/layer/vars'.");
        if (inner.Weights.Count > 0 || arrays.Count > 0)
            pending.Add(WeightAssign.Check(w, arrays, r.Name, path, new WeightAssign.Origin("3", "tensorflow")));
    }
}
