#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's BatchNormalization: <c>y = gamma * (x - mean) / sqrt(var + epsilon) + beta</c> per channel of
/// <see cref="Axis"/>. In a training call (<c>Fit</c>, <c>TrainOnBatch</c>, <c>Call(x, training: true)</c>) mean and
/// var are the batch's statistics over every other axis, and the moving statistics move towards them,
/// <c>moving = moving - (moving - batch) * (1 - momentum)</c>; at inference the moving statistics are used, folded once
/// into a per-channel scale and shift (rebuilt when a weight changes) and applied in one vectorised pass. A layer with
/// <see cref="Layer.Trainable"/> false always runs in inference mode, in <c>Fit</c> too, and its moving statistics never
/// change (TensorFlow 2's rule, Keras 3's too).
/// </summary>
/// <remarks>
/// <para>Weights, in Keras's order: <c>gamma</c> (when <see cref="Scale"/>), <c>beta</c> (when <see cref="Center"/>),
/// then the non-trainable <c>moving_mean</c> and <c>moving_variance</c>; their shape is the channel count for one axis,
/// and for several axes tf.keras's shape of the input's rank with 1 on the other axes.</para>
/// <para>The moving variance update follows the Keras that made the model (see <see cref="UsesUnbiasedMovingVariance"/>):
/// tf.keras 2.x feeds it the unbiased batch variance n/(n-1) * var for 4-D inputs on axis 1 or 3 (its fused kernel),
/// the biased one otherwise; Keras 1, Keras 3 and tfjs-layers always the biased one. The output always uses the biased
/// variance.</para>
/// <para>Gamma/beta regularizers and constraints are applied in training as Keras does (penalties in the loss,
/// constraints after each update). Keras's <c>renorm</c>, <c>virtual_batch_size</c> and <c>adjustment</c> are refused when a config sets them.</para>
/// </remarks>
[KerasLayer("BatchNormalization")]
public sealed partial class BatchNormalization : Layer, ITrainingRefusal
{
    /// <summary>What a call keeps for backward: which statistics it used, per-channel scratch, permuted copies.</summary>
    private sealed class Saved
    {
        public bool BatchStats;
        public Folding? Fold;
        public float[] Mean = [], Var = [], InvStd = [], Scale = [], Shift = [], S1 = [], S2 = [], A = [], B = [], D = [], Zero = [];
        public Tensor? PermX, PermY, PermDy, PermDx;

        public void Ensure(int channels)
        {
            if (Mean.Length == channels) return;
            float[] New() => new float[channels];
            (Mean, Var, InvStd, Scale, Shift, S1, S2, A, B, D, Zero) = (New(), New(), New(), New(), New(), New(), New(), New(), New(), New(), New());
        }
    }

