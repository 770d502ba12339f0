#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The base of Keras's merge layers (<c>keras.layers.merging.base_merge.Merge</c>, tf.keras 2.4's <c>_Merge</c>):
/// layers called on a list of tensors that return one tensor. In a Functional model they are applied with
/// <c>layer.Apply(a, b, ...)</c> (Keras's <c>layer([a, b])</c>); eagerly with <see cref="Call(IReadOnlyList{Tensor}, bool)"/>.
/// They have no weights. The element-wise ones (<see cref="Add"/>, <see cref="Subtract"/>, <see cref="Multiply"/>,
/// <see cref="Average"/>, <see cref="Maximum"/>, <see cref="Minimum"/>) share <see cref="ElementwiseMerge"/>;
/// <see cref="Concatenate"/> and <see cref="Dot"/> have their own shape rules, as in Keras.
/// </summary>
public abstract partial class Merge : Layer
{
    private protected Merge(string? name, bool trainable) : base(name, null, trainable) { }

    /// <summary>The fewest inputs the layer accepts (2, as tf.keras 2.4's merge layers).</summary>
    private protected virtual int MinInputs => 2;

    /// <summary>The most inputs the layer accepts (2 for Subtract and Dot).</summary>
    private protected virtual int MaxInputs => int.MaxValue;

    /// <summary>Refuses a single input: a merge layer is called on a list of tensors.</summary>
    /// <param name="inputShape">The one per-sample shape (refused).</param>
    public sealed override void Build(int[] inputShape) => Build([inputShape]);

    /// <summary>Checks the number of inputs and their shapes (Keras's build), then records them.</summary>
    /// <exception cref="KerasNetException">Too few or too many inputs.</exception>
    /// <exception cref="ShapeMismatchException">Shapes the layer cannot merge; the message names the layer and the shapes.</exception>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis), in the order the layer is
    /// called with.</param>
    public sealed override void Build(IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        CheckCount(inputShapes.Count);
        var output = MergedShape(inputShapes);
        OnBuild(inputShapes, output);
        MarkBuilt(inputShapes);
    }

    /// <summary>Merge layers have no single-input output shape; use <see cref="ComputeOutputShapes"/>.</summary>
    /// <param name="inputShape">The per-sample input shape (without the batch axis).</param>
    /// <returns>Nothing: it throws.</returns>
    public sealed override int[] ComputeOutputShape(int[] inputShape) => ComputeOutputShapes([inputShape])[0];

