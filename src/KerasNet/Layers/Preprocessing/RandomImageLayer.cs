#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The base of the augmentation layers (RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast):
/// the identity at inference (the input itself is returned) and, in training, a random transformation drawn per
/// image. A layer with a seed draws from its own generator (<c>KerasRandom.For(seed, "augment")</c>), so two layers
/// with the same seed augment identically; without one it draws from the context's "augment" stream, which
/// <c>KerasRandom.SetRandomSeed</c> re-seeds. What one call drew stays in its <see cref="CallContext"/> for the
/// backward pass, which applies the transposed (linear) map of the same transformation.
/// </summary>
public abstract class RandomImageLayer : Layer
{
    /// <summary>What one call drew: the per-image parameters, and whether it augmented at all.</summary>
    internal sealed class Drawn
    {
        public bool Augmented;
        public int Batch;
        public float[] Params = [];
    }

    private Random? _rng;

    /// <summary>Sets the seed and the common Keras arguments.</summary>
    private protected RandomImageLayer(int? seed, Shape? inputShape, string? name, bool trainable) : base(name, inputShape, trainable) => Seed = seed;

    /// <summary>The seed of the layer's own generator; null draws from the context's "augment" stream.</summary>
    public int? Seed { get; }

    /// <summary>How many floats the layer draws (and derives) per image, for the built input shape.</summary>
    private protected abstract int ParamsPerImage { get; }

    /// <summary>Draws one image's parameters into <paramref name="p"/> (height and width are the image's).</summary>
    private protected abstract void Draw(Random rng, int height, int width, Span<float> p);

    /// <summary>Writes the augmented batch into <paramref name="output"/> (may complete the parameters, e.g. means).</summary>
    private protected abstract void Apply(Tensor input, float[] p, Tensor output);

    /// <summary>Writes the input gradient of <see cref="Apply"/> into <paramref name="gradIn"/>.</summary>
    private protected abstract void ApplyBackward(CallContext ctx, Tensor gradOutput, float[] p, Tensor gradIn);

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        PreprocessingArgs.CheckImage(this, inputShape);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        PreprocessingArgs.CheckImage(this, inputShape);
        return inputShape;
    }

    /// <inheritdoc/>
    protected internal sealed override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        var drawn = ctx.StateOf<Drawn>();
        drawn.Augmented = ctx.Training;
        if (!ctx.Training) return input;
        int batch = input.BatchSize, k = ParamsPerImage;
        drawn.Batch = batch;
        if (drawn.Params.Length < batch * k) drawn.Params = new float[batch * k];
        // Without a seed the stream is looked up on every call so that SetRandomSeed reaches existing layers; a
        // Random is not thread-safe, so concurrent training calls draw under its lock.
        var rng = Seed is null ? KerasRandom.Stream("augment") : OwnGenerator();
        lock (rng)
            for (int b = 0; b < batch; b++) Draw(rng, InputShape![0], InputShape[1], drawn.Params.AsSpan(b * k, k));
        var output = ctx.Scratch(CallContext.OutputSlot, input.Shape);
        Apply(input, drawn.Params, output);
        return output;
    }

    // Created once even when the first training calls race (two generators would draw differently).
    private Random OwnGenerator()
    {
        if (Volatile.Read(ref _rng) is { } rng) return rng;
        Interlocked.CompareExchange(ref _rng, KerasRandom.For(Seed, "augment"), null);
        return _rng;
    }

    /// <inheritdoc/>
    protected internal sealed override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var drawn = ctx.StateOf<Drawn>();
        if (!drawn.Augmented) return gradOutput;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        ApplyBackward(ctx, gradOutput, drawn.Params, gradIn);
        return gradIn;
    }

    /// <summary>The parameters the last training call in <paramref name="ctx"/> drew, per image (for tests); null when it did not augment.</summary>
    internal float[][]? DrawnParameters(CallContext ctx)
    {
        if (ctx.State is not Drawn { Augmented: true } d) return null;
        int k = ParamsPerImage;
        return Enumerable.Range(0, d.Batch).Select(b => d.Params.AsSpan(b * k, k).ToArray()).ToArray();
    }
}
