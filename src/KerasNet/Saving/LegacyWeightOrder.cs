#nullable enable
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// How the legacy HDF5 layout lists one top-level layer's weights, nested models included: tf.keras 2.4's
/// <c>_legacy_weights(layer)</c> (trainable weights, then non-trainable ones; for a nested model all of its layers'
/// weights in layer order), and the loader's <c>convert_nested_model</c>, which hands such a list back to the nested
/// model's layers.
/// </summary>
internal static class LegacyWeightOrder
{
    /// <summary><c>layer.trainable_weights + layer.non_trainable_weights</c>.</summary>
    public static List<Variable> Of(Layer layer) => [.. layer.TrainableWeights, .. layer.NonTrainableWeights];

    /// <summary>
    /// The dataset names of a layer group's weights: tf.keras 2.4's variable names (<c>dense/kernel:0</c>, for a
    /// nested model's layers too, as tf.keras names variables by their own layer). Where two layers of different
    /// nested models share a name, which would give two datasets one path, the names of that group are qualified
    /// by the nested models' names (<c>inner/dense/kernel:0</c>); loaders match them by position, not by name.
    /// </summary>
    public static List<string> Names(Layer layer, IReadOnlyList<Variable> weights)
    {
        var plain = weights.Select(w => w.FullName).ToList();
        if (layer is not Model model || plain.Distinct().Count() == plain.Count) return plain;
        var qualified = new Dictionary<Variable, string>(ReferenceEqualityComparer.Instance);
        void Walk(Model m, string prefix)
        {
            foreach (var l in m.Layers)
                if (l is Model sub) Walk(sub, prefix + sub.Name + "/");
                else foreach (var w in l.Weights) qualified.TryAdd(w, prefix + w.FullName);
        }
        Walk(model, "");
        return weights.Select(w => qualified.GetValueOrDefault(w, w.FullName)).ToList();
    }

    /// <summary>
    /// Splits the arrays stored for <paramref name="layer"/> (in <see cref="Of"/> order) onto the plain layers that
    /// own them, recursing into nested models as <c>convert_nested_model</c> does: each layer takes its share of the
    /// trainable part and of the non-trainable part. The caller checks the total count first.
    /// </summary>
    public static List<(Layer Leaf, List<StoredArray> Arrays)> Leaves(Layer layer, IReadOnlyList<StoredArray> arrays)
    {
        var result = new List<(Layer, List<StoredArray>)>();
        if (layer is not Model model)
        {
            result.Add((layer, arrays.ToList()));
            return result;
        }
        int trainable = model.TrainableWeights.Count, ti = 0, ni = trainable;
        foreach (var sub in model.Layers.Distinct())
        {
            int t = sub.TrainableWeights.Count, n = sub.NonTrainableWeights.Count;
            if (t + n == 0) continue;
            var part = arrays.Skip(ti).Take(t).Concat(arrays.Skip(ni).Take(n)).ToList();
            ti += t;
            ni += n;
            result.AddRange(Leaves(sub, part));
        }
        return result;
    }
}