    /// <summary>The per-sample output shape for the per-sample input shapes (Keras's compute_output_shape).</summary>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis), in the order the layer is
    /// called with.</param>
    /// <returns>The per-sample shape of each output.</returns>
    public sealed override int[][] ComputeOutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        CheckCount(inputShapes.Count);
        return [MergedShape(inputShapes)];
    }

    /// <summary>Validates the per-sample input shapes and returns the per-sample output shape.</summary>
    private protected abstract int[] MergedShape(IReadOnlyList<int[]> inputShapes);

    /// <summary>Precomputes what the kernels need for these shapes (after validation, before the layer is marked built).</summary>
    private protected virtual void OnBuild(IReadOnlyList<int[]> inputShapes, int[] outputShape) { }

    private void CheckCount(int count)
    {
        if (count < MinInputs)
            throw new KerasNetException(MaxInputs == MinInputs
                ? $"Layer '{Name}' ({ClassName}) should be called on exactly {MinInputs} inputs, got {count}."
                : $"Layer '{Name}' ({ClassName}): a merge layer should be called on a list of at least {MinInputs} inputs. Got {count} input{(count == 1 ? "" : "s")}.");
        if (count > MaxInputs)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) should be called on exactly {MaxInputs} inputs, got {count}.");
    }

    // ---- computing ----

    /// <summary>Not used: a merge layer is computed by its node (several inputs).</summary>
    /// <param name="ctx">The call's context: its scratch tensors, the state a backward pass reads, and the
    /// masks.</param>
    /// <param name="input">The batch, batch axis first.</param>
    /// <returns>Nothing: it throws.</returns>
    protected internal sealed override Tensor Forward(CallContext ctx, Tensor input) =>
        throw new KerasNetException($"Layer '{Name}' ({ClassName}) should be called on a list of at least {MinInputs} tensors.");

    /// <summary>Not used: a merge layer is back-propagated by its node (several inputs).</summary>
    /// <param name="ctx">The call's context: its scratch tensors, the state a backward pass reads, and the
    /// masks.</param>
    /// <param name="gradOutput">The gradient of the loss with respect to the call's output (read-only).</param>
    /// <param name="needInputGrad">Whether the gradient with respect to the input is wanted (false for the first layer
    /// of a model).</param>
    /// <param name="sink">Where the weights' gradients go (it says which it wants).</param>
    /// <returns>Nothing: it throws.</returns>
    protected internal sealed override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink) =>
        throw new KerasNetException($"Layer '{Name}' ({ClassName}) should be called on a list of at least {MinInputs} tensors.");

    /// <summary>
    /// Runs the layer eagerly on a list of batches with a fresh context, as <c>layer([a, b])</c> on NumPy arrays in
    /// Keras; builds it on the first call. Returns a tensor of its own.
    /// </summary>
    /// <param name="inputs">The batches, one per input, batch axis first.</param>
    /// <param name="training">Whether to run in training mode (Keras's <c>training=</c>, default false).</param>
    /// <returns>The merged batch, a new tensor.</returns>
    public Tensor Call(IReadOnlyList<Tensor> inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Call(new CallContext(inputs.Count, 1), inputs, training);
    }

    /// <summary>Runs the layer on batches in a context the caller keeps for <see cref="Layer.Backward(CallContext, Tensor, bool)"/>.</summary>
    internal Tensor Call(CallContext ctx, IReadOnlyList<Tensor> inputs, bool training)
    {
        if (inputs.Count == 0 || inputs.Any(t => t is null))
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) should be called on a list of at least {MinInputs} tensors.");
        if (ctx.Inputs.Length != inputs.Count)
            throw new ArgumentException($"The context holds {ctx.Inputs.Length} inputs, {inputs.Count} were given.", nameof(ctx));
        if (!Built) Build(inputs.Select(t => t.Shape[1..]).ToArray());
        ctx.Training = training;
        for (int i = 0; i < inputs.Count; i++) ctx.Inputs[i] = inputs[i];
        ForwardNode(ctx);
        return ctx.Outputs[0];
    }

    /// <summary>Checks a call's tensors against the built shapes and that they hold the same number of samples.</summary>
    private protected void CheckInputs(CallContext ctx)
    {
        var ins = ctx.Inputs;
        if (InputShapes is null) throw new KerasNetException($"Layer '{Name}' is used before it was built.");
        if (ins.Length != InputShapes.Count)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) was built for {InputShapes.Count} inputs but is called on {ins.Length}.");
        for (int i = 0; i < ins.Length; i++) CheckInput(ins[i], i);
        for (int i = 1; i < ins.Length; i++)
            if (ins[i].BatchSize != ins[0].BatchSize)
                throw new ShapeMismatchException(
                    $"Layer '{Name}' ({ClassName}) cannot merge tensors with different batch sizes. Got tensors with shapes {FormatBatchShapes(ins)}.");
    }

    /// <summary>Per-sample shapes as Keras prints a list of input shapes: <c>[(None, 3), (None, 4)]</c>.</summary>
    private protected static string FormatShapes(IReadOnlyList<int[]> shapes) =>
        "[" + string.Join(", ", shapes.Select(ShapeUtil.FormatWithNone)) + "]";

    private static string FormatBatchShapes(Tensor[] tensors) =>
        "[" + string.Join(", ", tensors.Select(t => ShapeUtil.Format(t.Shape))) + "]";
}
