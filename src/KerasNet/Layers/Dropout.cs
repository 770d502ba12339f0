#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// Sets a fraction <see cref="Rate"/> of inputs to zero during training and scales the rest by 1/(1 - rate);
/// the identity at inference.
/// </summary>
public sealed class Dropout : Layer
{
    private Tensor? _output, _gradIn;
    private float[] _mask = Array.Empty<float>();
    private bool _dropped;

    /// <summary>Creates the layer.</summary>
    public Dropout(double rate, int? seed = null, Shape? inputShape = null, string? name = null) : base(name, inputShape)
    {
        if (rate < 0 || rate >= 1) throw new KerasNetException($"Dropout: rate must be in [0, 1), got {rate}.");
        Rate = rate;
        Seed = seed;
    }

    /// <summary>Fraction dropped.</summary>
    public double Rate { get; }

    /// <summary>Optional seed for the mask.</summary>
    public int? Seed { get; }

    private Random? _rng;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        CheckInput(inputs);
        _dropped = training && Rate > 0;
        if (!_dropped) return inputs;
        // Without an explicit seed the global stream is looked up on every call, so SetRandomSeed also re-seeds
        // the masks of layers that already exist.
        var rng = Seed is null ? KerasRandom.Stream("dropout") : (_rng ??= KerasRandom.For(Seed, "dropout"));
        if (_mask.Length < inputs.Length) _mask = new float[inputs.Length];
        float scale = (float)(1.0 / (1.0 - Rate));
        for (int i = 0; i < inputs.Length; i++) _mask[i] = rng.NextDouble() >= Rate ? scale : 0f;
        _output = Tensor.Ensure(_output, inputs.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(inputs.Span, _mask.AsSpan(0, inputs.Length), _output.Span);
        return _output;
    }

    /// <inheritdoc/>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (!needInputGrad) return null;
        if (!_dropped) return gradOutput;
        _gradIn = Tensor.Ensure(_gradIn, gradOutput.Shape);
        System.Numerics.Tensors.TensorPrimitives.Multiply(gradOutput.Span, _mask.AsSpan(0, gradOutput.Length), _gradIn.Span);
        return _gradIn;
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
