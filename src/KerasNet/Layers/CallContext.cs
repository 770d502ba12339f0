#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// What one call of a layer saves for its backward pass: the inputs it was given, the outputs it made, the input
/// gradients, and any layer-specific state (pooling winners, a convolution's unfolded input, dropout masks). It
/// belongs to one node of one graph evaluation, never to the layer, so a layer can be called several times in a graph
/// and a model can serve concurrent calls. The tensors it owns are reused from call to call (no per-step allocation).
/// </summary>
public sealed partial class CallContext
{
    private readonly Tensor?[] _scratch = new Tensor?[4];

    /// <summary>Creates a context for a call with the given numbers of inputs and outputs.</summary>
    /// <param name="inputs">The number of inputs of the call (0 or more; default 1).</param>
    /// <param name="outputs">The number of outputs (at least 1; default 1).</param>
    public CallContext(int inputs = 1, int outputs = 1)
    {
        if (inputs < 0 || outputs < 1) throw new ArgumentOutOfRangeException(nameof(inputs));
        Inputs = new Tensor[inputs];
        Outputs = new Tensor[outputs];
        InputGrads = new Tensor?[inputs];
    }

    /// <summary>The call's inputs, set by the caller before the forward pass.</summary>
    public Tensor[] Inputs { get; }

    /// <summary>The call's outputs, set by the layer; valid until the next call with this context.</summary>
    public Tensor[] Outputs { get; }

    /// <summary>The gradients with respect to the inputs, set by the layer's backward pass when asked for.</summary>
    public Tensor?[] InputGrads { get; }

    /// <summary>Whether this call runs in training mode (dropout active, what backward needs recorded).</summary>
    public bool Training { get; set; }

    /// <summary>
    /// Set by the trainer on the node whose output the compiled loss reads as logits (softmax with categorical
    /// cross-entropy, sigmoid with binary cross-entropy, as tf.keras's fit does): the layer keeps the pre-activation
    /// values in <see cref="Logits"/> and its backward pass skips the activation's Jacobian.
    /// </summary>
    public bool FuseActivationWithLoss { get; set; }

    /// <summary>The pre-activation values of the last forward pass, when fused with the loss.</summary>
    public Tensor? Logits => FuseActivationWithLoss ? _logits : null;

    internal Tensor? _logits;

    /// <summary>Layer-specific state kept between forward and backward (created by the layer on first use).</summary>
    public object? State { get; set; }

    /// <summary>The layer's state of type <typeparamref name="T"/>, created on first use.</summary>
    /// <typeparam name="T">The state's class, with a parameterless constructor.</typeparam>
    /// <returns>The state object, the same one across the calls of this context.</returns>
    public T StateOf<T>() where T : class, new() => State as T ?? (T)(State = new T());

    /// <summary>
    /// A tensor of this context re-shaped to (batch, sampleShape...), reused across calls; slots keep separate
    /// buffers (the output, the incoming gradient copy, the input gradient ...).
    /// </summary>
    /// <param name="slot">The buffer's slot, from 0 (each slot keeps its own tensor).</param>
    /// <param name="batch">The number of samples.</param>
    /// <param name="sampleShape">The per-sample dimensions.</param>
    /// <returns>The slot's tensor, re-shaped (its contents are unspecified).</returns>
    public Tensor Scratch(int slot, int batch, int[] sampleShape) =>
        _scratch[slot] = Tensor.EnsureBatch(_scratch[slot], batch, sampleShape);

    /// <summary>A tensor of this context of exactly <paramref name="shape"/>, reused across calls.</summary>
    /// <param name="slot">The buffer's slot, from 0.</param>
    /// <param name="shape">The dimensions.</param>
    /// <returns>The slot's tensor, re-shaped (its contents are unspecified).</returns>
    public Tensor Scratch(int slot, params ReadOnlySpan<int> shape) => _scratch[slot] = Tensor.Ensure(_scratch[slot], shape);

    /// <summary>
    /// Set by the graph on a 2-D convolution of an inference pass whose ZeroPadding2D it absorbed
    /// (FunctionalGraph.Padding.cs): the input is the unpadded image and the convolution treats these margins as zeros.
    /// </summary>
    internal Margins2D? InferencePadding { get; set; }

    /// <summary>Views (no buffers of their own) of another tensor: a reshaped input and a reshaped gradient.</summary>
    internal Tensor? View, GradView;

    /// <summary>Scratch slot numbers shared by the single-tensor layers.</summary>
    internal const int OutputSlot = 0, GradOutSlot = 1, GradInSlot = 2, ExtraSlot = 3;
}