    /// <summary>Creates the layer with Keras's defaults (axis -1, momentum 0.99, epsilon 1e-3, center and scale).</summary>
    /// <param name="axis">The channel axis (Keras counts the batch as 0; -1 is the last), or a list of axes (tf.keras).</param>
    /// <param name="momentum">Keras's momentum of the moving averages.</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="center">Whether beta is added (a <c>beta</c> weight).</param>
    /// <param name="scale">Whether gamma multiplies (a <c>gamma</c> weight).</param>
    /// <param name="betaInitializer">A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>,
    /// <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null
    /// is Keras's default <c>"zeros"</c>.</param>
    /// <param name="gammaInitializer">A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>,
    /// <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null
    /// is Keras's default <c>"ones"</c>.</param>
    /// <param name="movingMeanInitializer">A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="movingVarianceInitializer">A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"ones"</c>.</param>
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
    /// <param name="name">Null: Keras's automatic name (batch_normalization, batch_normalization_1, ...).</param>
    /// <param name="trainable">False freezes gamma and beta and makes the layer run in inference mode.</param>
    public BatchNormalization(AxisSpec axis = default, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true,
        Initializer? betaInitializer = null, Initializer? gammaInitializer = null,
        Initializer? movingMeanInitializer = null, Initializer? movingVarianceInitializer = null,
        Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
        Constraint? betaConstraint = null, Constraint? gammaConstraint = null,
        Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(name, inputShape, trainable)
    {
        if (!(momentum >= 0 && momentum <= 1)) throw new KerasNetException($"BatchNormalization '{Name}': momentum must be in [0, 1], got {momentum}.");
        if (!(epsilon > 0) || double.IsInfinity(epsilon)) throw new KerasNetException($"BatchNormalization '{Name}': epsilon must be a positive number, got {epsilon}.");
        if (axis.Values.Count == 0) throw new KerasNetException($"BatchNormalization '{Name}': axis is an empty list.");
        Axis = axis;
        Momentum = momentum;
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
        BetaInitializer = betaInitializer ?? new Zeros();
        GammaInitializer = gammaInitializer ?? new Ones();
        MovingMeanInitializer = movingMeanInitializer ?? new Zeros();
        MovingVarianceInitializer = movingVarianceInitializer ?? new Ones();
        (BetaRegularizer, GammaRegularizer, BetaConstraint, GammaConstraint) = (betaRegularizer, gammaRegularizer, betaConstraint, gammaConstraint);
    }

    /// <summary>The channel axis or axes, as given.</summary>
    public AxisSpec Axis { get; }
    /// <summary>Momentum of the moving averages.</summary>
    public double Momentum { get; }
    /// <summary>Added to the variance.</summary>
    public double Epsilon { get; }
    /// <summary>Whether beta is added.</summary>
    public bool Center { get; }
    /// <summary>Whether gamma multiplies.</summary>
    public bool Scale { get; }
    /// <summary>Initializers of beta, gamma, the moving mean and the moving variance.</summary>
    public Initializer BetaInitializer { get; }
    /// <inheritdoc cref="BetaInitializer"/>
    public Initializer GammaInitializer { get; }
    /// <inheritdoc cref="BetaInitializer"/>
    public Initializer MovingMeanInitializer { get; }
    /// <inheritdoc cref="BetaInitializer"/>
    public Initializer MovingVarianceInitializer { get; }
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

    /// <summary>The weights once built (gamma and beta are null when <see cref="Scale"/> / <see cref="Center"/> are false).</summary>
    public Variable? Gamma { get; private set; }
    /// <inheritdoc cref="Gamma"/>
    public Variable? Beta { get; private set; }
    /// <inheritdoc cref="Gamma"/>
    public Variable? MovingMean { get; private set; }
    /// <inheritdoc cref="Gamma"/>
    public Variable? MovingVariance { get; private set; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    internal NormalizedAxes? Layout { get; private set; }

    // Not contiguous (tf.keras's several axes with others between them): each sample is permuted to put them last.
    private bool Permuted => !Layout!.Contiguous;

    /// <summary>The channel count (the product of the axes' sizes) once built.</summary>
    internal int Channels => Layout!.Size;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var layout = NormalizedAxes.Resolve(this, Axis, inputShape);
        // tf.keras: one axis gives a (channels,) shape; several the input's rank with 1 on the other axes.
        int[] shape = layout.Axes.Length == 1
            ? [layout.Size]
            : [1, .. Enumerable.Range(0, inputShape.Length).Select(a => layout.Axes.Contains(a) ? inputShape[a] : 1)];
        Layout = layout;
        if (Scale) Gamma = AddWeight("gamma", shape, GammaInitializer);
        if (Center) Beta = AddWeight("beta", shape, BetaInitializer);
        AttachPenalties();
        MovingMean = AddWeight("moving_mean", shape, MovingMeanInitializer, trainable: false);
        MovingVariance = AddWeight("moving_variance", shape, MovingVarianceInitializer, trainable: false);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <summary>The [outer, channels, inner] view of a batch (of the permuted batch when <see cref="Permuted"/>).</summary>
    private (int Outer, int Channels, int Inner) Dims(int batch) => Permuted
        ? (batch * (ShapeUtil.Product(Layout!.SampleShape) / Layout.Size), Layout.Size, 1)
        : (batch * Layout!.Before, Layout.Size, Layout.After);

    /// <summary>A batch with each sample's axes permuted so that the channel axes come last (into a reused tensor).</summary>
    private Tensor ToLast(IBackend be, Tensor src, ref Tensor? dst)
    {
        dst = Tensor.EnsureBatch(dst, src.BatchSize, Layout!.PermutedShape);
        be.PermuteSamples(src.Buffer, src.BatchSize, Layout.SampleShape, Layout.ToLast, dst.Buffer);
        return dst;
    }

    // At inference, x * scale + shift per element with the moving statistics (a multiply then an add, never fused, in
    // a vector lane or a scalar alike); each sample moved on its own where the axis is not last.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        var s = ctx.StateOf<Saved>();
        s.Ensure(Channels);
        var be = Backend.Current;
        var output = ctx.Scratch(CallContext.OutputSlot, input.Shape);
        var x = Permuted ? ToLast(be, input, ref s.PermX) : input;
        var y = Permuted ? (s.PermY = Tensor.Ensure(s.PermY, (ReadOnlySpan<int>)x.Shape)) : output;
        var (outer, c, inner) = Dims(input.BatchSize);
        s.BatchStats = ctx.Training && Trainable;
        if (s.BatchStats)
        {
            be.ChannelMoments(x.Buffer, outer, c, inner, s.Mean, s.Var);
            float eps = (float)Epsilon;
            for (int k = 0; k < c; k++)
            {
                float inv = s.InvStd[k] = 1f / MathF.Sqrt(s.Var[k] + eps);
                s.Scale[k] = (Gamma?.Value[k] ?? 1f) * inv;
                s.Shift[k] = (Beta?.Value[k] ?? 0f) - s.Mean[k] * s.Scale[k];
            }
            be.ChannelAffine(x.Buffer, outer, c, inner, s.Scale, s.Shift, y.Buffer);
            UpdateMovingStatistics(s.Mean, s.Var, (long)outer * inner);
        }
        else
        {
            var f = s.Fold = Folded();
            be.ChannelAffine(x.Buffer, outer, c, inner, f.Scale, f.Shift, y.Buffer);
        }
        if (Permuted) be.PermuteSamples(y.Buffer, input.BatchSize, Layout!.PermutedShape, Layout.FromLast, output.Buffer);
        return output;
    }

    /// <summary>
    /// Keras's update of the moving statistics from one training batch of <paramref name="n"/> values per channel:
    /// moving -= (moving - batch) * (1 - momentum), with the variance made unbiased (n / (n - 1), n - 1 at least 1 as
    /// TensorFlow's fused kernel) where <see cref="UsesUnbiasedMovingVariance"/>.
    /// </summary>
    private void UpdateMovingStatistics(float[] mean, float[] variance, long n)
    {
        float decay = (float)(1.0 - Momentum);
        float correction = UsesUnbiasedMovingVariance ? (float)n / Math.Max(n - 1, 1) : 1f;
        var mm = MovingMean!.Value.Span;
        var mv = MovingVariance!.Value.Span;
        for (int k = 0; k < mm.Length; k++)
        {
            mm[k] -= (mm[k] - mean[k]) * decay;
            mv[k] -= (mv[k] - variance[k] * correction) * decay;
        }
        MovingMean.MarkChanged();
        MovingVariance.MarkChanged();
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var s = ctx.StateOf<Saved>();
        var be = Backend.Current;
        var x = Permuted ? s.PermX! : ctx.Inputs[0];
        var dy = Permuted ? ToLast(be, gradOutput, ref s.PermDy) : gradOutput;
        var (outer, c, inner) = Dims(gradOutput.BatchSize);
        bool wantGamma = Gamma != null && sink.Wants(Gamma), wantBeta = Beta != null && sink.Wants(Beta);
        var (center, invStd) = s.BatchStats ? (s.Mean, s.InvStd) : (s.Fold!.Mean, s.Fold.InvStd);
        if (wantGamma || wantBeta || (needInputGrad && s.BatchStats))
            be.ChannelGradientSums(dy.Buffer, x.Buffer, center, outer, c, inner, s.S1, s.S2);
        if (wantGamma)
        {
            var g = sink.GradientFor(Gamma!);
            for (int k = 0; k < c; k++) g[k] = s.S2[k] * invStd[k];
            sink.Commit(Gamma!);
        }
        if (wantBeta)
        {
            s.S1.AsSpan(0, c).CopyTo(sink.GradientFor(Beta!));
            sink.Commit(Beta!);
        }
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        var dx = Permuted ? (s.PermDx = Tensor.Ensure(s.PermDx, (ReadOnlySpan<int>)x.Shape)) : gradIn;
        if (s.BatchStats)
        {
            // d/dx of gamma * (x - mean) * invStd with batch statistics:
            // gamma * invStd * (dy - mean(dy) - (x - mean) * invStd^2 * mean(dy * (x - mean))).
            float n = (float)outer * inner;
            for (int k = 0; k < c; k++)
            {
                float a = s.A[k] = (Gamma?.Value[k] ?? 1f) * invStd[k];
                s.B[k] = -a * invStd[k] * invStd[k] * s.S2[k] / n;
                s.D[k] = -a * s.S1[k] / n;
            }
            be.ChannelAffineGradient(dy.Buffer, x.Buffer, center, outer, c, inner, s.A, s.B, s.D, dx.Buffer);
        }
        else be.ChannelAffine(dy.Buffer, outer, c, inner, s.Fold!.Scale, s.Zero, dx.Buffer);
        if (Permuted) be.PermuteSamples(dx.Buffer, gradOutput.BatchSize, Layout!.PermutedShape, Layout.FromLast, gradIn.Buffer);
        return gradIn;
    }

    string? ITrainingRefusal.TrainingRefusal() => NormalizationPenalties.Refusal(this, Gamma, Beta, BetaRegularizer, GammaRegularizer, BetaConstraint, GammaConstraint);
}
