#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Densely-connected layer: <c>output = activation(dot(input, kernel) + bias)</c>, kernel (in, out) as Keras stores it.
/// Inputs of higher rank are multiplied along their last axis.
/// </summary>
[KerasLayer("Dense")]
public sealed class Dense : KernelLayer
{
    // The kernel's panels for inference (batch 1 included), packed once per kernel version (shared by every caller).
    private readonly DenseKernelPack _inferencePack = new();

    /// <summary>Creates the layer with Keras's defaults (glorot_uniform kernel, zero bias, no activation).</summary>
    /// <remarks>
    /// Initializers, regularizers and constraints take Keras objects or names (<c>kernelInitializer: "he_normal"</c>,
    /// <c>kernelRegularizer: new L2(1e-4)</c>); null initializers are Keras's defaults. Training adds the
    /// regularizers' penalties to the loss (the activity regularizer's divided by the batch size, as tf.keras 2.4)
    /// and projects the weights with their constraints after each update, as Keras does.
    /// <c>inputDim</c> is Keras 2's <c>input_dim</c>: <c>new Dense(32, inputDim: 784)</c> means <c>inputShape: 784</c>.
    /// </remarks>
    /// <param name="units">Output size: each sample's last axis becomes this many values (Keras applies the kernel to the last axis of any rank).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias vector is added (Keras default true).</param>
    /// <param name="kernelInitializer">The kernel's initializer, an object or a Keras name ("glorot_uniform", "he_normal", "zeros", ...); null is Keras's default "glorot_uniform".</param>
    /// <param name="biasInitializer">The bias's initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    /// <param name="trainable">Whether fit updates the weights (false freezes the layer).</param>
    /// <param name="kernelRegularizer">Penalty on the kernel added to the loss (e.g. <c>new L2(1e-4)</c>). A Keras name
    /// (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a
    /// regularizer object; null (Keras's default) for none.</param>
    /// <param name="biasRegularizer">Penalty on the bias. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see
    /// <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="activityRegularizer">Penalty on the layer's output, divided by the batch size as tf.keras 2.4 does.
    /// A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see
    /// cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="kernelConstraint">Projection applied to the kernel after each update (e.g. <c>new MaxNorm(3)</c>).
    /// A Keras name (<c>"max_norm"</c>, <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="biasConstraint">Projection applied to the bias after each update. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="inputDim">Keras 2's <c>input_dim</c>: <c>inputDim: 784</c> is <c>inputShape: 784</c>; give at most one of the two.</param>
    public Dense(int units, string? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? biasConstraint = null, int? inputDim = null)
        : base(activation, useBias, kernelInitializer, biasInitializer, InputShapeOf(inputShape, inputDim), name, trainable,
            new WeightOptions(kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint))
    {
        if (units <= 0) throw new KerasNetException($"Dense: units must be positive, got {units}.");
        Units = units;
    }

    /// <summary>
    /// Keras 2's <c>input_dim</c> alias: <c>Dense(32, input_dim=784)</c> is <c>input_shape=(784,)</c>. Keras lets
    /// input_shape win silently when both are given; a disagreement is refused here, as it is surely a mistake.
    /// </summary>
    private static Shape? InputShapeOf(Shape? inputShape, int? inputDim)
    {
        if (inputDim is null) return inputShape;
        if (inputDim <= 0) throw new KerasNetException($"Dense: inputDim must be positive, got {inputDim}.");
        if (inputShape is { } s && !(s.Dims.Length == 1 && s.Dims[0] == inputDim))
            throw new KerasNetException($"Dense: inputShape {ShapeUtil.Format(s.Dims)} and inputDim {inputDim} disagree; give one of them.");
        return inputShape ?? new Shape(inputDim.Value);
    }

    /// <summary>The layer of a Keras config (Keras 1's <c>output_dim</c>, <c>init</c> and <c>bias</c> included).</summary>
    internal static Dense FromConfig(LayerConfigReader c) =>
        new(c.Int("units", "output_dim"), c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"));

    /// <summary>Output width.</summary>
    public int Units { get; }

    /// <summary>Passes masks on (tf.keras 2.4's Dense sets supports_masking): a (batch, timesteps) mask stays with the timesteps.</summary>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        if (inputShape.Length == 0) throw new ShapeMismatchException($"Layer '{Name}' (Dense) needs an input of rank >= 1 per sample.");
        AddKernelAndBias([inputShape[^1], Units]);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => [.. inputShape[..^1], Units];

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs) =>
        ForwardWithWeights(ctx, inputs, Kernel!.Value.Buffer, UseBias ? Bias!.Value.Buffer : null);

