#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Sets a fraction <see cref="Rate"/> of inputs to zero during training and scales the rest by 1/(1 - rate);
/// the identity at inference.
/// </summary>
[KerasLayer("Dropout")]
public sealed class Dropout : Layer
{
    /// <summary>The mask of one call (the kept inputs' scale, zero for the dropped).</summary>
    private sealed class Saved
    {
        public float[] Mask = Array.Empty<float>();
        public bool Dropped;
    }

    /// <summary>Creates the layer.</summary>
    public Dropout(double rate, int? seed = null, Shape? inputShape = null, string? name = null) : base(name, inputShape)
    {
        if (rate < 0 || rate >= 1) throw new KerasNetException($"Dropout: rate must be in [0, 1), got {rate}.");
        Rate = rate;
        Seed = seed;
    }

    /// <summary>The layer of a Keras config (Keras 1's <c>p</c> for the rate).</summary>
    internal static Dropout FromConfig(LayerConfigReader c) => new(c.Double(0, "rate", "p"), c.OptionalInt("seed"), name: c.Name);

    /// <summary>Fraction dropped.</summary>
    public double Rate { get; }

    /// <summary>Passes masks on (tf.keras 2.4's Dropout sets supports_masking).</summary>
    public override bool SupportsMasking => true;

    /// <summary>Optional seed for the mask.</summary>
    public int? Seed { get; }

    private Random? _rng;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<Saved>();
        saved.Dropped = ctx.Training && Rate > 0;
        if (!saved.Dropped) return inputs;
        // Without an explicit seed the global stream is looked up on every call, so SetRandomSeed also re-seeds
        // the masks of layers that already exist. Random is not thread-safe: calls in training mode draw under a lock.
        var rng = Seed is null ? KerasRandom.Stream("dropout") : (_rng ??= KerasRandom.For(Seed, "dropout"));
        if (saved.Mask.Length < inputs.Length) saved.Mask = new float[inputs.Length];
        float scale = (float)(1.0 / (1.0 - Rate));
        var mask = saved.Mask;
        lock (rng) for (int i = 0; i < inputs.Length; i++) mask[i] = rng.NextDouble() >= Rate ? scale : 0f;
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(inputs.Span, mask.AsSpan(0, inputs.Length), output.Span);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var saved = ctx.StateOf<Saved>();
        if (!saved.Dropped) return gradOutput;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(gradOutput.Span, saved.Mask.AsSpan(0, gradOutput.Length), gradIn.Span);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["noise_shape"] = null;
        c["seed"] = Seed;
        return c;
    }
}
