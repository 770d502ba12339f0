#nullable enable
using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Layers;

/// <summary>
/// Keras activation names, for <c>activation: "..."</c> in every layer and in configs.
/// </summary>
/// <remarks>
/// <para>Accepted names (Keras 1, 2 and 3 spellings): <c>linear</c> (or null/empty), <c>relu</c>, <c>relu6</c>,
/// <c>leaky_relu</c> (Keras 3's, slope 0.2), <c>sigmoid</c>, <c>hard_sigmoid</c>, <c>softmax</c>, <c>log_softmax</c>,
/// <c>tanh</c>, <c>elu</c> (alpha 1), <c>selu</c>, <c>softplus</c>, <c>softsign</c>, <c>swish</c> / <c>silu</c>,
/// <c>gelu</c> (exact, erf form), <c>exponential</c>, <c>mish</c>, <c>hard_swish</c> / <c>hard_silu</c>; and two
/// KerasNet spellings for functions Keras has no name for: <c>hard_sigmoid_keras3</c> and <c>gelu_approximate</c>
/// (also tfjs's <c>gelu_new</c>).</para>
/// <para><c>hard_sigmoid</c> changed in Keras 3: tf.keras 1.x-2.x compute <c>max(0, min(1, 0.2 x + 0.5))</c>, Keras 3
/// <c>relu6(x + 3) / 6</c>. A name given in C# means tf.keras 2.4's function (the version this port follows);
/// <c>hard_sigmoid_keras3</c> asks for Keras 3's. A config is read by the version of the file it came from (its
/// <c>keras_version</c>): <c>hard_sigmoid</c> in a Keras 3 file is Keras 3's. KerasNet's tf.keras 2.4 configs
/// (<c>to_json</c>, <c>.h5</c>) write Keras 3's function as <c>hard_sigmoid_keras3</c> (which tf.keras refuses rather
/// than misreading), and its <c>.keras</c> files write it as <c>hard_sigmoid</c>; a <c>.keras</c> file cannot hold
/// tf.keras 2's function, so saving one is refused.</para>
/// <para><c>gelu</c> is the exact GELU (<c>approximate=False</c>, Keras's default); <c>gelu_approximate</c> its tanh
/// form (<c>approximate=True</c>), which Keras can only pass as a function object, never by name.</para>
/// </remarks>
public static class Activations
{
    /// <summary>KerasNet's name for Keras 3's <c>hard_sigmoid</c>, relu6(x + 3) / 6.</summary>
    public const string HardSigmoidKeras3 = "hard_sigmoid_keras3";

    /// <summary>KerasNet's name for GELU's tanh approximation (Keras's <c>gelu(x, approximate=True)</c>).</summary>
    public const string GeluApproximate = "gelu_approximate";

    private static readonly (string Name, ActivationKind Kind)[] Names =
    [
        ("linear", ActivationKind.Linear), ("relu", ActivationKind.Relu), ("sigmoid", ActivationKind.Sigmoid),
        ("tanh", ActivationKind.Tanh), ("softmax", ActivationKind.Softmax), ("relu6", ActivationKind.Relu6),
        ("hard_sigmoid", ActivationKind.HardSigmoid), (HardSigmoidKeras3, ActivationKind.HardSigmoidKeras3),
        ("log_softmax", ActivationKind.LogSoftmax), ("elu", ActivationKind.Elu), ("selu", ActivationKind.Selu),
        ("softplus", ActivationKind.Softplus), ("softsign", ActivationKind.Softsign), ("swish", ActivationKind.Swish),
        ("silu", ActivationKind.Swish), ("gelu", ActivationKind.Gelu), (GeluApproximate, ActivationKind.GeluTanh),
        ("gelu_new", ActivationKind.GeluTanh), ("exponential", ActivationKind.Exponential), ("mish", ActivationKind.Mish),
        ("hard_silu", ActivationKind.HardSwish), ("hard_swish", ActivationKind.HardSwish), ("leaky_relu", ActivationKind.LeakyRelu),
    ];

