#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's LayerNormalization: each sample is normalised over <see cref="RowNormalization.Axis"/> with its own mean
/// and (biased) variance, <c>y = (x - mean) / sqrt(var + epsilon) * gamma + beta</c>, the same in training and
/// inference. gamma and beta span the normalised axes: their shape is those axes' sizes, in the order given.
/// </summary>
/// <remarks>Regularizers and constraints are kept in the config; training refuses a layer that has one (not applied
/// yet). Keras 3's <c>rms_scaling=True</c> is refused.</remarks>
[KerasLayer("LayerNormalization")]
public sealed class LayerNormalization : RowNormalization, ITrainingRefusal, IKeras3Config
{
    /// <summary>Creates the layer with Keras's defaults (axis -1, epsilon 1e-3, center and scale).</summary>
    /// <param name="axis">The axis or axes to normalise over (Keras counts the batch as 0; -1 is the last).</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="center">Whether beta is added (a <c>beta</c> weight).</param>
    /// <param name="scale">Whether gamma multiplies (a <c>gamma</c> weight).</param>
    /// <param name="betaInitializer">Null: zeros.</param>
    /// <param name="gammaInitializer">Null: ones.</param>
    /// <param name="betaRegularizer">Kept in the config; training refuses it.</param>
    /// <param name="gammaRegularizer">Kept in the config; training refuses it.</param>
    /// <param name="betaConstraint">Kept in the config; training refuses it.</param>
    /// <param name="gammaConstraint">Kept in the config; training refuses it.</param>
    /// <param name="inputShape">Keras's input_shape, when this is the model's first layer.</param>
    /// <param name="name">Null: Keras's automatic name (layer_normalization, ...).</param>
    /// <param name="trainable">Whether gamma and beta are trained.</param>
    public LayerNormalization(AxisSpec axis = default, double epsilon = 1e-3, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
        Constraint? betaConstraint = null, Constraint? gammaConstraint = null,
        Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(axis, inputShape, name, trainable)
    {
        if (!(epsilon > 0) || double.IsInfinity(epsilon)) throw new KerasNetException($"LayerNormalization '{Name}': epsilon must be a positive number, got {epsilon}.");
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? new Zeros();
        GammaInitializer = gammaInitializer ?? new Ones();
        (BetaRegularizer, GammaRegularizer, BetaConstraint, GammaConstraint) = (betaRegularizer, gammaRegularizer, betaConstraint, gammaConstraint);
    }

    /// <summary>The layer of a Keras config (tf.keras 2.x and Keras 3; Keras 3's rms_scaling=True is refused).</summary>
    internal static LayerNormalization FromConfig(LayerConfigReader c)
    {
        if (c.Bool(false, "rms_scaling")) throw c.Error("rms_scaling=True is not supported.");
        return new LayerNormalization(AxisSpec.Read(c, "axis", -1), c.Double(1e-3, "epsilon"), c.Bool(true, "center"), c.Bool(true, "scale"),
            c.Initializer("zeros", "beta_initializer"), c.Initializer("ones", "gamma_initializer"),
            c.Regularizer("beta_regularizer"), c.Regularizer("gamma_regularizer"),
            c.Constraint("beta_constraint"), c.Constraint("gamma_constraint"),
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; }
    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }
    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }
    /// <summary>Initializer of beta.</summary>
    public Initializer BetaInitializer { get; }
    /// <summary>Initializer of gamma.</summary>
    public Initializer GammaInitializer { get; }
    /// <summary>Keras's beta_regularizer: kept in the config; training refuses it.</summary>
    public Regularizer? BetaRegularizer { get; set; }
    /// <summary>Keras's gamma_regularizer: kept in the config; training refuses it.</summary>
    public Regularizer? GammaRegularizer { get; set; }
    /// <summary>Keras's beta_constraint: kept in the config; training refuses it.</summary>
    public Constraint? BetaConstraint { get; set; }
    /// <summary>Keras's gamma_constraint: kept in the config; training refuses it.</summary>
    public Constraint? GammaConstraint { get; set; }

    /// <summary>The weights once built (null when <see cref="Scale"/> / <see cref="Center"/> are false).</summary>
    public Variable? Gamma { get; private set; }
    /// <inheritdoc cref="Gamma"/>
    public Variable? Beta { get; private set; }

    private protected override void BuildWeights(NormalizedAxes layout)
    {
        // Keras: [input_shape[dim] for dim in axis], in the order given; the values broadcast by reshape, i.e. in
        // the sorted axes' row-major order, which is how the rows are laid out.
        int[] shape = layout.Given.Select(a => layout.SampleShape[a]).ToArray();
        if (Scale) Gamma = AddWeight("gamma", shape, GammaInitializer);
        if (Center) Beta = AddWeight("beta", shape, BetaInitializer);
    }

    private protected override void ForwardRows(IBackend be, Saved s, Tensor x, int rows, int features, Tensor y) =>
        be.RowNormalize(x.Buffer, rows, features, (float)Epsilon, Gamma?.Value.Buffer, Beta?.Value.Buffer, y.Buffer, s.RowA, s.RowB);

    private protected override void BackwardRows(IBackend be, Saved s, Tensor dy, Tensor x, Tensor y, int rows, int features, Tensor? dx, GradientSink sink)
    {
        bool wantGamma = Gamma != null && sink.Wants(Gamma), wantBeta = Beta != null && sink.Wants(Beta);
        be.RowNormalizeBackward(dy.Buffer, x.Buffer, rows, features, s.RowA, s.RowB, Gamma?.Value.Buffer, dx?.Buffer,
            wantGamma ? sink.GradientFor(Gamma!) : null, wantBeta ? sink.GradientFor(Beta!) : null);
        if (wantGamma) sink.Commit(Gamma!);
        if (wantBeta) sink.Commit(Beta!);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = AxisJson();
        c["epsilon"] = Epsilon;
        c["center"] = Center;
        c["scale"] = Scale;
        foreach (var (key, obj) in WeightFields()) c[key] = LayerConfig.Keras2Json(obj);
        return c;
    }

    private (string, KerasObject?)[] WeightFields() =>
    [
        ("beta_initializer", BetaInitializer), ("gamma_initializer", GammaInitializer),
        ("beta_regularizer", BetaRegularizer), ("gamma_regularizer", GammaRegularizer),
        ("beta_constraint", BetaConstraint), ("gamma_constraint", GammaConstraint),
    ];

    /// <summary>Keras 3's config: the axis list as given, rms_scaling after scale, Keras 3's weight objects.</summary>
    void IKeras3Config.ToKeras3(JsonObject config)
    {
        var pairs = config.ToList();
        config.Clear();
        foreach (var (key, value) in pairs)
        {
            config[key] = key == "axis" ? Keras3AxisJson(asList: true) : value;
            if (key == "scale") config["rms_scaling"] = false;
        }
        foreach (var (key, obj) in WeightFields()) config[key] = obj?.ToKeras3Json();
    }

    string? ITrainingRefusal.TrainingRefusal() => NormalizationPenalties.Refusal(this, BetaRegularizer, GammaRegularizer, BetaConstraint, GammaConstraint);
}
