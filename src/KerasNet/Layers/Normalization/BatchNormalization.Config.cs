#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

// Configs (tf.keras 2.4 out; Keras 1, 2 and 3 in; Keras 3 out for .keras) and the moving-variance rule of the Keras
// that made the model.
public sealed partial class BatchNormalization : IKeras3Config, ISavedByAware
{
    /// <summary>
    /// The layer of a Keras config: tf.keras 2.x's (axis an int or a list, renorm/virtual_batch_size refused),
    /// Keras 3's (synchronized ignored: one device) and Keras 1's (<c>mode</c> 0; 1 and 2 refused as Keras 2 refuses
    /// them; weights gamma, beta, running_mean, running_std, where running_std held the variance and loads as it).
    /// </summary>
    internal static BatchNormalization FromConfig(LayerConfigReader c)
    {
        if (c.Bool(false, "renorm")) throw c.Error("renorm=True (batch renormalization) is not supported.");
        if (c.Has("virtual_batch_size")) throw c.Error("virtual_batch_size (ghost batch normalization) is not supported.");
        if (c.Has("adjustment")) throw c.Error("an adjustment function is not supported.");
        if (c.OptionalInt("mode") is int mode && mode != 0)
            throw c.Error($"mode={mode}: the Keras 1 modes 1 (sample-wise) and 2 (batch statistics at inference too) are not supported, as in Keras 2; only mode 0.");
        var layer = new BatchNormalization(AxisSpec.Read(c, "axis", -1), c.Double(0.99, "momentum"), c.Double(1e-3, "epsilon"),
            c.Bool(true, "center"), c.Bool(true, "scale"),
            c.Initializer("zeros", "beta_initializer", "beta_init"), c.Initializer("ones", "gamma_initializer", "gamma_init"),
            c.Initializer("zeros", "moving_mean_initializer"), c.Initializer("ones", "moving_variance_initializer"),
            c.Regularizer("beta_regularizer"), c.Regularizer("gamma_regularizer"),
            c.Constraint("beta_constraint"), c.Constraint("gamma_constraint"),
            name: c.Name, trainable: c.Bool(true, "trainable"));
        // tf.keras's fused=False (never written by get_config, but accepted) takes its non-fused path: biased variance.
        layer._fusedAllowed = c.Bool(true, "fused");
        return layer;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        // tf.keras 2.4 resolves axis to a list of non-negative axes when it builds the layer.
        c["axis"] = Built ? IntArray(Layout!.KerasAxes) : Axis.ToJson();
        c["momentum"] = Momentum;
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        c["beta_initializer"] = LayerConfig.Keras2Json(BetaInitializer);
        c["gamma_initializer"] = LayerConfig.Keras2Json(GammaInitializer);
        c["moving_mean_initializer"] = LayerConfig.Keras2Json(MovingMeanInitializer);
        c["moving_variance_initializer"] = LayerConfig.Keras2Json(MovingVarianceInitializer);
        c["beta_regularizer"] = LayerConfig.Keras2Json(BetaRegularizer);
        c["gamma_regularizer"] = LayerConfig.Keras2Json(GammaRegularizer);
        c["beta_constraint"] = LayerConfig.Keras2Json(BetaConstraint);
        c["gamma_constraint"] = LayerConfig.Keras2Json(GammaConstraint);
        return c;
    }

    /// <summary>Keras 3's config: one int axis as given, Keras 3's weight objects, <c>synchronized</c> last.</summary>
    void IKeras3Config.ToKeras3(JsonObject config)
    {
        if (Axis.Values.Count != 1)
            throw new KerasNetException($"Layer '{Name}' (BatchNormalization) normalises over the axes {Axis}, which Keras 3's BatchNormalization (one axis) cannot express; save the model as .h5 instead.");
        config["axis"] = Axis.Values[0];
        foreach (var (key, obj) in new (string, KerasObject?)[]
        {
            ("beta_initializer", BetaInitializer), ("gamma_initializer", GammaInitializer),
            ("moving_mean_initializer", MovingMeanInitializer), ("moving_variance_initializer", MovingVarianceInitializer),
            ("beta_regularizer", BetaRegularizer), ("gamma_regularizer", GammaRegularizer),
            ("beta_constraint", BetaConstraint), ("gamma_constraint", GammaConstraint),
        })
            config[key] = obj?.ToKeras3Json();
        config["synchronized"] = false;
    }

    private bool _fusedAllowed = true;
    private bool _tfKeras2Rules = true;

    /// <summary>
    /// Forces the moving variance update to use the unbiased (true) or the biased (false) batch variance; null (the
    /// default) lets <see cref="UsesUnbiasedMovingVariance"/> decide by Keras's rules. Not part of the config.
    /// </summary>
    public bool? UnbiasedMovingVariance { get; set; }

    /// <summary>
    /// Whether a training call feeds the moving variance the unbiased batch variance n/(n-1) * var (n the values per
    /// channel in the batch). Unless <see cref="UnbiasedMovingVariance"/> says otherwise: true where tf.keras 2.x runs
    /// its fused kernel, i.e. 4-D inputs (3-D samples) with one axis given as 1, 3, -1 or -3 (tf.keras 2.4
    /// <c>_fused_can_be_used</c> and <c>build</c>), for a layer created in KerasNet (which follows tf.keras 2.4) or
    /// loaded from a Keras 2.x model on the TensorFlow backend; false for every other input and axis, and for models
    /// loaded from Keras 1 or Keras 3 files (which, like tfjs-layers, use the biased variance). False before the layer is built.
    /// </summary>
    public bool UsesUnbiasedMovingVariance => UnbiasedMovingVariance ?? (Built && _fusedAllowed && _tfKeras2Rules && TfKeras2Fuses);

    // tf.keras 2.4 V2: fused stays None unless renorm/virtual batches/adjustment or axis outside (-3, -1, 1, 3), then
    // fused = (ndims == 4) in build. The axis is tested as given, before it is resolved.
    // Decided once at build (Axis.Values allocates, and training calls read this every step).
    private bool TfKeras2Fuses => _tfKeras2Fuses ??= InputShape!.Length == 3 && Axis.Values.Count == 1 && Axis.Values[0] is -3 or -1 or 1 or 3;

    private bool? _tfKeras2Fuses;

    /// <summary>Keras 2.x files on the TensorFlow backend keep tf.keras's rule; Keras 1 and 3 (and Theano/CNTK) use the biased variance.</summary>
    void ISavedByAware.LoadedFrom(string kerasVersion, string? backend) =>
        _tfKeras2Rules = kerasVersion.StartsWith('2') && backend is null or "tensorflow";
}