    /// <summary>Resolves a Keras activation name as tf.keras 2.4 reads it; null or "linear" is the identity.</summary>
    /// <param name="name">A Keras activation name (<c>"relu"</c>, <c>"tanh"</c>, <c>"softmax"</c>, ... as listed on
    /// <see cref="Activations"/>); null or <c>"linear"</c> (Keras's default <c>activation=None</c>) is the
    /// identity.</param>
    /// <returns>The activation; an unknown name throws, listing the known ones.</returns>
    public static ActivationKind Parse(string? name) => Parse(name, kerasVersion: null);

    /// <summary>
    /// Whether the activation computes each sample with arithmetic that does not depend on where the sample lies in the
    /// batch: linear, ReLU, and softmax per row; the element-wise kernels run a vector body and a scalar tail over the
    /// whole batch, which round differently (Layer.InferenceInvariantSamples).
    /// </summary>
    internal static bool SamplesAlike(ActivationKind kind) =>
        kind is ActivationKind.Linear or ActivationKind.Relu or ActivationKind.Softmax or ActivationKind.LogSoftmax;

    /// <summary>
    /// Resolves a name as the Keras version that wrote it reads it (<c>hard_sigmoid</c> is Keras 3's function when
    /// <paramref name="kerasVersion"/> is 3 or later); null version means tf.keras 2.4.
    /// </summary>
    /// <param name="name">A Keras activation name (<c>"relu"</c>, <c>"tanh"</c>, <c>"softmax"</c>, ... as listed on
    /// <see cref="Activations"/>); null or <c>"linear"</c> (Keras's default <c>activation=None</c>) is the
    /// identity.</param>
    /// <param name="kerasVersion">The file's <c>keras_version</c> ("2.4.0", "3.11.3"); null means tf.keras 2.4.</param>
    /// <returns>The activation; an unknown name throws, listing the known ones.</returns>
    public static ActivationKind Parse(string? name, string? kerasVersion)
    {
        if (string.IsNullOrEmpty(name)) return ActivationKind.Linear;
        foreach (var (n, kind) in Names)
        {
            if (n != name) continue;
            return kind == ActivationKind.HardSigmoid && IsKeras3(kerasVersion) ? ActivationKind.HardSigmoidKeras3 : kind;
        }
        throw new KerasNetException($"Unknown activation '{name}': supported are {string.Join(", ", Names.Select(p => p.Name))}.");
    }

    /// <summary>Whether a keras_version string ("2.4.0", "3.11.3", "2.13.1") is Keras 3 or later.</summary>
    /// <param name="kerasVersion">The version string; null or empty is not Keras 3.</param>
    /// <returns>True for a major version of 3 or more.</returns>
    public static bool IsKeras3(string? kerasVersion)
    {
        if (string.IsNullOrEmpty(kerasVersion)) return false;
        int end = 0;
        while (end < kerasVersion.Length && char.IsAsciiDigit(kerasVersion[end])) end++;
        return end > 0 && int.TryParse(kerasVersion.AsSpan(0, end), out int major) && major >= 3;
    }

    /// <summary>The name of an activation in a tf.keras 2.4 config (KerasNet's own spelling where Keras has none).</summary>
    /// <param name="kind">The activation.</param>
    /// <returns>Its tf.keras 2.4 name.</returns>
    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.Swish => "swish",
        ActivationKind.HardSwish => "hard_silu",
        ActivationKind.GeluTanh => GeluApproximate,
        _ => Names.FirstOrDefault(p => p.Kind == kind).Name ?? throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// The name of an activation in a Keras 3 config (a <c>.keras</c> file): Keras 3's <c>hard_sigmoid</c> and
    /// <c>silu</c>; tf.keras 2's hard sigmoid has no Keras 3 name and is refused, naming <paramref name="where"/>.
    /// </summary>
    /// <param name="kind">The activation.</param>
    /// <param name="where">What is being written (a layer's name), for the error message.</param>
    /// <returns>Its Keras 3 name.</returns>
    public static string Keras3Name(ActivationKind kind, string where) => kind switch
    {
        ActivationKind.HardSigmoidKeras3 => "hard_sigmoid",
        ActivationKind.Swish => "silu",
        ActivationKind.HardSigmoid => throw new KerasNetException(
            $"{where}: activation 'hard_sigmoid' is tf.keras 2's max(0, min(1, 0.2x + 0.5)), which Keras 3 (a .keras file) cannot name: Keras 3 reads 'hard_sigmoid' as relu6(x + 3) / 6. Save as .h5, or use '{HardSigmoidKeras3}'."),
        _ => Name(kind),
    };
}

