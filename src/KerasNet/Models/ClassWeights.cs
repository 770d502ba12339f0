#nullable enable
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Models;

/// <summary>
/// Keras's <c>class_weight</c> as tf.keras 2.4's data adapter applies it: each sample's weight is the weight of its
/// class (the argmax of a one-hot (N, C) target, else the target cast to an integer, truncating), times the sample
/// weight the batch already has. The keys must be 0 to classes - 1; only single-output models with targets of rank
/// 1 or 2 are accepted, as Keras's.
/// </summary>
internal sealed class ClassWeights
{
    private readonly float[] _table;
    private Tensor? _weights;

    private ClassWeights(float[] table) => _table = table;

    /// <summary>The table of a class_weight dictionary (null: none), checked as Keras checks it.</summary>
    public static ClassWeights? From(IDictionary<int, double>? classWeight)
    {
        if (classWeight is null) return null;
        var keys = classWeight.Keys.Order().ToArray();
        if (keys.Length == 0 || !keys.SequenceEqual(Enumerable.Range(0, keys.Length)))
            throw new KerasNetException($"class_weight must have the keys 0 to (classes - 1), found [{string.Join(", ", keys)}].");
        var table = new float[keys.Length];
        foreach (var (k, w) in classWeight)
        {
            if (!double.IsFinite(w)) throw new KerasNetException($"class_weight[{k}] must be a finite number, got {w}.");
            table[k] = (float)w;
        }
        return new ClassWeights(table);
    }

    /// <summary>The batch with its sample weights multiplied by its samples' class weights (a buffer reused batch after batch).</summary>
    public Batch Apply(Batch batch)
    {
        if (batch.Ys != null) throw new KerasNetException("class_weight is only supported for models with a single output.");
        var y = batch.Y ?? throw new KerasNetException("class_weight needs targets, but the batch has none.");
        if (y.Rank > 2) throw new KerasNetException($"class_weight is not supported for targets of rank 3 or more (got shape {ShapeUtil.Format(y.Shape)}).");
        int n = y.BatchSize;
        bool oneHot = y.Rank == 2 && y.Shape[1] > 1;
        int width = oneHot ? y.Shape[1] : 1;
        var sw = batch.SampleWeight;
        int per = sw is null ? 1 : sw.Length / Math.Max(1, n);
        if (sw != null && sw.Length != per * n) throw new ShapeMismatchException($"sample_weight of shape {ShapeUtil.Format(sw.Shape)} does not match a batch of {n} samples.");
        var w = _weights = Tensor.Ensure(_weights, sw is null ? [n] : (ReadOnlySpan<int>)sw.Shape);
        var ys = y.Span;
        for (int i = 0; i < n; i++)
        {
            int k = oneHot ? ArgMax(ys.Slice(i * width, width)) : (int)ys[i];
            if ((uint)k >= (uint)_table.Length)
                throw new KerasNetException($"class_weight: sample {i} of the batch has class {k}, but class_weight covers classes 0 to {_table.Length - 1}.");
            for (int t = 0; t < per; t++) w[i * per + t] = sw is null ? _table[k] : sw[i * per + t] * _table[k];
        }
        return batch with { SampleWeight = w };
    }

    // tf.argmax returns the first of equal maxima.
    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int j = 1; j < v.Length; j++) if (v[j] > v[best]) best = j;
        return best;
    }
}
