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
/// <remarks>Gamma/beta regularizers and constraints are applied in training as Keras does (penalties in the loss,
/// constraints after each update). Keras 3's <c>rms_scaling=True</c> is refused.</remarks>
[KerasLayer("LayerNormalization")]
public sealed class LayerNormalization : RowNormalization, ITrainingRefusal, IKeras3Config
{
    /// <summary>Creates the layer with Keras's defaults (axis -1, epsilon 1e-3, center and scale).</summary>
    /// <param name="axis">The axis or axes to normalise over (Keras counts the batch as 0; -1 is the last).</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="center">Whether beta is added (a <c>beta</c> weight).</param>
    /// <param name="scale">Whether gamma multiplies (a <c>gamma</c> weight).</param>
    /// <param name="betaInitializer">A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>,
    /// <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null
    /// is Keras's default <c>"zeros"</c>.</param>
    /// <param name="gammaInitializer">A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>,
    /// <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null
    /// is Keras's default <c>"ones"</c>.</param>
    /// <param name="betaRegularizer">Applied in training as Keras does. A Keras name (<c>"l1"</c>, <c>"l2"</c>,
    /// <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null
    /// (Keras's default) for none.</param>
    /// <param name="gammaRegularizer">Applied in training as Keras does. A Keras name (<c>"l1"</c>, <c>"l2"</c>,
    /// <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null
    /// (Keras's default) for none.</param>
    /// <param name="betaConstraint">Applied in training as Keras does. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="gammaConstraint">Applied in training as Keras does. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
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
    /// <summary>Keras's beta_regularizer: its penalty on beta is added to the training loss.</summary>
    public Regularizer? BetaRegularizer { get => _betaRegularizer; set { _betaRegularizer = value; AttachPenalties(); } }
    /// <summary>Keras's gamma_regularizer: its penalty on gamma is added to the training loss.</summary>
    public Regularizer? GammaRegularizer { get => _gammaRegularizer; set { _gammaRegularizer = value; AttachPenalties(); } }
    /// <summary>Keras's beta_constraint: projects beta after each optimizer update.</summary>
    public Constraint? BetaConstraint { get => _betaConstraint; set { _betaConstraint = value; AttachPenalties(); } }
    /// <summary>Keras's gamma_constraint: projects gamma after each optimizer update.</summary>
    public Constraint? GammaConstraint { get => _gammaConstraint; set { _gammaConstraint = value; AttachPenalties(); } }

    private Regularizer? _betaRegularizer, _gammaRegularizer;
    private Constraint? _betaConstraint, _gammaConstraint;

    // Keras's add_weight(regularizer=, constraint=): the trainer applies them through the variables.
    private void AttachPenalties()
    {
        NormalizationPenalties.Attach(Gamma, _gammaRegularizer, _gammaConstraint);
        NormalizationPenalties.Attach(Beta, _betaRegularizer, _betaConstraint);
    }

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
        AttachPenalties();
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

    string? ITrainingRefusal.TrainingRefusal() => NormalizationPenalties.Refusal(this, Gamma, Beta, BetaRegularizer, GammaRegularizer, BetaConstraint, GammaConstraint);
}