/// <summary>
/// The activation at the end of a layer. When the trainer fuses it with the loss (softmax with categorical
/// cross-entropy, sigmoid with binary cross-entropy, as tf.keras does inside fit), the call keeps the pre-activation
/// logits for the loss and passes the incoming gradient straight through, since the loss then gives the gradient
/// with respect to the logits. The decision is the call's (<see cref="CallContext.FuseActivationWithLoss"/>), never the layer's.
/// The activations whose derivative the output cannot give (gelu, swish, mish, hard swish, softplus) also keep the
/// pre-activation in the call (the same buffer as the logits); relu and linear never copy anything, so the layers'
/// fused bias + relu output pass stays as it is.
/// </summary>
internal sealed class ActivationStage
{
    public ActivationStage(ActivationKind kind)
    {
        Kind = kind;
        NeedsInput = ActivationKernels.NeedsInput(kind);
    }

    public ActivationKind Kind { get; }

    /// <summary>Whether the backward pass reads the pre-activation.</summary>
    public bool NeedsInput { get; }

    /// <summary>
    /// Whether the backend may apply this activation inside the layer's output pass (ReLU or identity, and no logits
    /// to keep for the loss); the layer then skips <see cref="Forward(CallContext, Tensor)"/>.
    /// </summary>
    public bool FusableIntoOutput(CallContext ctx) => !ctx.FuseActivationWithLoss && Kind is ActivationKind.Linear or ActivationKind.Relu;

    /// <summary>Applies the activation in place on the layer output (bias already added).</summary>
    public void Forward(CallContext ctx, Tensor output)
    {
        if (ctx.FuseActivationWithLoss || NeedsInput)
        {
            var pre = ctx._logits = Tensor.Ensure(ctx._logits, (ReadOnlySpan<int>)output.Shape);
            output.Span.CopyTo(pre.Span);
            Backend.Current.Activation(pre.Buffer, output.Buffer, output.Length, output.Shape[^1], Kind);
            return;
        }
        Backend.Current.Activation(output.Buffer, output.Length, output.Shape[^1], Kind);
    }

    /// <summary>output = f(input), the input left as it is (it is then the pre-activation backward reads).</summary>
    public void Forward(CallContext ctx, Tensor input, Tensor output)
    {
        if (ctx.FuseActivationWithLoss)
        {
            ctx._logits = Tensor.Ensure(ctx._logits, (ReadOnlySpan<int>)input.Shape);
            input.Span.CopyTo(ctx._logits.Span);
        }
        Backend.Current.Activation(input.Buffer, output.Buffer, input.Length, input.Shape[^1], Kind);
    }

    /// <summary>
    /// Turns a gradient with respect to the output into one with respect to the pre-activation, in place, reading the
    /// pre-activation <see cref="Forward(CallContext, Tensor)"/> kept.
    /// </summary>
    public void Backward(CallContext ctx, Tensor grad, Tensor output) => Backward(ctx, grad, output, NeedsInput ? ctx._logits : null);

    /// <summary>As <see cref="Backward(CallContext, Tensor, Tensor)"/> with the pre-activation given (the layer's input).</summary>
    public void Backward(CallContext ctx, Tensor grad, Tensor output, Tensor? preActivation)
    {
        if (ctx.FuseActivationWithLoss || Kind == ActivationKind.Linear) return;
        if (NeedsInput && preActivation is null)
            throw new KerasNetException($"Activation '{Activations.Name(Kind)}': backward pass without a forward pass in this call context.");
        Backend.Current.ActivationBackward(grad.Buffer, output.Buffer, NeedsInput ? preActivation!.Buffer : null, grad.Length, grad.Shape[^1], Kind);
    }
}
