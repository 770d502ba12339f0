#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// The base of layers that wrap another layer (Keras's <c>keras.layers.Wrapper</c>: TimeDistributed, Bidirectional):
/// the wrapper's weights are the inner layer's, named under the wrapper (tf.keras 2.4 builds the inner layer inside
/// the wrapper's name scope, so its kernel is <c>time_distributed/kernel:0</c> in .h5 files); setting
/// <see cref="Layer.Trainable"/> on the wrapper sets it on the inner layer, as Keras does; the config is
/// <c>{"name", "trainable", "dtype", "layer": {"class_name", "config"}}</c>; in a Keras 3 weights file the inner
/// layer's variables sit under <c>layers/&lt;wrapper&gt;/layer/vars</c> (the attribute Keras 3's saver walks).
/// </summary>
public abstract class Wrapper : Layer, ITrainingRefusal
{
    private string? _namedAs;

    /// <summary>Wraps <paramref name="layer"/>.</summary>
    private protected Wrapper(Layer layer, string? name, Shape? inputShape, bool trainable)
        : base(name, inputShape, trainable)
    {
        Layer = layer ?? throw new KerasNetException($"{ClassName}: the wrapped layer is null; pass a layer instance, e.g. new {ClassName}(new Dense(8)).");
        if (layer is InputLayer) throw new KerasNetException($"{ClassName} '{Name}' cannot wrap an InputLayer.");
        if (!trainable) layer.Trainable = false;
    }

    /// <summary>The wrapped layer.</summary>
    public Layer Layer { get; }

    /// <summary>The inner layer's per-sample input shape, once built.</summary>
    internal abstract int[]? InnerInputShape { get; }

    /// <inheritdoc/>
    public override bool Trainable
    {
        get => base.Trainable;
        set
        {
            base.Trainable = value;
            if (Layer != null) Layer.Trainable = value; // null only while the base constructor runs
        }
    }

    /// <summary>The inner layer's weights, named after this wrapper as tf.keras names them.</summary>
    public override IReadOnlyList<Variable> Weights
    {
        get
        {
            var w = Layer.Weights;
            if (!ReferenceEquals(_namedAs, Name)) NameWeights(w);
            return w;
        }
    }

    /// <summary>Names the inner weights after this wrapper (after the inner layer is built, and after a rename).</summary>
    private protected void NameWeights(IReadOnlyList<Variable> weights)
    {
        foreach (var v in weights) v.LayerName = Name;
        _namedAs = Name;
    }

    internal override void CollectTrainable(List<Variable> into)
    {
        if (!Trainable) return;
        if (!ReferenceEquals(_namedAs, Name)) NameWeights(Layer.Weights);
        Layer.CollectTrainable(into);
    }

    /// <summary>The inner layer's refusal to train (a regularizer or constraint KerasNet does not apply yet).</summary>
    /// <returns>The reason, or null when the layer trains as in Keras.</returns>
    public string? TrainingRefusal() => Layer switch
    {
        KernelLayer k => k.TrainingRefusal(),
        ITrainingRefusal c => c.TrainingRefusal(),
        _ => null,
    };

    /// <summary>tf.keras 2.4's Wrapper.get_config: the base fields, then the inner layer's <c>{"class_name", "config"}</c>.</summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["layer"] = ModelConfigWriter.Entry(Layer);
        return c;
    }

    /// <summary>The inner layer of a wrapper's config (any Keras generation's <c>{"class_name", "config"}</c>).</summary>
    private protected static Layer InnerFromConfig(LayerConfigReader c)
    {
        if (c.Config["layer"] is not JsonObject entry) throw c.Error("missing field 'layer' (the wrapped layer's {\"class_name\", \"config\"}).");
        string cls = ModelConfigReader.ClassNameOf(entry, c.Source, $"layer wrapped by '{c.Name ?? "?"}'");
        return ModelConfigReader.CreateLayer(entry, cls, 0, c.Source);
    }
}