    private protected override bool AbsorbsAffine => true;

    // Rows of the backend's promise, over the rows one sample makes (one, or its timesteps for a sequence input).
    internal override int InferenceInvariantSamples =>
        InputShape is { } shape && HasExactActivation
            ? Backend.Current.DenseInferInvariantRows(shape[^1], Units) / Math.Max(1, ShapeUtil.Product(shape.AsSpan(0, shape.Length - 1))) : 1;

    /// <inheritdoc/>
    internal override Tensor ForwardWithWeights(CallContext ctx, Tensor inputs, float[] kernel, float[]? bias, bool relu = false, float? clipMax = null)
    {
        CheckInput(inputs);
        int inDim = InputShape![^1], rows = inputs.Length / inDim;
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        var activation = FoldedActivation(ctx, relu, out bool fused);
        // Inference may sum in another order where that is faster; training keeps the forward its seeded runs were made with.
        if (ctx.Training) Backend.Current.DenseForward(rows, inDim, Units, inputs.Buffer, kernel, bias, activation, output.Buffer);
        else Backend.Current.DenseInfer(rows, inDim, Units, inputs.Buffer, kernel, bias, activation, output.Buffer,
            _inferencePack, ReferenceEquals(kernel, Kernel!.Value.Buffer) ? Kernel.Version : -1);
        if (!fused) Stage.Forward(ctx, output);
        ClipAbove(output, clipMax);
        return output;
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var input = ctx.Inputs[0];
        int inDim = InputShape![^1], rows = input.Length / inDim;
        var gradOut = ctx.Scratch(CallContext.GradOutSlot, gradOutput.Shape);
        gradOutput.Span.CopyTo(gradOut.Span);
        Stage.Backward(ctx, gradOut, ctx.Outputs[0]);
        var be = Backend.Current;
        if (UseBias && sink.Wants(Bias!)) ColumnSums(be, sink, Bias!, gradOut.Buffer, rows);
        var gradIn = needInputGrad ? ctx.Scratch(CallContext.GradInSlot, input.Shape) : null;
        bool wantKernel = sink.Wants(Kernel!);
        // Small batch: one pass over the kernel computes the input gradient and updates each kernel row, when the
        // trainer allows it for this variable; the kernel gradient is then never stored.
        if (wantKernel && be.PrefersFusedDenseBackward(rows) && sink.TryFuse(Kernel!) is { } update)
        {
            be.DenseBackwardFused(rows, inDim, Units, input.Buffer, gradOut.Buffer, Kernel!.Value.Buffer, gradIn?.Buffer, update);
            return gradIn;
        }
        // Larger batches: the blocked pass, again fused with the update when the trainer allows it (any element-wise
        // optimizer), otherwise for the input gradient alone; either way the kernel is read in place, never transposed.
        bool blocked = be.PrefersBlockedDenseBackward(rows);
        if (blocked && wantKernel && sink.TryFuse(Kernel!) is { } blockUpdate)
        {
            be.DenseBackwardBlocked(rows, inDim, Units, input.Buffer, gradOut.Buffer, Kernel!.Value.Buffer, gradIn?.Buffer, blockUpdate);
            return gradIn;
        }
        if (wantKernel)
        {
            be.Gemm(true, false, inDim, Units, rows, input.Buffer, inDim, gradOut.Buffer, Units, sink.GradientFor(Kernel!), Units, false);
            sink.Commit(Kernel!);
        }
        if (gradIn is null) return null;
        if (blocked) be.DenseBackwardBlocked(rows, inDim, Units, input.Buffer, gradOut.Buffer, Kernel!.Value.Buffer, gradIn.Buffer, null);
        else be.Gemm(false, true, rows, inDim, Units, gradOut.Buffer, Units, Kernel!.Value.Buffer, Units, gradIn.Buffer, inDim, false);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["units"] = Units;
        AddActivationAndWeightConfig(c);
        return c;
    }
}
